"""Citizen pages: home and the public tracking page."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt

from motcua import fields
from motcua.core import codes
from motcua.core.errors import DomainError, NotFound, TooManyTries
from motcua.dossiers.selectors import (
    PublicKey,
    dossier_apology,
    dossier_appointment,
    dossier_deadline,
    dossier_public,
    dossier_public_key,
    dossier_story,
)
from motcua.edge import add_to_form, client_address, status_for
from motcua.i18n import error_text
from motcua.portal import tracking

_NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class TrackForm(fields.Form):
    code = fields.TextField(
        label=_("Mã hồ sơ"),
        max_length=60,
        required=True,
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "placeholder": "H26.1-261125-0042"}),
    )
    secret = fields.TextField(
        label=_("Mã tra cứu"),
        max_length=20,
        required=True,
        help_text=_("Mã tra cứu in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."),
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "placeholder": "ABCD-EFGH"}),
    )

    # Format errors belong to their field; only a well-formed pair can be "not found".
    def clean_code(self) -> str:
        try:
            return str(codes.parse_dossier_code(self.cleaned_data["code"]))
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None

    def clean_secret(self) -> str:
        try:
            return codes.normalize_tracking_secret(self.cleaned_data["secret"])
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None

    @classmethod
    def plain_pair(cls, data: QueryDict) -> tuple[str, str] | None:
        """The (code, secret) this form would clean `data` to, found without building it: the
        QR link's pair, sent again at every refresh. None when either is not printable ASCII
        within its length, or does not parse: the form then says what is wrong, with its own
        messages. The form's fields leave printable ASCII as it is but for the spaces around
        it (NFC changes none of it, the character check refuses none of it), and its clean
        methods parse with the same two functions."""
        code, secret = data.get("code"), data.get("secret")
        if not (isinstance(code, str) and isinstance(secret, str)):
            return None
        code, secret = code.strip(), secret.strip()
        for value, name in ((code, "code"), (secret, "secret")):
            field = cls.base_fields[name]
            assert isinstance(field, forms.CharField) and field.max_length is not None
            if not (value and value.isascii() and value.isprintable()):
                return None
            if len(value) > field.max_length:
                return None
        try:
            return str(codes.parse_dossier_code(code)), codes.normalize_tracking_secret(secret)
        except DomainError:
            return None


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@csrf_exempt  # the form carries its own credentials (code and secret); no token is minted
def track(request: HttpRequest) -> HttpResponse:
    """Look a dossier up by code and tracking secret; show status, hand-overs, appointment.

    Wrong pairs are limited (motcua/portal/tracking.py); a missing code and a wrong secret get
    the same answer after the same work."""
    # GET works too (the QR code on the receipt), but only when it carries a code.
    data = (
        request.POST if request.method == "POST" else request.GET if "code" in request.GET else None
    )
    pair = TrackForm.plain_pair(data) if data is not None else None
    form = None if pair is not None else TrackForm(data)
    context: dict[str, object] = {"form": form}
    status = 200
    retry_after: int | None = None
    if form is not None and form.is_bound and not form.is_valid():
        status = 400
    elif data is not None:
        if pair is None:
            assert form is not None
            pair = form.cleaned_data["code"], form.cleaned_data["secret"]
        code, secret = pair
        now = timezone.now()
        try:
            attempt = tracking.begin(
                client_address(request),
                code,
                now.timestamp(),
                shown_code=str(data.get("code")),
                secret=secret,
            )
            # A current kept page needs no lookup (motcua/portal/tracking.py).
            key = attempt.current or dossier_public_key(code=code, secret=secret)  # NotFound
            attempt.succeeded()
        except (NotFound, TooManyTries) as exc:
            form = form or _valid_form(data)
            context["form"] = form
            add_to_form(form, exc, {})  # "not found" names no field: either may be wrong
            status = status_for(exc)
            if isinstance(exc, TooManyTries):
                retry_after = int(str(exc.details["retry_after"]))
        else:
            response = _found(request, data, form, attempt, key, now)
            patch_cache_control(response, private=True, no_store=True)
            return response
    response = render(request, "portal/track.html", context, status=status)
    if data is not None:  # the code and secret are on the page: not for a shared cache or disk
        patch_cache_control(response, private=True, no_store=True)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _valid_form(data: QueryDict) -> TrackForm:
    """The form for a pair `TrackForm.plain_pair` took: valid, as the fast path found it."""
    form = TrackForm(data)
    valid = form.is_valid()
    assert valid, form.errors
    return form


def _found(
    request: HttpRequest,
    data: QueryDict,
    form: TrackForm | None,
    attempt: tracking.Attempt,
    key: PublicKey,
    now: datetime,
) -> HttpResponse:
    """The page showing the dossier: kept while it does not change (motcua/portal/tracking.py)."""

    def page() -> str:
        dossier = dossier_public(key.pk)
        moments = dossier_story(dossier)
        result = render_to_string(
            "portal/track.html#result",
            {
                "dossier": dossier,
                # The same plain story and appointment as the citizen's own page.
                "moments": moments,
                "appointment": dossier_appointment(dossier, moments),
                "deadline": dossier_deadline(dossier, now),
                "apology": dossier_apology(dossier),
            },
        )
        context = {"form": form or _valid_form(data), "result": mark_safe(result)}  # noqa: S308 - our own template's output
        return render_to_string("portal/track.html", context, request)

    if _has_messages(request):  # a message for this visitor alone: not on a kept page
        return HttpResponse(page())
    shown_secret, next_path = str(data.get("secret")), request.get_full_path()
    return HttpResponse(tracking.page(attempt, key, now, shown_secret, next_path, page))


def _has_messages(request: HttpRequest) -> bool:
    """Whether a message waits for this visitor. Messages reach a visitor through the messages
    cookie or the session, whose cookie they then carry: without either there is none, and the
    session is not opened to find that out."""
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies:
        return False
    return len(get_messages(request)) > 0


@csrf_exempt
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch without a CSRF token, so that a page can offer it without
    minting one (the tracking page: motcua/portal/tracking.py). Switching a visitor's language
    harms nothing; Django's view still returns only to an address of this site."""
    return i18n.set_language(request)
