"""Appointment writes: book (the last place goes to one of two at once), cancel, check in,
call, and the worker's pass (reminders the day before, no-shows after the slot)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from motcua.appointments.models import Booking, SlotCount, Window
from motcua.appointments.selectors import branch_calendar, day_slots, receiving_branch
from motcua.catalog.selectors import procedure_versions
from motcua.core import appointments as rules
from motcua.core.calendar import format_date_vn, local_date
from motcua.core.errors import ConflictError, DomainError, NotFound, ValidationError, _
from motcua.notify.services import outbox_message, outbox_queue
from motcua.online.services import draft_for_booking
from motcua.organization.selectors import Actor, centre_tz, is_commune, receiving_places

if TYPE_CHECKING:
    from motcua.citizens.models import Citizen
    from motcua.notify.models import OutboxMessage


def booking_make(
    *,
    citizen: Citizen,
    procedure_code: str,
    branch_id: int,
    day: date,
    start: time | None,
    now: datetime,
    dossier_id: int | None = None,
) -> Booking:
    """Book a counter slot for a procedure: refused on a day the branch does not work, for a
    slot full or begun, or a second booking of the same procedure that day; otherwise the
    booking with its ticket, tied to the citizen's online draft of the procedure (their open
    one, else a new one pre-filled) to fill in before coming, in one transaction."""
    versions = procedure_versions(procedure_code)
    if not versions:
        raise ValidationError(_("Hãy chọn một thủ tục trong danh sách."), field="procedure")
    branch = receiving_branch(branch_id)
    calendar = branch_calendar(branch)
    today = local_date(now, calendar.tz)
    # Only days the rule could accept are asked of the calendar (which knows 2000–2099).
    within = today <= day <= today + timedelta(days=rules.DEFAULT_HORIZON_DAYS)
    slots = day_slots(branch, day) if within else []
    procedure = versions[0].procedure
    already = Booking.objects.filter(
        citizen=citizen,
        procedure=procedure,
        day=day,
        state__in=[s.value for s in rules.ACTIVE],
    ).exists()
    slot = rules.check_booking(
        day=day, start=start, slots=slots, calendar=calendar, now=now, already_that_day=already
    )
    try:
        with transaction.atomic():
            count, _created = SlotCount.objects.get_or_create(
                branch=branch, day=day, start=slot.start
            )
            # The compare-and-set decides the last place: the row count says who won.
            won = SlotCount.objects.filter(pk=count.pk, booked__lt=slot.capacity).update(
                booked=F("booked") + 1, issued=F("issued") + 1
            )
            if not won:
                raise rules.full(slot)
            count.refresh_from_db()
            draft_id = draft_for_booking(citizen=citizen, procedure_code=procedure.code, now=now)
            booking = Booking.objects.create(
                citizen=citizen,
                procedure=procedure,
                branch=branch,
                day=day,
                start=slot.start,
                end=slot.end,
                ticket=rules.ticket_number(slot.start, count.issued),
                key=secrets.token_urlsafe(16),
                dossier_id=dossier_id,
                draft_id=draft_id,
                created_at=now,
            )
            # The confirmation, queued with the booking: one message, only if it commits.
            outbox_queue(_mail(booking, "booked", now))
            return booking
    except IntegrityError:
        # Two submits of the same booking at once: the database's one-active rule held.
        raise ConflictError(
            _("Bạn đã có một lịch hẹn cho thủ tục này trong ngày; hãy hủy lịch cũ trước."),
            field="day",
        ) from None


def booking_received(*, booking: Booking, dossier_id: int) -> None:
    """The desk received the booking's dossier: the booking names it (the dossier itself is
    lodged for the booking's account by the reception)."""
    Booking.objects.filter(pk=booking.pk).update(dossier_id=dossier_id)


def _release(booking: Booking) -> None:
    SlotCount.objects.filter(
        branch_id=booking.branch_id, day=booking.day, start=booking.start, booked__gt=0
    ).update(booked=F("booked") - 1)


