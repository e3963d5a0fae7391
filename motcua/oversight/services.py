"""Keeping the tallies: the worker reads what changed since its last pass (new events, new
ratings), recomputes those dossiers' contributions with the core, and applies the difference.

One refresh runs at a time (it holds the cursor rows); a second worker skips the pass. A
dossier recomputed twice changes nothing the second time, so reading an event again is
harmless; that is what makes waiting on a gap in the ids safe.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F

from motcua.core.calendar import WorkCalendar, local_date
from motcua.core.indicators import (
    DossierRecord,
    RatingRecord,
    judge,
    month_start,
    step_contribution,
)
from motcua.core.indicators import contributions as dossier_contributions
from motcua.dossiers import records
from motcua.exchange.selectors import exchange_integration_seconds_of
from motcua.feedback.selectors import last_rating_id, ratings_after, ratings_for
from motcua.national.selectors import integration_seconds
from motcua.organization.selectors import calendar_for_id
from motcua.oversight.models import AgencyTally, Cursor, DossierTally, Grain, StepTally
from motcua.payments.selectors import payment_facts

# A missing id is waited for this long (a transaction still open) before it is taken as
# rolled back and passed over. Write transactions last milliseconds.
GAP_WAIT = timedelta(minutes=2)
BATCH = 2000


def dossier_record(
    facts: records.Facts,
    rating: tuple[int, datetime, int, bool] | None,
    payment: bool | None,
    integration: int = 0,
) -> DossierRecord:
    """The core's record of a dossier, with its rating, its payment and the working time it
    waited on other systems (motcua.national.selectors.integration_seconds)."""
    return DossierRecord(
        received_at=facts.received_at,
        clock=facts.clock,
        finished_at=facts.finished_at,
        supplement_requests=facts.supplement_requests,
        online=facts.online,
        integration_seconds=integration,
        electronic_result=facts.electronic_result,
        fee_bearing=payment is not None,
        paid_online=bool(payment),
        rating=(
            RatingRecord(at=rating[1], points=rating[2], at_desk=rating[3]) if rating else None
        ),
    )


def dossier_parts(
    facts: records.Facts,
    rating: tuple[int, datetime, int, bool] | None,
    payment: bool | None,
    calendar: WorkCalendar,
    integration: int = 0,
) -> list[list[Any]]:
    """What one dossier contributes to the tallies, as JSON-ready rows: ["a" (agency) or "s"
    (step), the row's key, the local day, the counters that are not 0]."""
    record = dossier_record(facts, rating, payment, integration)
    parts: list[list[Any]] = []
    for day, tally in sorted(dossier_contributions(calendar, record).items()):
        counts = {k: v for k, v in tally.as_dict().items() if v}
        parts.append(["a", [facts.agency_id, facts.procedure_id], day.isoformat(), counts])
    for step in facts.steps:
        day, step_tally = step_contribution(calendar, step)
        key = [step.agency, step.unit, step.holder or 0, facts.procedure_id, step.index]
        counts = {k: v for k, v in step_tally.as_dict().items() if v}
        parts.append(["s", key, day.isoformat(), counts])
    return parts


def _merge(
    parts: Iterable[Sequence[Any]], sign: int, into: dict[tuple[Any, ...], dict[str, int]]
) -> None:
    for table, key, day, counts in parts:
        d = date.fromisoformat(day)
        for grain, when in ((Grain.DAY, d), (Grain.MONTH, month_start(d))):
            row = into.setdefault((table, grain.value, when, *key), defaultdict(int))
            for name, n in counts.items():
                row[name] += sign * n


def _apply(deltas: dict[tuple[Any, ...], dict[str, int]]) -> None:
    """Add the deltas to their rows (the caller holds the refresh's lock)."""
    for (table, grain, day, *key), counts in deltas.items():
        counts = {k: v for k, v in counts.items() if v}
        if not counts:
            continue
        if table == "a":
            model: type[AgencyTally] | type[StepTally] = AgencyTally
            ident = {"agency_id": key[0], "procedure_id": key[1]}
        else:
            model = StepTally
            ident = {
                "agency_id": key[0],
                "unit_id": key[1],
                "holder_id": key[2],
                "procedure_id": key[3],
                "step_index": key[4],
            }
        rows = model.objects.filter(grain=grain, day=day, **ident)
        if not rows.update(**{k: F(k) + v for k, v in counts.items()}):
            model.objects.create(grain=grain, day=day, **ident, **counts)


def recount(dossier_ids: Iterable[int], *, force: bool = False) -> int:
    """Recompute these dossiers' contributions and apply what changed; how many changed."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return 0
    kept = {t.dossier_id: t for t in DossierTally.objects.filter(dossier_id__in=ids)}
    facts = records.facts_from_projection(ids)
    ratings = ratings_for(ids)
    payments = payment_facts(ids)
    # Integration time: the portal's hand-over (motcua.national) and the steps in flight
    # between installations (motcua.exchange), each kept by its own app.
    waits = integration_seconds(ids)
    for dossier_id, seconds in exchange_integration_seconds_of(ids).items():
        waits[dossier_id] = waits.get(dossier_id, 0) + seconds
    deltas: dict[tuple[Any, ...], dict[str, int]] = {}
    changed: list[DossierTally] = []
    calendars: dict[int, WorkCalendar] = {}
    for f in facts:
        rating = ratings.get(f.id)
        old = kept.get(f.id)
        if not force and old is not None and old.version == f.version and old.rated == bool(rating):
            continue
        if f.place_id not in calendars:
            calendars[f.place_id] = calendar_for_id(f.place_id)
        calendar = calendars[f.place_id]
        waited = waits.get(f.id, 0)
        parts = dossier_parts(f, rating, payments.get(f.id), calendar, waited)
        if old is not None:
            if old.parts == parts:
                continue
            _merge(old.parts, -1, deltas)
        _merge(parts, +1, deltas)
        verdict = judge(calendar, dossier_record(f, rating, payments.get(f.id), waited))
        changed.append(
            DossierTally(
                dossier_id=f.id,
                version=f.version,
                rated=bool(rating),
                parts=parts,
                agency_id=f.agency_id,
                procedure_id=f.procedure_id,
                received_on=local_date(f.received_at, calendar.tz),
                ended_on=local_date(verdict.ended_at, calendar.tz) if verdict.ended_at else None,
                outcome=verdict.outcome.value if verdict.outcome else "",
                cause=verdict.cause.value,
                late_on=local_date(verdict.late_from, calendar.tz) if verdict.late_from else None,
            )
        )
    _apply(deltas)
    DossierTally.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["dossier"],
        update_fields=_KEPT,
    )
    return len(changed)


_KEPT = ["version", "rated", "parts", "agency_id", "procedure_id", "received_on", "ended_on",
         "outcome", "cause", "late_on"]  # fmt: skip


@dataclass(frozen=True)
class RefreshReport:
    events: int = 0
    ratings: int = 0
    dossiers: int = 0
    skipped: bool = False  # another refresh holds the lock
    waiting: bool = False  # a cursor stands before a gap in the ids: the next pass reads on


def _read(cursor: Cursor, rows: list[tuple[int, int]], now: datetime) -> None:
    """Move the cursor over the ids read, up to the first gap still awaited.

    A missing id is an insert whose transaction is still open, or one rolled back (its id
    will never appear). Each gap is remembered from the pass that first saw an id after it;
    one still missing GAP_WAIT later is passed over. Gaps are timed each on its own, so a
    province where some writes roll back every minute does not fall behind."""
    position = cursor.position
    gaps: dict[str, str] = dict(cursor.gaps)
    seen: dict[str, str] = {}
    expected = position + 1
    blocked = False
    for pk, _dossier in rows:
        if pk != expected:
            gap = str(expected)  # ids expected .. pk-1 are missing
            since = seen[gap] = gaps.get(gap, now.isoformat())
            blocked = blocked or now - datetime.fromisoformat(since) <= GAP_WAIT
        expected = pk + 1
        if not blocked:
            position = pk
    cursor.position = position
    cursor.gaps = {g: t for g, t in seen.items() if int(g) > position}


def tallies_refresh(*, now: datetime, batch: int | None = None) -> RefreshReport:
    """One pass: the dossiers whose events or ratings are new since the last, recounted."""
    batch = batch or BATCH
    with transaction.atomic():
        for name in ("events", "ratings"):
            Cursor.objects.get_or_create(name=name)
        cursors = {
            c.name: c
            for c in Cursor.objects.select_for_update(skip_locked=True).filter(
                name__in=("events", "ratings")
            )
        }
        if len(cursors) < 2:
            return RefreshReport(skipped=True)
        events = records.changed_dossiers(after=cursors["events"].position, limit=batch)
        rated = ratings_after(after=cursors["ratings"].position, limit=batch)
        changed = recount({d for _, d in events} | {d for _, d in rated})
        _read(cursors["events"], events, now)
        _read(cursors["ratings"], rated, now)
        for c in cursors.values():
            c.save()
    waiting = any(c.gaps for c in cursors.values())
    return RefreshReport(events=len(events), ratings=len(rated), dossiers=changed, waiting=waiting)


def tallies_catch_up(*, now: datetime, budget_seconds: float = 10.0) -> int:
    """Refresh passes until the log is read to its end or the budget is spent (a busy
    province writes more events between two worker passes than one batch holds); how many
    dossiers changed."""
    started = time.monotonic()
    changed = 0
    while True:
        report = tallies_refresh(now=now)
        changed += report.dossiers
        caught_up = max(report.events, report.ratings) < BATCH
        if (
            report.skipped
            or caught_up
            or report.waiting
            or time.monotonic() - started > budget_seconds
        ):
            return changed


def tallies_rebuild() -> int:
    """Every tally from scratch (after a change of rules or calendars); how many dossiers.

    The cursors move to the last event and rating that exist now; what comes after is the
    next refresh's."""
    with transaction.atomic():
        for name in ("events", "ratings"):
            Cursor.objects.get_or_create(name=name)
        cursors = {c.name: c for c in Cursor.objects.select_for_update()}
        cursors["events"].position = records.last_event_id()
        cursors["ratings"].position = last_rating_id()
        AgencyTally.objects.all().delete()
        StepTally.objects.all().delete()
        DossierTally.objects.all().delete()
        ids = records.received_dossier_ids()
        done = 0
        for i in range(0, len(ids), BATCH):
            done += recount(ids[i : i + BATCH], force=True)
        for c in cursors.values():
            c.gaps = {}
            c.save()
    return done
