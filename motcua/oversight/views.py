"""The oversight pages: the scope's dashboard and ranking, an agency's page, the dossiers
behind a figure and who held a dossier too long. Each reads only what `scope_of` allows."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.calendar import local_date
from motcua.core.errors import DomainError
from motcua.core.scope import Scope
from motcua.desk.access import StaffRequest, staff_required
from motcua.edge import render_error
from motcua.organization.selectors import centre_tz
from motcua.oversight.forms import DrillForm, PeriodForm
from motcua.oversight.page import (
    agency_context,
    dashboard_context,
    drill_context,
    period_query,
)
from motcua.oversight.selectors import agency_in_scope, dossier_attribution, scope_of

NOT_FOUND = "oversight/not_found.html"


def _not_for_you(request: StaffRequest) -> HttpResponse:
    message = _("Trang dành cho lãnh đạo cơ quan và bộ phận giám sát.")
    return render(request, "desk/not_found.html", {"message": message}, status=404)


def _base(request: StaffRequest, scope: Scope, form: PeriodForm) -> dict[str, Any]:
    return {"nav": "oversight", "form": form, "query": request.GET.copy(), "scope": scope}


@staff_required
def dashboard(request: StaffRequest) -> HttpResponse:
    """The scope's totals for a period, its monthly trend and the 766 ranking."""
    scope = scope_of(request.actor)
    if not scope.sees_dashboards:
        return _not_for_you(request)
    now = timezone.now()
    form = PeriodForm(request.GET, today=local_date(now, centre_tz()))
    context = _base(request, scope, form)
    if not form.is_valid():
        return render(request, "oversight/dashboard.html", context, status=400)
    period = form.period()
    assert request.actor.agency is not None  # a post with a scope has an agency
    context.update(
        period=period,
        pq=period_query(period),
        worst_first=form.worst_first(),
        **dashboard_context(
            period=period,
            agencies=scope.agencies,
            here=request.actor.agency,
            now=now,
            worst_first=form.worst_first(),
        ),
    )
    return render(request, "oversight/dashboard.html", context)


@staff_required
def agency(request: StaffRequest, code: str) -> HttpResponse:
    """One agency of the scope: its figures, its 766 index explained, per procedure, unit and
    official, its bottlenecks and its trend."""
    scope = scope_of(request.actor)
    if not scope.sees_dashboards:
        return _not_for_you(request)
    try:
        found = agency_in_scope(scope=scope, code=code)
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc, {"nav": "oversight"})
    now = timezone.now()
    form = PeriodForm(request.GET, today=local_date(now, centre_tz()))
    context = {**_base(request, scope, form), "agency": found}
    if not form.is_valid():
        return render(request, "oversight/agency.html", context, status=400)
    period = form.period()
    context.update(period=period, pq=period_query(period))
    context.update(agency_context(period=period, agency=found, now=now))
    return render(request, "oversight/agency.html", context)


@staff_required
def dossiers(request: StaffRequest) -> HttpResponse:
    """The dossiers behind one figure of the scope or of one agency, paged."""
    scope = scope_of(request.actor)
    if not scope.sees_dashboards:
        return _not_for_you(request)
    now = timezone.now()
    form = DrillForm(request.GET, today=local_date(now, centre_tz()))
    context = _base(request, scope, form)
    if not form.is_valid():
        return render(request, "oversight/dossiers.html", context, status=400)
    data = form.cleaned_data
    agencies, found = scope.agencies, None
    if data.get("agency"):
        try:
            found = agency_in_scope(scope=scope, code=data["agency"])
        except DomainError as exc:
            return render_error(request, NOT_FOUND, exc, {"nav": "oversight"})
        agencies = frozenset({found.pk})
    period = form.period()
    assert request.actor.agency is not None
    context.update(period=period, pq=period_query(period), agency=found, figure=data["figure"])
    context.update(
        drill_context(
            figure=data["figure"],
            period=period,
            agencies=agencies,
            here=found or request.actor.agency,
            procedure=data.get("procedure"),
            page=data.get("page"),
            now=now,
            unit=data.get("unit"),
            holder=data.get("holder"),
        )
    )
    return render(request, "oversight/dossiers.html", context)


@staff_required
def dossier(request: StaffRequest, pk: int) -> HttpResponse:
    """One dossier's hand-overs against their allotments: who held it too long, and the agency
    answerable for the delay (no personal data of the applicant is shown)."""
    scope = scope_of(request.actor)
    if not scope.sees_dashboards:
        return _not_for_you(request)
    now = timezone.now()
    try:
        found = dossier_attribution(scope=scope, pk=pk, now=now)
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc, {"nav": "oversight"})
    context = {"nav": "oversight", "a": found, "day": found.day, "now": now}
    return render(request, "oversight/dossier.html", context)