def booking_cancel(*, booking: Booking, now: datetime) -> Booking:
    """The citizen cancels before the slot: the place is given back (once, however often the
    button is pressed)."""
    with transaction.atomic():
        done = Booking.objects.filter(pk=booking.pk, state=rules.State.BOOKED).update(
            state=rules.State.CANCELLED, cancelled_at=now
        )
        if not done:
            raise ConflictError(_("Lịch hẹn này không còn hủy được."), field="__all__")
        _release(booking)
        booking.refresh_from_db()
        outbox_queue(_mail(booking, "cancelled", now))
    return booking


def _desk_check(booking: Booking, actor: Actor) -> None:
    if actor.agency is None or actor.agency.pk != booking.branch_id:
        raise NotFound(_("Không tìm thấy lịch hẹn."))


def booking_check_in(*, booking: Booking, actor: Actor, now: datetime) -> Booking:
    """The citizen has arrived at the counter: the time is recorded (once)."""
    _desk_check(booking, actor)
    if local_date(now, centre_tz()) != booking.day:
        raise ConflictError(_("Lịch hẹn này không phải của hôm nay."), field="__all__")
    done = Booking.objects.filter(pk=booking.pk, state=rules.State.BOOKED).update(
        state=rules.State.CHECKED_IN, checked_in_at=now
    )
    if not done:
        raise ConflictError(_("Lịch hẹn này đã được ghi nhận đến hoặc đã đóng."), field="__all__")
    booking.refresh_from_db()
    return booking


def booking_call(*, booking: Booking, actor: Actor, now: datetime) -> Booking:
    """The citizen is called to the counter: the waiting time is recorded."""
    _desk_check(booking, actor)
    if booking.state != rules.State.CHECKED_IN or booking.checked_in_at is None:
        raise ConflictError(_("Chỉ gọi được người đã đến và đang chờ."), field="__all__")
    slot_start = datetime.combine(booking.day, booking.start, centre_tz())
    wait = rules.waiting_seconds(booking.checked_in_at, now, slot_start)
    done = Booking.objects.filter(pk=booking.pk, state=rules.State.CHECKED_IN).update(
        state=rules.State.CALLED, called_at=now, wait_seconds=wait
    )
    if not done:
        raise ConflictError(_("Người này đã được gọi."), field="__all__")
    booking.refresh_from_db()
    return booking


@dataclass(frozen=True)
class Pass:
    reminded: int
    no_shows: int


def appointments_process(*, now: datetime) -> Pass:
    """The worker's pass: remind tomorrow's bookings (once each), mark no-shows once their
    slot has ended. Each booking by its own compare-and-set, so several workers agree."""
    tz = centre_tz()
    today = local_date(now, tz)
    reminded = 0
    candidates = Booking.objects.select_related("citizen", "procedure", "branch").filter(
        state=rules.State.BOOKED, reminded_at__isnull=True, day__gt=today
    )
    for booking in candidates.filter(day__lte=date.fromordinal(today.toordinal() + 1)):
        if not rules.reminder_due(booking.day, now, tz):
            continue
        with transaction.atomic():
            if Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                outbox_queue(_reminders(booking, now))
                reminded += 1
    no_shows = 0
    for booking in Booking.objects.filter(state=rules.State.BOOKED, day__lte=today):
        if rules.no_show(booking.day, booking.end, now, tz):
            no_shows += Booking.objects.filter(pk=booking.pk, state=rules.State.BOOKED).update(
                state=rules.State.NO_SHOW, no_show_at=now
            )
    return Pass(reminded, no_shows)


def _mail(booking: Booking, kind: str, now: datetime) -> list[OutboxMessage]:
    """The e-mail confirming a booking (`kind` "booked": branch, day and time, ticket, the
    link to the ticket page where it is cancelled) or its cancellation ("cancelled"); none
    for an account without an e-mail address. Keyed by booking, so never sent twice."""
    citizen = booking.citizen
    if not citizen.email:
        return []
    context = {
        **_context(booking),
        "ticket_url": settings.SITE_URL.rstrip("/")
        + reverse("appointments:ticket", args=[booking.pk]),
        "book_url": settings.SITE_URL.rstrip("/") + reverse("appointments:book"),
    }
    return [
        outbox_message(
            recipient=citizen.email,
            template=f"appointments/email/{kind}",
            context=context,
            dossier_id=None,
            dedupe_key=f"booking:{booking.pk}:{kind}:email",
            now=now,
        )
    ]


