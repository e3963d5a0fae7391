"""Paying a dossier's fee online (citizens), the provider's callback, the electronic receipt,
and the sandbox provider's own checkout pages."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua import fields
from motcua.citizens.session import CitizenRequest, citizen_required
from motcua.core import fees
from motcua.core import payments as rules
from motcua.core.errors import DomainError
from motcua.dossiers.selectors import citizen_dossier
from motcua.edge import add_to_form, render_error, status_for
from motcua.payments import providers
from motcua.payments.selectors import dossier_payment, receipt
from motcua.payments.services import dossier_amount_due, payment_callback, payment_start


class StartForm(fields.Form):
    """Nothing to type: the button, and the CSRF token that comes with every form."""


def _dossier_page(request: CitizenRequest, pk: int, form: StartForm, status: int) -> HttpResponse:
    try:
        dossier = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
    except DomainError as exc:
        return render_error(request, "payments/missing.html", exc)
    quote = dossier_amount_due(dossier)
    context = {
        "d": dossier,
        "quote": quote,
        "amount": fees.money(quote.amount),
        "paid": dossier_payment(dossier),
        "form": form,
    }
    return render(request, "payments/dossier.html", context, status=status)


@citizen_required
@never_cache
def pay(request: CitizenRequest, pk: int) -> HttpResponse:
    """The amount a dossier owes, and the button that starts paying it online."""
    if request.method != "POST":
        return _dossier_page(request, pk, StartForm(), 200)
    form = StartForm(request.POST)
    try:
        dossier = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
        checkout = payment_start(
            dossier=dossier,
            citizen_id=request.citizen.pk,
            payer_name=request.citizen.full_name or dossier.applicant_name,
            payer_email=request.citizen.email or "",
            now=timezone.now(),
        )
    except DomainError as exc:
        add_to_form(form, exc, {})
        return _dossier_page(request, pk, form, status_for(exc))
    return redirect(checkout.redirect_url)


@csrf_exempt  # the provider calls it (signed); no session or form of ours is involved
@require_http_methods(["GET", "POST"])
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's callback (the citizen's browser coming back, or the provider's server):
    the outcome said in plain words; refused ones with a 400, recorded either way."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        result = payment_callback(fields=source.dict(), now=timezone.now())
    except DomainError as exc:  # no provider configured
        return render_error(request, "payments/missing.html", exc)
    refused = result.outcome in rules.REFUSED
    context = {
        "outcome": result.outcome.value,
        "payment": result.payment if not refused else None,
    }
    return render(request, "payments/callback.html", context, status=400 if refused else 200)


@never_cache
def receipt_page(request: HttpRequest, reference: str, key: str) -> HttpResponse:
    """The electronic receipt (biên lai điện tử): an HTML page to keep or print, or a PDF."""
    try:
        payment = receipt(reference=reference, key=key)
    except DomainError as exc:
        return render_error(request, "payments/missing.html", exc)
    context = {"p": payment, "d": payment.dossier, "amount": fees.money(payment.amount)}
    if request.GET.get("pdf") == "1":
        from django.template.loader import render_to_string

        from motcua.paperwork.rendering import render_pdf

        html = render_to_string("payments/receipt.html", {**context, "pdf": True}, request)
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{payment.receipt_number}.pdf"'
        return response
    return render(request, "payments/receipt.html", context)


def _sandbox_on() -> None:
    if not settings.PAYMENT_PROVIDER.endswith(".SandboxProvider"):
        raise Http404


@never_cache
def sandbox(request: HttpRequest, reference: str) -> HttpResponse:
    """The sandbox provider's checkout page (a test double of a real provider's)."""
    _sandbox_on()
    charge = providers.sandbox_charge(reference)
    if charge is None:
        raise Http404
    context = {"charge": charge, "amount": fees.money(charge.amount)}
    return render(request, "payments/sandbox.html", context)


@require_POST
def sandbox_decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Pay or cancel in the sandbox; back to our site with a signed callback."""
    _sandbox_on()
    charge = providers.sandbox_charge(reference)
    if charge is None:
        raise Http404
    return redirect(providers.sandbox_decide(charge, pay=request.POST.get("decision") == "pay"))
