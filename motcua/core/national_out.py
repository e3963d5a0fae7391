"""What motcua tells the National Public Service Portal of a dossier (outbound sync), and how
the sync is judged: the record of one change, the order rule, the sync rate (766 index,
indicator 1.4) and the integration time a dossier spent waiting on the portal.

Pure: plain values in, plain values out; "now" and the calendar are the caller's.

The record follows the data set of TT 04/2025/TT-VPCP as secondary sources describe it
(DOMAIN §4, [practice]): the circular's annex itself was not read. Every field name and type
below is therefore an adapter's mapping, versioned as `ADAPTER_VERSION` ("PhienBan"), with the
portal simulator (motcua.simulator) as its test partner: when the annex is read, a new version
of this mapping is written beside this one, never over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from motcua.core.calendar import DEFAULT_TZ, WorkCalendar
from motcua.core.lifecycle import FINISHED, Status

# The version of this mapping, sent as "PhienBan" in every record. [check]: the name of the
# field and its values are ours until the annex of TT 04/2025 is read.
ADAPTER_VERSION = "tt04-2025.1"
# The portal's date-time format: local time (Asia/Ho_Chi_Minh), to the second. [practice]
TIME_FORMAT = "%Y%m%d%H%M%S"
# A record counts as synced on time when the portal acknowledged it within this much working
# time of the change (indicator 1.4). Project decision: no source fixes the delay; one working
# hour is what a worker that is up and a portal that answers do with room to spare, while a
# sync that waits for the next day (a portal down, a dead letter) is not on time. Versioned
# with the mapping: change it here with a new ADAPTER_VERSION's figures.
SYNC_ON_TIME_WORKING_SECONDS = 3600


@dataclass(frozen=True)
class Paper:
    """A paper handed in, as the portal counts it."""

    name: str
    digitised: bool  # an electronic copy is on file (DuocSoHoa)
    from_data_store: bool  # taken from the citizen's data store (DuocLayTuKhoDMQG)


@dataclass(frozen=True)
class Fee:
    name: str
    amount: int  # đồng


@dataclass(frozen=True)
class Result:
    number: str  # the result document's number and symbol, or the dossier's own result id
    url: str  # where the electronic copy is fetched, "" when none is published


@dataclass(frozen=True)
class DossierChange:
    """The plain facts of one change of one dossier: what the record is made of."""

    code: str | None  # MaHoSo: None before reception (status 1)
    portal_ref: str | None  # MaHoSoQG: the portal's own code, for dossiers filed there
    procedure_code: str  # MaTTHC
    agency_code: str  # MaCoQuan: the receiving agency's electronic ID
    received_at: datetime | None
    first_due_at: datetime | None  # the first appointment, never an apology's new date
    finished_at: datetime | None
    channel: int  # KenhThucHien: 1 in person, 2 online, 3 post (DOMAIN §3)
    status: Status  # the status this change left the dossier in
    seq: int  # the event's number in the dossier's log: the order of its changes
    result: Result | None = None
    fees: Sequence[Fee] = ()
    paid_online: int = 0  # 0 no, 1 on the national portal, 2 another payment gateway
    papers: Sequence[Paper] = ()
    vneid: bool = False  # the account was verified with VNeID
    system_code: str = ""  # MaCSDL: the code of the database (this installation) it comes from


def portal_time(moment: datetime | None, tz: tzinfo = DEFAULT_TZ) -> str | None:
    """A moment as the portal writes it (yyyyMMddHHmmss, local time), None for none."""
    if moment is None:
        return None
    if moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(tz).strftime(TIME_FORMAT)


def parse_portal_time(text: str, tz: tzinfo = DEFAULT_TZ) -> datetime:
    """The portal's yyyyMMddHHmmss (local time) as an aware datetime; ValueError otherwise."""
    if len(text) != len("20260101080000") or not text.isdigit():
        raise ValueError(f"not a portal time: {text!r}")
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=tz)


def record(change: DossierChange, tz: tzinfo = DEFAULT_TZ) -> dict[str, Any]:
    """The record sent to the portal for one change (TT 04/2025 data set, this mapping)."""
    papers = [
        {
            "TenTaiLieu": p.name,
            "DuocSoHoa": int(p.digitised),
            "DuocLayTuKhoDMQG": int(p.from_data_store),
        }
        for p in change.papers
    ]
    out: dict[str, Any] = {
        "PhienBan": ADAPTER_VERSION,
        "MaHoSoQG": change.portal_ref,
        "MaHoSo": change.code,
        "MaTTHC": change.procedure_code,
        "MaCoQuan": change.agency_code,
        "NgayTiepNhan": portal_time(change.received_at, tz),
        # The first appointment: an apology's new date never replaces it (DOMAIN §5), so the
        # portal keeps counting the dossier late.
        "NgayHenTra": portal_time(change.first_due_at, tz),
        # Only once processing ended (DOMAIN §4: the first of 9, 10, 3, 8, 7).
        "NgayKetThucXuLy": (
            portal_time(change.finished_at, tz) if change.status in FINISHED else None
        ),
        "KenhThucHien": change.channel,
        "TrangThaiHoSo": int(change.status),
        "DanhSachPhiLePhi": [{"TenPhiLePhi": f.name, "Gia": f.amount} for f in change.fees],
        "DuocThanhToanTrucTuyen": change.paid_online,
        "HoSoCoThanhPhanSoHoa": int(any(p.digitised for p in change.papers)),
        "TaiLieuNop": papers,
        "TaiKhoanDuocXacThucVoiVNeID": int(change.vneid),
        "MaCSDL": change.system_code,
        "SoThuTu": change.seq,
    }
    if change.result is not None:
        out["MaKetQua"] = change.result.number
        out["DuongDanTepTinKetQua"] = change.result.url
    return out


def is_followed(*, from_status: int | None, to_status: int, result_attached: bool) -> bool:
    """Whether a change is sent to the portal: every status change (the first event
    included) and every result; hand-overs inside one status and reads are not."""
    return from_status != to_status or result_attached


@dataclass(frozen=True)
class Sync:
    """One record of a dossier, as the sync knows it."""

    seq: int
    queued_at: datetime  # the change it reports
    acknowledged_at: datetime | None


def next_to_send(syncs: Iterable[Sync]) -> int | None:
    """The one record of a dossier that may go to the portal now: the earliest not yet
    acknowledged. The later ones wait for it, whatever became of it (a record given up on
    holds the rest back until it is sent again), so the portal never sees them out of order."""
    waiting = [s.seq for s in syncs if s.acknowledged_at is None]
    return min(waiting) if waiting else None


def synced_on_time(
    calendar: WorkCalendar,
    syncs: Sequence[Sync],
    *,
    within: int = SYNC_ON_TIME_WORKING_SECONDS,
) -> bool:
    """Whether every record of a dossier was acknowledged, each within `within` working
    seconds of its change (indicator 1.4); a dossier with no record is not synced."""
    return bool(syncs) and all(
        s.acknowledged_at is not None
        and calendar.working_seconds_between(s.queued_at, max(s.queued_at, s.acknowledged_at))
        <= within
        for s in syncs
    )


def waited_seconds(calendar: WorkCalendar, start: datetime | None, end: datetime | None) -> int:
    """Working seconds between two moments (0 without either, or when `end` comes first): the
    time a dossier waited on another system, e.g. from its submission on the national portal
    (NgayNopHoSo) to its arrival here."""
    if start is None or end is None or end <= start:
        return 0
    return calendar.working_seconds_between(start, end)
