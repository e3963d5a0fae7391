"""A procedure's steps as a plan: who signs where, how long each step has, what is ahead.

The catalog's step templates name, for each step, an agency (by reference), a unit, the role
that acts and an allotment in working days (DOMAIN §5). A dossier walks the plan one step at
a time; the write path asks this module what the plan says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from motcua.core.calendar import WorkCalendar
from motcua.core.lifecycle import SIGNING_ROLES, Role


class LimitUnit(StrEnum):
    """How a procedure's statutory time is given (the catalog's `time_limit_unit`)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    SAME_DAY = "same_day"


def statutory_budget(limit: Decimal, unit: LimitUnit, calendar: WorkCalendar) -> dict[str, Any]:
    """A procedure's statutory time as the clock's START arguments: a same-day procedure, or
    working seconds (days count in this calendar's working day, hours as hours)."""
    if unit is LimitUnit.SAME_DAY:
        return {"same_day": True}
    if unit is LimitUnit.WORKING_HOURS:
        return {"working_seconds": int(limit * 3600)}
    return {"working_seconds": calendar.days_to_seconds(limit)}


@dataclass(frozen=True)
class PlannedStep:
    """One step of a procedure as its template states it."""

    name: str
    agency_ref: str  # "receiving" | "competent" | "commune_police" | an agency e-ID code
    unit: str  # unit code inside that agency
    role: Role  # who acts: desk | specialist | unit_leader | agency_leader
    allotment: Decimal  # working days


def signs(plan: Sequence[PlannedStep], index: int) -> bool:
    """True if step `index` is where its agency signs: a leader's step that ends that agency's
    run of steps (the next step belongs to another agency, or there is none).

    A leader's step followed by another step of the same agency ("Kiểm tra, trình ký" before
    the director's "Ký") reviews and initials; it passes the dossier on without signing.
    The catalog has no procedure decided at the desk (NĐ 118 Điều 8 k1) [check]: supporting
    one needs the catalog to mark it, and the desk would then sign its own step.
    """
    step = plan[index]
    if step.role not in SIGNING_ROLES:
        return False
    return index + 1 == len(plan) or plan[index + 1].agency_ref != step.agency_ref


def plan_problems(plan: Sequence[PlannedStep]) -> list[tuple[int, str]]:
    """Why a dossier could never reach its result under the right to act (core.lifecycle),
    as (step index, reason): only a specialist's step proposes, only a proposal is signed,
    and a last step that signs nothing needs a decision signed before it."""
    problems: list[tuple[int, str]] = []
    proposal = signed = False
    for index, step in enumerate(plan):
        if step.role is Role.SPECIALIST:
            proposal = True
        if signs(plan, index):
            if not proposal:
                problems.append(
                    (index, "bước ký duyệt không có bước chuyên viên đề xuất kết quả nào trước nó")
                )
            proposal, signed = False, True
    if plan and not signs(plan, len(plan) - 1) and not signed:
        problems.append(
            (len(plan) - 1, "quy trình không có bước nào của lãnh đạo ký duyệt kết quả")
        )
    return problems


def allotment_seconds(step: PlannedStep, calendar: WorkCalendar) -> int:
    """The step's allotment in working seconds of this calendar."""
    return calendar.days_to_seconds(step.allotment)


def seconds_after(plan: Sequence[PlannedStep], index: int, calendar: WorkCalendar) -> int:
    """Working seconds the procedure allots to the steps after step `index`."""
    return calendar.days_to_seconds(sum((s.allotment for s in plan[index + 1 :]), Decimal(0)))


def step_due(step: PlannedStep, calendar: WorkCalendar, started_at: datetime) -> datetime:
    """When a step opened at `started_at` is due: its allotment of office time later."""
    return calendar.add_working_seconds(started_at, allotment_seconds(step, calendar))


@dataclass(frozen=True)
class Resumed:
    """A step after the citizen's pause: its new due time and the citizen's time to discount."""

    due_at: datetime
    paused_seconds: int


def resume_step(
    calendar: WorkCalendar, *, due_at: datetime, paused_at: datetime, resumed_at: datetime
) -> Resumed:
    """The open step's deadline after a pause: the office time it had left when the pause
    began, counted again from the resumption (none left: due on resumption, still late); the
    pause is the citizen's time, not the agency's."""
    left = calendar.working_seconds_between(paused_at, due_at)
    return Resumed(
        due_at=calendar.add_working_seconds(resumed_at, left),
        paused_seconds=calendar.working_seconds_between(paused_at, resumed_at),
    )
