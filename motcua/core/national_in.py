"""A dossier sent by the National Public Service Portal, in the data set of TT 04/2025/TT-VPCP
(adapter version "tt04-2025.1"), checked field by field. Pure: the payload is plain JSON, the
moment and the questions only the database can answer (is the procedure known, the agency?)
are given.

Every problem is reported at once (`InvalidInput`), each with the TT 04 path of its field:
`ChuHoSo.SoDinhDanh`, `TaiLieuNop[1].DuocSoHoa`. Fields the payload carries beyond the contract
are ignored (the portal may add some before the adapter knows them); a missing or mistyped one
is a problem.

Why the inbound status is 1 only: the national portal hands over a dossier the citizen
submitted (Mới đăng ký, DOMAIN §4); reception (status 2 and the code) is the province's act,
done at its desk, never taken from a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from motcua.core import codes
from motcua.core.errors import InvalidInput, ValidationError, _

# The adapter versions this module reads; a new version of the data set is a new entry.
VERSIONS = ("tt04-2025.1",)
ONLINE = 2  # KenhThucHien: trực tuyến (DOMAIN §3)
NEW = 1  # TrangThaiHoSo: Mới đăng ký (DOMAIN §4)
STATUS_CODES = range(1, 11)
DELIVERIES = ("desk", "post")
PAID_ONLINE = (0, 1, 2)  # 1: on the national portal, 2: a ministry's or province's gateway

_PORTAL_REF = re.compile(r"[A-Z0-9.\-]{1,50}")
_STAMP = re.compile(r"[0-9]{14}")
_CITIZEN_ID = re.compile(r"[0-9]{12}")
_PHONE = re.compile(r"\+?[0-9][0-9 .\-]{6,18}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s]{1,990}")
MAX_PAPERS = 100
MAX_FEES = 20
MAX_FEE = 10**12  # VND


@dataclass(frozen=True)
class Paper:
    """One paper the citizen submitted: its name, the procedure's paper it is (if said), whether
    it was digitised and whether it was taken from the citizen's data store."""

    name: str
    component: int | None
    digitised: bool
    from_data_store: bool
    url: str


@dataclass(frozen=True)
class Fee:
    name: str
    amount: int


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    address: str
    phone: str
    email: str


@dataclass(frozen=True)
class NationalDossier:
    """The payload, checked: what the write path and the national record need."""

    version: str
    portal_ref: str
    procedure_code: str
    agency_code: str
    submitted_at: datetime
    applicant: Applicant
    papers: tuple[Paper, ...]
    fees: tuple[Fee, ...]
    paid_online: int
    vneid: bool
    delivery: str

    @property
    def digitised(self) -> bool:
        """Whether the dossier has a digitised component (HoSoCoThanhPhanSoHoa)."""
        return any(p.digitised for p in self.papers)


@dataclass(frozen=True)
class Context:
    """What the check needs from outside: the moment, the time zone of the dates, the first
    year the calendar counts, how far ahead of our clock a portal's clock may run, and whether
    a procedure code and an agency code are known here."""

    now: datetime
    tz: ZoneInfo
    first_year: int
    known_procedure: Callable[[str], bool]
    known_agency: Callable[[str], bool]
    skew: timedelta = timedelta(minutes=5)


class _Problems:
    def __init__(self) -> None:
        self.found: list[ValidationError] = []

    def add(self, field: str, message: str, **details: object) -> None:
        self.found.append(ValidationError(message, field=field, **details))


def _text(
    problems: _Problems,
    data: Mapping[str, Any],
    key: str,
    path: str,
    *,
    max_length: int,
    required: bool = True,
) -> str:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(path, _("Thiếu “{field}”."))
        return ""
    if not isinstance(value, str):
        problems.add(path, _("“{field}” phải là chuỗi ký tự."), expected="string")
        return ""
    value = " ".join(value.split())
    if required and not value:
        problems.add(path, _("Thiếu “{field}”."))
    elif len(value) > max_length:
        problems.add(path, _("“{field}” dài quá {max_length} ký tự."), max_length=max_length)
    return value


def _choice(
    problems: _Problems, data: Mapping[str, Any], key: str, path: str, allowed: tuple[int, ...]
) -> int:
    value = data.get(key)
    # JSON true/false is not 0/1: a boolean is refused, as the contract says integers.
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        problems.add(
            path,
            _("“{field}” phải là một trong các giá trị {allowed}."),
            allowed=", ".join(str(a) for a in allowed),
            value=str(value)[:20],
        )
        return allowed[0]
    return value


