"""`divisions import`: Hà Nội's communes and wards copied from the national list."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core.errors import ValidationError
from motcua.organization.models import Division
from motcua.organization.services import divisions_import


@pytest.mark.django_db
def test_it_imports_the_126_wards_and_communes_of_ha_noi():
    count = divisions_import(province_code=1)

    assert count == 126
    province = Division.objects.get(code="01")
    assert (province.name, province.kind, province.parent) == (
        "Thành phố Hà Nội",
        "thành phố trung ương",
        None,
    )
    assert Division.objects.filter(parent=province).count() == 126
    hoan_kiem = Division.objects.get(code="00070")
    assert (hoan_kiem.name, hoan_kiem.kind, hoan_kiem.parent) == (
        "Phường Hoàn Kiếm",
        "phường",
        province,
    )
    assert set(Division.objects.values_list("kind", flat=True)) == {
        "thành phố trung ương",
        "phường",
        "xã",
    }


@pytest.mark.django_db
def test_it_is_idempotent_and_repairs_edited_rows():
    divisions_import(province_code=1)
    ids = dict(Division.objects.values_list("code", "id"))
    Division.objects.filter(code="00070").update(name="Phường Hoàn Kiếm (cũ)")

    assert divisions_import(province_code=1) == 126

    assert dict(Division.objects.values_list("code", "id")) == ids
    assert Division.objects.get(code="00070").name == "Phường Hoàn Kiếm"


@pytest.mark.django_db
def test_it_refuses_an_unknown_province():
    with pytest.raises(ValidationError, match="mã 2 "):
        divisions_import(province_code=2)
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_the_command_reports_the_count():
    out = StringIO()
    call_command("divisions", "import", "--province", "1", stdout=out)

    assert out.getvalue().strip() == "Đã nhập 126 xã, phường, đặc khu của tỉnh, thành phố mã 01."
    assert Division.objects.count() == 127


def test_the_package_is_not_imported_at_module_level():
    """GPL-3.0: only the import function may load vietnam_provinces."""
    import subprocess
    import sys

    code = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'motcua.settings'; "
        "django.setup(); import motcua.organization.services, "
        "motcua.organization.management.commands.divisions; "
        "sys.exit('vietnam_provinces' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False)
    assert result.returncode == 0
