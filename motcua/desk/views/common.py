"""Small helpers shared by the desk views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from motcua.core.calendar import WorkCalendar, local_date
from motcua.organization.selectors import Actor, calendar_for


@dataclass(frozen=True)
class Horizon:
    """The moments the urgency buckets are cut at, for one person's calendar."""

    now: datetime
    today_end: datetime
    soon: datetime
    calendar: WorkCalendar


def horizon(actor: Actor, now: datetime | None = None) -> Horizon:
    """Now, the end of today, and two working days ahead, in the actor's agency calendar."""
    assert actor.agency is not None
    calendar = calendar_for(actor.agency)
    now = now or timezone.now()
    today_end = datetime.combine(local_date(now, calendar.tz), time(23, 59, 59), calendar.tz)
    soon = calendar.add_working_seconds(now, 2 * calendar.working_day_seconds)
    return Horizon(now=now, today_end=today_end, soon=soon, calendar=calendar)
