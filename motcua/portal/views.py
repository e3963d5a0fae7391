"""Citizen pages: home and the public tracking page."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError
from motcua.dossiers.selectors import access_dossier_public, dossier_apology, dossier_timeline


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=60)
    secret = forms.CharField(label=_("Mã tra cứu"), max_length=20)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def track(request: HttpRequest) -> HttpResponse:
    """Look a dossier up by code and tracking secret; show status, hand-overs, appointment."""
    form = TrackForm(request.POST or request.GET or None)
    context: dict[str, object] = {"form": form}
    if form.is_bound and form.is_valid():
        try:
            dossier = access_dossier_public(
                code=form.cleaned_data["code"], secret=form.cleaned_data["secret"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            context.update(
                dossier=dossier,
                timeline=dossier_timeline(dossier),
                apology=dossier_apology(dossier),
            )
    status = 404 if form.is_bound and form.errors else 200
    return render(request, "portal/track.html", context, status=status)
