"""Oversight's reads: a period's figures from the tally rows (never a scan of the dossiers),
the 766 index and ranking, steps by unit and official, and the dossiers behind a number."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet, Sum

from motcua.core.indicators import (
    STEP_FIELDS,
    TALLY_FIELDS,
    FeedbackFigures,
    Figures,
    Index,
    Period,
    Tally,
    index,
    month_start,
    rank,
)
from motcua.core.indicators import (
    StepTally as StepCounts,
)
from motcua.core.scope import NOBODY, Scope, oversight_scope
from motcua.feedback.selectors import feedback_handling
from motcua.organization.models import Agency
from motcua.organization.selectors import Actor, centre_tz
from motcua.oversight.models import AgencyTally, DossierTally, Grain, StepTally


def scope_of(actor: Actor | None) -> Scope:
    """What this member of staff may see of oversight."""
    if actor is None or actor.agency is None or actor.unit is None or actor.user_id is None:
        return NOBODY
    parents = dict(Agency.objects.values_list("pk", "parent_id"))
    return oversight_scope(
        role=actor.role,
        user=actor.user_id,
        agency=actor.agency.pk,
        unit=actor.unit.pk,
        is_centre=actor.agency.kind == Agency.Kind.CENTRE,
        parents=parents,
    )


def _inside(period: Period) -> Q:
    """The tally rows whose contributions fall inside the period: whole months by their month
    row, the days at either edge by their day rows."""
    head, months, tail = period.months()
    q = Q(pk__in=[])
    if months:
        q |= Q(grain=Grain.MONTH, day__gte=months[0], day__lte=months[-1])
    for days in (head, tail):
        if days:
            q |= Q(grain=Grain.DAY, day__gte=days[0], day__lte=days[-1])
    return q


def _before(first: date) -> Q:
    start = month_start(first)
    return Q(grain=Grain.MONTH, day__lt=start) | Q(grain=Grain.DAY, day__gte=start, day__lt=first)


def _tally(row: dict[str, Any]) -> Tally:
    return Tally(**{f: row.get(f) or 0 for f in TALLY_FIELDS})


def figures_by(
    *, period: Period, agencies: Collection[int] | None = None, by: str = "agency_id"
) -> dict[int, Figures]:
    """A period's figures per agency (or per procedure: by="procedure_id")."""
    rows = AgencyTally.objects.all()
    if agencies is not None:
        rows = rows.filter(agency_id__in=list(agencies))
    inside = {
        r[by]: _tally(r)
        for r in rows.filter(_inside(period))
        .values(by)
        .annotate(**{f: Sum(f) for f in TALLY_FIELDS})
    }
    before = {
        r[by]: _tally(r)
        for r in rows.filter(_before(period.first))
        .values(by)
        .annotate(open_delta=Sum("open_delta"), late_open_delta=Sum("late_open_delta"))
    }
    keys = set(inside) | {k for k, t in before.items() if t.open_delta}
    return {k: Figures.of(inside.get(k, Tally()), before.get(k, Tally())) for k in keys}


def total(figures: Iterable[Figures]) -> Figures:
    """The figures of several scopes together."""
    period, carried, open_end, late_end = Tally(), 0, 0, 0
    for f in figures:
        period.add(f.period)
        carried += f.carried
        open_end += f.open_end
        late_end += f.late_open_end
    return Figures(period=period, carried=carried, open_end=open_end, late_open_end=late_end)


@dataclass(frozen=True)
class MonthFigures:
    month: date
    figures: Figures


def monthly(
    *, first: date, last: date, agencies: Collection[int] | None = None
) -> list[MonthFigures]:
    """Each month's figures from `first`'s month to `last`'s, for the trend chart."""
    rows = AgencyTally.objects.filter(grain=Grain.MONTH, day__lte=month_start(last))
    if agencies is not None:
        rows = rows.filter(agency_id__in=list(agencies))
    sums = {
        r["day"]: _tally(r)
        for r in rows.values("day").annotate(**{f: Sum(f) for f in TALLY_FIELDS})
    }
    out: list[MonthFigures] = []
    running = Tally()
    for month in sorted(sums):
        if month >= month_start(first):
            out.append(MonthFigures(month, Figures.of(sums[month], running)))
        running.add(sums[month])
    wanted: list[date] = []
    m = month_start(first)
    while m <= month_start(last):
        wanted.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    have = {mf.month: mf for mf in out}
    result = []
    for m in wanted:
        if m in have:
            result.append(have[m])
        else:  # nothing dated in that month: what was open stays open
            before = Tally(**{f: 0 for f in TALLY_FIELDS})
            for month, t in sums.items():
                if month < m:
                    before.add(t)
            result.append(MonthFigures(m, Figures.of(Tally(), before)))
    return result


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = centre_tz()
    start = datetime.combine(period.first, time(), tzinfo=tz)
    end = datetime.combine(period.last + timedelta(days=1), time(), tzinfo=tz)
    return start, end


