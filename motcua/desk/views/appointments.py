"""The desk's appointments: the day's list for its branch, check-in and call, reception
pre-filled from a booking in one click, and the load per branch for the centre."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua import fields
from motcua.appointments.selectors import (
    Preparation,
    branch_load,
    desk_booking,
    desk_day,
    preparations,
    waiting_average,
)
from motcua.appointments.services import booking_call, booking_check_in
from motcua.core import appointments as rules
from motcua.core.calendar import local_date
from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, staff_required
from motcua.edge import render_error
from motcua.organization.selectors import centre_tz

if TYPE_CHECKING:
    from motcua.appointments.models import Booking


class DayForm(fields.Form):
    ngay = fields.DateField(
        label=gettext_lazy("Ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class BookingActionForm(fields.Form):
    action = fields.ChoiceField(
        choices=[("check_in", "check_in"), ("call", "call")], widget=forms.HiddenInput
    )


def _day(request: StaffRequest) -> tuple[DayForm, date]:
    today = local_date(timezone.now(), centre_tz())
    form = DayForm(request.GET or None)
    day = today
    if form.is_valid() and form.cleaned_data["ngay"]:
        day = form.cleaned_data["ngay"]
    return form, day


@staff_required
def day_list(request: StaffRequest) -> HttpResponse:
    """The day's appointments at the officer's own branch, by time."""
    form, day = _day(request)
    agency = request.actor.agency
    labels = {state.value: label for state, label in rules.STATE_LABELS.items()}
    bookings = list(desk_day(agency, day)) if agency is not None else []
    prepared = preparations(bookings)
    rows = [(b, _(labels.get(b.state, b.state)), *_opens(b, prepared[b.pk])) for b in bookings]
    wait = waiting_average(agency, day) if agency is not None else None
    context = {
        "nav": "appointments",
        "form": form,
        "day": day,
        "rows": rows,
        "wait_minutes": None if wait is None else round(wait / 60),
    }
    return render(request, "desk/appointments.html", context)


def _opens(booking: Booking, prepared: Preparation) -> tuple[str, str]:
    """The one click a booking's row offers: (what it opens, its address), ("", "") for none;
    the page words it."""
    opens = prepared.desk_opens
    if opens is rules.DeskOpens.DOSSIER and prepared.dossier_id is not None:
        return opens.value, reverse("desk:dossier", args=[prepared.dossier_id])
    if booking.state not in {s.value for s in rules.ACTIVE}:
        return "", ""
    query = urlencode({"procedure": booking.procedure.code, "hen": booking.pk})
    kind = opens if opens is not rules.DeskOpens.DOSSIER else rules.DeskOpens.RECEPTION
    return kind.value, f"{reverse('desk:reception')}?{query}"


@staff_required
def by_key(request: StaffRequest, key: str) -> HttpResponse:
    """The QR code of a ticket: the booking in its day's list (at its own branch only)."""
    try:
        booking = desk_booking(branch=request.actor.agency, key=key)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    url = reverse("desk:appointments") + f"?ngay={booking.day:%Y-%m-%d}#hen-{booking.pk}"
    return redirect(url)


@staff_required
@require_POST
def act(request: StaffRequest, pk: int) -> HttpResponse:
    """Check a citizen in (arrival time) or call them to the counter (waiting time)."""
    form = BookingActionForm(request.POST)
    try:
        booking = desk_booking(branch=request.actor.agency, pk=pk)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    if not form.is_valid():
        return redirect(reverse("desk:appointments") + f"?ngay={booking.day:%Y-%m-%d}")
    action = booking_check_in if form.cleaned_data["action"] == "check_in" else booking_call
    try:
        action(booking=booking, actor=request.actor, now=timezone.now())
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    messages.success(request, _("Đã ghi nhận."))
    return redirect(reverse("desk:appointments") + f"?ngay={booking.day:%Y-%m-%d}#hen-{pk}")


@staff_required
def load(request: StaffRequest) -> HttpResponse:
    """Booked places per branch and day (a week from the chosen day): where to send people."""
    form, day = _day(request)
    loads = branch_load(first=day, days=7)
    busy = {(load.branch, load.day) for load in rules.busy(loads)}
    rows = [(load, (load.branch, load.day) in busy) for load in loads]
    context = {
        "nav": "appointments",
        "form": form,
        "rows": rows,
        "day": day,
        "last": day + timedelta(days=6),
    }
    return render(request, "desk/appointments_load.html", context)
