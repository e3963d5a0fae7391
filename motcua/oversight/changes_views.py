"""The oversight office's administrative log: who changed users, posts, agencies, units, the
catalog or the calendars, when, from where, which fields, and whether the chain holds."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.adminlog.selectors import (
    ChangeFilters,
    admin_chain_report,
    admin_changes,
    authors,
    models_changed,
)
from motcua.core.adminlog import CHANGED
from motcua.core.calendar import local_date
from motcua.core.scope import sees_admin_changes
from motcua.desk.access import StaffRequest, staff_required
from motcua.organization.selectors import centre_tz
from motcua.oversight.forms import AdminChangeForm

PAGE_SIZE = 50
PERIOD_DAYS = 30  # shown when no dates are asked


def model_label(label: str) -> str:
    """A model's label ("organization.agency") in words: its verbose name."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def field_lines(changes: dict[str, object]) -> list[tuple[str, str, str]]:
    """Each changed field as (name, old, new); a masked one as (name, "", "changed")."""
    lines = []
    for name, value in changes.items():
        if value == CHANGED:
            lines.append((name, "", _("đã thay đổi (không ghi giá trị)")))
        elif isinstance(value, list) and len(value) == 2:
            old, new = value
            lines.append((name, "—" if old is None else str(old), "—" if new is None else str(new)))
        else:
            lines.append((name, "", str(value)))
    return lines


@staff_required
def changes(request: StaffRequest) -> HttpResponse:
    """The changes of a period, filtered by author and kind of object, with the chain's check."""
    if not sees_admin_changes(request.actor.role):
        message = _("Trang dành cho bộ phận giám sát.")
        return render(request, "desk/not_found.html", {"message": message}, status=404)
    tz = centre_tz()
    today = local_date(timezone.now(), tz)
    kinds = [(label, model_label(label)) for label in models_changed()]
    form = AdminChangeForm(request.GET, authors=authors(), kinds=kinds)
    context: dict[str, object] = {
        "nav": "changes",
        "form": form,
        "page": None,
        "query": request.GET.copy(),
    }
    if not form.is_valid():
        return render(request, "oversight/changes.html", context, status=400)
    data = form.cleaned_data
    first = data.get("from") or (data.get("to") or today) - timedelta(days=PERIOD_DAYS - 1)
    last = data.get("to") or max(first, today)
    filters = ChangeFilters(
        start=datetime.combine(first, time(0), tzinfo=tz),
        end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
        user_id=data.get("user"),
        model=data.get("model") or "",
    )
    page = Paginator(admin_changes(filters), PAGE_SIZE).get_page(data.get("page"))
    rows = [(row, model_label(row.model), field_lines(row.changes)) for row in page]
    context.update(page=page, rows=rows, first=first, last=last, chain=admin_chain_report())
    return render(request, "oversight/changes.html", context)
