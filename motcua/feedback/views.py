"""The citizens' pages: rate a returned dossier, file a phản ánh, kiến nghị, follow it."""

from __future__ import annotations

import math
import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.catalog.selectors import procedure_names
from motcua.citizens.forms import CodeForm
from motcua.citizens.selectors import signed_in_profile
from motcua.core.accounts import EMAIL, Contact
from motcua.core.errors import DomainError, NotFound, TooManyTries
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
    contact_verified,
    shown_secret,
)
from motcua.dossiers.selectors import citizen_dossier, dossier_public, dossier_public_key
from motcua.edge import add_to_form, client_address, status_for
from motcua.feedback import services
from motcua.feedback.forms import AnswersForm, FileForm, FindForm, RateForm, ReplyForm
from motcua.feedback.selectors import (
    feedback_by_code,
    feedback_by_code_and_secret,
    feedback_events,
    pending_filing,
    published_agencies,
    published_answer,
    published_answers,
)
from motcua.i18n import error_text
from motcua.organization.selectors import active_agencies
from motcua.portal import tracking

if TYPE_CHECKING:
    from motcua.feedback.models import Feedback

# A cookie the desk sets on its own devices (the rating page's staff link): a rating sent from
# such a browser is marked as entered at the desk even after the officer signed out.
DESK_DEVICE_COOKIE = "motcua_desk_device"
_DOSSIER_FIELDS = {"code": "code", "secret": "secret"}
# The session's filing waiting for its address's code, and the items this browser may open.
PENDING = "_feedback_pending"
OPENED = "_feedback_opened"


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


def _open(request: HttpRequest, code: str) -> None:
    """Remember that this browser showed the item's secret (or verified its address): its page
    opens without the secret until the session ends (the last 20 items)."""
    opened = [c for c in request.session.get(OPENED, []) if c != code]
    request.session[OPENED] = [*opened[-19:], code]


def _may_follow(request: HttpRequest, item: Feedback) -> bool:
    """Whoever holds the code and the secret follows the item: this browser showed them, the
    item is the signed-in citizen's, or it was filed before secrets (its code alone)."""
    if not item.secret or item.code in request.session.get(OPENED, []):
        return True
    profile = signed_in_profile(request)
    return profile is not None and item.citizen_id == profile.citizen_id


def _filed(request: HttpRequest, item: Feedback) -> HttpResponse:
    _open(request, item.code)
    messages.success(
        request,
        _(
            "Đã gửi phản ánh, kiến nghị. Mã phản ánh của ông/bà là {code}, mã tra cứu là "
            "{secret}; hãy ghi lại cả hai để xem trả lời (đã gửi kèm trong thư hoặc tin nhắn)."
        ).format(code=item.code, secret=shown_secret(item.secret)),
    )
    return redirect("feedback:item", code=item.code)


@never_cache
def file(request: HttpRequest) -> HttpResponse:
    """File a phản ánh, kiến nghị; pre-filled for a signed-in citizen. An address not yet
    verified gets a code first (`verify`); the item goes nowhere before."""
    profile = signed_in_profile(request)
    initial: dict[str, object] = {"subject": request.GET.get("ve", ""), "key": uuid.uuid4().hex}
    if profile is not None:
        initial.update(name=profile.full_name, contact=profile.email or profile.phone)
    if request.method == "GET" and "sua" in request.GET:
        initial.update(_held_filing(request))  # another address: what was written stays
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
            addresses = [profile.email, profile.phone] if profile is not None else []
            verified = contact_verified(email=email, phone=phone, account_addresses=addresses)
            citizen_id = profile.citizen_id if profile is not None else None
            try:
                dossier_id = None
                if data["subject"] == Subject.DOSSIER:
                    dossier_id, _channel = _dossier_id(
                        request, data["dossier_code"], data["dossier_secret"]
                    )
                filing = services.Filing(
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
                )
                if verified:
                    item = services.feedback_file(
                        filing=filing,
                        now=timezone.now(),
                        citizen_id=citizen_id,
                        contact_verified=True,
                    )
                else:
                    pending = services.feedback_hold(
                        filing=filing, now=timezone.now(), citizen_id=citizen_id
                    )
            except DomainError as exc:
                add_to_form(form, exc, {"code": "dossier_code", "secret": "dossier_secret"})
                status = status_for(exc)
            else:
                if verified:
                    return _filed(request, item)
                if pending.item is not None:  # the same form sent again, verified already
                    return _filed(request, pending.item)
                masked = Contact(pending.kind, pending.address).masked()
                request.session[PENDING] = [pending.pk, pending.kind, masked]
                return redirect("feedback:verify")
    context = {"form": form, "signed_in": profile is not None}
    return render(request, "feedback/file.html", context, status=status)


