"""Citizen pages: home and the public tracking page."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

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


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def track(request: HttpRequest) -> HttpResponse:
    """Look a dossier up by code and tracking secret; show status, hand-overs, appointment.

    Wrong pairs are limited (motcua/portal/tracking.py); a missing code and a wrong secret get
    the same answer after the same work."""
    # GET works too (the QR code on the receipt), but only when it carries a code.
    data = (
        request.POST if request.method == "POST" else request.GET if "code" in request.GET else None
    )
    form = TrackForm(data)
    context: dict[str, object] = {"form": form}
    status = 200
    retry_after: int | None = None
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
        address = client_address(request)
        now = timezone.now()
        try:
            attempt = tracking.begin(address, code, now.timestamp())
            key = dossier_public_key(code=code, secret=secret)  # NotFound: the try counts
            attempt.succeeded()
        except (NotFound, TooManyTries) as exc:
            add_to_form(form, exc, {})  # "not found" names no field: either may be wrong
            status = status_for(exc)
            if isinstance(exc, TooManyTries):
                retry_after = int(str(exc.details["retry_after"]))
        else:
            response = _found(request, form, key, now)
            patch_cache_control(response, private=True, no_store=True)
            return response
    response = render(request, "portal/track.html", context, status=status)
    if form.is_bound:  # the code and secret are on the page: not for a shared cache or disk
        patch_cache_control(response, private=True, no_store=True)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _found(request: HttpRequest, form: TrackForm, key: PublicKey, now: datetime) -> HttpResponse:
    """The page showing the dossier: kept while it does not change (motcua/portal/tracking.py)."""

    def page(csrf_token: str) -> str:
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
        context = {"form": form, "result": mark_safe(result), "csrf_token": csrf_token}  # noqa: S308 - our own template's output
        return render_to_string("portal/track.html", context, request)

    if len(get_messages(request)):  # a message for this visitor alone: not on a kept page
        return HttpResponse(page(get_token(request)))
    shown = (str(form["code"].value()), str(form["secret"].value()))
    return HttpResponse(tracking.page(request, key, now, shown, page))
