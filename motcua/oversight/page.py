"""What the oversight pages read, gathered so the views stay thin: the scope's dashboard, an
agency's page, the dossiers behind a figure."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from motcua.catalog.selectors import procedure_labels
from motcua.core.indicators import GROUP_LABELS, GROUP_POINTS, Group, Period
from motcua.national.selectors import sync_rate
from motcua.organization.selectors import (
    agencies_by_id,
    calendar_for,
    person_names,
    unit_names,
)
from motcua.oversight.charts import trend_chart
from motcua.oversight.selectors import (
    STEP_FIGURES,
    AgencyScore,
    agency_index,
    bottlenecks,
    by_official,
    by_procedure,
    by_unit,
    dossiers_behind,
    due_soon,
    figures_by,
    monthly,
    ranking,
    steps_behind,
    times_of,
    total,
)

if TYPE_CHECKING:
    from motcua.organization.models import Agency

PAGE_SIZE = 50
TREND_MONTHS = 12  # the chart shows at least this many months, ending with the period's
FIGURE_LABELS: dict[str, StrOrPromise] = {
    "received": _("Hồ sơ tiếp nhận trong kỳ"),
    "to_process": _("Hồ sơ phải giải quyết (kỳ trước chuyển sang và tiếp nhận trong kỳ)"),
    "finished": _("Hồ sơ đã giải quyết xong"),
    "early": _("Hồ sơ giải quyết trước hạn"),
    "on_time": _("Hồ sơ giải quyết đúng hạn"),
    "late": _("Hồ sơ giải quyết quá hạn"),
    "late_agency": _("Quá hạn do cơ quan giải quyết"),
    "late_integration": _("Quá hạn do chờ hệ thống liên thông"),
    "late_supplements": _("Quá hạn do yêu cầu bổ sung quá một lần"),
    "open_end": _("Hồ sơ đang giải quyết cuối kỳ"),
    "late_open_end": _("Hồ sơ đang giải quyết đã quá hạn cuối kỳ"),
    "due_soon": _("Hồ sơ sắp đến hạn (trong một ngày làm việc tới)"),
    "ratings": _("Hồ sơ được người dân đánh giá trong kỳ"),
    "ratings_own": _("Hồ sơ được đánh giá qua kênh của người dân (không nhập tại quầy)"),
    "ratings_at_desk": _("Hồ sơ được đánh giá trên máy của quầy một cửa"),
    "steps": _("Bước xử lý đã kết thúc trong kỳ"),
    "steps_in_time": _("Bước xử lý kết thúc trước hạn hoặc đúng hạn"),
    "steps_late": _("Bước xử lý kết thúc quá hạn"),
}


def _soon(agency: Agency, now: datetime) -> datetime:
    """One working day ahead in this agency's calendar."""
    calendar = calendar_for(agency)
    return calendar.add_working_seconds(now, calendar.working_day_seconds)


def _months_back(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, index + 1, 1)


def _trend(period: Period, agencies: Collection[int]) -> dict[str, Any]:
    """The months of the period, and at least the TREND_MONTHS before its end."""
    last = period.last.replace(day=1)
    first = min(period.first.replace(day=1), _months_back(last, TREND_MONTHS - 1))
    months = monthly(first=first, last=period.last, agencies=agencies)
    return {"chart": trend_chart(months), "months": months}


def ordered(scores: list[AgencyScore], *, worst_first: bool) -> list[AgencyScore]:
    """Best first as ranked, or worst first; agencies without a score stay last."""
    if not worst_first:
        return scores
    scored = [s for s in scores if s.rank is not None]
    return [*reversed(scored), *(s for s in scores if s.rank is None)]


