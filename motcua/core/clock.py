"""The clock ledger of a dossier: when counting started, pauses, the extension, the due date.

Pure: the ledger is a sequence of entries; the state and a Vietnamese explanation are
recomputed from it. Each step reads the calendar as known at that step (WorkCalendar.as_of),
so a published due date does not move when a later calendar decision is entered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from motcua.core.calendar import WorkCalendar, format_days_off, format_vn, require_aware
from motcua.core.errors import Text, ValidationError, _


class ClockKind(StrEnum):
    """What a ledger entry does to the clock; the values are stored in the dossier's ledger."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    STOP = "stop"


_KIND_NAMES = {
    ClockKind.START: _("bắt đầu tính thời hạn"),
    ClockKind.PAUSE: _("tạm dừng"),
    ClockKind.RESUME: _("tiếp tục"),
    ClockKind.EXTEND: _("gia hạn"),
    ClockKind.STOP: _("kết thúc"),
}
# What require_aware() calls an entry's moment: "Thời điểm" and the kind's name, as one label
# so that a translation can order the words its own way.
_MOMENT_LABELS = {
    ClockKind.START: _("Thời điểm bắt đầu tính thời hạn"),
    ClockKind.PAUSE: _("Thời điểm tạm dừng"),
    ClockKind.RESUME: _("Thời điểm tiếp tục"),
    ClockKind.EXTEND: _("Thời điểm gia hạn"),
    ClockKind.STOP: _("Thời điểm kết thúc"),
}


@dataclass(frozen=True)
class ClockEntry:
    """One line of the clock ledger."""

    kind: ClockKind
    at: datetime
    working_seconds: int | None = None  # START: statutory budget (None with same_day=True)
    same_day: bool = False  # START of a same-day procedure ("trả trong ngày")
    new_due: datetime | None = None  # EXTEND: the new date set by the apology letter
    reason: str = ""


@dataclass(frozen=True)
class ClockState:
    """The clock as recomputed from the ledger."""

    started_at: datetime | None  # when counting actually started (after the clock_start rule)
    due_at: datetime | None  # current due date; None while paused (known again on resume)
    original_due_at: datetime | None  # due date without the extension (for "late" statistics)
    paused: bool
    paused_seconds: int  # working seconds spent paused (citizen time, not counted)
    stopped_at: datetime | None
    explanation: tuple[str, ...]  # Vietnamese, one line per step of the reasoning


_NOT_STARTED = ClockState(
    started_at=None,
    due_at=None,
    original_due_at=None,
    paused=False,
    paused_seconds=0,
    stopped_at=None,
    explanation=(),
)


def compute(
    calendar: WorkCalendar, entries: Sequence[ClockEntry], *, now: datetime | None = None
) -> ClockState:
    """Recompute the clock state and its explanation from the ledger entries."""
    validate_entries(entries)
    if now is not None:
        require_aware(now, _("Thời điểm hiện tại"))
    if not entries:
        return _NOT_STARTED
    run = _Run(calendar, entries[0])
    if any(entry.kind in (ClockKind.PAUSE, ClockKind.EXTEND) for entry in entries):
        run.lines.append(f"Hạn theo thời hạn giải quyết: {format_vn(run.initial_due, run.tz)}.")
    for entry in entries[1:]:
        # Each step sees the calendar as known when it happened, so published dates hold.
        step = calendar.as_of(entry.at)
        at = entry.at.astimezone(run.tz)
        if entry.kind is ClockKind.PAUSE:
            run.pause(step, at, entry.reason)
        elif entry.kind is ClockKind.RESUME:
            run.resume(step, at)
        elif entry.kind is ClockKind.EXTEND:
            assert entry.new_due is not None  # checked by validate_entries
            run.extend(entry.new_due.astimezone(run.tz), entry.reason)
        elif entry.kind is ClockKind.STOP:
            run.stop(step, at, entry.reason)
    return run.state(calendar, now)


