"""Form 01 for the citizen: the receipt and appointment, opened with the dossier's code and
tracking secret (the link the reception e-mail carries), under the tracking page's limits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.selectors import NOT_FOUND, dossier_public, dossier_public_key, tracking_url
from motcua.edge import client_address, render_error
from motcua.paperwork import rendering
from motcua.portal import tracking
from motcua.portal.views import TrackForm


def receipt_page(request: HttpRequest) -> HttpResponse:
    """Parse → limit → look up (code + secret) → render form 01, never cached."""
    form = TrackForm(request.GET)
    if not form.is_valid():
        return render_error(request, "online/problem.html", NotFound(NOT_FOUND))
    code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
    now = timezone.now()
    try:
        attempt = tracking.begin(client_address(request), code, now.timestamp())
        key = dossier_public_key(code=code, secret=secret)
        attempt.succeeded()
        dossier = dossier_public(key.pk)
        spec = rendering.form_spec("01")
        context = rendering.form_context(spec, dossier, now=now)
    except DomainError as exc:  # not found, too many tries, not received yet
        return render_error(request, "online/problem.html", exc)
    context["track_url"] = tracking_url(dossier)
    response = render(request, "online/receipt.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response
