"""Evidence sheets for the annual evaluation: an official sees their own, a unit leader their
unit's, a head their agency's, the oversight office its province's; heads and unit leaders
record the level decided. CSV and an Excel workbook for the evaluation council's files."""

from __future__ import annotations

import csv

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import evaluation as rules
from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, staff_required
from motcua.edge import add_to_form, status_for
from motcua.oversight import xlsx
from motcua.oversight.evidence import Sheet, decidable, decision_record, sheets
from motcua.oversight.selectors import scope_of
from motcua.oversight.xlsx import Cell, Heading, Points


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm đánh giá"), min_value=2020, max_value=2100)


class DecisionForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Mức xếp loại đã quyết định"),
        choices=[(lv.value, lv.label) for lv in rules.Level],
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=1000)


def _year(request: StaffRequest) -> tuple[YearForm, int]:
    today = timezone.localdate()
    form = YearForm(request.GET or {"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    return form, year


@staff_required
def evidence(request: StaffRequest) -> HttpResponse:
    scope = scope_of(request.actor)
    form, year = _year(request)
    rows = sheets(scope=scope, year=year)
    status = 200 if form.is_valid() else 400
    # A download is of the year asked for: a bad one gets the page, its error beside it.
    if request.GET.get("dang") == "csv" and status == 200:
        return _csv(rows, year)
    if request.GET.get("dang") == "xlsx" and status == 200:
        return xlsx.response(xlsx.workbook(_("Đánh giá cán bộ"), _table(rows)), _name(year))
    context = {
        "nav": "evidence",
        "form": form,
        "year": year,
        "rows": [(s, decidable(request.actor, s)) for s in rows],
        "decision_form": DecisionForm(),
    }
    return render(request, "oversight/evidence.html", context, status=status)


@staff_required
def decide(request: StaffRequest, person: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("oversight_evidence:list")
    form, year = _year(request)
    decision = DecisionForm(request.POST)
    status = 400
    if decision.is_valid():
        try:
            decision_record(
                actor=request.actor,
                person=person,
                year=year,
                level=decision.cleaned_data["level"],
                note=decision.cleaned_data["note"],
                now=timezone.now(),
            )
        except DomainError as exc:
            add_to_form(decision, exc, {})
            status = status_for(exc)
        else:
            return redirect(f"{reverse('oversight_evidence:list')}?year={year}")
    rows = sheets(scope=scope_of(request.actor), year=year)
    context = {
        "nav": "evidence",
        "form": form,
        "year": year,
        "rows": [(s, decidable(request.actor, s)) for s in rows],
        "decision_form": decision,
        "failed": person,
    }
    return render(request, "oversight/evidence.html", context, status=status)


def _name(year: int) -> str:
    return f"danh-gia-can-bo-{year}"


def _table(rows: list[Sheet]) -> list[list[Cell]]:
    """The sheets as a table, the header first; numbers as numbers (the CSV prints them)."""
    header: list[Cell] = [
        Heading(h)
        for h in (
            _("Cán bộ"), _("Chức danh"), _("Cơ quan"), _("Đơn vị"), _("Số bước đã giữ"),
            _("Đúng hạn, trước hạn"), _("Trễ hạn"), _("Văn bản xin lỗi do bước của mình"),
            _("Phản ánh về thái độ"), _("Phản ánh có cơ sở"), _("Lượt đánh giá"),
            _("Điểm hài lòng (1-5)"), _("Điểm gợi ý"), _("Mức gợi ý"), _("Mức đã quyết định"),
        )
    ]  # fmt: skip
    table = [header]
    for s in rows:
        e = s.evaluation
        table.append(
            [
                s.name, s.title, s.agency, s.unit, s.steps.steps, s.steps.early + s.steps.on_time,
                s.steps.late, s.apologies, s.complaints, s.upheld, s.ratings,
                Points(s.satisfaction, places=2), Points(e.points),
                e.level.label if e.level else "",
                rules.Level(s.decision.level).label if s.decision else "",
            ]
        )  # fmt: skip
    return table


def _csv(rows: list[Sheet], year: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_name(year)}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # Excel reads UTF-8 with its mark
    out = csv.writer(response)
    for row in _table(rows):
        out.writerow([_text(c) for c in row])
    return response


def _text(cell: Cell) -> str:
    match cell:
        case Heading(text):
            return text
        case Points(value, _signed, places):
            return "" if value is None else f"{float(value):.{places}f}"
        case _:
            return "" if cell is None else str(cell)
