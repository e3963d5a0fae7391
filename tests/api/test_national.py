"""POST /national/dossiers: a TT 04/2025 payload onto the write path; every bad one refused
with the structured error, nothing stored, the refusal recorded."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.utils import timezone

from motcua.api.chain import verify_call_chain
from motcua.api.models import ApiCall, IdempotentRequest, NationalDossier
from motcua.api.selectors import NationalLink, national_link
from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import Dossier, DossierEvent
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def message(world, **changes):
    papers = list(world.birth.versions.first().documents.order_by("order"))
    stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d%H%M%S")
    base = {
        "PhienBan": "tt04-2025.1",
        "MaHoSoQG": "000.00.00.G22-261204-0001",
        "MaTTHC": "1.001193",
        "MaCoQuan": "H26.100",
        "NgayNopHoSo": stamp,
        "KenhThucHien": 2,
        "TrangThaiHoSo": 1,
        "ChuHoSo": {
            "HoTen": "Nguyễn Văn An",
            "SoDinhDanh": "001203012345",
            "DiaChi": "12 Hàng Bạc",
            "SoDienThoai": "0912345678",
            "Email": "an@example.vn",
        },
        "TaiLieuNop": [
            {
                "TenTaiLieu": papers[0].name,
                "MaThanhPhan": papers[0].pk,
                "DuocSoHoa": 1,
                "DuocLayTuKhoDMQG": 0,
                "DuongDanTep": "https://dichvucong.gov.vn/tep/1",
            },
            {
                "TenTaiLieu": "Bản sao CCCD",
                "DuocSoHoa": 0,
                "DuocLayTuKhoDMQG": 1,
                "DuongDanTep": "",
            },
        ],
        "DanhSachPhiLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": 0}],
        "DuocThanhToanTrucTuyen": 0,
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "HinhThucNhanKetQua": "desk",
    }
    base.update(changes)
    return base


def send(client, key, data, idem="n-1"):
    return client.post(
        "/api/v1/national/dossiers",
        data=json.dumps(data) if not isinstance(data, str) else data,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=idem,
        **bearer(key),
    )


def stored():
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        NationalDossier.objects.count(),
        IdempotentRequest.objects.count(),
    )


def test_a_national_dossier_goes_through_the_write_path(client, world, portal):
    _c, key = portal
    sent = message(world)
    response = send(client, key, sent)
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["MaHoSoQG"] == "000.00.00.G22-261204-0001"
    assert (answer["MaHoSo"], answer["TrangThaiHoSo"]) == (None, 1)
    dossier = Dossier.objects.get(pk=int(answer["ThamChieu"]))
    assert (dossier.channel, dossier.status, dossier.received_place) == (2, 1, world.hoan_kiem)
    assert dossier.applicant_id_number == "001203012345"
    link = national_link(dossier.pk)
    assert link == NationalLink(
        portal_ref="000.00.00.G22-261204-0001",
        adapter_version="tt04-2025.1",
        vneid=True,
        paid_online=0,
        digitised=True,
        papers=(
            (world.birth.versions.first().documents.order_by("order")[0].name, True, False),
            ("Bản sao CCCD", False, True),
        ),
        fees=(("Lệ phí", 0),),
        submitted_at=dossier.submitted_at,
        arrived_at=NationalDossier.objects.get().received_at,
    )
    # The clock counts from the citizen's submission on the portal, to the second it gave.
    filed = timezone.localtime(dossier.submitted_at).strftime("%Y%m%d%H%M%S")
    assert filed == sent["NgayNopHoSo"]
    assert dossier.submitted_at <= link.arrived_at
    assert verify_chains() == []
    assert verify_call_chain().problems == []
    read = client.get(f"/api/v1/dossiers/{answer['ThamChieu']}", **bearer(key))
    assert read.json()["status"] == 1


def test_national_link_is_none_for_another_dossier(world):
    assert national_link(10**9) is None


def test_a_replayed_message_gives_the_same_dossier_and_stores_nothing(client, world, portal):
    _c, key = portal
    data = message(world)
    first = send(client, key, data).json()
    before = stored()
    again = send(client, key, data, idem="n-2")
    assert again.status_code == 200
    assert again.json() == first
    assert stored()[:3] == before[:3]
    assert ApiCall.objects.latest("seq").error_code == "national_replay"


def test_a_replayed_reference_with_other_content_is_a_conflict(client, world, portal):
    _c, key = portal
    data = message(world)
    send(client, key, data)
    before = stored()
    changed = {**data, "HinhThucNhanKetQua": "post"}
    response = send(client, key, changed, idem="n-2")
    assert response.status_code == 409
    assert response.json()["code"] == "national_ref_conflict"
    assert stored() == before


def test_the_same_idempotency_key_with_another_body_is_a_conflict(client, world, portal):
    _c, key = portal
    data = message(world)
    send(client, key, data)
    before = stored()
    response = send(client, key, {**data, "MaHoSoQG": "OTHER-1"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert stored() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"TrangThaiHoSo": 4}, "TrangThaiHoSo"),
        ({"NgayNopHoSo": "20260230093000"}, "NgayNopHoSo"),
        ({"NgayNopHoSo": "20991231000000"}, "NgayNopHoSo"),
        ({"NgayNopHoSo": "18991231000000"}, "NgayNopHoSo"),
        ({"MaCoQuan": "H26-100"}, "MaCoQuan"),
        ({"MaTTHC": "1.00119"}, "MaTTHC"),
        ({"MaTTHC": "9.999999"}, "MaTTHC"),
        ({"MaHoSoQG": "ma ho so"}, "MaHoSoQG"),
        ({"ChuHoSo": {"HoTen": "An", "SoDinhDanh": "123"}}, "ChuHoSo.SoDinhDanh"),
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_stored(client, world, portal, changes, field):
    _c, key = portal
    calls = ApiCall.objects.count()
    response = send(client, key, message(world, **changes))
    assert response.status_code == 400
    body = response.json()
    assert field in [e["field"] for e in body["errors"]]
    assert stored() == (0, 0, 0, 0)
    call = ApiCall.objects.latest("seq")
    assert (ApiCall.objects.count(), call.status, call.error_code) == (calls + 1, 400, "invalid")


def test_a_paper_that_is_not_the_procedures_is_refused_by_its_tt04_field(client, world, portal):
    _c, key = portal
    data = message(world)
    data["TaiLieuNop"][0]["MaThanhPhan"] = 10**6
    response = send(client, key, data)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["TaiLieuNop"]
    assert stored() == (0, 0, 0, 0)


def test_an_agency_outside_the_scope_is_refused(client, world, portal):
    _c, key = portal
    response = send(client, key, message(world, MaCoQuan="H26.101"))
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert response.json()["errors"][0]["field"] == "MaCoQuan"
    assert stored() == (0, 0, 0, 0)
    assert ApiCall.objects.latest("seq").error_code == "out_of_scope"


def test_a_client_without_the_operation_is_refused(client, world, make_client):
    _c, key = make_client(operations=["dossiers.read", "dossiers.submit"])
    response = send(client, key, message(world))
    assert response.status_code == 403
    assert response.json()["details"]["operation"] == "national.submit"
    assert stored() == (0, 0, 0, 0)


def test_an_unknown_client_is_refused(client, world, portal):
    response = send(client, "mc_zzzzzzzz_" + "a" * 43, message(world))
    assert response.status_code == 401
    assert stored() == (0, 0, 0, 0)
    call = ApiCall.objects.latest("seq")
    assert (call.client_id, call.status, call.idempotency_key) == (None, 401, "n-1")


def test_a_body_that_is_not_json_is_refused(client, world, portal):
    _c, key = portal
    response = send(client, key, "{not json")
    assert response.status_code == 400
    assert stored() == (0, 0, 0, 0)


def test_too_many_requests_are_refused_and_store_nothing(client, world, make_client):
    _c, key = make_client(rpm=1)
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        assert send(client, key, message(world, MaHoSoQG="A-1"), idem="a").status_code == 201
        before = stored()
        response = send(client, key, message(world, MaHoSoQG="A-2"), idem="b")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "55"
    assert stored() == before
    assert ApiCall.objects.latest("seq").status == 429


def test_the_kept_message_leaves_the_applicants_personal_fields_to_the_dossier(
    client, world, portal
):
    _c, key = portal
    send(client, key, message(world))
    kept = NationalDossier.objects.get()
    assert kept.payload["ChuHoSo"] == {}
    assert "001203012345" not in json.dumps(kept.payload)
    assert kept.payload["MaHoSoQG"] == "000.00.00.G22-261204-0001"