def used_working_seconds(
    calendar: WorkCalendar, entries: Sequence[ClockEntry], *, at: datetime
) -> int:
    """Agency working time used from the start of counting until `at`, pauses excluded."""
    validate_entries(entries)
    require_aware(at)
    if not entries:
        return 0
    start = entries[0]
    started = calendar.as_of(start.at).clock_start(start.at, same_day=start.same_day)
    end = at
    for entry in entries:
        if entry.kind is ClockKind.STOP and entry.at < end:
            end = entry.at
    if end <= started:
        return 0
    # Measured with the calendar as given: the time the office was open, by what is known now.
    used = calendar.working_seconds_between(started, end)
    paused_since: datetime | None = None
    for entry in entries:
        if entry.kind is ClockKind.PAUSE:
            paused_since = entry.at
        elif entry.kind in (ClockKind.RESUME, ClockKind.STOP) and paused_since is not None:
            used -= calendar.working_seconds_between(max(paused_since, started), min(entry.at, end))
            paused_since = None
    if paused_since is not None:
        used -= calendar.working_seconds_between(max(paused_since, started), end)
    return used


def explain_due(
    calendar: WorkCalendar,
    *,
    received_at: datetime,
    working_seconds: int | None = None,
    working_days: Fraction | Decimal | int | None = None,
    same_day: bool = False,
) -> tuple[datetime, tuple[str, ...]]:
    """The due date of a dossier received at `received_at`, with the reasoning in Vietnamese."""
    if [working_seconds is not None, working_days is not None, same_day].count(True) != 1:
        raise ValidationError(
            _("Cần đúng một trong: số giây làm việc, số ngày làm việc hoặc thủ tục trả trong ngày.")
        )
    require_aware(received_at, _("Thời điểm nhận hồ sơ"))
    known = calendar.as_of(received_at)
    if working_days is not None:
        working_seconds = known.days_to_seconds(working_days)
    entry = ClockEntry(
        kind=ClockKind.START,
        at=received_at,
        working_seconds=working_seconds,
        same_day=same_day,
    )
    validate_entries([entry])
    _start, due, lines = _initial_due(known, entry)
    lines.append(f"→ Hẹn trả kết quả: {format_vn(due, calendar.tz)}.")
    return due, tuple(lines)


def validate_entries(entries: Sequence[ClockEntry]) -> None:
    """Raise ValidationError unless the ledger reads START (PAUSE RESUME)* [EXTEND] ... STOP?."""
    previous: ClockEntry | None = None
    paused = extended = stopped = False
    for index, entry in enumerate(entries):
        name = _KIND_NAMES.get(entry.kind)
        # A known kind is a label the reader's language names; an unknown one is shown as is.
        kind = Text(name) if name is not None else str(entry.kind)
        require_aware(entry.at, _MOMENT_LABELS.get(entry.kind, f"Thời điểm {kind}"))
        if previous is not None and entry.at < previous.at:
            raise ValidationError(
                _(
                    "Các mốc của đồng hồ phải theo thứ tự thời gian: mốc {kind} lúc {shown} "
                    "đứng sau mốc lúc {previous_shown}."
                ),
                kind=kind,
                shown=format_vn(entry.at),
                previous_shown=format_vn(previous.at),
                index=index,
            )
        if stopped:
            raise ValidationError(
                _("Đồng hồ đã kết thúc; không thể ghi thêm mốc {kind}."), kind=kind, index=index
            )
        if index == 0 and entry.kind is not ClockKind.START:
            raise ValidationError(_("Mốc đầu tiên phải là bắt đầu tính thời hạn."), index=index)
        if entry.kind is ClockKind.START:
            if index != 0:
                raise ValidationError(_("Chỉ được bắt đầu tính thời hạn một lần."), index=index)
            _validate_start(entry)
        elif entry.kind is ClockKind.PAUSE:
            if paused:
                raise ValidationError(
                    _("Đồng hồ đang tạm dừng; không thể tạm dừng lần nữa."), index=index
                )
            paused = True
        elif entry.kind is ClockKind.RESUME:
            if not paused:
                raise ValidationError(_("Chỉ được tiếp tục sau khi đã tạm dừng."), index=index)
            paused = False
        elif entry.kind is ClockKind.EXTEND:
            if extended:
                raise ValidationError(_("Chỉ được gia hạn một lần."), index=index)
            if paused:
                # The due date is unknown while paused, so "later than it" cannot be checked.
                raise ValidationError(
                    _("Không thể gia hạn khi đang tạm dừng; hãy tiếp tục xử lý trước."), index=index
                )
            if entry.new_due is None:
                raise ValidationError(_("Gia hạn phải có ngày hẹn trả mới."), index=index)
            require_aware(entry.new_due, _("Ngày hẹn trả mới"))
            extended = True
        elif entry.kind is ClockKind.STOP:
            stopped = True
        else:
            raise ValidationError(
                _("Loại mốc không hợp lệ: {value}."), value=repr(entry.kind), index=index
            )
        previous = entry


