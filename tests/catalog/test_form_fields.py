"""The e-form's fields in the catalog files: imported, checked with clear errors, shown in
the admin, and changeable on a version that already has dossiers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import, default_catalog_dir
from tests.catalog.test_catalog_import import VALID, give_a_dossier, refused, write

FIELDS = """
  [[versions.fields]]
  name = "ho_ten"
  label = "Họ, chữ đệm và tên người yêu cầu"
  kind = "text"

  [[versions.fields]]
  name = "so_dinh_danh"
  label = "Số định danh cá nhân"
  kind = "id_number"
"""


@pytest.mark.django_db
def test_every_shipped_procedure_declares_its_form():
    catalog_import(paths=[default_catalog_dir()])
    for version in ProcedureVersion.objects.select_related("procedure"):
        names = [f["name"] for f in version.form_fields]
        assert {"ho_ten", "so_dinh_danh", "noi_cu_tru"} <= set(names), version.procedure.code
    birth = ProcedureVersion.objects.get(procedure__code="1.001193").form_fields
    kinds = {f["name"]: f["kind"] for f in birth}
    assert kinds["tre_ngay_sinh"] == "date" and kinds["me_so_dinh_danh"] == "id_number"
    assert next(f for f in birth if f["name"] == "tre_gioi_tinh")["options"] == ["Nam", "Nữ"]


@pytest.mark.django_db
def test_bad_fields_are_refused_with_their_keys(tmp_path):
    bad = (
        FIELDS
        + """
  [[versions.fields]]
  name = "so_ban"
  label = "Số bản"
  kind = "number"
  min = 5
  max = 1

  [[versions.fields]]
  name = "gioi_tinh"
  label = "Giới tính"
  kind = "choice"
"""
    )
    write(tmp_path, "1.001193.toml", VALID + bad)
    errors = refused([tmp_path])
    assert "1.001193.toml: versions[1].fields[3].min: min phải nhỏ hơn hoặc bằng max" in errors
    assert any(e.startswith("1.001193.toml: versions[1].fields[4].options:") for e in errors)
    assert ProcedureVersion.objects.count() == 0


@pytest.mark.django_db
def test_fields_change_on_a_version_with_dossiers(tmp_path, world):
    write(tmp_path, "1.001193.toml", VALID)
    catalog_import(paths=[tmp_path])
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    give_a_dossier(world, version)
    write(tmp_path, "1.001193.toml", VALID + FIELDS)
    report = catalog_import(paths=[tmp_path])
    assert report.unchanged_versions == 1
    version.refresh_from_db()
    assert [f["name"] for f in version.form_fields] == ["ho_ten", "so_dinh_danh"]


@pytest.mark.django_db
def test_the_admin_shows_the_fields(client):
    catalog_import(paths=[default_catalog_dir()])
    admin = get_user_model().objects.create_superuser("quantri", password="x-quantri-2026")
    client.force_login(admin)
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    page = client.get(f"/admin/catalog/procedureversion/{version.pk}/change/").content.decode()
    assert "Trường của biểu mẫu trực tuyến" in page and "tre_ngay_sinh" in page