def feedback_by(
    *, period: Period, agencies: Collection[int] | None = None
) -> dict[int, FeedbackFigures]:
    start, end = _bounds(period)
    rows = feedback_handling(start=start, end=end, agencies=agencies)
    return {a: FeedbackFigures(items=n, on_time=ok) for a, (n, ok, _c) in rows.items()}


@dataclass(frozen=True)
class AgencyScore:
    agency: Agency
    figures: Figures
    index: Index
    rank: int | None  # among agencies of the same group (departments, or communes)


# Ranked separately (DOMAIN §9): the province's departments and branches, and its communes.
COMMUNE_KINDS = frozenset({Agency.Kind.COMMUNE})
RANKED_KINDS = frozenset(
    {Agency.Kind.DEPARTMENT, Agency.Kind.COMMUNE, Agency.Kind.POLICE, Agency.Kind.BRANCH}
)


def ranking(
    *, period: Period, agencies: Collection[int] | None = None
) -> tuple[list[AgencyScore], list[AgencyScore]]:
    """The 766 index of every agency with figures in the period: (departments and branches,
    communes), each ranked best first."""
    figures = figures_by(period=period, agencies=agencies)
    feedback = feedback_by(period=period, agencies=agencies)
    found = Agency.objects.in_bulk(list(figures))
    groups: tuple[list[AgencyScore], list[AgencyScore]] = ([], [])
    for commune in (False, True):
        members = {
            pk: index(figures[pk], feedback.get(pk, FeedbackFigures()))
            for pk, agency in found.items()
            if agency.kind in RANKED_KINDS and (agency.kind in COMMUNE_KINDS) == commune
        }
        for r in rank({pk: i.score for pk, i in members.items()}):
            groups[commune].append(
                AgencyScore(found[r.key], figures[r.key], members[r.key], r.rank)
            )
    return groups


def agency_index(*, agency: int, period: Period) -> tuple[Figures, Index]:
    figures = figures_by(period=period, agencies=[agency]).get(agency, Figures.of(Tally(), Tally()))
    feedback = feedback_by(period=period, agencies=[agency]).get(agency, FeedbackFigures())
    return figures, index(figures, feedback)


# ---------------------------------------------------------------------------------------------
# Steps: units, officials, bottlenecks


def _steps(row: dict[str, Any]) -> StepCounts:
    return StepCounts(**{f: row.get(f) or 0 for f in STEP_FIELDS})


def steps_by(
    *,
    period: Period,
    by: tuple[str, ...],
    agencies: Collection[int] | None = None,
    unit: int | None = None,
    holder: int | None = None,
) -> dict[tuple[Any, ...], StepCounts]:
    """Finished steps of the period, summed by the given columns (agency_id, unit_id,
    holder_id, procedure_id, step_index)."""
    rows = StepTally.objects.filter(_inside(period))
    if agencies is not None:
        rows = rows.filter(agency_id__in=list(agencies))
    if unit is not None:
        rows = rows.filter(unit_id=unit)
    if holder is not None:
        rows = rows.filter(holder_id=holder)
    return {
        tuple(r[c] for c in by): _steps(r)
        for r in rows.values(*by).annotate(**{f: Sum(f) for f in STEP_FIELDS})
    }


# ---------------------------------------------------------------------------------------------
# Drill-down: the dossiers behind a figure

FIGURES = ("received", "finished", "early", "on_time", "late", "late_agency", "late_integration",
           "late_supplements", "open_end", "late_open_end")  # fmt: skip


def dossiers_behind(
    *, figure: str, period: Period, agencies: Collection[int], procedure: int | None = None
) -> QuerySet[DossierTally]:
    """The dossiers a figure of the period counts (their tally rows, dossier loaded)."""
    rows = DossierTally.objects.filter(agency_id__in=list(agencies))
    if procedure is not None:
        rows = rows.filter(procedure_id=procedure)
    inside = Q(ended_on__gte=period.first, ended_on__lte=period.last)
    # Open at the end: received by then, and not ended by then (or not at all).
    open_end = Q(received_on__lte=period.last) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=period.last)
    )
    match figure:
        case "received":
            q = Q(received_on__gte=period.first, received_on__lte=period.last)
        case "finished":
            q = inside & ~Q(outcome="")
        case "early" | "on_time" | "late":
            q = inside & Q(outcome=figure)
        case "late_agency" | "late_integration" | "late_supplements":
            q = inside & Q(outcome="late", cause=figure.removeprefix("late_"))
        case "open_end":
            q = open_end
        case "late_open_end":
            q = open_end & Q(late_on__lte=period.last)
        case _:
            raise ValueError(figure)
    return rows.filter(q).select_related("dossier").order_by("-received_on", "-dossier_id")


def as_percent(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}".replace(".", ",") + "%"