class _Run:
    """The clock while compute() replays the ledger, one entry at a time."""

    def __init__(self, calendar: WorkCalendar, start: ClockEntry) -> None:
        known = calendar.as_of(start.at)
        self.tz = calendar.tz
        self.started, self.initial_due, self.lines = _initial_due(known, start)
        # End-of-day style keeps closing-time due dates after a pause too.
        budget = start.working_seconds
        self.round_to_closing = (
            known.policy.due_time_style == "end_of_day"
            and budget is not None
            and budget >= known.working_day_seconds
        )
        self.due: datetime | None = self.initial_due
        self.original: datetime | None = self.initial_due
        self.paused_since: datetime | None = None
        self.pause_reason = ""
        # Budget left when the pause began; None if the pause began after that due date.
        self.remaining: int | None = None
        self.remaining_original: int | None = None
        self.paused_seconds = 0
        self.stopped_at: datetime | None = None

    def pause(self, calendar: WorkCalendar, at: datetime, reason: str) -> None:
        """Freeze the budget left; the due date is unknown until processing resumes."""
        assert self.due is not None and self.original is not None
        self.paused_since, self.pause_reason = at, reason
        # An overdue dossier stays overdue: a pause after the due date moves nothing.
        self.remaining = _left_until(calendar, at, self.due)
        self.remaining_original = _left_until(calendar, at, self.original)
        if self.remaining is not None:
            self.due = None
        if self.remaining_original is not None:
            self.original = None

    def resume(self, calendar: WorkCalendar, at: datetime) -> None:
        """Count the frozen budget again from the next opening after `at`."""
        assert self.paused_since is not None
        since = self.paused_since
        held = calendar.working_seconds_between(max(since, self.started), at)
        self.paused_seconds += held
        self.due = self._resumed(calendar, at, self.remaining, self.due)
        self.original = self._resumed(calendar, at, self.remaining_original, self.original)
        self.paused_since = None
        line = (
            f"{_pause_phrase(self.pause_reason, capital=True)} từ {format_vn(since, self.tz)} "
            f"đến {format_vn(at, self.tz)}: "
            f"{_format_duration(held, calendar.working_day_seconds)} không tính"
        )
        if self.remaining is None:
            line += " (hồ sơ đã quá hạn trước khi tạm dừng nên hạn không lùi)"
        self.lines.append(line + ".")
        if self.remaining is not None:
            assert self.due is not None
            self.lines.append(f"Hạn sau tạm dừng: {format_vn(self.due, self.tz)}.")

    def extend(self, new_due: datetime, reason: str) -> None:
        """Apply the apology letter's new date; the original due date is kept for statistics."""
        assert self.due is not None
        if new_due <= self.due:
            raise ValidationError(
                _("Ngày hẹn trả mới ({new_shown}) phải sau hạn hiện tại ({due_shown})."),
                new_shown=format_vn(new_due, self.tz),
                due_shown=format_vn(self.due, self.tz),
                new_due=new_due.isoformat(),
                due_at=self.due.isoformat(),
            )
        detail = f"; lý do: {reason}" if reason else ""
        self.lines.append(
            f"Gia hạn theo văn bản xin lỗi: hẹn mới {format_vn(new_due, self.tz)} "
            f"thay cho {format_vn(self.due, self.tz)}{detail}."
        )
        self.due = new_due

    def stop(self, calendar: WorkCalendar, at: datetime, reason: str) -> None:
        """End of processing; a stop while paused first ends the pause (citizen time)."""
        if self.paused_since is not None:
            self.resume(calendar, at)
        assert self.due is not None and self.original is not None
        self.stopped_at = at
        if at <= self.original:
            verdict = "trong hạn"
        elif at <= self.due:
            # DOMAIN §5: for statistics an extended dossier is still late.
            verdict = "trong hạn đã gia hạn (vẫn tính là trễ hạn so với hẹn ban đầu)"
        else:
            verdict = "quá hạn"
        what = f"Kết thúc xử lý ({reason})" if reason else "Kết thúc xử lý"
        self.lines.append(f"{what} lúc {format_vn(at, self.tz)}: {verdict}.")

    def state(self, calendar: WorkCalendar, now: datetime | None) -> ClockState:
        """The final state, with the closing lines of the explanation."""
        lines = list(self.lines)
        paused_seconds = self.paused_seconds
        if self.paused_since is not None:
            since = format_vn(self.paused_since, self.tz)
            line = f"Đang {_pause_phrase(self.pause_reason)} từ {since}"
            if now is not None and now > self.paused_since:
                held = calendar.working_seconds_between(max(self.paused_since, self.started), now)
                paused_seconds += held
                line += (
                    f"; đến {format_vn(now, self.tz)} đã "
                    f"{_format_duration(held, calendar.working_day_seconds)} không tính"
                )
            lines.append(line + ".")
        if self.due is None:
            assert self.remaining is not None
            left = _format_duration(self.remaining, calendar.working_day_seconds)
            lines.append(
                f"→ Hẹn trả kết quả: chưa xác định (đang tạm dừng, còn lại {left}; "
                "hạn mới được tính khi tiếp tục xử lý)."
            )
        else:
            lines.append(f"→ Hẹn trả kết quả: {format_vn(self.due, self.tz)}.")
        return ClockState(
            started_at=self.started,
            due_at=self.due,
            original_due_at=self.original,
            paused=self.paused_since is not None,
            paused_seconds=paused_seconds,
            stopped_at=self.stopped_at,
            explanation=tuple(lines),
        )

    def _resumed(
        self, calendar: WorkCalendar, at: datetime, remaining: int | None, current: datetime | None
    ) -> datetime | None:
        """A due date after a pause: the frozen budget counted from the resumption."""
        if remaining is None:
            return current  # the pause began after this due date
        due = calendar.add_working_seconds(at, remaining)
        if self.round_to_closing:
            return calendar.closing_time(due.date())
        return due


