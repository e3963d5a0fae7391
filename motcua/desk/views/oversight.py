"""The oversight office's screen: who was shown which dossier's personal data, when, where."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from motcua.core.lifecycle import Role
from motcua.desk.access import StaffRequest, staff_required
from motcua.desk.forms import READ_PERIOD_DAYS, ReadLogForm
from motcua.desk.views.common import horizon
from motcua.dossiers.selectors import (
    ReadFilters,
    readers,
    reads,
    reads_per_dossier,
    reads_per_official,
)

if TYPE_CHECKING:
    from motcua.dossiers.models import DossierAccess

PAGE_SIZE = 50
VIEWS: list[tuple[str, StrOrPromise]] = [
    ("dossier", gettext_lazy("Theo hồ sơ")),
    ("official", gettext_lazy("Theo cán bộ")),
    ("rows", gettext_lazy("Từng lượt")),
]
PAGE_LABELS: dict[str, StrOrPromise] = {
    "desk.dossier": gettext_lazy("Trang hồ sơ"),
    "desk.inbox": gettext_lazy("Danh sách việc"),
    "desk.online": gettext_lazy("Hồ sơ trực tuyến"),
    "desk.leader": gettext_lazy("Điều hành"),
    "ledger": gettext_lazy("Sổ theo dõi (mẫu 07)"),
    "ledger.pdf": gettext_lazy("Sổ theo dõi (mẫu 07), bản PDF"),
    "citizen.export": gettext_lazy("Công dân tải dữ liệu của mình"),
}


def page_label(page: str) -> str:
    """Which page showed the data, in words: "Mẫu 01 (PDF)" for form.01.pdf."""
    if page in PAGE_LABELS:
        return str(PAGE_LABELS[page])
    if page.startswith("form."):
        number, _dot, pdf = page.removeprefix("form.").partition(".")
        label = _("Mẫu %(number)s") % {"number": number}
        return f"{label} (PDF)" if pdf else label
    return page


@staff_required
def reads_log(request: StaffRequest) -> HttpResponse:
    """The read log, per dossier, per official or read by read, filtered and paged. Only the
    oversight office sees it; its own views of it are not reads of personal data (codes and
    names of officials only)."""
    actor = request.actor
    if actor.role is not Role.SUPERVISOR:
        message = _("Trang dành cho bộ phận giám sát.")
        return render(request, "desk/not_found.html", {"message": message}, status=404)
    h = horizon(actor)
    today = h.now.astimezone(h.calendar.tz).date()
    form = ReadLogForm(request.GET, readers=readers())
    context: dict[str, object] = {
        "nav": "reads",
        "form": form,
        "views": VIEWS,
        "query": request.GET.copy(),
    }
    if not form.is_valid():
        context.update(view="dossier", page=None)
        return render(request, "desk/reads.html", context, status=400)
    data = form.cleaned_data
    first = data.get("from") or (data.get("to") or today) - timedelta(days=READ_PERIOD_DAYS - 1)
    last = data.get("to") or max(first, today)
    tz = h.calendar.tz
    filters = ReadFilters(
        code=data.get("code", "").strip().upper(),
        user_id=data.get("user"),
        start=datetime.combine(first, time(0), tzinfo=tz),
        end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
    )
    view = data.get("view") or "dossier"
    labelled: list[tuple[DossierAccess, str]] = []
    page: Page[Any]
    if view == "rows":
        page = Paginator(reads(filters), PAGE_SIZE).get_page(data.get("page"))
        labelled = [(r, page_label(r.page)) for r in page]
    else:
        grouped = reads_per_dossier if view == "dossier" else reads_per_official
        page = Paginator(grouped(filters), PAGE_SIZE).get_page(data.get("page"))
    context.update(view=view, page=page, labelled=labelled, first=first, last=last)
    return render(request, "desk/reads.html", context)
