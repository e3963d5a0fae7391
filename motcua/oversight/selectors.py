"""Oversight's reads: a period's figures from the tally rows (never a scan of the dossiers),
the 766 index and ranking, steps by unit and official, and the dossiers behind a number."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from motcua.catalog.selectors import procedure_labels, step_names
from motcua.core.calendar import WorkCalendar
from motcua.core.codes import is_row_id
from motcua.core.errors import NotFound, _
from motcua.core.indicators import (
    STEP_FIELDS,
    TALLY_FIELDS,
    FeedbackFigures,
    Figures,
    Index,
    Indicator,
    Period,
    SyncFigures,
    Tally,
    index,
    month_start,
    rank,
)
from motcua.core.indicators import (
    StepTally as StepCounts,
)
from motcua.core.routing import allotment_seconds
from motcua.core.scope import NOBODY, Scope, oversight_scope
from motcua.core.signals import DossierSignals, EarlyWarnings, detect, early_warnings
from motcua.dossiers import records
from motcua.dossiers.selectors import (
    dossier_apology_letter,
    dossier_blame,
    dossier_plan,
    dossier_steps,
    open_dossiers_due,
    steps_ended,
)
from motcua.feedback.selectors import feedback_handling, rated_dossiers
from motcua.national.selectors import synced_by
from motcua.organization.selectors import (
    Actor,
    agencies_by_id,
    agency_by_code,
    agency_parents,
    calendar_for,
    calendar_for_id,
    centre_tz,
    is_centre,
    person_names,
    ranked_group,
    unit_names,
)
from motcua.oversight.models import AgencyTally, DossierTally, Grain, StepTally

if TYPE_CHECKING:
    from motcua.dossiers.models import ApologyLetter, Dossier, DossierStep
    from motcua.organization.models import Agency


def scope_of(actor: Actor | None, parents: Mapping[int, int | None] | None = None) -> Scope:
    """What this member of staff may see of oversight (`parents`: the agency tree, when the
    caller has already read it)."""
    if actor is None or actor.agency is None or actor.unit is None or actor.user_id is None:
        return NOBODY
    parents = agency_parents() if parents is None else parents
    return oversight_scope(
        role=actor.role,
        user=actor.user_id,
        agency=actor.agency.pk,
        unit=actor.unit.pk,
        is_centre=is_centre(actor.agency),
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
    return {a: FeedbackFigures(items=n, on_time=ok) for a, (n, ok, _c, _u) in rows.items()}


def sync_by(
    *, period: Period, agencies: Collection[int] | None = None
) -> dict[int, SyncFigures] | None:
    """Indicator 1.4's synced dossiers per agency (one query for them all); None when this
    installation is not connected to the national portal. An agency missing synced none."""
    start, end = _bounds(period)
    synced = synced_by(start=start, end=end, agencies=agencies)
    return None if synced is None else {a: SyncFigures(n) for a, n in synced.items()}


def _sync_of(sync: Mapping[int, SyncFigures] | None, agency: int) -> SyncFigures | None:
    return None if sync is None else sync.get(agency, SyncFigures(0))


@dataclass(frozen=True)
class AgencyScore:
    agency: Agency
    figures: Figures
    index: Index
    rank: int | None  # among agencies of the same group (departments, or communes)

    @property
    def synced(self) -> Indicator:
        """Indicator 1.4 (empty when this installation is not connected to the portal)."""
        return self.index.indicator("1.4")


# The agencies ranked with the communes (DOMAIN §9: departments and communes apart).
COMMUNE_KINDS = frozenset({"commune"})


def ranking(
    *, period: Period, agencies: Collection[int] | None = None
) -> tuple[list[AgencyScore], list[AgencyScore]]:
    """The 766 index of every agency with figures in the period: (departments and branches,
    communes), each ranked best first."""
    figures = figures_by(period=period, agencies=agencies)
    feedback = feedback_by(period=period, agencies=agencies)
    sync = sync_by(period=period, agencies=agencies)
    found = agencies_by_id(figures)
    groups: tuple[list[AgencyScore], list[AgencyScore]] = ([], [])
    for commune, group in ((False, "department"), (True, "commune")):
        members = {
            pk: index(figures[pk], feedback.get(pk, FeedbackFigures()), sync=_sync_of(sync, pk))
            for pk, agency in found.items()
            if ranked_group(agency) == group
        }
        for r in rank({pk: i.score for pk, i in members.items()}):
            groups[commune].append(
                AgencyScore(found[r.key], figures[r.key], members[r.key], r.rank)
            )
    return groups


def agency_index(*, agency: int, period: Period) -> tuple[Figures, Index]:
    figures = figures_by(period=period, agencies=[agency]).get(agency, Figures.of(Tally(), Tally()))
    feedback = feedback_by(period=period, agencies=[agency]).get(agency, FeedbackFigures())
    sync = _sync_of(sync_by(period=period, agencies=[agency]), agency)
    return figures, index(figures, feedback, sync=sync)


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
           "late_supplements", "open_end", "late_open_end", "ratings", "ratings_own",
           "ratings_at_desk")  # fmt: skip
# The step counts of a unit or an official: steps held, finished early or on time, late.
STEP_FIGURES = ("steps", "steps_in_time", "steps_late")


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
        case "to_process":  # carried over (open at the start) or received in the period
            q = Q(received_on__lte=period.last) & (
                Q(ended_on__isnull=True) | Q(ended_on__gte=period.first)
            )
        case "open_end":
            q = open_end
        case "late_open_end":
            q = open_end & Q(late_on__lte=period.last)
        case "ratings" | "ratings_own" | "ratings_at_desk":
            # Rated on a local day of the period (as the tallies date a rating).
            start, end = _bounds(period)
            at_desk = {"ratings": None, "ratings_own": False, "ratings_at_desk": True}[figure]
            rated = rated_dossiers(start=start, end=end, at_desk=at_desk)
            q = Q(rated=True, dossier_id__in=rated)
        case _:
            raise ValueError(figure)
    return rows.filter(q).select_related("dossier").order_by("-received_on", "-dossier_id")


def steps_behind(
    *,
    figure: str,
    period: Period,
    agencies: Collection[int],
    unit: int | None = None,
    holder: int | None = None,
) -> QuerySet[DossierStep]:
    """The finished steps a unit's or an official's step count of the period counts (on the
    local day each ended, as the step tallies date them), each with its dossier."""
    if figure not in STEP_FIGURES:
        raise ValueError(figure)
    start, end = _bounds(period)
    late = {"steps": None, "steps_in_time": False, "steps_late": True}[figure]
    return steps_ended(start=start, end=end, agencies=agencies, unit=unit, holder=holder, late=late)


def as_percent(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}".replace(".", ",") + "%"


# ---------------------------------------------------------------------------------------------
# The pages' reads: scope, periods, times, procedures, units, officials, bottlenecks


def agency_in_scope(*, scope: Scope, code: str) -> Agency:
    """The agency with this code, if the scope sees it; the same NotFound for missing and
    outside the scope, so codes cannot be probed."""
    agency = agency_by_code(code.strip().upper())
    if agency is None or agency.pk not in scope.agencies:
        raise NotFound(_("Không tìm thấy cơ quan."))
    return agency


PRESETS: tuple[tuple[str, StrOrPromise], ...] = (
    ("month", gettext_lazy("Tháng này")),
    ("last_month", gettext_lazy("Tháng trước")),
    ("quarter", gettext_lazy("Quý này")),
    ("year", gettext_lazy("Năm nay")),
)


def preset_period(preset: str, today: date) -> Period:
    """A named period up to `today` (a previous month whole)."""
    match preset:
        case "last_month":
            last = today.replace(day=1) - timedelta(days=1)
            return Period(last.replace(day=1), last)
        case "quarter":
            return Period(today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today)
        case "year":
            return Period(today.replace(month=1, day=1), today)
        case _:
            return Period(today.replace(day=1), today)


@dataclass(frozen=True)
class Times:
    """Average working seconds per finished dossier, each kind of time apart (DOMAIN §13):
    the agencies' own, waiting on other systems, waiting for the citizen; and the statutory
    time of those that have one. None when nothing finished."""

    agency: Fraction | None
    integration: Fraction | None
    citizen: Fraction | None
    statutory: Fraction | None


def times_of(figures: Figures) -> Times:
    p = figures.period
    if not p.finished:
        return Times(None, None, None, None)
    own = p.agency_seconds - p.integration_seconds  # the clock's time includes integration
    return Times(
        agency=Fraction(own, p.finished),
        integration=Fraction(p.integration_seconds, p.finished),
        citizen=Fraction(p.citizen_seconds, p.finished),
        statutory=Fraction(p.statutory_seconds, p.timed) if p.timed else None,
    )


def due_soon(
    *, agencies: Collection[int], now: datetime, until: datetime, procedure: int | None = None
) -> QuerySet[DossierTally]:
    """Open dossiers of these agencies whose clock runs and whose appointment falls between
    now and `until` (the early warning of DOMAIN §9), as tally rows with the dossier loaded."""
    due = open_dossiers_due(agencies=list(agencies), start=now, end=until).values("pk")
    rows = DossierTally.objects.filter(agency_id__in=list(agencies), dossier_id__in=due)
    if procedure is not None:
        rows = rows.filter(procedure_id=procedure)
    return rows.select_related("dossier").order_by("dossier__due_at", "dossier_id")


@dataclass(frozen=True)
class ProcedureRow:
    procedure: int
    code: str
    name: str
    figures: Figures
    times: Times


def by_procedure(*, period: Period, agencies: Collection[int]) -> list[ProcedureRow]:
    """The period's figures per procedure, busiest first."""
    figures = figures_by(period=period, agencies=agencies, by="procedure_id")
    labels = procedure_labels(list(figures))
    rows = [
        ProcedureRow(pk, *labels.get(pk, ("", "")), figures=f, times=times_of(f))
        for pk, f in figures.items()
    ]
    return sorted(rows, key=lambda r: (-r.figures.to_process, r.code))


