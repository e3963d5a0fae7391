"""Sample forms: a paper's blank form named in the catalog file, checked and stored by the
import, downloaded from the procedure's public page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.services import catalog_import
from tests.catalog.test_catalog_import import VALID, refused, write

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WITH_SAMPLE = VALID.replace(
    'name = "Tờ khai đăng ký khai sinh"\n',
    'name = "Tờ khai đăng ký khai sinh"\n  sample = "{sample}"\n',
)


def catalog_dir(tmp_path: Path, sample: str, content: bytes | None = PDF) -> Path:
    procedures, forms = tmp_path / "procedures", tmp_path / "forms"
    procedures.mkdir()
    forms.mkdir()
    if content is not None:
        (forms / sample).write_bytes(content)
    write(procedures, "1.001193.toml", WITH_SAMPLE.replace("{sample}", sample))
    return procedures


@pytest.mark.django_db
def test_the_import_stores_the_sample_and_the_page_offers_it(client, tmp_path):
    catalog_import(paths=[catalog_dir(tmp_path, "to-khai-khai-sinh.pdf")])
    form, other = RequiredDocument.objects.order_by("order")
    assert form.sample.startswith("mau-don/") and form.sample.endswith("/to-khai-khai-sinh.pdf")
    assert other.sample == ""
    assert default_storage.open(form.sample).read() == PDF

    page = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    link = reverse("portal:procedure-sample", args=["1.001193", form.order])
    assert f'href="{link}"' in page and "Tải mẫu (PDF)" in page
    assert reverse("portal:procedure-sample", args=["1.001193", other.order]) not in page

    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="to-khai-khai-sinh.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_reimporting_the_same_file_keeps_one_copy(tmp_path):
    folder = catalog_dir(tmp_path, "to-khai.pdf")
    catalog_import(paths=[folder])
    first = RequiredDocument.objects.get(order=1).sample
    report = catalog_import(paths=[folder])
    assert report.unchanged_versions == 1
    assert RequiredDocument.objects.get(order=1).sample == first
    _dirs, files = default_storage.listdir(first.rsplit("/", 1)[0])
    assert files == ["to-khai.pdf"]


@pytest.mark.django_db
def test_a_changed_sample_is_a_new_copy_on_an_unchanged_version(tmp_path):
    folder = catalog_dir(tmp_path, "to-khai.pdf")
    catalog_import(paths=[folder])
    first = RequiredDocument.objects.get(order=1).sample
    (tmp_path / "forms" / "to-khai.pdf").write_bytes(PDF + "% sửa mẫu\n".encode())
    report = catalog_import(paths=[folder])
    assert report.unchanged_versions == 1  # the rules did not change
    second = RequiredDocument.objects.get(order=1).sample
    assert second != first and default_storage.open(second).read().endswith("% sửa mẫu\n".encode())


@pytest.mark.django_db
def test_a_dry_run_stores_nothing(tmp_path):
    catalog_import(paths=[catalog_dir(tmp_path, "to-khai.pdf")], dry_run=True)
    assert not default_storage.exists("mau-don")
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("sample", "content", "message"),
    [
        ("Tờ khai.pdf", PDF, "tên tệp mẫu chỉ gồm chữ thường"),
        ("../procedures/1.001193.toml", PDF, "tên tệp mẫu chỉ gồm chữ thường"),
        ("to-khai.exe", PDF, "tên tệp mẫu chỉ gồm chữ thường"),
        ("khong-co.pdf", None, "không có tệp mẫu «khong-co.pdf»"),
        ("to-khai.pdf", b"MZ\x90\x00 an .exe renamed", "không đúng loại tệp"),
        ("to-khai.docx", PDF, "không đúng loại tệp"),
    ],
)
@pytest.mark.django_db
def test_a_bad_sample_refuses_the_import(tmp_path, sample, content, message):
    folder = catalog_dir(tmp_path, sample, content) if "/" not in sample else _up(tmp_path)
    errors = refused([folder])
    assert any("documents[1].sample" in e and message in e for e in errors), errors
    assert not Procedure.objects.exists()
    assert not default_storage.exists("mau-don")


def _up(tmp_path: Path) -> Path:
    """A file naming a path outside forms/."""
    folder = catalog_dir(tmp_path, "x.pdf")
    write(folder, "1.001193.toml", WITH_SAMPLE.replace("{sample}", "../procedures/1.001193.toml"))
    return folder


@pytest.mark.django_db
def test_an_oversized_sample_refuses_the_import(tmp_path):
    errors = refused([catalog_dir(tmp_path, "to-khai.pdf", PDF + b"0" * (5 * 1024 * 1024))])
    assert any("lớn hơn 5 MB" in e for e in errors)


@pytest.mark.django_db
def test_no_sample_no_download(client, tmp_path):
    catalog_import(paths=[catalog_dir(tmp_path, "to-khai.pdf")])
    for order in [2, 3, 0, 999]:
        response = client.get(reverse("portal:procedure-sample", args=["1.001193", order]))
        assert response.status_code == 404
        assert "Không có mẫu này" in response.content.decode()
    unknown = client.get("/thu-tuc/9.999999/mau/1/")
    assert unknown.status_code == 404 and "Không có mẫu này" in unknown.content.decode()
    assert client.get("/thu-tuc/1.001193/mau/abc/").status_code == 404


@pytest.mark.parametrize("stored", ["../../etc/passwd", "/etc/passwd", "mau-don/x/../../a.pdf"])
@pytest.mark.django_db
def test_a_tampered_sample_row_is_not_served(client, tmp_path, stored):
    catalog_import(paths=[catalog_dir(tmp_path, "to-khai.pdf")])
    RequiredDocument.objects.filter(order=1).update(sample=stored)
    from motcua.catalog.selectors import catalog_cache_clear

    catalog_cache_clear()
    response = client.get(reverse("portal:procedure-sample", args=["1.001193", 1]))
    assert response.status_code == 404
