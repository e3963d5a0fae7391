"""Which step (and so which agency) caused a dossier's delay, counting only time it held it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from motcua.core.errors import _


@dataclass(frozen=True)
class StepSpan:
    """One step as held by one agency: its allotment and the agency time it actually used."""

    index: int
    agency: int  # the agency that held it (its id)
    allotted_seconds: int  # working seconds the procedure gives this step
    used_seconds: int  # working seconds the agency held it, citizen pauses excluded
    open: bool = False  # the dossier is still at this step


@dataclass(frozen=True)
class Blame:
    step: StepSpan
    overrun_seconds: int  # agency time beyond the allotment (0 when only predicted late)


def responsible_step(spans: Sequence[StepSpan]) -> Blame | None:
    """The step that overran its allotment the most; else the open step; None if no steps.

    Several hand-overs of the same step index (sent back and forth) add up, so a unit that
    bounces a dossier carries the time it held it each time.
    """
    if not spans:
        return None
    used: dict[int, int] = {}
    for span in spans:
        used[span.index] = used.get(span.index, 0) + span.used_seconds
    worst: Blame | None = None
    for span in spans:
        overrun = used[span.index] - span.allotted_seconds
        if overrun > 0 and (worst is None or overrun > worst.overrun_seconds):
            worst = Blame(step=span, overrun_seconds=overrun)
    if worst is not None:
        return worst
    current = [s for s in spans if s.open] or [spans[-1]]
    return Blame(step=current[-1], overrun_seconds=0)


def step_outcome(*, ended_at: datetime, due_at: datetime, tz: tzinfo) -> str:
    """Form 06's verdict on a hand-over: late after the due time; early when it came on an
    earlier day than the due date (as centres read "trước hạn"); on time otherwise."""
    if ended_at > due_at:
        return "late"
    if ended_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return "early"
    return "on_time"


OUTCOME_LABELS = {"early": _("Trước hạn"), "on_time": _("Đúng hạn"), "late": _("Quá hạn")}
