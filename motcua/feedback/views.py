"""The citizens' pages: rate a returned dossier, file a phản ánh, kiến nghị, follow it."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.catalog.selectors import procedure_names
from motcua.citizens.selectors import signed_in_profile
from motcua.core.errors import DomainError
from motcua.core.feedback import (
    EVENT_LABELS,
    LEVEL_LABELS,
    STATE_LABELS,
    SUBJECT_LABELS,
    Event,
    Level,
    RatingChannel,
    State,
    Subject,
)
from motcua.dossiers.selectors import citizen_dossier, dossier_public_key
from motcua.edge import add_to_form, client_address, render_error, status_for
from motcua.feedback import services
from motcua.feedback.forms import FileForm, FindForm, RateForm, ReplyForm
from motcua.feedback.selectors import feedback_by_code, feedback_events
from motcua.organization.selectors import active_agencies
from motcua.portal import tracking

# A cookie the desk sets on its own devices (the rating page's staff link): a rating sent from
# such a browser is marked as entered at the desk even after the officer signed out.
DESK_DEVICE_COOKIE = "motcua_desk_device"
_DOSSIER_FIELDS = {"code": "code", "secret": "secret"}


def _dossier_id(request: HttpRequest, code: str, secret: str) -> tuple[int, RatingChannel]:
    """The dossier a citizen names: their own account's by its code alone, else the code and
    tracking secret, counted against the tracking page's guessing limits."""
    profile = signed_in_profile(request)
    if profile is not None and not secret:
        return citizen_dossier(code=code, citizen_id=profile.citizen_id).pk, RatingChannel.ACCOUNT
    attempt = tracking.begin(client_address(request), code, timezone.now().timestamp())
    key = dossier_public_key(code=code, secret=secret)
    attempt.succeeded()
    return key.pk, RatingChannel.TRACKING


@never_cache
def rate(request: HttpRequest) -> HttpResponse:
    """Rate a returned dossier once: from the result notice's link, or signed in."""
    profile = signed_in_profile(request)
    initial = {"code": request.GET.get("code", ""), "secret": request.GET.get("secret", "")}
    form = RateForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        signed_in=profile is not None,
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            staff = request.user.pk if request.user.is_authenticated else None
            try:
                dossier_id, channel = _dossier_id(request, data["code"], data["secret"])
                services.rating_submit(
                    dossier_id=dossier_id,
                    scores={
                        k: data.get(k) for k in ("conduct", "punctuality", "guidance", "simplicity")
                    },
                    comment=data["comment"],
                    channel=channel,
                    now=timezone.now(),
                    citizen_id=profile.citizen_id if profile is not None else None,
                    staff_user_id=staff,
                    address=client_address(request),
                    device_at_desk=request.COOKIES.get(DESK_DEVICE_COOKIE) == "1",
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                return render(request, "feedback/rated.html")
    response = render(request, "feedback/rate.html", {"form": form}, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@never_cache
def file(request: HttpRequest) -> HttpResponse:
    """File a phản ánh, kiến nghị; pre-filled for a signed-in citizen."""
    profile = signed_in_profile(request)
    initial: dict[str, str] = {"subject": request.GET.get("ve", ""), "key": uuid.uuid4().hex}
    if profile is not None:
        initial.update(name=profile.full_name, contact=profile.email or profile.phone)
    procedures = [(code, f"{name} ({code})") for code, name in procedure_names()]
    places = [(a.pk, a.name) for a in active_agencies()]
    form = FileForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        procedures=procedures,
        places=places,
        signed_in=profile is not None,
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            email, phone = form.contact_parts()
            verified = profile is not None and (email or phone) in (profile.email, profile.phone)
            try:
                dossier_id = None
                if data["subject"] == Subject.DOSSIER:
                    dossier_id, _channel = _dossier_id(
                        request, data["dossier_code"], data["dossier_secret"]
                    )
                item = services.feedback_file(
                    filing=services.Filing(
                        subject=Subject(data["subject"]),
                        content=data["content"],
                        name=data["name"],
                        email=email,
                        phone=phone,
                        dossier_id=dossier_id,
                        procedure_code=data.get("procedure") or "",
                        place_id=data.get("place"),
                        official_name=data["official_name"],
                        official_at_desk=data["official_at_desk"],
                        key=data["key"],
                    ),
                    now=timezone.now(),
                    citizen_id=profile.citizen_id if profile is not None else None,
                    contact_verified=bool(verified),
                )
            except DomainError as exc:
                add_to_form(form, exc, {"code": "dossier_code", "secret": "dossier_secret"})
                status = status_for(exc)
            else:
                messages.success(
                    request,
                    _(
                        "Đã gửi phản ánh, kiến nghị. Mã theo dõi của ông/bà là {code}; "
                        "hãy ghi lại để xem trả lời."
                    ).format(code=item.code),
                )
                return redirect("feedback:item", code=item.code)
    context = {"form": form, "signed_in": profile is not None}
    return render(request, "feedback/file.html", context, status=status)


def find(request: HttpRequest) -> HttpResponse:
    """Type a tracking code to open the item's page."""
    form = FindForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("feedback:item", code=form.cleaned_data["code"])
    status = 400 if form.is_bound else 200
    return render(request, "feedback/find.html", {"form": form}, status=status)


@never_cache
def item(request: HttpRequest, code: str) -> HttpResponse:
    """An item as its citizen sees it: status, where it is, the deadline, the answer, its log
    (agencies and times, never staff names)."""
    try:
        found = feedback_by_code(code)
    except DomainError as exc:
        return render_error(request, "feedback/missing.html", exc)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.feedback_reply(
                    code=found.code, reply=form.cleaned_data["reply"], now=timezone.now()
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                messages.success(request, _("Đã gửi thông tin bổ sung."))
                return redirect("feedback:item", code=found.code)
    events = [
        {
            "label": EVENT_LABELS[Event(e.kind)],
            "at": e.at,
            "agency": e.agency.name,
            "to_agency": e.to_agency.name if e.to_agency else "",
            "text": e.text if e.kind in (Event.FORWARD, Event.REFUSE, Event.ASK) else "",
            "level": LEVEL_LABELS[Level(e.level)] if e.kind == Event.ESCALATE else "",
        }
        for e in feedback_events(found)
    ]
    context = {
        "item": found,
        "state": STATE_LABELS[State(found.state)],
        "subject": SUBJECT_LABELS[Subject(found.subject)],
        "events": events,
        "late": found.state == State.OPEN and timezone.now() > found.handle_by,
        "form": form,
        "may_reply": found.state == State.OPEN and found.asked_at and not found.replied_at,
    }
    response = render(request, "feedback/item.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response