def _context(booking: Booking) -> dict[str, str]:
    """What every message about a booking says: who, which procedure, where, when (the
    branch's local day and time), the ticket number."""
    citizen = booking.citizen
    return {
        "name": citizen.full_name,
        "procedure": booking.procedure.name,
        "place": booking.branch.name,
        "address": booking.branch.address,
        "day": format_date_vn(booking.day),
        "start": f"{booking.start:%H:%M}",
        "end": f"{booking.end:%H:%M}",
        "ticket": booking.ticket,
    }


def _reminders(booking: Booking, now: datetime) -> list[OutboxMessage]:
    citizen = booking.citizen
    context = _context(booking)
    messages = []
    for channel, recipient in (("email", citizen.email), ("sms", citizen.phone)):
        if recipient:
            messages.append(
                outbox_message(
                    recipient=recipient,
                    template=f"appointments/{channel}/reminder",
                    context=context,
                    dossier_id=None,
                    dedupe_key=f"booking:{booking.pk}:reminder:{channel}",
                    now=now,
                    channel=channel,
                )
            )
    return messages


def window_save(*, window: Window) -> Window:
    """The admin's write of a time window, checked by the core."""
    problems = rules.check_window(
        rules.Window(window.weekday, window.start, window.end, window.capacity)
    )
    if problems:
        raise ValidationError(problems[0], field="end")
    window.save()
    return window


DEMO_HOURS = ((8, 9), (9, 10), (10, 11), (13, 14), (14, 15), (15, 16))


def demo_windows() -> int:
    """Open every receiving place for appointments on weekdays, hour by hour (the demo): 20
    places an hour at a centre, 5 at a commune. Nothing when windows exist already."""
    if Window.objects.exists():
        return 0
    rows = [
        Window(
            branch=place,
            weekday=weekday,
            start=time(start),
            end=time(end),
            capacity=5 if is_commune(place) else 20,
        )
        for place in receiving_places()
        for weekday in range(5)
        for start, end in DEMO_HOURS
    ]
    Window.objects.bulk_create(rows)
    return len(rows)


def demo_bookings(*, citizens: Sequence[Citizen], branch_id: int, now: datetime) -> int:
    """Bookings for the demo's citizens at one branch on its next working day (what the
    desk's "Lịch hẹn" then shows), through the same rules as a citizen's booking."""
    branch = receiving_branch(branch_id)
    calendar = branch_calendar(branch)
    day = calendar.next_working_day(local_date(now, calendar.tz))
    made = 0
    for citizen, (code, start) in zip(
        citizens, (("1.001193", 8), ("2.000815", 9), ("1.000894", 10)), strict=False
    ):
        try:
            booking_make(
                citizen=citizen, procedure_code=code, branch_id=branch_id, day=day,
                start=time(start), now=now,
            )  # fmt: skip
        except DomainError:
            continue  # a procedure the catalog lacks, a slot the windows do not offer
        made += 1
    return made


def bookings_purge(*, before: datetime, apply: bool) -> int:
    """Bookings for a day before `before`'s local date (the centre's): delete them with the
    account they name and their ticket; how many. The dossiers lodged on them keep what the
    desk recorded."""
    due = Booking.objects.filter(day__lt=local_date(before, centre_tz()))
    count = due.count()
    if apply:
        due.delete()
    return count


def bookings_cancel_for_citizen(*, citizen_id: int, now: datetime) -> int:
    """The citizen closes the account: each booking still ahead is cancelled and its place
    given back, without a message of its own (the closing's message says it); how many."""
    cancelled = 0
    for booking in Booking.objects.filter(citizen_id=citizen_id, state=rules.State.BOOKED):
        done = Booking.objects.filter(pk=booking.pk, state=rules.State.BOOKED).update(
            state=rules.State.CANCELLED, cancelled_at=now
        )
        if done:
            _release(booking)
            cancelled += done
    return cancelled