def _stamp(problems: _Problems, value: object, path: str, context: Context) -> datetime:
    """A yyyyMMddHHmmss local time: a real calendar moment, not ahead of now (beyond the
    allowed skew), not before the calendar's first year."""
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        problems.add(
            path,
            _("“{field}” phải có dạng yyyyMMddHHmmss (14 chữ số, giờ Việt Nam)."),
            value=str(value)[:20],
        )
        return context.now
    try:
        naive = datetime.strptime(value, "%Y%m%d%H%M%S")  # noqa: DTZ007 - made aware next line
    except ValueError:
        problems.add(path, _("“{field}” không phải là một ngày giờ có thật: {value}."), value=value)
        return context.now
    moment = naive.replace(tzinfo=context.tz)
    if moment > context.now + context.skew:
        problems.add(path, _("“{field}” là thời điểm trong tương lai: {value}."), value=value)
    elif moment.year < context.first_year:
        problems.add(
            path,
            _("“{field}” trước năm {first_year}, ngoài phạm vi lịch làm việc: {value}."),
            value=value,
            first_year=context.first_year,
        )
    return moment


def _applicant(problems: _Problems, data: object) -> Applicant:
    if not isinstance(data, Mapping):
        problems.add("ChuHoSo", _("Thiếu “{field}” (thông tin chủ hồ sơ)."))
        return Applicant("", "", "", "", "")
    name = _text(problems, data, "HoTen", "ChuHoSo.HoTen", max_length=200)
    id_number = _text(problems, data, "SoDinhDanh", "ChuHoSo.SoDinhDanh", max_length=12)
    if id_number and not _CITIZEN_ID.fullmatch(id_number):
        problems.add(
            "ChuHoSo.SoDinhDanh",
            _("“{field}” phải là số định danh cá nhân gồm 12 chữ số."),
        )
    address = _text(problems, data, "DiaChi", "ChuHoSo.DiaChi", max_length=300, required=False)
    phone = _text(
        problems, data, "SoDienThoai", "ChuHoSo.SoDienThoai", max_length=20, required=False
    )
    if phone and not _PHONE.fullmatch(phone):
        problems.add("ChuHoSo.SoDienThoai", _("“{field}” không phải là số điện thoại."))
    email = _text(problems, data, "Email", "ChuHoSo.Email", max_length=254, required=False)
    if email and not _EMAIL.fullmatch(email):
        problems.add("ChuHoSo.Email", _("“{field}” không phải là địa chỉ thư điện tử."))
    return Applicant(name, id_number, address, phone, email)


def _papers(problems: _Problems, items: object) -> tuple[Paper, ...]:
    if items is None:
        return ()
    if not isinstance(items, list) or len(items) > MAX_PAPERS:
        problems.add(
            "TaiLieuNop",
            _("“{field}” phải là danh sách tối đa {count} tài liệu."),
            count=MAX_PAPERS,
        )
        return ()
    papers = []
    for i, item in enumerate(items):
        path = f"TaiLieuNop[{i}]"
        if not isinstance(item, Mapping):
            problems.add(path, _("“{field}” phải là một tài liệu."))
            continue
        name = _text(problems, item, "TenTaiLieu", f"{path}.TenTaiLieu", max_length=500)
        component = item.get("MaThanhPhan")
        if component is not None and (
            isinstance(component, bool)
            or not isinstance(component, int)
            or not 1 <= component < 2**63
        ):
            problems.add(f"{path}.MaThanhPhan", _("“{field}” phải là một số nguyên dương."))
            component = None
        digitised = _choice(problems, item, "DuocSoHoa", f"{path}.DuocSoHoa", (0, 1))
        from_store = _choice(problems, item, "DuocLayTuKhoDMQG", f"{path}.DuocLayTuKhoDMQG", (0, 1))
        url = _text(
            problems, item, "DuongDanTep", f"{path}.DuongDanTep", max_length=1000, required=False
        )
        if url and not _URL.fullmatch(url):
            problems.add(f"{path}.DuongDanTep", _("“{field}” phải là một địa chỉ http(s)."))
        papers.append(Paper(name, component, bool(digitised), bool(from_store), url))
    return tuple(papers)


def _fees(problems: _Problems, items: object) -> tuple[Fee, ...]:
    if items is None:
        return ()
    if not isinstance(items, list) or len(items) > MAX_FEES:
        problems.add(
            "DanhSachPhiLePhi",
            _("“{field}” phải là danh sách tối đa {count} khoản phí, lệ phí."),
            count=MAX_FEES,
        )
        return ()
    fees = []
    for i, item in enumerate(items):
        path = f"DanhSachPhiLePhi[{i}]"
        if not isinstance(item, Mapping):
            problems.add(path, _("“{field}” phải là một khoản phí, lệ phí."))
            continue
        name = _text(problems, item, "TenPhiLePhi", f"{path}.TenPhiLePhi", max_length=300)
        amount = item.get("Gia")
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_FEE:
            problems.add(f"{path}.Gia", _("“{field}” phải là số tiền nguyên (đồng) từ 0 trở lên."))
            amount = 0
        fees.append(Fee(name, amount))
    return tuple(fees)