@dataclass(frozen=True)
class StepRow:
    """Finished steps summed for one unit, official or step of a procedure."""

    key: tuple[Any, ...]
    label: str
    detail: str  # the unit of an official, the procedure of a step
    counts: StepCounts

    @property
    def average_held(self) -> Fraction | None:
        c = self.counts
        return Fraction(c.held_seconds, c.steps) if c.steps else None

    @property
    def average_overrun(self) -> Fraction | None:
        c = self.counts
        return Fraction(c.overrun_seconds, c.steps) if c.steps else None

    @property
    def late_rate(self) -> Fraction | None:
        c = self.counts
        return Fraction(c.late, c.steps) if c.steps else None


def by_unit(*, period: Period, agencies: Collection[int]) -> list[StepRow]:
    """Steps held per unit, the most overrun first."""
    found = steps_by(period=period, by=("unit_id",), agencies=agencies)
    names = unit_names([k[0] for k in found])
    rows = [StepRow(k, names.get(k[0], ""), "", c) for k, c in found.items()]
    return sorted(rows, key=lambda r: (-r.counts.overrun_seconds, -r.counts.steps, r.label))


def by_official(*, period: Period, agencies: Collection[int]) -> list[StepRow]:
    """Steps held per official (only the time each held them), the most overrun first; steps
    that named no one are left out."""
    found = steps_by(period=period, by=("holder_id", "unit_id"), agencies=agencies)
    people = person_names([k[0] for k in found if k[0]])
    units = unit_names([k[1] for k in found])
    rows = [
        StepRow(k, people.get(k[0], ""), units.get(k[1], ""), c) for k, c in found.items() if k[0]
    ]
    return sorted(rows, key=lambda r: (-r.counts.overrun_seconds, -r.counts.steps, r.label))