def _held_filing(request: HttpRequest) -> dict[str, object]:
    """The form's values of the filing this browser holds for verification, but the address
    (the one to change) and the dossier's secret (never kept)."""
    pending = request.session.get(PENDING)
    filing = pending_filing(pending[0]) if pending else None
    if filing is None:
        return {}
    values: dict[str, object] = {
        "subject": filing["subject"],
        "content": filing["content"],
        "name": filing["name"],
        "procedure": filing["procedure_code"],
        "place": filing["place_id"] or "",
        "official_name": filing["official_name"],
        "official_at_desk": filing["official_at_desk"],
    }
    if filing["dossier_id"] is not None:
        values["dossier_code"] = dossier_public(filing["dossier_id"]).code or ""
    return values


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Type the code sent to the address given for the answer, or have another sent; the right
    code sends the item to the agency concerned."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("feedback:file")
    pending_id, kind, masked = pending
    resend = request.method == "POST" and "resend" in request.POST
    form = CodeForm(request.POST if request.method == "POST" and not resend else None)
    status = 200
    if resend:
        try:
            services.feedback_resend(pending_id=pending_id, now=timezone.now())
        except DomainError as exc:
            messages.error(request, error_text(exc))
            status = status_for(exc)
        else:
            messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))
            return redirect("feedback:verify")
    elif form.is_bound:
        status = 400
        if form.is_valid():
            try:
                item = services.feedback_confirm(
                    pending_id=pending_id, code=form.cleaned_data["code"], now=timezone.now()
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                del request.session[PENDING]
                return _filed(request, item)
    where = _("thư điện tử") if kind == EMAIL else _("tin nhắn")
    context = {"form": form, "masked": masked, "where": where}
    return render(request, "feedback/verify.html", context, status=status)


def _too_many(exc: TooManyTries) -> str:
    """The tracking limits' refusal in the words of a phản ánh (not of a dossier's receipt)."""
    minutes = math.ceil(float(str(exc.details.get("retry_after", 60))) / 60)
    return _(
        "Đã nhập sai mã phản ánh hoặc mã tra cứu quá nhiều lần. Vui lòng thử lại sau "
        "{minutes} phút; mã có trong thư hoặc tin nhắn xác nhận đã gửi ông/bà."
    ).format(minutes=max(1, minutes))


def find(request: HttpRequest) -> HttpResponse:
    """Type an item's code and secret (or follow the notice's link) to open its page; wrong
    pairs are limited as on the dossier tracking page."""
    form = FindForm(request.GET if "code" in request.GET else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
            try:
                attempt = tracking.begin(client_address(request), code, timezone.now().timestamp())
                found = feedback_by_code_and_secret(code, secret)
                attempt.succeeded()
            except TooManyTries as exc:
                form.add_error(None, _too_many(exc))
                status = status_for(exc)
            except NotFound as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                _open(request, found.code)
                return redirect("feedback:item", code=found.code)
    response = render(request, "feedback/find.html", {"form": form}, status=status)
    if form.is_bound:  # the secret is on the page: not for a shared cache or disk
        patch_cache_control(response, private=True, no_store=True)
    return response


@never_cache
def item(request: HttpRequest, code: str) -> HttpResponse:
    """An item as its citizen sees it: status, where it is, the deadline, the answer, its log
    (agencies and times, never staff names). Without the secret shown in this browser, the
    form asking for it, the same for a missing item."""
    try:
        found = feedback_by_code(code)
    except DomainError:
        found = None
    if found is None or not _may_follow(request, found):
        # The code as it came, found or not: the page must not tell a guesser which it was.
        ask = FindForm(initial={"code": code[:40]})
        return render(request, "feedback/find.html", {"form": ask, "locked": True}, status=404)
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
        "secret": shown_secret(found.secret),
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


ANSWERS_PER_PAGE = 20


def answers(request: HttpRequest) -> HttpResponse:
    """The answers agencies published: question and answer in their words, the agency and the
    dates, never who asked; searched without regard to accents, by agency, a page at a time."""
    agencies = published_agencies()
    form = AnswersForm(request.GET or None, agencies=agencies)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = published_answers(query=data.get("q", ""), agency_id=data.get("co_quan"))
    page = Paginator(found, ANSWERS_PER_PAGE).get_page(data.get("page"))
    query = {k: v for k, v in request.GET.items() if k in ("q", "co_quan") and v}
    context = {
        "form": form,
        "page": page,
        "rows": [published_answer(item) for item in page],
        "query": query,
        "searched": bool(query),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "feedback/answers.html", context, status=status)
