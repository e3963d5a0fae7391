"""What oversight reads of dossiers: each one's record for `core.indicators`, from the
projection (what the refresh uses) or rebuilt from the events alone (what the test that checks
the rollups uses). The two must agree; `audit verify` checks the same projection the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.core import clock as core_clock
from motcua.core import signals
from motcua.core.indicators import StepRecord
from motcua.core.lifecycle import Status
from motcua.dossiers import audit
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierEvent,
    DossierResult,
    DossierStep,
)
from motcua.dossiers.selectors import clock_entries


@dataclass(frozen=True)
class Facts:
    """One received dossier as oversight counts it (the core's record, and where it counts)."""

    id: int
    version: int
    agency_id: int  # the agency that settles it (its 766 index counts it)
    procedure_id: int
    place_id: int  # whose calendar counts its time
    received_at: datetime
    finished_at: datetime | None
    clock: tuple[core_clock.ClockEntry, ...]
    supplement_requests: int
    online: bool
    electronic_result: bool
    steps: tuple[StepRecord, ...]


def _step(row: Mapping[str, Any]) -> StepRecord:
    def moment(value: Any) -> datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    return StepRecord(
        index=row["index"],
        agency=row["agency_id"],
        unit=row["unit_id"],
        holder=row["holder_id"],
        started_at=moment(row["started_at"]),
        due_at=moment(row["due_at"]),
        ended_at=moment(row["ended_at"]),
        paused_seconds=row["paused_seconds"],
        outcome=row["outcome"],
    )


def _entries(clock: Sequence[Mapping[str, Any]]) -> tuple[core_clock.ClockEntry, ...]:
    holder = Dossier(clock=list(clock))
    return tuple(clock_entries(holder))


_FIELDS = (
    "id",
    "version",
    "competent_agency_id",
    "receiving_agency_id",
    "procedure_version__procedure_id",
    "received_place_id",
    "received_at",
    "finished_at",
    "clock",
    "supplement_requests",
    "channel",
)


def facts_from_projection(ids: Iterable[int]) -> list[Facts]:
    """The received dossiers among `ids`, as their projection and step rows say."""
    rows = list(
        Dossier.objects.filter(pk__in=list(ids), received_at__isnull=False).values(*_FIELDS)
    )
    found = [r["id"] for r in rows]
    steps: dict[int, list[StepRecord]] = defaultdict(list)
    for s in (
        DossierStep.objects.filter(dossier_id__in=found)
        .order_by("dossier_id", "ended_at", "index", "pk")
        .values("dossier_id", *(c for c in audit.STEP_COLUMNS if c not in ("name", "note")))
    ):
        steps[s["dossier_id"]].append(_step(s))
    results = set(
        DossierResult.objects.filter(dossier_id__in=found).values_list("dossier_id", flat=True)
    )
    return [
        Facts(
            id=r["id"],
            version=r["version"],
            agency_id=r["competent_agency_id"] or r["receiving_agency_id"],
            procedure_id=r["procedure_version__procedure_id"],
            place_id=r["received_place_id"],
            received_at=r["received_at"],
            finished_at=r["finished_at"],
            clock=_entries(r["clock"]),
            supplement_requests=r["supplement_requests"],
            online=r["channel"] == Dossier.Channel.ONLINE,
            electronic_result=r["id"] in results,
            steps=tuple(steps[r["id"]]),
        )
        for r in rows
    ]


def facts_from_events(ids: Iterable[int]) -> list[Facts]:
    """The same records rebuilt from the events alone: the fields each event set, the clock
    entries and hand-overs it recorded, the result copy it attached. Only the channel and the
    procedure's identity are read from the dossier row (neither changes after creation)."""
    ids = list(ids)
    fixed = {
        r["id"]: r
        for r in Dossier.objects.filter(pk__in=ids).values(
            "id", "channel", "procedure_version_id", "procedure_version__procedure_id"
        )
    }
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "seq")
        .values("dossier_id", "seq", "at", "to_status", "payload", "hash")
    ):
        events[e["dossier_id"]].append(dict(e))
    out = []
    for pk in ids:
        history = events.get(pk, [])
        state = audit.rebuild(history)
        f = state.fields
        if not f.get("received_at"):
            continue
        clock = [e["payload"]["clock"] for e in history if "clock" in e["payload"]]
        steps = sorted(
            (_step(dict(zip(audit.STEP_COLUMNS, s, strict=True))) for s in state.steps),
            key=lambda s: (s.ended_at, s.index),
        )
        out.append(
            Facts(
                id=pk,
                version=state.version,
                agency_id=f.get("competent_agency_id") or f["receiving_agency_id"],
                procedure_id=fixed[pk]["procedure_version__procedure_id"],
                place_id=f["received_place_id"],
                received_at=datetime.fromisoformat(f["received_at"]),
                finished_at=(
                    datetime.fromisoformat(f["finished_at"]) if f.get("finished_at") else None
                ),
                clock=_entries(clock),
                supplement_requests=f.get("supplement_requests", 0),
                online=fixed[pk]["channel"] == Dossier.Channel.ONLINE,
                electronic_result=any("result_copy" in e["payload"] for e in history),
                steps=tuple(steps),
            )
        )
    return out