def _left_until(calendar: WorkCalendar, at: datetime, due: datetime) -> int | None:
    """Working seconds from `at` to `due`, or None if `at` is already past `due`."""
    return calendar.working_seconds_between(at, due) if at < due else None


def _validate_start(entry: ClockEntry) -> None:
    """START carries either a budget in working seconds or the same-day flag, not both."""
    if entry.same_day:
        if entry.working_seconds is not None:
            raise ValidationError(
                _("Thủ tục trả trong ngày không ghi thời hạn bằng giây làm việc.")
            )
        return
    budget = entry.working_seconds
    if budget is None:
        raise ValidationError(_("Cần thời hạn giải quyết (số giây làm việc) khi bắt đầu tính."))
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        raise ValidationError(
            _("Thời hạn giải quyết phải là số giây làm việc nguyên dương."), value=repr(budget)
        )


def _initial_due(calendar: WorkCalendar, start: ClockEntry) -> tuple[datetime, datetime, list[str]]:
    """Start of counting, the due date before any pause, and the lines that explain them."""
    tz = calendar.tz
    received = start.at.astimezone(tz)
    started = calendar.clock_start(received, same_day=start.same_day)
    lines = [f"Nhận hồ sơ lúc {format_vn(received, tz)}."]
    if started != received:
        lines.append(_start_rule_line(calendar, received, started, same_day=start.same_day))
    if start.same_day:
        due = calendar.same_day_due(received)
        lines.append("Thời hạn giải quyết: trả kết quả trong ngày.")
    else:
        assert start.working_seconds is not None  # checked by validate_entries
        budget = start.working_seconds
        days = Fraction(budget, calendar.working_day_seconds)
        due = calendar.add_working_days(started, days)
        note = ""
        if calendar.policy.due_time_style == "end_of_day" and days >= 1:
            note = ", tính đến hết giờ làm việc của ngày cuối cùng"
        lines.append(
            f"Thời hạn giải quyết: {_format_budget(budget, calendar.working_day_seconds)}{note}."
        )
    skipped = calendar.days_off_between(received.date(), due.date())
    if skipped:
        lines.append(f"Bỏ qua ngày nghỉ: {format_days_off(skipped)}.")
    return started, due, lines


