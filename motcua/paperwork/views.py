"""The official forms (mẫu 01–06) as print-ready pages and as PDF, and the ledger (mẫu 07).

The PDF is laid out from the very HTML the screen shows, so what prints is what was seen.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.calendar import local_date
from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, record_shown, staff_required
from motcua.dossiers.selectors import access_dossier
from motcua.edge import render_error
from motcua.organization.selectors import centre_tz
from motcua.paperwork import rendering
from motcua.paperwork.forms import LedgerForm
from motcua.paperwork.selectors import ledger_dossiers

PROBLEM = "paperwork/problem.html"


def _form(
    request: StaffRequest, pk: int, number: str, *, pdf: bool = False
) -> tuple[rendering.FormSpec, dict[str, Any]]:
    """Parse → access → build, shared by the page and its PDF; NotFound if the form does not
    apply to the dossier."""
    spec = rendering.form_spec(number)
    dossier = access_dossier(actor=request.actor, pk=pk)
    now = timezone.now()
    context = rendering.form_context(spec, dossier, now=now)
    # The forms show the applicant's personal data: record who printed them.
    record_shown(request, [dossier.pk], f"form.{spec.number}{'.pdf' if pdf else ''}")
    context["back_url"] = rendering.dossier_page_url(dossier.pk)
    return spec, context


@staff_required
def form(request: StaffRequest, pk: int, form: str) -> HttpResponse:
    """One official form about a dossier, on screen with its toolbar."""
    try:
        spec, context = _form(request, pk, form)
    except DomainError as exc:
        return render_error(request, PROBLEM, exc)
    return render(request, spec.template, context)


@staff_required
def form_pdf(request: StaffRequest, pk: int, form: str) -> HttpResponse:
    """The same form as PDF (A5)."""
    try:
        spec, context = _form(request, pk, form, pdf=True)
    except DomainError as exc:
        return render_error(request, PROBLEM, exc)
    html = render_to_string(spec.template, context, request=request)
    code = context["dossier"].code or f"ho-so-{pk}"
    return _pdf(rendering.render_pdf(html), f"{code}-mau-{spec.number}.pdf")


@staff_required
def ledger(request: StaffRequest) -> HttpResponse:
    """Mẫu 07 for the actor's own agency and a period: paginated on screen, whole in `?pdf=1`."""
    actor, now = request.actor, timezone.now()
    form = LedgerForm(request.GET, today=local_date(now, centre_tz()))
    if not form.is_valid():
        return render(request, PROBLEM, {"form": form}, status=400)
    period = form.cleaned_data["period"]
    rows = ledger_dossiers(actor=actor, period=period)
    assert actor.agency is not None  # a staff post always names its agency
    context = rendering.ledger_context(actor.agency, period, now=now)
    context["period_query"] = urlencode({"from": period.first, "to": period.last})
    if form.cleaned_data["pdf"]:
        return _ledger_pdf(request, rows, context)
    page = Paginator(rows, rendering.LEDGER_PAGE_SIZE).get_page(form.cleaned_data["page"])
    shown = list(page.object_list)
    record_shown(request, (d.pk for d in shown), "ledger")
    context.update(rows=shown, page=page, first_number=page.start_index())
    return render(request, rendering.LEDGER.template, context)


def _ledger_pdf(request: StaffRequest, rows: Any, context: dict[str, Any]) -> HttpResponse:
    rows = list(rows[: rendering.LEDGER_PDF_MAX_ROWS + 1])
    if len(rows) > rendering.LEDGER_PDF_MAX_ROWS:
        message = _(
            "Khoảng thời gian có hơn %(count)s hồ sơ, quá dài để in một lần; hãy chọn "
            "khoảng ngắn hơn."
        ) % {"count": rendering.LEDGER_PDF_MAX_ROWS}
        return render(request, PROBLEM, {"message": message}, status=400)
    record_shown(request, (d.pk for d in rows), "ledger.pdf")
    context.update(rows=rows, page=None, first_number=1)
    html = render_to_string(rendering.LEDGER.template, context, request=request)
    period, agency = context["period"], context["agency"]
    name = f"so-theo-doi-{agency.code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.pdf"
    return _pdf(rendering.render_pdf(html), name)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
