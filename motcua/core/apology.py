"""Late dossiers: whether an apology can still be lawful, whether one is needed, and the new
date to promise (DOMAIN §5 "Late dossiers"). One function, for the write path and the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.core.calendar import WorkCalendar


@dataclass(frozen=True)
class Outlook:
    """Where an open dossier stands against its appointment at one moment."""

    in_time: bool  # at least one working day is left: an apology now keeps the rule
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
