"""Reception at the desk: pick the procedure, enter the applicant, tick the papers, decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from motcua.appointments.selectors import desk_booking
from motcua.appointments.services import booking_received
from motcua.catalog.selectors import procedure_search as search_procedures
from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, staff_required
from motcua.desk.forms import (
    RECEPTION_INPUTS,
    BookingPick,
    ProcedurePick,
    ProcedureSearchForm,
    ReceptionForm,
)
from motcua.desk.page import procedures_to_pick, reception_offer
from motcua.dossiers.services import dossier_receive
from motcua.edge import add_to_form, status_for
from motcua.online.selectors import draft_applicant, draft_scans
from motcua.online.services import draft_taken_at_desk

if TYPE_CHECKING:
    from motcua.appointments.models import Booking


@staff_required
def procedure_search(request: StaffRequest) -> HttpResponse:
    """Procedures matching the typed words, accent-insensitive (an htmx fragment)."""
    context = {"procedures": search_procedures(ProcedureSearchForm(request.GET).words())}
    return render(request, "desk/reception.html#results", context)


def _booking(request: StaffRequest, pk: int | None) -> Booking | None:
    """A booking at this desk's own branch; another's, or none, is no booking."""
    if pk is None:
        return None
    try:
        return desk_booking(branch=request.actor.agency, pk=pk)
    except DomainError:
        return None


def _from_booking(request: StaffRequest) -> dict[str, Any] | None:
    """The applicant of a booking at this desk's branch (`?hen=`): from the draft the citizen
    filled in before coming, else from their profile; the draft's papers ticked."""
    pick = BookingPick(request.GET)
    booking = _booking(request, pick.cleaned_data["hen"] if pick.is_valid() else None)
    if booking is None:
        return None
    citizen = booking.citizen
    profile: dict[str, Any] = {
        "booking": booking.pk,
        "name": citizen.full_name,
        "id_number": citizen.id_number,
        "address": citizen.address,
        "phone": citizen.phone or "",
        "email": citizen.email or "",
    }
    # What the citizen filled in before coming ("khai trước"), where they did.
    drafted = draft_applicant(booking.draft_id) if booking.draft_id is not None else None
    return {**profile, **{k: v for k, v in (drafted or {}).items() if v}}


@staff_required
def reception(request: StaffRequest) -> HttpResponse:
    """The reception form; its three outcomes lead to forms 01, 02 or 03."""
    actor, posted = request.actor, request.POST if request.method == "POST" else None
    status = 200 if posted is None else 400  # until the dossier is received
    pick = ProcedurePick(request.GET if posted is None else posted)
    if not pick.is_valid():
        context = {"nav": "reception", "procedures": procedures_to_pick()}
        return render(request, "desk/reception.html", context, status=status)
    now = timezone.now()
    offer, context = reception_offer(actor, pick.cleaned_data["procedure"], now)
    form = ReceptionForm(
        posted,
        request.FILES if posted is not None else None,
        offer=offer,
        prefill=_from_booking(request) if posted is None else None,
    )
    if form.is_bound and form.is_valid():
        booking = _booking(request, form.cleaned_data.get("booking"))
        citizen_id = booking.citizen_id if booking is not None else None
        kwargs = form.service_kwargs(citizen_id)
        if booking is not None and booking.draft_id is not None:
            # The draft's files for the papers ticked; one scanned at the desk wins.
            drafted = draft_scans(booking.draft_id)
            ticked = set(kwargs["intake"].documents)
            kwargs["scans"] = {
                **{k: v for k, v in drafted.items() if k in ticked},
                **(kwargs["scans"] or {}),
            }
        try:
            with transaction.atomic():
                dossier = dossier_receive(**kwargs, actor=actor, now=now)
                if booking is not None:
                    booking_received(booking=booking, dossier_id=dossier.pk)
                    if booking.draft_id is not None:
                        draft_taken_at_desk(draft_id=booking.draft_id, dossier=dossier, now=now)
        except DomainError as exc:
            add_to_form(form, exc, RECEPTION_INPUTS)
            status = status_for(exc)
        else:
            return redirect("paperwork:form", pk=dossier.pk, form=form.form_number)
    context.update(form=form)
    return render(request, "desk/reception.html", context, status=status)
