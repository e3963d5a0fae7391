"""The catalog's structured fee rules: read from [versions.fee_rule], checked at import."""

from __future__ import annotations

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import fee_quote, fee_rule_of
from motcua.catalog.services import catalog_import, default_catalog_dir
from motcua.core.fees import Channel, Per, Quantity
from tests.catalog.test_catalog_import import VALID, give_a_dossier, refused, write

RULE = """
  [versions.fee_rule]
  per = "page"
  max_per_copy = 200000
  tiers = [{ from_page = 3, amount = 1000 }]
"""


def with_rule(rule: str, fee: int = 2000) -> str:
    text = VALID.replace("fee = 0", f"fee = {fee}")
    at = text.index("  [[versions.documents]]")
    return text[:at] + rule + "\n" + text[at:]


@pytest.mark.django_db
def test_the_shipped_catalog_counts_pages_copies_and_the_online_rate():
    catalog_import(paths=[default_catalog_dir()])
    certify = ProcedureVersion.objects.get(procedure__code="2.000815")
    residence = ProcedureVersion.objects.get(procedure__code="1.004222")
    extract = ProcedureVersion.objects.get(procedure__code="2.000635")
    birth = ProcedureVersion.objects.get(procedure__code="1.001193")

    assert fee_rule_of(certify).per is Per.PAGE
    assert fee_quote(certify, Quantity(pages=10)).amount == 12_000
    assert fee_quote(residence, Quantity()).amount == 20_000
    assert fee_quote(residence, Quantity(channel=Channel.ONLINE)).amount == 10_000
    assert fee_quote(extract, Quantity(copies=2)).amount == 16_000
    assert fee_quote(birth, Quantity()).amount == 0


@pytest.mark.django_db
def test_it_imports_a_fee_rule(tmp_path):
    write(tmp_path, "1.001193.toml", with_rule(RULE))
    catalog_import(paths=[tmp_path])
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert version.fee_rule == {
        "per": "page",
        "tiers": [{"from_page": 3, "amount": 1000}],
        "max_per_copy": 200000,
    }


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        (
            '  [versions.fee_rule]\n  per = "sheet"\n',
            "1.001193.toml: versions[1].fee_rule.per: giá trị «sheet» không hợp lệ; chỉ nhận "
            "«copy», «dossier», «page»",
        ),
        (
            '  [versions.fee_rule]\n  per = "copy"\n  tiers = [{ from_page = 3, amount = 1 }]\n',
            "1.001193.toml: versions[1].fee_rule: bậc theo trang (tiers) chỉ dùng khi per = «page»",
        ),
        (
            '  [versions.fee_rule]\n  per = "page"\n  tiers = [{ from = 3, amount = 1 }]\n',
            "1.001193.toml: versions[1].fee_rule.tiers[1].from: khóa không có trong lược đồ "
            "danh mục (viết sai tên khóa?)",
        ),
        (
            '  [versions.fee_rule]\n  per = "dossier"\n  online_amount = -5\n',
            "1.001193.toml: versions[1].fee_rule.online_amount: phải từ 0 trở lên, nhận được -5",
        ),
    ],
)
@pytest.mark.django_db
def test_it_refuses_a_bad_fee_rule_and_imports_nothing(tmp_path, rule, error):
    write(tmp_path, "1.001193.toml", with_rule(rule))
    assert error in refused([tmp_path])
    assert not ProcedureVersion.objects.exists()


@pytest.mark.django_db
def test_a_rule_may_formalise_the_note_of_a_version_with_dossiers(tmp_path, world):
    """Only when nothing else changes and the version had no rule: its amount stays."""
    write(tmp_path, "1.001193.toml", VALID.replace("fee = 0", "fee = 2000"))
    catalog_import(paths=[tmp_path])
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    give_a_dossier(world, version)
    write(tmp_path, "1.001193.toml", with_rule(RULE))

    report = catalog_import(paths=[tmp_path])

    assert report.unchanged_versions == 1
    version.refresh_from_db()
    assert version.fee_rule["per"] == "page"
    # A changed rule of a version with dossiers is a change like any other: refused.
    write(tmp_path, "1.001193.toml", with_rule(RULE.replace("1000 }", "1500 }")))
    assert any("đã có hồ sơ" in error for error in refused([tmp_path]))
