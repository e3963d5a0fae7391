"""Appointments at the counter instead of queues from 3 a.m. (DOMAIN §13): the slots a
branch offers on a day, whether a booking may be made, tickets, reminders and no-shows.

The centre sets, per branch (a place that receives dossiers), time windows by weekday with a
capacity each. A day the branch's calendar does not work (weekend, holiday, extra day off)
offers no slot; a make-up working Saturday offers the Saturday pattern if there is one, else
Monday's (the day it replaces is unknown to the calendar, so the first working weekday's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from motcua.core.calendar import WorkCalendar, local_date
from motcua.core.errors import ConflictError, InvalidInput, ValidationError, _

# How far ahead a citizen may book (days), and the latest a booking for today may be made:
# before the slot starts.
DEFAULT_HORIZON_DAYS = 30


class State(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CALLED = "called"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE = frozenset({State.BOOKED, State.CHECKED_IN, State.CALLED})

STATE_LABELS = {
    State.BOOKED: _("Đã đặt lịch"),
    State.CHECKED_IN: _("Đã đến, đang chờ"),
    State.CALLED: _("Đã được gọi vào quầy"),
    State.CANCELLED: _("Đã hủy"),
    State.NO_SHOW: _("Không đến"),
}


@dataclass(frozen=True)
class Window:
    """A time window a branch opens on a weekday (0 = Monday), with its capacity."""

    weekday: int
    start: time
    end: time
    capacity: int


@dataclass(frozen=True)
class Slot:
    day: date
    start: time
    end: time
    capacity: int
    booked: int = 0

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


def check_window(window: Window) -> list[str]:
    """What is wrong with a window the centre entered (in Vietnamese)."""
    problems = []
    if not 0 <= window.weekday <= 6:
        problems.append(_("Thứ trong tuần không hợp lệ."))
    if window.end <= window.start:
        problems.append(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if window.capacity < 1:
        problems.append(_("Số chỗ phải từ 1 trở lên."))
    return problems


def _pattern_day(day: date, windows: Sequence[Window]) -> int:
    """Which weekday's windows a working day uses (a make-up Saturday: see the module)."""
    weekday = day.weekday()
    if weekday < 5 or any(w.weekday == weekday for w in windows):
        return weekday
    return 0


def slots_on(
    day: date,
    windows: Sequence[Window],
    calendar: WorkCalendar,
    booked: dict[time, int] | None = None,
) -> list[Slot]:
    """The slots a branch offers on a day, in order; none on a day its calendar does not work."""
    if not calendar.is_working_day(day):
        return []
    weekday = _pattern_day(day, windows)
    booked = booked or {}
    return sorted(
        (
            Slot(day, w.start, w.end, w.capacity, booked.get(w.start, 0))
            for w in windows
            if w.weekday == weekday
        ),
        key=lambda s: s.start,
    )


