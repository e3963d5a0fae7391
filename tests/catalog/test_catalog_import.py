"""`catalog import`: the shipped TOML files, re-imports, bad files, versions with dossiers, and
the cached versions receptions read."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from motcua.caching import Family
from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate
from motcua.catalog.selectors import documents_of, procedure_versions, steps_of
from motcua.catalog.services import catalog_import, default_catalog_dir
from motcua.core.errors import ValidationError

# A small valid file; tests write variants of it into a temporary folder.
VALID = """\
code = "1.001193"
national = true
name = "Đăng ký khai sinh"
field = "Hộ tịch"
level = "commune"
verified = true
unverified_note = ""

[[versions]]
version = 1
effective_from = 2025-07-01
competent = "commune"
time_limit = 0
time_limit_unit = "same_day"
fee = 0
result = "Giấy khai sinh"

  [[versions.documents]]
  name = "Tờ khai đăng ký khai sinh"

  [[versions.documents]]
  name = "Giấy chứng sinh"

  [[versions.steps]]
  name = "Tiếp nhận"
  agency = "receiving"
  unit = "mot-cua"
  role = "desk"
  allotment = 0.125

  [[versions.steps]]
  name = "Kiểm tra, ghi Sổ đăng ký khai sinh"
  agency = "competent"
  unit = "van-hoa-xa-hoi"
  role = "specialist"
  allotment = 0.375

  [[versions.steps]]
  name = "Ký Giấy khai sinh"
  agency = "competent"
  unit = "lanh-dao"
  role = "agency_leader"
  allotment = 0.25
