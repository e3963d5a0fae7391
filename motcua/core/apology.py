"""Late dossiers: whether an apology is needed, whether it keeps the one-day rule, and the new
date to promise (DOMAIN §5 "Late dossiers"). One set of rules, for the write path and the worker.

The letter is owed to the citizen either way: an agency that misses the rule (less than one
working day left before the deadline, or already past it) still drafts and signs it; the letter
is then recorded as late, a breach counted against that agency, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from motcua.core.calendar import WorkCalendar
from motcua.core.errors import _
from motcua.core.lifecycle import FINISHED, Status


@dataclass(frozen=True)
class Outlook:
    """Where an open dossier stands against its appointment at one moment."""

    in_time: bool  # at least one working day is left: an apology now keeps the one-day rule
    late: bool  # the steps ahead will not fit before the appointment
    new_due: datetime  # a date the agency can keep, for the apology letter


def outlook(
    calendar: WorkCalendar,
    *,
    now: datetime,
    due_at: datetime,
    step_due_at: datetime | None,
    step_seconds: int,
    seconds_after: int,
) -> Outlook:
    """The outlook of a dossier due at `due_at` whose open step is due at `step_due_at`
    (allotted `step_seconds`), with `seconds_after` allotted to the steps after it.

    Late: the open step already ran over, or the agency time left is less than what the
    current step has left plus the allotments ahead. The new date gives the open step its
    whole allotment again from now, and the steps ahead theirs, and is never less than one
    working day after the current appointment.
    """
    left = calendar.working_seconds_between(now, due_at)
    step_left = 0 if step_due_at is None else calendar.working_seconds_between(now, step_due_at)
    overran = step_due_at is not None and step_due_at < now
    from_now = calendar.add_working_seconds(now, step_seconds + seconds_after)
    after_due = calendar.add_working_seconds(due_at, calendar.working_day_seconds)
    return Outlook(
        in_time=in_time(calendar, now=now, due_at=due_at),
        late=overran or left < step_left + seconds_after,
        new_due=max(from_now, after_due),
    )


def in_time(calendar: WorkCalendar, *, now: datetime, due_at: datetime) -> bool:
    """At least one working day is left before `due_at`: an apology now keeps the rule."""
    return calendar.working_seconds_between(now, due_at) >= calendar.working_day_seconds


def wants_draft(view: Outlook) -> bool:
    """Whether the worker drafts the letter now: the dossier will not make its appointment
    (its step ran over, or what is left does not fit). Late or not: a dossier already past
    its deadline, or with less than a day left, gets its letter too, recorded as late."""
    return view.late


def drafts_here(*, hosted_elsewhere: bool) -> bool:
    """Whether this installation drafts the letter of the agency to blame: never for an
    agency that works on another installation (liên thông), whose head signs nothing here;
    it apologises where it works, and the letter comes back signed (motcua.exchange)."""
    return not hosted_elsewhere


def new_due_after_step(
    calendar: WorkCalendar, *, step_new_due: datetime, seconds_after: int, due_at: datetime
) -> datetime:
    """The dossier's new date when the step it is at gets `step_new_due` elsewhere (the other
    installation's form 04): the steps ahead keep their allotments after it, and it is never
    less than one working day after the current appointment (as `outlook`'s)."""
    from_step = calendar.add_working_seconds(step_new_due, seconds_after)
    after_due = calendar.add_working_seconds(due_at, calendar.working_day_seconds)
    return max(from_step, after_due)


class Timing(StrEnum):
    """When a step of the letter (its draft, its signature) happened against the deadline."""

    IN_TIME = "in_time"  # at least one working day before the deadline: the rule is kept
    LATE = "late"  # less than one working day before it: a breach of the one-day rule
    AFTER_DEADLINE = "after_deadline"  # the deadline had already passed: a breach too

    @property
    def in_time(self) -> bool:
        return self is Timing.IN_TIME

    @property
    def label(self) -> str:
        return TIMING_LABELS[self]


TIMING_LABELS: dict[Timing, str] = {
    Timing.IN_TIME: _("đúng thời hạn (trước hạn trả kết quả ít nhất 01 ngày làm việc)"),
    Timing.LATE: _("muộn (chưa đủ 01 ngày làm việc trước hạn trả kết quả)"),
    Timing.AFTER_DEADLINE: _("muộn (sau hạn trả kết quả)"),
}


def timing(calendar: WorkCalendar, *, at: datetime, due_at: datetime) -> Timing:
    """The one-day rule at `at` for a dossier due at `due_at` (the appointment the letter
    apologises for, never a later one): in time, late, or after the deadline itself."""
    if at >= due_at:
        return Timing.AFTER_DEADLINE
    return Timing.IN_TIME if in_time(calendar, now=at, due_at=due_at) else Timing.LATE


# Why an unsigned draft closes when its dossier finishes (DOMAIN §5: "Finished dossiers close
# any unsigned draft with a reason"): no new date can be promised any more.
CLOSING_REASONS: dict[Status, str] = {
    Status.REFUSED: _("Hồ sơ không được tiếp nhận; văn bản xin lỗi chưa ký được đóng."),
    Status.WITHDRAWN: _("Công dân đã rút hồ sơ; văn bản xin lỗi chưa ký được đóng."),
    Status.STOPPED: _("Hồ sơ đã dừng giải quyết; văn bản xin lỗi chưa ký được đóng."),
    Status.DONE: _("Hồ sơ đã có kết quả; văn bản xin lỗi chưa ký được đóng."),
    Status.RETURNED: _("Hồ sơ đã trả kết quả; văn bản xin lỗi chưa ký được đóng."),
}
assert set(CLOSING_REASONS) == FINISHED


def closing_reason(*, apology: str, status: Status) -> str | None:
    """The reason an unsigned draft closes as its dossier reaches `status`, or None when
    nothing closes (no draft waiting, or the dossier is not finished)."""
    if apology != "draft":
        return None
    return CLOSING_REASONS.get(status)
