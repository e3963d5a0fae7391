"""The public statistics page (công khai): per agency, how many dossiers were settled on time,
how satisfied people say they are and the 766 score, for a month, a quarter or a year. No
dossier, no applicant, no official: counts and rates only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from motcua.core.calendar import local_date
from motcua.national.selectors import is_connected
from motcua.organization.selectors import centre_tz
from motcua.oversight import reports
from motcua.oversight.selectors import as_percent

TEMPLATE = "portal/stats.html"


class PeriodForm(forms.Form):
    ky = forms.ChoiceField(label=gettext_lazy("Thời gian"), required=False)

    def __init__(self, data: Any, *, periods: list[reports.PublicPeriod]) -> None:
        super().__init__(data)
        self.periods = {p.value: p for p in periods}
        field = self.fields["ky"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.value, p.label) for p in periods]
        field.error_messages["invalid_choice"] = gettext_lazy(
            "Không có số liệu cho khoảng thời gian đã chọn; hãy chọn trong danh sách."
        )

    def chosen(self) -> reports.PublicPeriod:
        """The period chosen; this year so far when none is."""
        value = self.cleaned_data["ky"] or next(iter(self.periods))
        return self.periods[value]


def _score(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}".replace(".", ",")


def statistics(request: HttpRequest) -> HttpResponse:
    """Per agency, for the period chosen in the GET form."""
    periods = reports.public_periods(local_date(timezone.now(), centre_tz()))
    form = PeriodForm(request.GET or None, periods=periods)
    if form.is_bound and not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    if not form.is_bound:
        form = PeriodForm({"ky": periods[0].value}, periods=periods)
        form.is_valid()
    chosen = form.chosen()
    rows = reports.public_statistics_cached(period=chosen.period)
    shown: list[dict[str, Any]] = [
        {
            "row": r,
            "on_time": as_percent(r.on_time_rate),
            "average": _score(r.own_average),
            "response": as_percent(r.own_response_rate),
            "desk_average": _score(r.desk_average),
            "score": _score(r.score),
        }
        for r in rows
    ]
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "chosen": chosen,
            "departments": [s for s in shown if not s["row"].commune],
            "communes": [s for s in shown if s["row"].commune],
            # The score counts indicator 1.4 only when synced to the national portal.
            "connected": is_connected(),
        },
    )