def changed_dossiers(*, after: int, limit: int) -> list[tuple[int, int]]:
    """(event id, dossier id) of the events after the id `after`, in id order."""
    return list(
        DossierEvent.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "dossier_id")[:limit]
    )


def last_event_id() -> int:
    return DossierEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def received_dossier_ids() -> list[int]:
    """Every received dossier, for a rebuild from scratch."""
    return list(
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Hand-overs, for the buck-passing and silence signals

# The worker's own marks are not someone acting on the dossier.
_NOT_ACTIONS = ("warn", "mark_overdue")


def activities(ids: Iterable[int]) -> list[signals.DossierActivity]:
    """The hand-over history of each open dossier among `ids`: its finished stays (with the
    action that ended each), the stay it is in, its supplement requests and its last action."""
    ids = list(ids)
    held = Dossier.objects.filter(pk__in=ids, still_open=True, received_at__isnull=False)
    rows = {
        r["id"]: r
        for r in held.values(
            "id", "status", "step_index", "current_agency_id", "current_unit_id",
            "current_holder_id", "step_started_at",
        )
    }  # fmt: skip
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        DossierEvent.objects.filter(dossier_id__in=list(rows))
        .exclude(action__in=_NOT_ACTIONS)
        .order_by("dossier_id", "seq")
        .values("dossier_id", "action", "at", "agency_id", "unit_id", "actor_id", "payload")
    ):
        events[row["dossier_id"]].append(dict(row))
    out = []
    for pk, d in rows.items():
        history = events.get(pk, [])
        holdings = []
        for e in history:
            step = e["payload"].get("step")
            if isinstance(step, dict):
                holdings.append(
                    signals.Holding(
                        step=step["index"],
                        agency=step["agency"],
                        unit=step["unit"],
                        holder=step.get("holder"),
                        started_at=datetime.fromisoformat(step["started_at"]),
                        ended_at=e["at"],
                        ended_by=e["action"],
                    )
                )
        if d["step_started_at"] is not None and d["current_unit_id"] is not None:
            holdings.append(
                signals.Holding(
                    step=d["step_index"],
                    agency=d["current_agency_id"],
                    unit=d["current_unit_id"],
                    holder=d["current_holder_id"],
                    started_at=d["step_started_at"],
                )
            )
        requests = tuple(
            signals.Act(agency=e["agency_id"], unit=e["unit_id"], person=e["actor_id"], at=e["at"])
            for e in history
            if e["action"] == "request_supplement"
        )
        out.append(
            signals.DossierActivity(
                dossier=pk,
                holdings=tuple(holdings),
                supplement_requests=requests,
                last_action_at=history[-1]["at"] if history else None,
                waiting_for_citizen=d["status"] == Status.SUPPLEMENT,
            )
        )
    return out


def open_dossiers_in(agencies: Iterable[int], *, limit: int) -> list[int]:
    """Open dossiers held by these agencies now, oldest step first."""
    return list(
        Dossier.objects.filter(
            still_open=True, received_at__isnull=False, current_agency_id__in=list(agencies)
        )
        .order_by("step_started_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def dossiers_by_id(ids: Iterable[int]) -> dict[int, Dossier]:
    return Dossier.objects.in_bulk(list(ids))


def received_places(ids: Iterable[int]) -> dict[int, int]:
    """Each dossier's place of reception (whose calendar counts its time)."""
    return dict(Dossier.objects.filter(pk__in=list(ids)).values_list("pk", "received_place_id"))


def apologies_by_holder(*, start: datetime, end: datetime) -> dict[int, int]:
    """Apology letters drafted in [start, end), counted against the person who held the step
    the letter blames (the latest hand-over of that step): only time they held it."""
    out: dict[int, int] = {}
    for dossier_id, index in ApologyLetter.objects.filter(
        drafted_at__gte=start, drafted_at__lt=end
    ).values_list("dossier_id", "step_index"):
        holder = (
            DossierStep.objects.filter(dossier_id=dossier_id, index=index)
            .order_by("-ended_at")
            .values_list("holder_id", flat=True)
            .first()
        )
        if holder is None:  # the step blamed is the one still open
            holder = (
                Dossier.objects.filter(pk=dossier_id, step_index=index)
                .values_list("current_holder_id", flat=True)
                .first()
            )
        if holder is not None:
            out[holder] = out.get(holder, 0) + 1
    return out
