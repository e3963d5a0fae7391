"""The national portal's payload (TT 04/2025), checked field by field: every problem at once,
each with its TT 04 path."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core import national_in
from motcua.core.errors import InvalidInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=VN)

CONTEXT = national_in.Context(
    now=NOW,
    tz=VN,
    first_year=2000,
    known_procedure=lambda code: code == "1.001612",
    known_agency=lambda code: code == "H26.22",
)


def payload(**changes):
    base = {
        "PhienBan": "tt04-2025.1",
        "MaHoSoQG": "G22.99-261204-000123",
        "MaTTHC": "1.001612",
        "MaCoQuan": "H26.22",
        "NgayNopHoSo": "20261204093000",
        "KenhThucHien": 2,
        "TrangThaiHoSo": 1,
        "ChuHoSo": {
            "HoTen": "Nguyễn Văn An",
            "SoDinhDanh": "001203012345",
            "DiaChi": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
            "SoDienThoai": "0912345678",
            "Email": "an@example.vn",
        },
        "TaiLieuNop": [
            {
                "TenTaiLieu": "Giấy đề nghị",
                "MaThanhPhan": 7,
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
        "DanhSachPhiLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": 100000}],
        "DuocThanhToanTrucTuyen": 1,
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "HinhThucNhanKetQua": "post",
    }
    result = copy.deepcopy(base)
    for path, value in changes.items():
        target = result
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return result


DELETE = object()


def fields_of(data) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        national_in.check(data, CONTEXT)
    return [p.details["field"] for p in caught.value.problems()]


def test_it_reads_a_good_payload():
    checked = national_in.check(payload(), CONTEXT)
    assert (checked.portal_ref, checked.procedure_code, checked.agency_code) == (
        "G22.99-261204-000123",
        "1.001612",
        "H26.22",
    )
    assert checked.submitted_at == datetime(2026, 12, 4, 9, 30, tzinfo=VN)
    assert checked.papers[0] == national_in.Paper(
        "Giấy đề nghị", 7, True, False, "https://dichvucong.gov.vn/tep/1"
    )
    assert checked.papers[1].from_data_store and checked.papers[1].component is None
    assert checked.fees == (national_in.Fee("Lệ phí", 100000),)
    assert (checked.paid_online, checked.vneid, checked.delivery) == (1, True, "post")
    assert checked.digitised


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"TrangThaiHoSo": 2}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": 11}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": True}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": "1"}, "TrangThaiHoSo"),
        ({"KenhThucHien": 1}, "KenhThucHien"),
        ({"PhienBan": "tt04-2024"}, "PhienBan"),
        ({"MaHoSoQG": "abc"}, "MaHoSoQG"),
        ({"MaHoSoQG": "A" * 51}, "MaHoSoQG"),
        ({"MaHoSoQG": ""}, "MaHoSoQG"),
        ({"MaTTHC": "1001612"}, "MaTTHC"),
        ({"MaTTHC": "2.000908"}, "MaTTHC"),  # well formed, not in the catalog
        ({"MaCoQuan": "26.22"}, "MaCoQuan"),
        ({"MaCoQuan": "h26.22"}, "MaCoQuan"),
        ({"MaCoQuan": "H26.23"}, "MaCoQuan"),  # well formed, unknown
        ({"NgayNopHoSo": "2026-12-04"}, "NgayNopHoSo"),
        ({"NgayNopHoSo": "20260230093000"}, "NgayNopHoSo"),  # 30 February
        ({"NgayNopHoSo": "20261204250000"}, "NgayNopHoSo"),  # hour 25
        ({"NgayNopHoSo": "20261205093000"}, "NgayNopHoSo"),  # tomorrow
        ({"NgayNopHoSo": "19991231235959"}, "NgayNopHoSo"),  # before the calendar
        ({"NgayNopHoSo": 20261204093000}, "NgayNopHoSo"),
        ({"ChuHoSo__SoDinhDanh": "00120301234"}, "ChuHoSo.SoDinhDanh"),
        ({"ChuHoSo__SoDinhDanh": "00120301234X"}, "ChuHoSo.SoDinhDanh"),
        ({"ChuHoSo__HoTen": "   "}, "ChuHoSo.HoTen"),
        ({"ChuHoSo__HoTen": DELETE}, "ChuHoSo.HoTen"),
        ({"ChuHoSo__Email": "an-at-example"}, "ChuHoSo.Email"),
        ({"ChuHoSo__SoDienThoai": "gọi tôi"}, "ChuHoSo.SoDienThoai"),
        ({"ChuHoSo": "Nguyễn Văn An"}, "ChuHoSo"),
        ({"TaiLieuNop__1__DuocSoHoa": 2}, "TaiLieuNop[1].DuocSoHoa"),
        ({"TaiLieuNop__0__DuocLayTuKhoDMQG": True}, "TaiLieuNop[0].DuocLayTuKhoDMQG"),
        ({"TaiLieuNop__0__MaThanhPhan": 0}, "TaiLieuNop[0].MaThanhPhan"),
        ({"TaiLieuNop__0__DuongDanTep": "ftp://x"}, "TaiLieuNop[0].DuongDanTep"),
        ({"TaiLieuNop__1__TenTaiLieu": ""}, "TaiLieuNop[1].TenTaiLieu"),
        ({"TaiLieuNop": {"a": 1}}, "TaiLieuNop"),
        ({"DanhSachPhiLePhi__0__Gia": -1}, "DanhSachPhiLePhi[0].Gia"),
        ({"DanhSachPhiLePhi__0__Gia": 1.5}, "DanhSachPhiLePhi[0].Gia"),
        ({"DuocThanhToanTrucTuyen": 3}, "DuocThanhToanTrucTuyen"),
        ({"TaiKhoanDuocXacThucVoiVNeID": DELETE}, "TaiKhoanDuocXacThucVoiVNeID"),
        ({"HinhThucNhanKetQua": "email"}, "HinhThucNhanKetQua"),
    ],
)
def test_it_refuses_a_bad_field_by_its_tt04_path(changes, field):
    assert fields_of(payload(**changes)) == [field]


def test_it_reports_every_problem_at_once():
    data = payload(
        TrangThaiHoSo=4,
        NgayNopHoSo="20261399000000",
        MaCoQuan="X",
        ChuHoSo__SoDinhDanh="1",
        TaiLieuNop__1__DuocSoHoa="có",
    )
    assert fields_of(data) == [
        "MaCoQuan",
        "NgayNopHoSo",
        "TrangThaiHoSo",
        "ChuHoSo.SoDinhDanh",
        "TaiLieuNop[1].DuocSoHoa",
    ]


def test_a_wrong_status_says_that_inbound_is_status_1():
    with pytest.raises(InvalidInput) as caught:
        national_in.check(payload(TrangThaiHoSo=2), CONTEXT)
    assert "trạng thái 1" in caught.value.problems()[0].message


def test_a_clock_a_little_ahead_is_allowed():
    assert national_in.check(payload(NgayNopHoSo="20261204100400"), CONTEXT)


def test_it_refuses_what_is_not_an_object():
    with pytest.raises(InvalidInput):
        national_in.check([1, 2], CONTEXT)


def test_extra_fields_are_ignored_and_optional_ones_may_be_left_out():
    data = payload(MaCSDL="X1", DanhSachPhiLePhi=DELETE, TaiLieuNop=DELETE)
    data.pop("HinhThucNhanKetQua")
    checked = national_in.check(data, CONTEXT)
    assert (checked.papers, checked.fees, checked.delivery) == ((), (), "desk")
    assert not checked.digitised
