"""The citizens' appointment pages, under /lich-hen/: book, the ticket with its QR, cancel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motcua.appointments.forms import BookingForm
from motcua.appointments.selectors import (
    branches,
    citizen_booking,
    citizen_bookings,
    day_slots,
    preparations,
)
from motcua.appointments.services import booking_cancel, booking_make
from motcua.catalog.selectors import procedure_names
from motcua.citizens.session import CitizenRequest, citizen_required
from motcua.core import appointments as rules
from motcua.core.calendar import local_date
from motcua.core.errors import DomainError
from motcua.edge import add_to_form, render_error, status_for
from motcua.organization.selectors import centre_tz
from motcua.paperwork.rendering import qr_svg

if TYPE_CHECKING:
    from motcua.organization.models import Agency

INPUTS = {"procedure": "procedure", "branch": "branch", "day": "day", "slot": "slot"}


@citizen_required
@never_cache
def mine(request: CitizenRequest) -> HttpResponse:
    """The citizen's appointments, newest first."""
    bookings = list(citizen_bookings(request.citizen.pk)[:50])
    labels = {state.value: label for state, label in rules.STATE_LABELS.items()}
    rows = [(b, _(labels.get(b.state, b.state))) for b in bookings]
    return render(request, "appointments/mine.html", {"rows": rows})


@citizen_required
@never_cache
def book(request: CitizenRequest) -> HttpResponse:
    """Choose procedure, place and day (GET: the day's slots with places left), then a slot
    (POST). Every problem beside its field; a full slot says so and shows the others."""
    now = timezone.now()
    today = local_date(now, centre_tz())
    places = branches()
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "day" in request.GET else None)
    form = BookingForm(
        data,
        procedures=list(procedure_names()),
        places=[(p.pk, p.name) for p in places],
        today=today,
        procedure=request.GET.get("procedure", "")[:40],
    )
    status, slots = 200, None
    if data is not None:
        if not form.is_valid():
            status = 400
        else:
            chosen = dict(form.cleaned_data)  # add_error() below drops fields from the form's
            place = next(p for p in places if p.pk == chosen["branch"])
            slots = _slots(place, chosen["day"], today)
            if posted:
                try:
                    booking = booking_make(
                        citizen=request.citizen,
                        procedure_code=chosen["procedure"],
                        branch_id=place.pk,
                        day=chosen["day"],
                        start=form.start(),
                        now=now,
                    )
                except DomainError as exc:
                    add_to_form(form, exc, INPUTS)
                    status = status_for(exc)
                    slots = _slots(place, chosen["day"], today)
                else:
                    messages.success(request, _("Đã đặt lịch hẹn."))
                    return redirect("appointments:ticket", pk=booking.pk)
        form.set_slots(slots or [])
    context = {"form": form, "slots": slots, "places": places}
    return render(request, "appointments/book.html", context, status=status)


def _slots(place: Agency, day: date, today: date) -> list[rules.Slot]:
    """The day's slots, for a day the rule could accept (the calendar knows 2000–2099)."""
    if not today <= day <= today + timedelta(days=rules.DEFAULT_HORIZON_DAYS):
        return []
    return day_slots(place, day)


@citizen_required
@never_cache
def ticket(request: CitizenRequest, pk: int) -> HttpResponse:
    """The ticket: number, place, day and time, the QR the desk scans, and the online form to
    fill in before coming (or the dossier it became, once submitted)."""
    try:
        booking = citizen_booking(citizen_id=request.citizen.pk, pk=pk)
    except DomainError as exc:
        return render_error(request, "payments/missing.html", exc)
    link = settings.SITE_URL.rstrip("/") + reverse("desk:appointment_key", args=[booking.key])
    labels = {state.value: label for state, label in rules.STATE_LABELS.items()}
    context = {
        "b": booking,
        "prepared": preparations([booking])[booking.pk],
        "qr": qr_svg(link),
        "state": _(labels.get(booking.state, booking.state)),
        "cancellable": booking.state == rules.State.BOOKED,
    }
    return render(request, "appointments/ticket.html", context)


@citizen_required
@require_POST
def cancel(request: CitizenRequest, pk: int) -> HttpResponse:
    """Cancel a booking (the place goes back to others)."""
    try:
        booking = citizen_booking(citizen_id=request.citizen.pk, pk=pk)
        booking_cancel(booking=booking, now=timezone.now())
    except DomainError as exc:
        return render_error(request, "payments/missing.html", exc)
    messages.success(request, _("Đã hủy lịch hẹn."))
    return redirect("appointments:mine")
