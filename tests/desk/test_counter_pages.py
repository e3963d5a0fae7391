"""The counter's pages: scans at reception and supplement, who may open them, the return of
the result with its confirmation, and the search by ID number or phone."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierAccess, DossierDocument, DossierScan
from motcua.dossiers.services import Applicant, dossier_receive
from tests import scanfiles
from tests.conftest import at
from tests.desk.test_bad_input import beside
from tests.desk.test_pages import reception_post, signin
from tests.dossiers.test_counter import papers_of, ready, state
from tests.dossiers.test_services import intake

NOW = at("2026-11-25 10:00")
BADGE = "Đã số hóa</span>"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client, d) -> str:
    return unescape(client.get(reverse("desk:dossier", args=[d.pk])).content.decode())


def png(name="to-khai.png", data=scanfiles.PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


# ---------------------------------------------------------------------------------------------
# Digitisation shown only where a scan exists


def test_papers_received_without_a_scan_are_not_shown_as_digitised(world, client):
    signin(client, "lan").post("/can-bo/tiep-nhan/", reception_post(world))
    d = Dossier.objects.get()
    assert DossierDocument.objects.filter(dossier=d).count() == 2
    html = page(client, d)
    assert BADGE not in html
    assert "Đã số hóa 0/2 giấy tờ." in html
    assert "Đã số hóa" not in client.get(f"/mau/{d.pk}/01/").content.decode()


def test_a_scan_attached_at_reception_marks_only_its_paper_digitised(world, client):
    first, _second = papers_of(world.chain)
    data = reception_post(world, **{f"scan_{first.pk}": png()})
    response = signin(client, "lan").post("/can-bo/tiep-nhan/", data)
    assert response.status_code == 302
    d = Dossier.objects.get()
    scan = DossierScan.objects.get()
    html = page(client, d)
    assert html.count(BADGE) == 1
    assert "Đã số hóa 1/2 giấy tờ." in html
    item = re.search(rf'<li data-paper="{scan.document_id}">(.*?)</li>', html, re.S)
    assert item and BADGE in item[1] and reverse("desk:scan", args=[d.pk, scan.pk]) in item[1]
    form_01 = unescape(client.get(f"/mau/{d.pk}/01/").content.decode())
    row = re.search(rf"<td>{re.escape(first.name)}(.*?)</td>", form_01)
    assert row and "Đã số hóa" in row[1]
    assert form_01.count("Đã số hóa") == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", scanfiles.EXE, "không phải bản quét PDF, JPEG hoặc PNG hợp lệ"),
        ("scan.png", scanfiles.CUT_PNG, "không phải bản quét PDF, JPEG hoặc PNG hợp lệ"),
    ],
)
def test_a_bad_scan_at_reception_is_refused_beside_its_input(world, client, name, data, message):
    first, _second = papers_of(world.chain)
    before = state()
    data = reception_post(world, **{f"scan_{first.pk}": png(name, data)})
    response = signin(client, "lan").post("/can-bo/tiep-nhan/", data)
    assert response.status_code == 400
    assert any(message in m for m in beside(response, f"id_scan_{first.pk}"))
    assert state() == before


def test_a_scan_over_the_limit_is_refused_before_it_is_read(world, client, settings):
    settings.SCAN_MAX_BYTES = 50
    first, _second = papers_of(world.chain)
    before = state()
    data = reception_post(world, **{f"scan_{first.pk}": png()})
    response = signin(client, "lan").post("/can-bo/tiep-nhan/", data)
    assert response.status_code == 400
    assert any("lớn hơn giới hạn" in m for m in beside(response, f"id_scan_{first.pk}"))
    assert state() == before


# ---------------------------------------------------------------------------------------------
# Opening a scan


@pytest.fixture
def scanned(world):
    first, _second = papers_of(world.chain)
    d = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        scans={first.pk: scanfiles.upload(scanfiles.PNG)},
    )
    return d, DossierScan.objects.get()


def test_the_desk_opens_a_scan_uncached_and_the_read_is_logged(world, client, scanned):
    d, scan = scanned
    reads = DossierAccess.objects.filter(dossier=d).count()
    response = signin(client, "lan").get(reverse("desk:scan", args=[d.pk, scan.pk]))
    assert response.status_code == 200
    assert response.content == scanfiles.PNG
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert DossierAccess.objects.filter(dossier=d, user_id=world.lan.user_id).count() == reads + 1


def test_staff_of_an_agency_without_a_right_to_the_dossier_get_not_found(world, client, scanned):
    d, scan = scanned
    reads = DossierAccess.objects.count()
    response = signin(client, "mai").get(reverse("desk:scan", args=[d.pk, scan.pk]))
    assert response.status_code == 404
    assert scanfiles.PNG not in response.content
    assert DossierAccess.objects.count() == reads


def test_a_scan_is_found_only_under_its_own_dossier(world, client, scanned):
    _d, scan = scanned
    other = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:00"))
    response = signin(client, "lan").get(reverse("desk:scan", args=[other.pk, scan.pk]))
    assert response.status_code == 404


def test_a_scan_is_never_shown_to_someone_signed_out(world, client, scanned):
    d, scan = scanned
    response = client.get(reverse("desk:scan", args=[d.pk, scan.pk]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


# ---------------------------------------------------------------------------------------------
# The supplement at the counter, through the page


@pytest.fixture
def waiting(world):
    first, _second = papers_of(world.chain)
    return dossier_receive(
        intake=intake(world, documents=[first.pk]),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        outcome=Action.REQUEST_SUPPLEMENT,
    )


def act(client, d, **data):
    return client.post(reverse("desk:act", args=[d.pk]), {"version": d.version, **data})


def test_the_supplement_form_offers_the_checklist_and_a_scan_per_paper(world, client, waiting):
    html = page(signin(client, "lan"), waiting)
    form = re.search(r'<form[^>]*data-action="supplement"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'enctype="multipart/form-data"' in form[0]
    for paper in papers_of(world.chain):
        assert paper.name in form[1]
        assert f'name="scan_{paper.pk}"' in form[1]
    assert 'name="others"' in form[1]


def test_a_supplement_with_the_missing_paper_and_its_scan_is_recorded(world, client, waiting):
    _first, second = papers_of(world.chain)
    response = act(
        signin(client, "lan"),
        waiting,
        action="supplement",
        documents=[str(second.pk)],
        others="Bản sao sổ hộ khẩu",
        **{f"scan_{second.pk}": png("gcs.png")},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.NEW
    html = page(client, waiting)
    assert html.count(BADGE) == 1
    assert "Nhận khi bổ sung (lần nộp thứ 2)" in html
    assert "Giấy tờ đã nhận: " + second.name + " (đã số hóa); Bản sao sổ hộ khẩu" in html


def test_a_supplement_still_incomplete_is_refused_on_the_page(world, client, waiting):
    _first, second = papers_of(world.chain)
    before = state()
    response = act(signin(client, "lan"), waiting, action="supplement", others="Giấy khác")
    assert response.status_code == 400
    messages = beside(response, "supplement-documents")
    assert messages == [f"Hồ sơ chưa đủ thành phần, không thể tiếp nhận: {second.name}."]
    assert state() == before


# ---------------------------------------------------------------------------------------------
# Returning the result


def test_a_return_without_the_confirmation_is_refused_and_nothing_changes(world, client):
    d = ready(world)
    before = state()
    response = act(
        signin(client, "lan"),
        d,
        action="return_result",
        delivery="desk",
        result_number="15/GKS",
        collector="applicant",
        collector_id="001203012345",
    )
    assert response.status_code == 400
    assert beside(response, "return_result-confirm") == [
        "Hãy xác nhận đã kiểm tra người nhận và trao kết quả trước khi ghi nhận."
    ]
    assert state() == before
    d.refresh_from_db()
    assert (d.status, d.returned_at) == (Status.DONE, None)


def test_every_missing_detail_of_a_return_is_shown_at_once(world, client):
    d = ready(world)
    response = act(
        signin(client, "lan"), d, action="return_result", delivery="desk", collector="authorised"
    )
    assert response.status_code == 400
    for field in ("result_number", "collector_name", "collector_id", "authorisation", "confirm"):
        assert beside(response, f"return_result-{field}")


def test_a_confirmed_return_shows_on_the_page_the_timeline_and_the_ledger(world, client):
    d = ready(world)
    response = act(
        signin(client, "lan"),
        d,
        action="return_result",
        delivery="desk",
        result_number="15/GKS",
        collector="authorised",
        collector_name="lê thị hoa",
        collector_id="079 190 000 123",
        authorisation="Giấy ủy quyền số 7",
        confirm="on",
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.status, d.collector_name, d.collector_id_number) == (
        Status.RETURNED,
        "Lê Thị Hoa",
        "079190000123",
    )
    html = page(client, d)
    returned = re.search(r'<div class="returned" id="returned">(.*?)</div>', html, re.S)
    assert returned and "15/GKS" in returned[1] and "Lê Thị Hoa (079190000123)" in returned[1]
    assert "Văn bản kết quả: 15/GKS · người nhận: Lê Thị Hoa (079190000123)" in html
    ledger = unescape(
        client.get(
            reverse("paperwork:ledger"), {"from": "2026-11-25", "to": "2026-11-25"}
        ).content.decode()
    )
    assert "Lê Thị Hoa" in ledger and "15/GKS" in ledger


# ---------------------------------------------------------------------------------------------
# Search by ID number or phone


@pytest.mark.parametrize(
    "query",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912 345 678",
        "84912345678",
        "001203012345",
        "001.203.012.345",
        "001 203 012 345",
    ],
)
def test_the_counter_finds_a_result_by_the_applicants_phone_or_id_number(world, client, query):
    d = ready(world)  # waiting at the counter to be returned
    other = Applicant(name="Nguyễn Thị Hoa", id_number="079190000123", phone="0987 654 321")
    dossier_receive(
        intake=intake(world, applicant=other), actor=world.lan, now=at("2026-11-25 09:40")
    )
    html = signin(client, "lan").get("/can-bo/", {"q": query}, follow=True).content.decode()
    assert d.code in html
    assert "Nguyễn Thị Hoa" not in html


def test_a_part_of_a_number_finds_nothing(world, client):
    ready(world)
    html = signin(client, "lan").get("/can-bo/", {"q": "345678901"}, follow=True).content.decode()
    assert "Trần Văn Bình" not in html
