"""A procedure's plan: where each agency signs, the allotments, a step's deadline after the
citizen's pause; and the apology outlook (DOMAIN §5), with hand-computed answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.core.apology import outlook
from motcua.core.calendar import WorkCalendar
from motcua.core.lifecycle import Role
from motcua.core.routing import (
    PlannedStep,
    allotment_seconds,
    plan_problems,
    resume_step,
    seconds_after,
    signs,
    step_due,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar(tz=VN)  # 08:00-12:00, 13:00-17:00, Monday to Friday
H = 3600


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def step(agency: str, role: str, days: str = "0.5", unit: str = "u") -> PlannedStep:
    return PlannedStep(
        name=f"{agency}/{role}",
        agency_ref=agency,
        unit=unit,
        role=Role(role),
        allotment=Decimal(days),
    )


DESK = step("receiving", "desk", "0.125", "mot-cua")
# Plans shaped like the catalog's, and the steps where a decision is signed.
PLANS = [
    (
        "birth registration",
        [DESK, step("competent", "specialist"), step("competent", "agency_leader")],
        {2},
    ),
    (
        "criminal record: the unit leader reviews, the director signs",
        [
            DESK,
            step("competent", "unit_leader"),
            step("competent", "specialist"),
            step("competent", "unit_leader"),
            step("competent", "agency_leader"),
        ],
        {4},
    ),
    (
        "business registration: the office's head signs at the last step",
        [
            DESK,
            step("competent", "unit_leader"),
            step("competent", "specialist"),
            step("competent", "unit_leader"),
        ],
        {3},
    ),
    (
        "the inter-agency birth chain: each agency's leader signs before handing on",
        [
            DESK,
            step("competent", "specialist"),
            step("competent", "agency_leader"),
            step("commune_police", "specialist"),
            step("commune_police", "agency_leader"),
            step("H26.42", "specialist"),
            step("H26.41", "specialist"),
            step("H26.41", "agency_leader"),
        ],
        {2, 4, 7},
    ),
    (
        "a chain ending at a specialist signs nowhere",
        [DESK, step("competent", "specialist")],
        set(),
    ),
]


@pytest.mark.parametrize(("why", "plan", "signing"), PLANS, ids=[p[0] for p in PLANS])
def test_a_leader_signs_where_the_agencys_run_of_steps_ends(why, plan, signing):
    assert {i for i in range(len(plan)) if signs(plan, i)} == signing, why


def test_allotments_count_in_the_calendars_working_day():
    plan = [DESK, step("competent", "specialist", "0.75"), step("competent", "agency_leader", "2")]
    assert allotment_seconds(plan[0], CAL) == H
    assert seconds_after(plan, 0, CAL) == int(2.75 * 8 * H)
    assert seconds_after(plan, 2, CAL) == 0
    # Wednesday 16:00 + 0.75 day (6 h): 1 h that day, 4 h Thursday morning, 1 h after lunch.
    assert step_due(plan[1], CAL, at("2026-11-25 16:00")) == at("2026-11-26 14:00")


@pytest.mark.parametrize(
    ("due", "paused", "resumed", "new_due", "citizen_seconds"),
    [
        # 2 h were left when the citizen was asked; they took Wed 10:00 -> Fri 10:00.
        ("2026-11-25 12:00", "2026-11-25 10:00", "2026-11-27 10:00", "2026-11-27 12:00", 16 * H),
        # Resumed Friday 16:30 (6 h Wed + 8 h Thu + 7.5 h Fri of citizen time): 30 minutes left
        # that day, the other 90 on Monday morning.
        (
            "2026-11-25 12:00",
            "2026-11-25 10:00",
            "2026-11-27 16:30",
            "2026-11-30 09:30",
            21 * H + 1800,
        ),
        # Already late when paused: due at once on resumption, and so still late.
        ("2026-11-25 09:00", "2026-11-25 10:00", "2026-11-26 10:00", "2026-11-26 10:00", 8 * H),
    ],
)
def test_a_step_resumes_with_the_time_it_had_left(due, paused, resumed, new_due, citizen_seconds):
    result = resume_step(CAL, due_at=at(due), paused_at=at(paused), resumed_at=at(resumed))
    assert (result.due_at, result.paused_seconds) == (at(new_due), citizen_seconds)


@pytest.mark.parametrize(
    ("now", "due", "step_due", "step_h", "after_h", "in_time", "late", "new_due"),
    [
        # On track: Wed 09:00, due Mon 09:00 (4 working days); the step has 4 h left of its
        # 8 and 8 h follow: 12 h needed, 32 h left.
        (
            "2026-11-25 09:00",
            "2026-11-30 09:00",
            "2026-11-25 13:00",
            8,
            8,
            True,
            False,
            "2026-12-01 09:00",
        ),
        # The step already ran over: late whatever is left; the new date gives it its 8 h
        # again and the next step its 8 (Wed 09:00 + 16 h = Fri 09:00), but never less than a
        # working day after the appointment (Tue 09:00).
        (
            "2026-11-25 09:00",
            "2026-11-30 09:00",
            "2026-11-25 08:30",
            8,
            8,
            True,
            True,
            "2026-12-01 09:00",
        ),
        # Too much ahead: 2 working days left, 3 needed; Wed 09:00 + 32 h = Mon 09:00, which
        # is later than the day after the appointment (Sat -> Mon 09:00 too).
        (
            "2026-11-25 09:00",
            "2026-11-27 09:00",
            "2026-11-26 09:00",
            8,
            16,
            True,
            True,
            "2026-11-30 09:00",
        ),
        # Less than a working day left (Fri 10:00, due Fri 17:00): too late for a lawful letter.
        (
            "2026-11-27 10:00",
            "2026-11-27 17:00",
            "2026-11-27 12:00",
            4,
            0,
            False,
            False,
            "2026-11-30 17:00",
        ),
    ],
)
def test_the_outlook_says_if_a_dossier_is_late_and_when_it_can_be_ready(
    now, due, step_due, step_h, after_h, in_time, late, new_due
):
    view = outlook(
        CAL,
        now=at(now),
        due_at=at(due),
        step_due_at=at(step_due),
        step_seconds=step_h * H,
        seconds_after=after_h * H,
    )
    assert (view.in_time, view.late, view.new_due) == (in_time, late, at(new_due))


@pytest.mark.parametrize(("why", "plan", "signing"), PLANS[:4], ids=[p[0] for p in PLANS[:4]])
def test_every_plan_of_the_catalog_can_reach_its_result(why, plan, signing):
    assert plan_problems(plan) == [], why


@pytest.mark.parametrize(
    ("plan", "where"),
    [
        ([DESK, step("competent", "agency_leader")], [1]),  # nothing proposed to sign
        ([DESK, step("competent", "specialist")], [1]),  # nobody signs at all
        (
            # The police sign without a proposal of their own after the commune's signature.
            [
                DESK,
                step("competent", "specialist"),
                step("competent", "agency_leader"),
                step("commune_police", "agency_leader"),
            ],
            [3],
        ),
    ],
)
def test_a_plan_that_could_never_reach_a_result_names_the_step(plan, where):
    assert [index for index, _reason in plan_problems(plan)] == where