def _start_rule_line(
    calendar: WorkCalendar, received: datetime, started: datetime, *, same_day: bool
) -> str:
    """Why counting starts later than the receipt (DOMAIN §5)."""
    policy = calendar.policy
    moment = received.time()
    target = f"→ tính từ {format_vn(started, calendar.tz)}."
    reason = calendar.day_off_reason(received.date())
    if reason is not None:
        return f"Nhận vào ngày nghỉ ({reason}) {target}"
    if same_day and moment >= policy.same_day_cutoff:
        return f"Thủ tục trả trong ngày, nhận sau {policy.same_day_cutoff:%H:%M} {target}"
    if moment >= policy.sessions[-1].end:
        return f"Nhận sau giờ làm việc ({policy.sessions[-1].end:%H:%M}) {target}"
    if not same_day and moment >= policy.late_cutoff:
        return f"Nhận sau {policy.late_cutoff:%H:%M} (giờ làm việc cuối) {target}"
    if moment < policy.sessions[0].start:
        return f"Nhận trước giờ làm việc ({policy.sessions[0].start:%H:%M}) {target}"
    return f"Nhận trong giờ nghỉ giữa hai buổi làm việc {target}"


def working_time_text(seconds: int, working_day_seconds: int) -> str:
    """Working time as people say it: "1,5 ngày làm việc", or in hours and minutes when it
    is not a simple number of days ("1 giờ 30 phút làm việc")."""
    return _format_duration(seconds, working_day_seconds)


def _pause_phrase(reason: str, *, capital: bool = False) -> str:
    """ "tạm dừng chờ công dân bổ sung" from a PAUSE reason such as "Chờ công dân bổ sung"."""
    # Lower-case a sentence-style reason so it reads on after "tạm dừng"; keep acronyms.
    if reason[1:2].islower():
        reason = reason[0].lower() + reason[1:]
    phrase = f"tạm dừng {reason}" if reason else "tạm dừng"
    return phrase[0].upper() + phrase[1:] if capital else phrase


def _format_budget(seconds: int, working_day_seconds: int) -> str:
    """A time limit as "3 ngày làm việc (24 giờ làm việc)", or in hours when not in days."""
    hours = _format_hours(seconds)
    if _expressible_in_days(seconds, working_day_seconds):
        return f"{_format_days(seconds, working_day_seconds)} ({hours})"
    return hours


def _format_duration(seconds: int, working_day_seconds: int) -> str:
    """A duration in days when it is a whole or simple fraction of days, else hours/minutes."""
    if _expressible_in_days(seconds, working_day_seconds):
        return _format_days(seconds, working_day_seconds)
    return _format_hours(seconds)


def _expressible_in_days(seconds: int, working_day_seconds: int) -> bool:
    """True if the duration is a positive number of days with at most two decimals (0,25)."""
    return seconds > 0 and (Fraction(seconds, working_day_seconds) * 100).denominator == 1


def _format_days(seconds: int, working_day_seconds: int) -> str:
    """ "1,5 ngày làm việc": Vietnamese decimal comma, no trailing zeros."""
    whole, hundredths = divmod(int(Fraction(seconds, working_day_seconds) * 100), 100)
    number = f"{whole},{hundredths:02d}".rstrip("0") if hundredths else str(whole)
    return f"{number} ngày làm việc"


def _format_hours(seconds: int) -> str:
    """ "2 giờ 30 phút làm việc"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} giờ"] if hours else []
    if minutes:
        parts.append(f"{minutes} phút")
    if secs:
        parts.append(f"{secs} giây")
    return f"{' '.join(parts) or '0 phút'} làm việc"