def check_booking(
    *,
    day: date,
    start: time | None,
    slots: Sequence[Slot],
    calendar: WorkCalendar,
    now: datetime,
    already_that_day: bool,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> Slot:
    """The slot a booking takes, or every reason it cannot (all at once): a day not worked,
    in the past or too far ahead, a slot not offered or already begun, a full slot, or a
    second active booking by the same person for the same procedure that day."""
    problems: list[ValidationError] = []
    today = local_date(now, calendar.tz)
    if day < today:
        problems.append(ValidationError(_("Ngày này đã qua."), field="day"))
    elif day > today + timedelta(days=horizon_days):
        problems.append(
            ValidationError(
                _("Chỉ đặt lịch trước tối đa {days} ngày."), field="day", days=horizon_days
            )
        )
    elif not calendar.is_working_day(day):
        reason = calendar.day_off_reason(day) or _("ngày nghỉ")
        problems.append(
            ValidationError(
                _("Ngày {day} là ngày nghỉ ({reason}); hãy chọn ngày làm việc khác."),
                field="day",
                day=f"{day:%d/%m/%Y}",
                reason=reason,
            )
        )
    slot = next((s for s in slots if s.start == start and s.day == day), None)
    if not problems:
        if slot is None or start is None:
            problems.append(
                ValidationError(_("Hãy chọn một khung giờ còn trong danh sách."), field="slot")
            )
        elif datetime.combine(day, start, calendar.tz) <= now:
            problems.append(
                ValidationError(_("Khung giờ này đã bắt đầu; hãy chọn giờ khác."), field="slot")
            )
    if already_that_day:
        problems.append(
            ValidationError(
                _("Bạn đã có một lịch hẹn cho thủ tục này trong ngày; hãy hủy lịch cũ trước."),
                field="day",
            )
        )
    if problems:
        raise InvalidInput(problems)
    assert slot is not None
    if slot.left <= 0:
        raise full(slot)
    return slot


def full(slot: Slot) -> ConflictError:
    """The refusal of a slot with no place left (also when another booking took the last)."""
    return ConflictError(
        _("Khung giờ {start}–{end} ngày {day} đã hết chỗ; hãy chọn khung giờ hoặc nơi khác."),
        field="slot",
        start=f"{slot.start:%H:%M}",
        end=f"{slot.end:%H:%M}",
        day=f"{slot.day:%d/%m/%Y}",
    )


def ticket_number(start: time, sequence: int) -> str:
    """The ticket: the slot's start and the booking's place in that slot (0800-03)."""
    return f"{start:%H%M}-{sequence:02d}"


def reminder_due(day: date, now: datetime, tz: tzinfo) -> bool:
    """Whether a booking's reminder is due now: from the day before it (local date), until
    the appointment's day has begun (a booking made for tomorrow is reminded at once)."""
    today = local_date(now, tz)
    return today >= day - timedelta(days=1) and today < day


def no_show(day: date, end: time, now: datetime, tz: tzinfo) -> bool:
    """A booking nobody checked in for is a no-show once its slot has ended."""
    return now >= datetime.combine(day, end, tz)


def waiting_seconds(checked_in_at: datetime, called_at: datetime, slot_start: datetime) -> int:
    """The time waited at the counter: from arrival, or the slot's start for someone who came
    early, to the call."""
    since = max(checked_in_at, slot_start)
    return max(0, int((called_at - since).total_seconds()))


@dataclass(frozen=True)
class Load:
    """A branch's day: places offered, booked, arrived, no-shows."""

    branch: str
    day: date
    capacity: int
    booked: int
    arrived: int
    no_shows: int

    @property
    def share(self) -> int:
        """Percent of the places booked (0 without places)."""
        return round(100 * self.booked / self.capacity) if self.capacity else 0


def busy(loads: Iterable[Load], *, threshold: int = 90) -> list[Load]:
    """The branch-days booked at or above `threshold` percent: send people elsewhere."""
    return [load for load in loads if load.capacity and load.share >= threshold]


# --- The booking and the online form filled before coming ---------------------------------------


class Prepared(StrEnum):
    """Where the dossier of a booking stands, as its page and the desk's day list show it."""

    NONE = "none"  # no e-form for this procedure: the papers come to the counter
    TO_FILL = "to_fill"  # a draft to fill in before coming ("khai trước hồ sơ")
    SUBMITTED = "submitted"  # the draft was submitted online before the appointment
    CLOSED = "closed"  # the draft was closed unsent (left too long)
    RECEIVED = "received"  # the desk received the dossier at the counter


class DeskOpens(StrEnum):
    """What the desk's one click on a booking opens."""

    RECEPTION = "reception"  # the reception form, from the citizen's profile
    RECEPTION_FROM_DRAFT = "reception_from_draft"  # the reception form, from the draft
    DOSSIER = "dossier"  # the dossier already lodged (online, or at the counter)


class TieDraft(StrEnum):
    """What booking does about the citizen's online draft of the procedure."""

    REUSE = "reuse"  # their open draft
    START = "start"  # a new draft, pre-filled as the online form is
    NONE = "none"  # the procedure takes no online form: nothing to fill in before


def tie_draft(*, offered_online: bool, open_draft: bool) -> TieDraft:
    """A booking is tied to the citizen's open draft of the procedure, else to a new one; a
    procedure not offered online with an e-form has none."""
    if open_draft:
        return TieDraft.REUSE
    return TieDraft.START if offered_online else TieDraft.NONE


def prepared(*, draft_state: str | None, received_at_desk: bool) -> Prepared:
    """The booking's dossier: received at the counter first, else what became of its draft
    (`draft_state`: "open", "submitted", "closed", None without a draft)."""
    if received_at_desk:
        return Prepared.RECEIVED
    if draft_state == "open":
        return Prepared.TO_FILL
    if draft_state == "submitted":
        return Prepared.SUBMITTED
    if draft_state == "closed":
        return Prepared.CLOSED
    return Prepared.NONE


def desk_opens(state: Prepared) -> DeskOpens:
    """A dossier already lodged opens itself (the visit may still bring the originals); a
    draft filled in before opens the reception pre-filled from it; else the profile's."""
    if state in (Prepared.SUBMITTED, Prepared.RECEIVED):
        return DeskOpens.DOSSIER
    if state is Prepared.TO_FILL:
        return DeskOpens.RECEPTION_FROM_DRAFT
    return DeskOpens.RECEPTION