def bottlenecks(*, period: Period, agencies: Collection[int], limit: int = 10) -> list[StepRow]:
    """The steps where dossiers wait longest: by average held time, then overrun."""
    found = steps_by(period=period, by=("procedure_id", "step_index"), agencies=agencies)
    procedures = list({k[0] for k in found})
    names = step_names(procedures)
    labels = procedure_labels(procedures)
    rows = [
        StepRow(k, names.get((k[0], k[1]), ""), labels.get(k[0], ("", ""))[1], c)
        for k, c in found.items()
    ]
    rows.sort(key=lambda r: (-(r.average_held or 0), -r.counts.overrun_seconds, r.key))
    return rows[:limit]


# ---------------------------------------------------------------------------------------------
# A dossier's delay, step by step: who held it too long


@dataclass(frozen=True)
class HeldStep:
    index: int
    name: str
    agency: str
    unit: str
    holder: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None  # None: still there
    allotted_seconds: int
    held_seconds: int  # the holder's working time, citizen waits excluded
    overrun_seconds: int  # working time past the step's due time
    outcome: str
    responsible: bool  # the step the delay is blamed on


@dataclass(frozen=True)
class Attribution:
    dossier: Dossier
    tally: DossierTally
    procedure: str
    steps: list[HeldStep]
    responsible_agency: Agency | None  # asked for the apology; else the step blamed
    apology: ApologyLetter | None
    blamed_overrun: int  # working seconds the blamed step went past its allotment
    day: int  # working seconds in a working day of the dossier's calendar


