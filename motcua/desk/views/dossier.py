"""The dossier page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, record_shown, staff_required
from motcua.desk.forms import ACTION_INPUTS
from motcua.desk.page import dossier_page_context, submitted_action_form
from motcua.dossiers.scans import read_scan
from motcua.dossiers.selectors import access_dossier, dossier_result_file, dossier_scan
from motcua.edge import add_to_form, render_error, status_for
from motcua.online.services import dossier_act_declared_once


@staff_required
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    """Everything about one dossier, and only the actions the state and the role allow."""
    try:
        dossier = access_dossier(actor=request.actor, pk=pk)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    now = timezone.now()
    record_shown(request, [dossier.pk], "desk.dossier")
    return render(request, "desk/dossier.html", dossier_page_context(dossier, request.actor, now))


@staff_required
def scan(request: StaffRequest, pk: int, scan: int) -> HttpResponse:
    """One scanned paper, to staff of an agency with a right to the dossier (the same check as
    the dossier page; anyone else gets the same "not found"), recorded as a read of personal
    data and never kept in a cache."""
    try:
        dossier = access_dossier(actor=request.actor, pk=pk)
        found = dossier_scan(dossier, scan)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    record_shown(request, [dossier.pk], "desk.scan")
    response = HttpResponse(read_scan(found.file.name), content_type=found.content_type)
    extension = found.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'inline; filename="{dossier.code or dossier.pk}-{found.pk}.{extension}"'
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Shown as a document, never run as a page of this site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@staff_required
def result(request: StaffRequest, pk: int) -> HttpResponse:
    """The result's electronic copy, to staff with a right to the dossier (the same check as
    the dossier page), recorded as a read and never kept in a cache."""
    try:
        dossier = access_dossier(actor=request.actor, pk=pk)
        found = dossier_result_file(dossier)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    record_shown(request, [dossier.pk], "desk.result")
    response = HttpResponse(read_scan(found.file.name), content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="ket-qua-{dossier.code or dossier.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@staff_required
@require_POST
def act(request: StaffRequest, pk: int) -> HttpResponse:
    """Apply one action; bad input, a refusal or a conflict shows the page again (the fresh
    state for a conflict) with each reason beside its field, and nothing is changed."""
    actor, now = request.actor, timezone.now()
    try:
        dossier = access_dossier(actor=actor, pk=pk)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    form = submitted_action_form(request.POST, dossier, now, request.FILES)
    status, code = 400, "invalid"
    if form.is_valid():
        try:
            dossier = dossier_act_declared_once(
                dossier=dossier,
                actor=actor,
                now=now,
                held_reason=form.cleaned_data.get("held_reason", ""),
                **form.service_kwargs(),
            )
        except DomainError as exc:
            add_to_form(form, exc, ACTION_INPUTS)
            status, code = status_for(exc), exc.code
            dossier.refresh_from_db()
        else:
            assert form.chosen is not None  # a valid form named its action
            label = str(form.chosen.label)
            messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": _(label)})
            return redirect("desk:dossier", pk=dossier.pk)
    # Shown again with the errors: not recorded again (the page's GET was), as a refused
    # action stores nothing at all.
    context = dossier_page_context(dossier, actor, now, submitted=form)
    context["error_code"] = code
    return render(request, "desk/dossier.html", context, status=status)
