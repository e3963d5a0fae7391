"""Recording a fee paid at the counter, on the dossier page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.catalog.selectors import fee_rule_of
from motcua.core import fees
from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, staff_required
from motcua.desk.forms import DeskPaymentForm
from motcua.desk.page import dossier_page_context, fee_panel
from motcua.dossiers.selectors import access_dossier
from motcua.edge import add_to_form, render_error, status_for
from motcua.payments.services import DESK_INPUTS, payment_record_at_desk


@staff_required
@require_POST
def pay(request: StaffRequest, pk: int) -> HttpResponse:
    """Record the fee paid at the counter with its receipt number; every problem beside its
    field, nothing stored on a refusal."""
    actor, now = request.actor, timezone.now()
    try:
        dossier = access_dossier(actor=actor, pk=pk)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    by_page = fee_rule_of(dossier.procedure_version).per is fees.Per.PAGE
    form = DeskPaymentForm(request.POST, by_page=by_page)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_record_at_desk(
                dossier=dossier,
                actor=actor,
                receipt_number=data["receipt_number"],
                payer_name=data["payer_name"],
                pages=data.get("pages"),
                now=now,
            )
        except DomainError as exc:
            add_to_form(form, exc, DESK_INPUTS)
            status = status_for(exc)
            dossier.refresh_from_db()
        else:
            messages.success(
                request,
                _("Đã ghi nhận nộp phí, biên lai số %(number)s.")
                % {"number": payment.receipt_number},
            )
            return redirect("desk:dossier", pk=dossier.pk)
    context = dossier_page_context(dossier, actor, now)
    context["fee"] = fee_panel(dossier, actor, form)
    return render(request, "desk/dossier.html", context, status=status)
