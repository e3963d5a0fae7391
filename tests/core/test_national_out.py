"""The record sent to the national portal, its order rule and the sync rate's verdict."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core.calendar import WorkCalendar
from motcua.core.lifecycle import Status
from motcua.core.national_out import (
    ADAPTER_VERSION,
    DossierChange,
    Fee,
    Paper,
    Result,
    Sync,
    is_followed,
    next_to_send,
    parse_portal_time,
    portal_time,
    record,
    synced_on_time,
    waited_seconds,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


RECEIVED = DossierChange(
    code="H26.22-261201-0001",
    portal_ref="G22.QG-0001",
    procedure_code="1.001193",
    agency_code="H26.22",
    received_at=at("2026-12-01 08:30"),
    first_due_at=at("2026-12-01 17:00"),
    finished_at=None,
    channel=2,
    status=Status.RECEIVED,
    seq=2,
    fees=(Fee("Lệ phí đăng ký khai sinh", 0),),
    paid_online=1,
    papers=(Paper("Tờ khai", digitised=True, from_data_store=False),),
    vneid=True,
    system_code="MOTCUA.H26",
)


def test_it_writes_every_field_of_the_data_set():
    assert record(RECEIVED) == {
        "PhienBan": ADAPTER_VERSION,
        "MaHoSoQG": "G22.QG-0001",
        "MaHoSo": "H26.22-261201-0001",
        "MaTTHC": "1.001193",
        "MaCoQuan": "H26.22",
        "NgayTiepNhan": "20261201083000",
        "NgayHenTra": "20261201170000",
        "NgayKetThucXuLy": None,
        "KenhThucHien": 2,
        "TrangThaiHoSo": 2,
        "DanhSachPhiLePhi": [{"TenPhiLePhi": "Lệ phí đăng ký khai sinh", "Gia": 0}],
        "DuocThanhToanTrucTuyen": 1,
        "HoSoCoThanhPhanSoHoa": 1,
        "TaiLieuNop": [{"TenTaiLieu": "Tờ khai", "DuocSoHoa": 1, "DuocLayTuKhoDMQG": 0}],
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "MaCSDL": "MOTCUA.H26",
        "SoThuTu": 2,
    }


def _with(**changes: object) -> DossierChange:
    from dataclasses import replace

    return replace(RECEIVED, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        # A dossier lodged at the counter has no portal code; one not yet received no code.
        (_with(portal_ref=None), "MaHoSoQG", None),
        (_with(code=None, status=Status.NEW, seq=1), "MaHoSo", None),
        # The end of processing is told once processing ended, not before.
        (_with(finished_at=at("2026-12-01 15:00")), "NgayKetThucXuLy", None),
        (
            _with(status=Status.DONE, finished_at=at("2026-12-01 15:00")),
            "NgayKetThucXuLy",
            "20261201150000",
        ),
        (
            _with(status=Status.REFUSED, finished_at=at("2026-12-01 09:00")),
            "NgayKetThucXuLy",
            "20261201090000",
        ),
        # Local time, whatever zone the moment is given in.
        (
            _with(received_at=datetime(2026, 12, 1, 1, 30, tzinfo=UTC)),
            "NgayTiepNhan",
            "20261201083000",
        ),
        # No digitised paper: the dossier has no digitised component.
        (_with(papers=(Paper("Tờ khai", False, True),)), "HoSoCoThanhPhanSoHoa", 0),
        (_with(papers=()), "TaiLieuNop", []),
        (_with(vneid=False), "TaiKhoanDuocXacThucVoiVNeID", 0),
        (_with(channel=1, paid_online=2), "DuocThanhToanTrucTuyen", 2),
    ],
)
def test_it_maps_each_fact(change, field, value):
    assert record(change)[field] == value


def test_it_adds_the_result_only_when_there_is_one():
    assert "MaKetQua" not in record(RECEIVED)
    done = _with(status=Status.DONE, result=Result("12/QĐ-UBND", "https://x/kq/1"))
    assert record(done)["MaKetQua"] == "12/QĐ-UBND"
    assert record(done)["DuongDanTepTinKetQua"] == "https://x/kq/1"


def test_the_appointment_is_the_first_one():
    """The record is given the first appointment (the projection's original_due_at)."""
    assert record(_with(first_due_at=at("2026-12-03 17:00")))["NgayHenTra"] == "20261203170000"


def test_portal_times_read_back():
    assert parse_portal_time("20261201083000") == at("2026-12-01 08:30")
    assert portal_time(None) is None
    for bad in ("2026120108300", "2026-12-01", "2026120108300x"):
        with pytest.raises(ValueError):
            parse_portal_time(bad)
    with pytest.raises(ValueError):
        portal_time(datetime(2026, 12, 1))


@pytest.mark.parametrize(
    ("from_status", "to_status", "result", "followed"),
    [
        (None, 1, False, True),  # submitted
        (None, 2, False, True),  # received at the counter
        (1, 2, False, True),
        (4, 4, False, False),  # a hand-over inside processing
        (4, 4, True, True),  # a result attached without a status change
        (9, 10, True, True),
        (5, 5, False, False),
    ],
)
def test_it_follows_status_changes_and_results(from_status, to_status, result, followed):
    assert is_followed(from_status=from_status, to_status=to_status, result_attached=result) is (
        followed
    )


T = at("2026-12-01 09:00")


@pytest.mark.parametrize(
    ("syncs", "expected"),
    [
        ([], None),
        ([Sync(1, T, T), Sync(2, T, None), Sync(4, T, None)], 2),
        ([Sync(4, T, None), Sync(2, T, None)], 2),  # by number, not by the order given
        ([Sync(1, T, T), Sync(2, T, T)], None),
    ],
)
def test_only_the_earliest_unacknowledged_record_goes(syncs, expected):
    assert next_to_send(syncs) == expected


@pytest.mark.parametrize(
    ("queued", "acknowledged", "on_time"),
    [
        (T, at("2026-12-01 09:00"), True),
        (T, at("2026-12-01 10:00"), True),  # one working hour exactly
        (T, at("2026-12-01 10:01"), False),
        # 11:45 to 13:30: 45 working minutes, the lunch break left out.
        (at("2026-12-01 11:45"), at("2026-12-01 13:30"), True),
    ],
)
def test_a_dossier_is_synced_on_time_within_one_working_hour(queued, acknowledged, on_time):
    assert synced_on_time(CAL, [Sync(1, queued, acknowledged)]) is on_time


def test_every_record_must_be_acknowledged_on_time():
    assert synced_on_time(CAL, []) is False
    assert synced_on_time(CAL, [Sync(1, T, T), Sync(2, T, None)]) is False
    # Friday 16:30 to Monday 08:20: 50 working minutes.
    late_friday = Sync(3, at("2026-12-04 16:30"), at("2026-12-07 08:20"))
    assert synced_on_time(CAL, [Sync(1, T, T), late_friday]) is True
    assert synced_on_time(CAL, [late_friday], within=1800) is False


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        (None, at("2026-12-01 09:00"), 0),
        (at("2026-12-01 09:00"), None, 0),
        (at("2026-12-01 09:00"), at("2026-12-01 08:00"), 0),
        (at("2026-12-01 08:00"), at("2026-12-01 10:00"), 7200),
        # Submitted on the portal on Saturday, here on Monday at 09:00: one working hour.
        (at("2026-12-05 10:00"), at("2026-12-07 09:00"), 3600),
    ],
)
def test_the_wait_on_another_system_is_working_time(start, end, seconds):
    assert waited_seconds(CAL, start, end) == seconds