def check(payload: object, context: Context) -> NationalDossier:
    """The payload checked field by field; InvalidInput with every problem, each naming its
    TT 04 path."""
    problems = _Problems()
    if not isinstance(payload, Mapping):
        raise InvalidInput([ValidationError(_("Nội dung gửi phải là một đối tượng JSON."))])
    version = payload.get("PhienBan")
    if version not in VERSIONS:
        problems.add(
            "PhienBan",
            _("Phiên bản “{value}” không được hỗ trợ; hỗ trợ: {versions}."),
            value=str(version)[:30],
            versions=", ".join(VERSIONS),
        )
    portal_ref = payload.get("MaHoSoQG")
    if not isinstance(portal_ref, str) or not _PORTAL_REF.fullmatch(portal_ref):
        problems.add(
            "MaHoSoQG",
            _("“{field}” phải gồm 1–50 ký tự A–Z, 0–9, dấu chấm hoặc gạch ngang."),
        )
        portal_ref = ""
    procedure = payload.get("MaTTHC")
    procedure_code = ""
    try:
        if not isinstance(procedure, str):
            raise ValidationError(_("“{field}” phải là chuỗi ký tự."))
        procedure_code = codes.validate_procedure_code(procedure)
    except ValidationError as exc:
        problems.add("MaTTHC", exc.template, **exc.details)
    else:
        if not context.known_procedure(procedure_code):
            problems.add("MaTTHC", _("Không có thủ tục mã {code}."), code=procedure_code)
    agency = payload.get("MaCoQuan")
    agency_code = ""
    try:
        if not isinstance(agency, str):
            raise ValidationError(_("“{field}” phải là chuỗi ký tự."))
        agency_code = codes.validate_agency_code(agency)
        if agency_code != agency:
            raise ValidationError(
                _("Mã định danh cơ quan phải viết hoa, không có khoảng trắng: {value}."),
                value=agency,
            )
    except ValidationError as exc:
        problems.add("MaCoQuan", exc.template, **exc.details)
        agency_code = ""
    else:
        if not context.known_agency(agency_code):
            problems.add("MaCoQuan", _("Không có cơ quan mã {agency}."), agency=agency_code)
    submitted_at = _stamp(problems, payload.get("NgayNopHoSo"), "NgayNopHoSo", context)
    channel = payload.get("KenhThucHien")
    if isinstance(channel, bool) or channel != ONLINE:
        problems.add(
            "KenhThucHien",
            _("Hồ sơ từ Cổng Dịch vụ công quốc gia có kênh thực hiện 2 (trực tuyến)."),
            value=str(channel)[:20],
        )
    status = payload.get("TrangThaiHoSo")
    if isinstance(status, bool) or not isinstance(status, int) or status not in STATUS_CODES:
        problems.add(
            "TrangThaiHoSo",
            _("“{field}” không phải là mã trạng thái hồ sơ (1–10)."),
            value=str(status)[:20],
        )
    elif status != NEW:
        problems.add(
            "TrangThaiHoSo",
            _(
                "Hồ sơ nhận từ Cổng Dịch vụ công quốc gia phải ở trạng thái 1 (Mới đăng ký); "
                "tiếp nhận là việc của bộ phận một cửa."
            ),
            value=status,
        )
    applicant = _applicant(problems, payload.get("ChuHoSo"))
    papers = _papers(problems, payload.get("TaiLieuNop", []))
    fees = _fees(problems, payload.get("DanhSachPhiLePhi", []))
    paid = _choice(
        problems, payload, "DuocThanhToanTrucTuyen", "DuocThanhToanTrucTuyen", PAID_ONLINE
    )
    vneid = _choice(
        problems, payload, "TaiKhoanDuocXacThucVoiVNeID", "TaiKhoanDuocXacThucVoiVNeID", (0, 1)
    )
    delivery = payload.get("HinhThucNhanKetQua", "desk")
    if delivery not in DELIVERIES:
        problems.add(
            "HinhThucNhanKetQua",
            _("“{field}” phải là “desk” hoặc “post”."),
            value=str(delivery)[:20],
        )
        delivery = "desk"
    if problems.found:
        raise InvalidInput(problems.found)
    return NationalDossier(
        version=str(version),
        portal_ref=portal_ref,
        procedure_code=procedure_code,
        agency_code=agency_code,
        submitted_at=submitted_at,
        applicant=applicant,
        papers=papers,
        fees=fees,
        paid_online=paid,
        vneid=bool(vneid),
        delivery=str(delivery),
    )
