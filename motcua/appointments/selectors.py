"""Appointment reads: branches and their slots on a day, a citizen's bookings, the desk's day,
and the load per branch that lets the centre send people elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum

from motcua.appointments.models import Booking, SlotCount, Window
from motcua.core import appointments as rules
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import NotFound, ValidationError, _
from motcua.online.selectors import draft_statuses
from motcua.organization.selectors import calendar_for, receiving_places

if TYPE_CHECKING:
    from motcua.organization.models import Agency


def branches() -> list[Agency]:
    """The places where an appointment can be made: those that receive and opened windows."""
    with_windows = set(Window.objects.values_list("branch_id", flat=True))
    return [place for place in receiving_places() if place.pk in with_windows]


def receiving_branch(branch_id: int) -> Agency:
    """A branch a citizen may book at; anything else is a refusal naming the field."""
    for place in branches():
        if place.pk == branch_id:
            return place
    raise ValidationError(_("Hãy chọn một nơi tiếp nhận trong danh sách."), field="branch")


def branch_calendar(branch: Agency) -> WorkCalendar:
    return calendar_for(branch)


def branch_windows(branch: Agency) -> list[rules.Window]:
    return [
        rules.Window(w.weekday, w.start, w.end, w.capacity)
        for w in Window.objects.filter(branch=branch).order_by("weekday", "start")
    ]


def day_slots(branch: Agency, day: date) -> list[rules.Slot]:
    """The slots the branch offers that day with the places taken (none on a day off)."""
    booked = {c.start: c.booked for c in SlotCount.objects.filter(branch=branch, day=day)}
    return rules.slots_on(day, branch_windows(branch), branch_calendar(branch), booked)


def citizen_bookings(citizen_id: int) -> QuerySet[Booking]:
    return (
        Booking.objects.select_related("procedure", "branch")
        .filter(citizen_id=citizen_id)
        .order_by("-day", "-start")
    )


def citizen_booking(*, citizen_id: int, pk: int) -> Booking:
    """A citizen's own booking; another's is the same NotFound as none."""
    booking = citizen_bookings(citizen_id).filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("Không tìm thấy lịch hẹn."))
    return booking


def desk_day(branch: Agency, day: date) -> QuerySet[Booking]:
    """A branch's appointments of a day, in order of time and ticket."""
    return (
        Booking.objects.select_related("citizen", "procedure")
        .filter(branch=branch, day=day)
        .order_by("start", "ticket")
    )


def desk_booking(*, branch: Agency | None, pk: int | None = None, key: str = "") -> Booking:
    """A booking at the desk's own branch, by id or by the key in its QR code."""
    if branch is None:
        raise NotFound(_("Không tìm thấy lịch hẹn."))
    lookup = Q(pk=pk) if pk is not None else Q(key=key[:32])
    booking = (
        Booking.objects.select_related("citizen", "procedure").filter(lookup, branch=branch).first()
    )
    if booking is None:
        raise NotFound(_("Không tìm thấy lịch hẹn."))
    return booking


@dataclass(frozen=True)
class Preparation:
    """A booking's dossier: where it stands (core), the draft to fill in before coming, the
    dossier lodged (online from the draft, or at the counter)."""

    state: rules.Prepared
    draft_id: int | None
    dossier_id: int | None
    dossier_code: str
    submitted_at: datetime | None

    @property
    def desk_opens(self) -> rules.DeskOpens:
        return rules.desk_opens(self.state)


def preparations(bookings: Iterable[Booking]) -> dict[int, Preparation]:
    """Each booking's preparation, by booking id (one read of the drafts for all)."""
    bookings = list(bookings)
    drafts = draft_statuses([b.draft_id for b in bookings if b.draft_id is not None])
    found: dict[int, Preparation] = {}
    for booking in bookings:
        draft = drafts.get(booking.draft_id) if booking.draft_id is not None else None
        state = rules.prepared(
            draft_state=draft.state if draft is not None else None,
            received_at_desk=booking.dossier_id is not None,
        )
        dossier_id = booking.dossier_id or (draft.dossier_id if draft is not None else None)
        found[booking.pk] = Preparation(
            state=state,
            draft_id=draft.pk if draft is not None else None,
            dossier_id=dossier_id,
            dossier_code=draft.dossier_code if draft is not None and not booking.dossier_id else "",
            submitted_at=draft.submitted_at
            if draft is not None and state is rules.Prepared.SUBMITTED
            else None,
        )
    return found


def branch_load(*, first: date, days: int) -> list[rules.Load]:
    """Per branch and day: places offered, booked, arrived, no-shows (the centre's table)."""
    last = first + timedelta(days=days - 1)
    counts = {
        (row["branch_id"], row["day"]): row
        for row in Booking.objects.filter(day__gte=first, day__lte=last)
        .values("branch_id", "day")
        .annotate(
            booked=Count("pk", filter=Q(state__in=[s.value for s in rules.ACTIVE])),
            arrived=Count("pk", filter=Q(checked_in_at__isnull=False)),
            no_shows=Count("pk", filter=Q(state=rules.State.NO_SHOW)),
        )
    }
    loads = []
    for branch in branches():
        windows = branch_windows(branch)
        calendar = branch_calendar(branch)
        for offset in range(days):
            day = first + timedelta(days=offset)
            capacity = sum(s.capacity for s in rules.slots_on(day, windows, calendar))
            row = counts.get((branch.pk, day), {})
            if not capacity and not row:
                continue
            loads.append(
                rules.Load(
                    branch=branch.name,
                    day=day,
                    capacity=capacity,
                    booked=int(row.get("booked", 0)),
                    arrived=int(row.get("arrived", 0)),
                    no_shows=int(row.get("no_shows", 0)),
                )
            )
    return loads


def waiting_average(branch: Agency, day: date) -> int | None:
    """The average wait (seconds) of the people called that day, None before any."""
    total = Booking.objects.filter(branch=branch, day=day, wait_seconds__isnull=False).aggregate(
        total=Sum("wait_seconds"), n=Count("pk")
    )
    return total["total"] // total["n"] if total["n"] else None
