"""The portal simulator (a test double): the sync's receiving end and the filings it makes."""

from __future__ import annotations

import json

import pytest

from motcua.simulator.models import ReceivedRecord
from motcua.simulator.services import (
    Applicant,
    FeeIn,
    Filing,
    PaperIn,
    simulator_control,
    submission_key,
    submission_payload,
)
from tests.conftest import at
from tests.national.conftest import TOKEN

pytestmark = pytest.mark.django_db
URL = "/mo-phong/cong-dvcqg/dossiers/sync"
RECORD = {"MaHoSoQG": "QG.2026-1", "MaHoSo": None, "SoThuTu": 1, "TrangThaiHoSo": 1}


def _post(client, *, token=TOKEN, key="k-1", record=RECORD):
    return client.post(
        URL,
        data=json.dumps(record),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


@pytest.fixture
def connected(settings):
    settings.NATIONAL_PORTAL_TOKEN = TOKEN


def test_it_refuses_a_wrong_token(client, connected):
    assert _post(client, token="sai").status_code == 401
    assert not ReceivedRecord.objects.exists()


def test_it_refuses_everyone_without_a_token(client, settings):
    settings.NATIONAL_PORTAL_TOKEN = ""
    assert _post(client, token="").status_code == 401


def test_it_acknowledges_a_key_once(client, connected):
    first = _post(client).json()
    again = _post(client).json()
    assert first["MaTiepNhan"] == again["MaTiepNhan"] and first["SoThuTu"] == 1
    assert (first["TrungLap"], again["TrungLap"]) == (0, 1)
    assert ReceivedRecord.objects.get().deliveries == 2


def test_it_fails_and_loses_answers_when_told(client, connected):
    simulator_control(fail_next=1, lose_next=1)
    assert _post(client).status_code == 500
    assert not ReceivedRecord.objects.exists()  # a failure keeps nothing
    assert _post(client).status_code == 504
    assert ReceivedRecord.objects.count() == 1  # a lost answer: kept all the same
    assert _post(client).status_code == 200


def test_it_refuses_what_is_not_a_record(client, connected):
    assert _post(client, record={"MaHoSo": "x"}).status_code == 400
    assert _post(client, key="").status_code == 400


def test_a_filing_is_the_portal_payload_exactly():
    filing = Filing(
        portal_ref="G22.2026-000001",
        procedure_code="1.001193",
        agency_code="H26.22",
        submitted_at=at("2026-12-01 07:15"),
        applicant=Applicant("Trần Văn Bình", "001203012345", "Hoàn Kiếm", "0912345678", "b@x.vn"),
        papers=(PaperIn("Tờ khai", required_id=7), PaperIn("Giấy chứng sinh", digitised=False)),
        fees=(FeeIn("Lệ phí", 0),),
        paid_online=1,
    )
    payload = submission_payload(filing)
    assert payload == {
        "PhienBan": "tt04-2025.1",
        "MaHoSoQG": "G22.2026-000001",
        "MaTTHC": "1.001193",
        "MaCoQuan": "H26.22",
        "NgayNopHoSo": "20261201071500",
        "KenhThucHien": 2,
        "TrangThaiHoSo": 1,
        "ChuHoSo": {
            "HoTen": "Trần Văn Bình",
            "SoDinhDanh": "001203012345",
            "DiaChi": "Hoàn Kiếm",
            "SoDienThoai": "0912345678",
            "Email": "b@x.vn",
        },
        "TaiLieuNop": [
            {
                "TenTaiLieu": "Tờ khai",
                "MaThanhPhan": 7,
                "DuocSoHoa": 1,
                "DuocLayTuKhoDMQG": 0,
                "DuongDanTep": "",
            },
            {
                "TenTaiLieu": "Giấy chứng sinh",
                "DuocSoHoa": 0,
                "DuocLayTuKhoDMQG": 0,
                "DuongDanTep": "",
            },
        ],
        "DanhSachPhiLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": 0}],
        "DuocThanhToanTrucTuyen": 1,
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "HinhThucNhanKetQua": "desk",
    }
    assert submission_key(payload) == submission_key(dict(payload))
    assert submission_key(payload) != submission_key({**payload, "MaHoSoQG": "G22.2026-2"})


def test_the_command_files_dossiers_and_is_told_what_to_do(world, wire, settings):
    import io

    import time_machine
    from django.core.management import call_command

    from motcua.api.selectors import national_by_ref
    from motcua.api.services import client_create
    from motcua.simulator.models import SimulatorControl, Submission

    with time_machine.travel(at("2026-12-01 08:00"), tick=False):
        key = client_create(
            name="Cổng quốc gia",
            agency_codes=["H26.100"],
            operations=["national.submit"],
            requests_per_minute=100,
            now=at("2026-12-01 08:00"),
        ).key
        out = io.StringIO()
        call_command(
            "simulator", "submit", "--api-key", key, "--procedure", world.birth.code,
            "--agency", "H26.100", "--count", "2", "--site-url", "http://testserver", stdout=out,
        )  # fmt: skip
    filed = list(Submission.objects.all())
    assert [s.status_code for s in filed] == [201, 201], out.getvalue()
    assert all(national_by_ref(s.portal_ref) for s in filed)
    call_command("simulator", "fail", "2")
    call_command("simulator", "lose", "1")
    assert (SimulatorControl.objects.get().fail_next, SimulatorControl.objects.get().lose_next) == (
        2,
        1,
    )
    call_command("simulator", "reset")
    assert not Submission.objects.exists() and not SimulatorControl.objects.exists()