"""

NATIONAL_CODES = {
    "1.001193", "1.000894", "1.000656", "2.000815", "2.000635", "1.004222",
    "1.001612", "3.000333", "1.013831", "1.012753", "3.000722", "2.002913",
}  # fmt: skip


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def row_counts() -> tuple[int, int, int, int]:
    return (
        Procedure.objects.count(),
        ProcedureVersion.objects.count(),
        RequiredDocument.objects.count(),
        StepTemplate.objects.count(),
    )


def refused(paths: list[Path]) -> list[str]:
    """Import, expect a refusal, and return its error lines."""
    with pytest.raises(ValidationError) as caught:
        catalog_import(paths=paths)
    return caught.value.details["errors"]


@pytest.mark.django_db
def test_it_imports_every_shipped_file():
    report = catalog_import(paths=[default_catalog_dir()])

    assert report.procedures == 15
    assert report.new_versions == 15
    assert set(Procedure.objects.filter(national=True).values_list("code", flat=True)) == (
        NATIONAL_CODES
    )
    assert Procedure.objects.filter(national=False).count() == 3
    for version in ProcedureVersion.objects.prefetch_related("steps", "documents"):
        steps = list(version.steps.all())
        assert (steps[0].agency_ref, steps[0].unit_code, steps[0].role) == (
            "receiving",
            "mot-cua",
            "desk",
        )
        assert 2 <= version.documents.count() <= 6
        total = sum(step.allotment for step in steps)
        if version.time_limit_unit == "same_day":
            assert total <= 1
        else:
            assert total == version.time_limit


@pytest.mark.django_db
def test_it_keeps_the_table_facts():
    catalog_import(paths=[default_catalog_dir()])

    residence = Procedure.objects.get(code="1.004222").current_version()
    assert (residence.time_limit, residence.time_limit_unit, residence.fee) == (
        Decimal(7),
        "working_days",
        20000,
    )
    assert residence.competent == "commune"
    assert [s.agency_ref for s in residence.steps.all()] == [
        "receiving",
        "commune_police",
        "commune_police",
    ]
    chain = Procedure.objects.get(code="3.000722").current_version()
    assert chain.inter_agency
    assert {s.agency_ref for s in chain.steps.all()} >= {"commune_police", "H26.42", "H26.41"}
    # Values DOMAIN.md marks [check] are flagged for an administrator.
    assert not Procedure.objects.get(code="3.000333").verified
    assert Procedure.objects.get(code="1.001193").verified
    assert Procedure.objects.get(code="1.001193").search_key == "1.001193 dang ky khai sinh"


@pytest.mark.django_db
def test_it_changes_nothing_on_reimport():
    catalog_import(paths=[default_catalog_dir()])
    ids = sorted(StepTemplate.objects.values_list("id", flat=True))

    report = catalog_import(paths=[default_catalog_dir()])

    assert (report.new_versions, report.replaced_versions, report.unchanged_versions) == (0, 0, 15)
    assert report.updated_procedures == 0
    assert sorted(StepTemplate.objects.values_list("id", flat=True)) == ids
    assert report.summary == "Đã nhập 15 thủ tục (0 phiên bản mới, 15 không đổi)"


@pytest.mark.django_db
def test_it_writes_nothing_on_a_dry_run():
    report = catalog_import(paths=[default_catalog_dir()], dry_run=True)

    assert report.new_versions == 15
    assert row_counts() == (0, 0, 0, 0)
    assert report.summary.startswith("Chạy thử, không ghi gì.")


@pytest.mark.django_db
def test_it_refuses_a_missing_key_and_imports_nothing(tmp_path):
    write(tmp_path, "1.001193.toml", VALID)
    write(
        tmp_path,
        "1.000894.toml",
        VALID.replace("1.001193", "1.000894").replace('name = "Đăng ký khai sinh"\n', ""),
    )

    errors = refused([tmp_path])

    assert errors == ["1.000894.toml: name: thiếu khóa bắt buộc"]
    assert row_counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_an_unknown_limit_unit(tmp_path):
    write(tmp_path, "1.001193.toml", VALID.replace('"same_day"', '"weeks"'))

    [error] = refused([tmp_path])

    assert error.startswith("1.001193.toml: versions[1].time_limit_unit: giá trị «weeks»")
    assert row_counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_bad_step_role_and_agency(tmp_path):
    text = VALID.replace('"agency_leader"', '"chairman"').replace(
        '"competent"\n  unit', '"H26.BHXH"\n  unit'
    )
    write(tmp_path, "1.001193.toml", text)

    errors = refused([tmp_path])

    keys = [error.split(": ")[1] for error in errors]
    assert keys == [
        "versions[1].steps[2].agency",
        "versions[1].steps[3].agency",
        "versions[1].steps[3].role",
    ]


@pytest.mark.django_db
def test_it_refuses_commune_police_steps_without_a_commune(tmp_path):
    text = VALID.replace('competent = "commune"', 'competent = "H26.41"').replace(
        'agency = "competent"', 'agency = "commune_police"'
    )
    write(tmp_path, "1.001193.toml", text)

    errors = refused([tmp_path])

    assert [e.split(": «")[0] for e in errors] == [
        "1.001193.toml: versions[1].steps[2].agency",
        "1.001193.toml: versions[1].steps[3].agency",
    ]
    assert all("«commune_police»" in e for e in errors)


@pytest.mark.django_db
def test_it_refuses_a_negative_allotment(tmp_path):
    write(tmp_path, "1.001193.toml", VALID.replace("allotment = 0.25", "allotment = -0.25"))

    errors = refused([tmp_path])

    assert errors == [
        "1.001193.toml: versions[1].steps[3].allotment: không được âm, nhận được -0.25"
    ]
    assert row_counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_allotments_that_do_not_add_up(tmp_path):
    text = VALID.replace(
        'time_limit = 0\ntime_limit_unit = "same_day"',
        ('time_limit = 3\ntime_limit_unit = "working_days"'),
    )
    write(tmp_path, "1.001193.toml", text)

    errors = refused([tmp_path])

    assert errors == [
        "1.001193.toml: versions[1].steps: tổng thời gian các bước là 0,75 ngày làm việc, "
        "phải bằng thời hạn giải quyết 3 ngày làm việc"
    ]


@pytest.mark.django_db
def test_it_refuses_an_empty_document_list_and_a_misspelt_key(tmp_path):
    text = VALID.replace("[[versions.documents]]", "[[versions.papers]]").replace(
        "fee = 0", "fees = 0"
    )
    write(tmp_path, "1.001193.toml", text)

    errors = refused([tmp_path])

    assert "1.001193.toml: versions[1].fee: thiếu khóa bắt buộc" in errors
    assert "1.001193.toml: versions[1].documents: thiếu khóa bắt buộc" in errors
    assert any(e.startswith("1.001193.toml: versions[1].fees: khóa không có") for e in errors)
    assert any(e.startswith("1.001193.toml: versions[1].papers: khóa không có") for e in errors)


@pytest.mark.django_db
def test_it_refuses_a_bad_procedure_code(tmp_path):
    write(tmp_path, "1.1193.toml", VALID.replace('"1.001193"', '"1.1193"'))
    write(
        tmp_path,
        "LOCAL.x.toml",
        VALID.replace('"1.001193"', '"LOCAL.x"').replace("national = true", "national = false"),
    )

    errors = refused([tmp_path])

    assert [e.split(": ")[:2] for e in errors] == [
        ["1.1193.toml", "code"],
        ["LOCAL.x.toml", "code"],
    ]


@pytest.mark.django_db
def test_one_bad_file_rolls_back_the_good_ones_written_before_it(tmp_path, world):
    """A file that only fails against the database (a version with dossiers) still undoes all."""
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    give_a_dossier(world, ProcedureVersion.objects.get(procedure__code="1.001193"))
    write(tmp_path, "0.000001.toml", VALID.replace("1.001193", "0.000001"))
    write(tmp_path, "1.001193.toml", VALID.replace("allotment = 0.25", "allotment = 0.5"))
    before = row_counts()

    errors = refused([tmp_path])

    assert errors == [
        "1.001193.toml: versions[1]: phiên bản 1 đã có hồ sơ nên không được sửa; hãy giữ "
        "nguyên mục này và thêm một mục [[versions]] mới với số phiên bản và ngày áp dụng mới"
    ]
    assert row_counts() == before
    assert not Procedure.objects.filter(code="0.000001").exists()


@pytest.mark.django_db
def test_it_accepts_a_new_version_next_to_one_with_dossiers(tmp_path, world):
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    first = ProcedureVersion.objects.get(procedure__code="1.001193")
    give_a_dossier(world, first)
    second = (
        VALID[VALID.index("[[versions]]") :]
        .replace("version = 1", "version = 2")
        .replace("2025-07-01", "2026-01-01")
        .replace("allotment = 0.25", "allotment = 0.5")
    )
    write(tmp_path, "1.001193.toml", VALID + "\n" + second)

    report = catalog_import(paths=[tmp_path])

    assert (report.new_versions, report.unchanged_versions) == (1, 1)
    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.current_version().version == 2
    assert procedure.current_version().steps.last().allotment == Decimal("0.5")
    assert first.steps.last().allotment == Decimal("0.25")


@pytest.mark.django_db
def test_it_rewrites_a_version_without_dossiers_in_place(tmp_path):
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    version_id = ProcedureVersion.objects.get().id
    write(
        tmp_path,
        "1.001193.toml",
        VALID.replace("fee = 0", "fee = 5000").replace(
            'name = "Giấy chứng sinh"', 'name = "Giấy chứng sinh (bản chính)"'
        ),
    )

    report = catalog_import(paths=[tmp_path])

    assert report.replaced_versions == 1
    version = ProcedureVersion.objects.get()
    assert (version.id, version.fee) == (version_id, 5000)
    assert list(version.documents.values_list("name", flat=True)) == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh (bản chính)",
    ]


@pytest.mark.django_db
def test_the_command_prints_the_summary_and_every_error(tmp_path):
    out = StringIO()
    call_command("catalog", "import", stdout=out)
    assert out.getvalue().strip() == "Đã nhập 15 thủ tục (15 phiên bản mới, 0 không đổi)"

    write(tmp_path, "1.001193.toml", VALID.replace("allotment = 0.25", "allotment = -1"))
    err = StringIO()
    with pytest.raises(CommandError, match="Không nhập thủ tục nào: có 1 lỗi"):
        call_command("catalog", "import", str(tmp_path), stderr=err)
    assert "1.001193.toml: versions[1].steps[3].allotment" in err.getvalue()


def give_a_dossier(world, version: ProcedureVersion) -> None:
    """A bare dossier row on the version: enough for the import to see it is in use."""
    from motcua.dossiers.models import Dossier

    Dossier.objects.create(
        procedure_version=version,
        tracking_secret="ABCD2345",
        channel=Dossier.Channel.IN_PERSON,
        status=2,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="001090000001",
        search_name="nguyen van an",
        received_place=world.hoan_kiem,
        receiving_agency=world.hoan_kiem,
        competent_agency=world.hoan_kiem,
        current_agency=world.hoan_kiem,
        submitted_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_reception_reads_the_versions_an_import_wrote_at_once(tmp_path):
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    assert [v.fee for v in procedure_versions("1.001193")] == [0]  # cached now
    write(
        tmp_path,
        "1.001193.toml",
        VALID.replace("fee = 0", "fee = 5000").replace(
            'name = "Giấy chứng sinh"', 'name = "Giấy chứng sinh (bản chính)"'
        ),
    )

    catalog_import(paths=[tmp_path])

    (version,) = procedure_versions("1.001193")
    assert version.fee == 5000
    assert [d.name for d in documents_of(version)][-1] == "Giấy chứng sinh (bản chính)"


@pytest.mark.django_db
def test_a_dry_run_leaves_the_cached_versions_alone(tmp_path, django_assert_num_queries):
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    procedure_versions("1.001193")
    write(tmp_path, "1.001193.toml", VALID.replace("fee = 0", "fee = 5000"))

    catalog_import(paths=[tmp_path], dry_run=True)

    with django_assert_num_queries(0):
        assert [v.fee for v in procedure_versions("1.001193")] == [0]


@pytest.mark.django_db
def test_the_cached_versions_carry_their_procedure_steps_and_documents(
    tmp_path, django_assert_num_queries
):
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    procedure_versions("1.001193")
    # What another process gets: the copy in the shared cache, unpickled.
    (copy,) = Family("catalog").fetch("versions", "1.001193", load=pytest.fail)

    with django_assert_num_queries(0):
        assert copy.procedure.code == "1.001193"
        assert [s.name for s in steps_of(copy)] == [
            "Tiếp nhận",
            "Kiểm tra, ghi Sổ đăng ký khai sinh",
            "Ký Giấy khai sinh",
        ]
        assert len(documents_of(copy)) == 2
        assert procedure_versions("1.001193")[0].procedure.name == "Đăng ký khai sinh"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        # Reception, then the chairman: nobody may propose what he would sign.
        ([("receiving", "mot-cua", "desk"), ("competent", "lanh-dao", "agency_leader")], 2),
        # No leader at all: the result can never be signed.
        ([("receiving", "mot-cua", "desk"), ("competent", "van-hoa-xa-hoi", "specialist")], 2),
    ],
)
def test_it_refuses_a_plan_whose_dossiers_could_never_reach_a_result(tmp_path, steps, problem):
    head = VALID[: VALID.index("  [[versions.steps]]")]
    body = "".join(
        f'  [[versions.steps]]\n  name = "Bước {i}"\n  agency = "{agency}"\n'
        f'  unit = "{unit}"\n  role = "{role}"\n  allotment = 0.125\n\n'
        for i, (agency, unit, role) in enumerate(steps, start=1)
    )
    write(tmp_path, "1.001193.toml", head + body)

    [error] = refused([tmp_path])

    assert error.startswith(f"1.001193.toml: versions[1].steps[{problem}]: ")
    assert error.endswith("hồ sơ không thể có kết quả")