def dashboard_context(
    *, period: Period, agencies: Collection[int], here: Agency, now: datetime, worst_first: bool
) -> dict[str, Any]:
    """The scope's totals, its monthly trend and the 766 ranking of its agencies."""
    figures = total(figures_by(period=period, agencies=agencies).values())
    departments, communes = ranking(period=period, agencies=agencies)
    return {
        "figures": figures,
        "times": times_of(figures),
        "due_soon": due_soon(agencies=agencies, now=now, until=_soon(here, now)).count(),
        "departments": ordered(departments, worst_first=worst_first),
        "communes": ordered(communes, worst_first=worst_first),
        "day": calendar_for(here).working_day_seconds,
        **_trend(period, agencies),
    }


def agency_context(*, period: Period, agency: Agency, now: datetime) -> dict[str, Any]:
    """One agency's figures, its 766 index explained, per procedure, unit and official, the
    bottleneck steps and the monthly trend."""
    figures, index = agency_index(agency=agency.pk, period=period)
    departments, communes = ranking(period=period)
    group = communes if agency.kind == "commune" else departments
    place = next((s for s in group if s.agency.pk == agency.pk), None)
    mine = [agency.pk]
    tz = calendar_for(agency).tz
    start = datetime.combine(period.first, time(), tzinfo=tz)
    end = datetime.combine(period.last + timedelta(days=1), time(), tzinfo=tz)
    return {
        "agency": agency,
        "figures": figures,
        "times": times_of(figures),
        "index": index,
        "groups": [(GROUP_LABELS[g], index.group_total(g), GROUP_POINTS[g]) for g in Group],
        "rank": place.rank if place else None,
        "ranked_among": len(group),
        "due_soon": due_soon(agencies=mine, now=now, until=_soon(agency, now)).count(),
        "procedures": by_procedure(period=period, agencies=mine),
        "units": by_unit(period=period, agencies=mine),
        "officials": by_official(period=period, agencies=mine),
        "bottlenecks": bottlenecks(period=period, agencies=mine),
        "day": calendar_for(agency).working_day_seconds,
        # Indicator 1.4 as this installation sees it: None when not connected to the portal.
        "sync": sync_rate(agency_id=agency.pk, start=start, end=end),
        **_trend(period, mine),
    }


def drill_context(
    *,
    figure: str,
    period: Period,
    agencies: Collection[int],
    here: Agency,
    procedure: int | None,
    page: int | None,
    now: datetime,
    unit: int | None = None,
    holder: int | None = None,
) -> dict[str, Any]:
    """The dossiers behind one figure, a page of them, each with its procedure and agency; for
    a unit's or an official's step count, the steps behind it, each with its dossier."""
    if figure in STEP_FIGURES:
        steps = steps_behind(
            figure=figure, period=period, agencies=agencies, unit=unit, holder=holder
        )
        step_page = Paginator(steps, PAGE_SIZE).get_page(page)
        # Names only of a unit or an official whose steps in scope are listed: an id typed
        # into the address tells nothing of anyone outside it.
        named = bool(step_page.object_list)
        return {
            "page": step_page,
            "steps": list(step_page),
            "label": FIGURE_LABELS[figure],
            "unit_label": unit_names([unit]).get(unit, "") if unit and named else "",
            "holder_label": person_names([holder]).get(holder, "") if holder and named else "",
        }
    if figure == "due_soon":
        rows = due_soon(agencies=agencies, now=now, until=_soon(here, now), procedure=procedure)
    else:
        rows = dossiers_behind(figure=figure, period=period, agencies=agencies, procedure=procedure)
    shown = Paginator(rows, PAGE_SIZE).get_page(page)
    procedures = procedure_labels(list({r.procedure_id for r in shown}))
    places = agencies_by_id(list({r.agency_id for r in shown}))
    return {
        "page": shown,
        "rows": [(r, procedures.get(r.procedure_id), places.get(r.agency_id)) for r in shown],
        "label": FIGURE_LABELS.get(figure, figure),
        "procedure_label": procedure_labels([procedure]).get(procedure) if procedure else None,
    }


def period_query(period: Period) -> str:
    """The period as the links' query string."""
    return f"from={period.first.isoformat()}&to={period.last.isoformat()}"


def month_query(month: date) -> str:
    """One month as the links' query string."""
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return period_query(Period(month, last))
