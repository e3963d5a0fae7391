"""Citizen pages: home and the public tracking page."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.core import codes
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.selectors import access_dossier_public, dossier_apology, dossier_timeline
from motcua.i18n import error_text


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=60)
    secret = forms.CharField(label=_("Mã tra cứu"), max_length=20)

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
    """Look a dossier up by code and tracking secret; show status, hand-overs, appointment."""
    # GET works too (the QR code on the receipt), but only when it carries a code.
    data = (
        request.POST if request.method == "POST" else request.GET if "code" in request.GET else None
    )
    form = TrackForm(data)
    context: dict[str, object] = {"form": form}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        try:
            dossier = access_dossier_public(
                code=form.cleaned_data["code"], secret=form.cleaned_data["secret"]
            )
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            status = 404 if isinstance(exc, NotFound) else 400
        else:
            context.update(
                dossier=dossier,
                timeline=dossier_timeline(dossier),
                apology=dossier_apology(dossier),
            )
    return render(request, "portal/track.html", context, status=status)