def dossier_attribution(*, scope: Scope, pk: int, now: datetime) -> Attribution:
    """A dossier of an agency in the scope, its steps judged against their allotments and the
    agency responsible for its delay; the same NotFound for missing and outside the scope."""
    if not is_row_id(pk):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    tally = (
        DossierTally.objects.filter(dossier_id=pk, agency_id__in=list(scope.agencies))
        .select_related(
            "dossier__procedure_version__procedure",
            "dossier__received_place",
            "dossier__competent_agency",
            "dossier__current_agency",
            "dossier__current_unit",
        )
        .first()
    )
    if tally is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    dossier = tally.dossier
    calendar = calendar_for(dossier.received_place)
    plan = dossier_plan(dossier)
    steps = dossier_steps(dossier)
    blame = dossier_blame(dossier, calendar, now)
    letter = dossier_apology_letter(dossier)
    people = person_names([s.holder_id for s in steps if s.holder_id])
    rows = []
    for step in steps:
        end = step.ended_at or now
        held = calendar.working_seconds_between(step.started_at, end) - step.paused_seconds
        rows.append(
            HeldStep(
                index=step.index,
                name=step.name,
                agency=step.agency.name,
                unit=step.unit.name if step.unit else "",
                holder=people.get(step.holder_id, "") if step.holder_id else "",
                started_at=step.started_at,
                due_at=step.due_at,
                ended_at=step.ended_at,
                allotted_seconds=(
                    allotment_seconds(plan[step.index], calendar) if step.index < len(plan) else 0
                ),
                held_seconds=max(0, held),
                overrun_seconds=calendar.working_seconds_between(step.due_at, end),
                outcome=step.outcome or ("late" if end > step.due_at else ""),
                responsible=blame is not None
                and blame.overrun_seconds > 0
                and blame.step.index == step.index,
            )
        )
    responsible = None
    if letter is not None:
        responsible = letter.agency
    elif blame is not None and blame.overrun_seconds > 0:
        responsible = agencies_by_id([blame.step.agency]).get(blame.step.agency)
    return Attribution(
        dossier=dossier,
        tally=tally,
        procedure=dossier.procedure_version.procedure.name,
        steps=rows,
        responsible_agency=responsible,
        apology=letter,
        blamed_overrun=blame.overrun_seconds if blame is not None else 0,
        day=calendar.working_day_seconds,
    )


# ---------------------------------------------------------------------------------------------
# Buck-passing and silence: the supervisor's early-warning list

# Open dossiers looked at per request, oldest step first (a province's open dossiers are
# tens of thousands; the oldest are where silence shows).
WARNING_LIST_LIMIT = 5000


@dataclass(frozen=True)
class FlaggedDossier:
    dossier: Dossier
    signals: DossierSignals


@dataclass(frozen=True)
class WarningList:
    flagged: list[FlaggedDossier]
    warnings: EarlyWarnings
    looked_at: int


def early_warning_list(*, agencies: Collection[int], now: datetime) -> WarningList:
    """The open dossiers held in these agencies that are bounced, sent back, asked twice for
    papers or idle, with the units and people most involved."""
    ids = records.open_dossiers_in(agencies, limit=WARNING_LIST_LIMIT)
    results = []
    calendars: dict[int, WorkCalendar] = {}
    places = records.received_places(ids)
    for activity in records.activities(ids):
        place = places[activity.dossier]
        if place not in calendars:
            calendars[place] = calendar_for_id(place)
        found = detect(activity, now=now, calendar=calendars[place])
        if found.signals:
            results.append(found)
    shown = records.dossiers_by_id(r.dossier for r in results)
    flagged = [FlaggedDossier(shown[r.dossier], r) for r in results if r.dossier in shown]
    flagged.sort(key=lambda f: (-len(f.signals.signals), f.dossier.step_started_at or now))
    return WarningList(flagged, early_warnings(results), len(ids))


def received_total() -> int:
    """Dossiers received since the first tally, every agency (the month rows, as far as the
    worker has tallied): /metrics' counter, read from a few thousand rows, never the dossiers."""
    total = AgencyTally.objects.filter(grain=Grain.MONTH).aggregate(n=Sum("received"))["n"]
    return int(total or 0)
