"""Buck-passing and silence on one dossier, and the supervisor's early-warning list (DOMAIN §9,
§13). Histories are built by hand; the working time in each case is counted by hand on the
default office hours 08:00-12:00, 13:00-17:00, Monday to Friday (7-11/12/2026 is Mon-Fri).
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.calendar import WorkCalendar
from motcua.core.errors import ValidationError
from motcua.core.signals import (
    Act,
    DossierActivity,
    DossierSignals,
    Flag,
    Holding,
    SignalPolicy,
    detect,
    early_warnings,
    returns_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
H = 3600
COMMUNE, POLICE = 1, 2
DESK, JUSTICE, LEADER, RESIDENCE = 10, 20, 30, 40  # units; DESK, JUSTICE, LEADER: the commune
ALICE, BOB, CAROL, DAVE = 101, 102, 103, 104


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def path(*stays: tuple[int, ...]) -> tuple[Holding, ...]:
    """Stays (agency, unit, holder[, step]) an hour apart from Mon 7/12 08:00, the last one
    open. Without a step, a unit holds the step it was first seen at, as a procedure's
    template gives each step its unit; each stay ends by assignment (to the same unit), a
    send-back (to an earlier step) or a forward."""
    steps: dict[int, int] = {}
    rows = []
    for stay in stays:
        agency, unit, holder = stay[:3]
        step = stay[3] if len(stay) > 3 else steps.setdefault(unit, len(steps))
        rows.append((agency, unit, holder, step))
    holdings = []
    for i, (agency, unit, holder, step) in enumerate(rows):
        if i == len(rows) - 1:
            end = None
        elif rows[i + 1][1] == unit:
            end = "assign"
        else:
            end = "send_back" if rows[i + 1][3] < step else "forward"
        holdings.append(
            Holding(
                step=step,
                agency=agency,
                unit=unit,
                holder=holder,
                started_at=at(f"2026-12-07 {8 + i:02d}:00"),
                ended_at=None if end is None else at(f"2026-12-07 {9 + i:02d}:00"),
                ended_by=end,
            )
        )
    return tuple(holdings)


NOW = at("2026-12-07 17:00")  # the same day: never idle in the bounce cases


def activity(holdings: tuple[Holding, ...], **kwargs: object) -> DossierActivity:
    return DossierActivity(dossier=1, holdings=holdings, **kwargs)  # type: ignore[arg-type]


BOUNCES = [
    ("no history", (), None),
    ("a straight path", path((1, DESK, ALICE), (1, JUSTICE, BOB), (1, LEADER, CAROL)), None),
    (
        "one return is not yet a bounce",
        path((1, DESK, ALICE), (1, JUSTICE, BOB), (1, DESK, ALICE)),
        None,
    ),
    (
        "two returns between the same two units",
        path((1, DESK, ALICE), (1, JUSTICE, BOB), (1, DESK, ALICE), (1, JUSTICE, BOB)),
        (
            2,
            (COMMUNE,),
            (DESK, JUSTICE),
            (ALICE, BOB),
            "Hồ sơ bị chuyển qua lại 2 lần giữa hai đơn vị.",
        ),
    ),
    (
        "a reassignment within a unit is one stay: still two returns",
        path(
            (1, DESK, ALICE),
            (1, DESK, DAVE),
            (1, JUSTICE, BOB),
            (1, DESK, ALICE),
            (1, JUSTICE, BOB),
        ),
        (
            2,
            (COMMUNE,),
            (DESK, JUSTICE),
            (ALICE, DAVE, BOB),
            "Hồ sơ bị chuyển qua lại 2 lần giữa hai đơn vị.",
        ),
    ),
    (
        "returns to one unit from two different units are not the same pair",
        path(
            (1, DESK, ALICE),
            (1, JUSTICE, BOB),
            (1, DESK, ALICE),
            (1, LEADER, CAROL),
            (1, DESK, ALICE),
        ),
        None,
    ),
    (
        # The police (step 2) send it back to the commune's leader (1), who sends it back to
        # the specialist (0); it comes forward again to the police. Units: one return between
        # the leader and the police, one between the specialist and the leader; agencies
        # C, P, C, P: two.
        "between two agencies, through different units of one of them",
        path(
            (COMMUNE, JUSTICE, BOB),
            (COMMUNE, LEADER, CAROL),
            (POLICE, RESIDENCE, DAVE),
            (COMMUNE, LEADER, CAROL),
            (COMMUNE, JUSTICE, BOB),
            (COMMUNE, LEADER, CAROL),
            (POLICE, RESIDENCE, DAVE),
        ),
        (
            2,
            (COMMUNE, POLICE),
            (JUSTICE, LEADER, RESIDENCE),
            (BOB, CAROL, DAVE),
            "Hồ sơ bị chuyển qua lại 2 lần giữa hai cơ quan.",
        ),
    ),
    (
        # An inter-agency chain whose template goes commune, police, commune, police (steps
        # 0-3): always forward, never a return.
        "a chain that passes between two agencies by its template is no bounce",
        path(
            (COMMUNE, JUSTICE, BOB, 0),
            (POLICE, RESIDENCE, DAVE, 1),
            (COMMUNE, JUSTICE, BOB, 2),
            (POLICE, RESIDENCE, DAVE, 3),
        ),
        None,
    ),
    (
        "three returns",
        path(
            (1, DESK, None), (1, JUSTICE, BOB), (1, DESK, None), (1, JUSTICE, BOB), (1, DESK, None)
        ),
        (3, (COMMUNE,), (DESK, JUSTICE), (BOB,), "Hồ sơ bị chuyển qua lại 3 lần giữa hai đơn vị."),
    ),
]


@pytest.mark.parametrize(("why", "holdings", "expected"), BOUNCES, ids=[b[0] for b in BOUNCES])
def test_it_flags_a_dossier_bounced_between_the_same_two_units(why, holdings, expected):
    found = [
        s
        for s in detect(activity(holdings), now=NOW, calendar=CAL).signals
        if s.flag == Flag.BOUNCED
    ]
    if expected is None:
        assert found == [], why
        return
    (signal,) = found
    assert (
        signal.count,
        signal.agencies,
        signal.units,
        signal.people,
        signal.reason.render(),
    ) == expected


def test_the_bounce_threshold_is_configuration():
    holdings = path((1, DESK, ALICE), (1, JUSTICE, BOB), (1, DESK, ALICE))
    strict = SignalPolicy(bounce_returns=1)
    assert detect(activity(holdings), now=NOW, calendar=CAL, policy=strict).flags == {Flag.BOUNCED}
    assert detect(activity(holdings), now=NOW, calendar=CAL).flags == frozenset()


@pytest.mark.parametrize(
    ("stays", "expected"),
    [
        ([], {}),
        ([(5, 0)], {}),
        ([(5, 0), (7, 1), (5, 0)], {(5, 7): 1}),
        ([(5, 0), (7, 1), (5, 2)], {}),  # moved on: the template's next step
        ([(7, 1), (5, 0), (7, 1), (5, 0), (7, 1)], {(5, 7): 3}),
        ([(5, 0), (5, 1), (7, 2), (7, 3), (5, 1)], {(5, 7): 1}),  # back to a step 5 had done
        ([(5, 0), (5, 1), (7, 2), (5, 2)], {}),  # 5's stay ended at step 1; 2 is new work
        ([(5, 0), (7, 1), (5, 0), (9, 1), (5, 0), (9, 1)], {(5, 7): 1, (5, 9): 2}),
    ],
)
def test_returns_are_counted_per_pair(stays, expected):
    assert returns_between(stays) == expected


def test_it_flags_a_dossier_sent_back_more_than_once():
    # Bob sends it back to the desk, then Carol sends it back to Bob: two send-backs, no
    # bounce (10, 20, 10 is one return; 20, 30, 20 another pair).
    holdings = (
        Holding(0, COMMUNE, DESK, ALICE, at("2026-12-07 08:00"), at("2026-12-07 09:00"), "forward"),
        Holding(
            1, COMMUNE, JUSTICE, BOB, at("2026-12-07 09:00"), at("2026-12-07 10:00"), "send_back"
        ),
        Holding(0, COMMUNE, DESK, ALICE, at("2026-12-07 10:00"), at("2026-12-07 11:00"), "forward"),
        Holding(
            1, COMMUNE, JUSTICE, BOB, at("2026-12-07 11:00"), at("2026-12-07 13:00"), "forward"
        ),
        Holding(
            2, COMMUNE, LEADER, CAROL, at("2026-12-07 13:00"), at("2026-12-07 14:00"), "send_back"
        ),
        Holding(1, COMMUNE, JUSTICE, BOB, at("2026-12-07 14:00")),
    )
    result = detect(activity(holdings), now=NOW, calendar=CAL)
    assert result.flags == {Flag.SENT_BACK, Flag.BOUNCED}  # 10,20,10,20 bounced too
    (signal,) = [s for s in result.signals if s.flag == Flag.SENT_BACK]
    assert (signal.count, signal.units, signal.people) == (2, (JUSTICE, LEADER), (BOB, CAROL))
    assert signal.reason.render() == "Hồ sơ bị trả lại bước trước 2 lần."


def test_without_the_ending_a_move_to_an_earlier_step_is_a_send_back():
    # Steps 0, 2, 1, 3, 2, endings not given: 2 → 1 and 3 → 2 went back.
    holdings = tuple(
        Holding(step, COMMUNE, unit, None, at(f"2026-12-07 {8 + i:02d}:00"), end)
        for i, (step, unit, end) in enumerate(
            [
                (0, DESK, at("2026-12-07 09:00")),
                (2, LEADER, at("2026-12-07 10:00")),
                (1, JUSTICE, at("2026-12-07 11:00")),
                (3, DESK, at("2026-12-07 12:00")),
                (2, LEADER, None),
            ]
        )
    )
    result = detect(activity(holdings), now=NOW, calendar=CAL)
    (signal,) = [s for s in result.signals if s.flag == Flag.SENT_BACK]
    assert (signal.count, signal.units) == (2, (LEADER, DESK))


def test_one_send_back_is_allowed():
    holdings = (
        Holding(0, COMMUNE, DESK, ALICE, at("2026-12-07 08:00"), at("2026-12-07 09:00"), "forward"),
        Holding(
            1, COMMUNE, JUSTICE, BOB, at("2026-12-07 09:00"), at("2026-12-07 10:00"), "send_back"
        ),
        Holding(0, COMMUNE, DESK, ALICE, at("2026-12-07 10:00")),
    )
    assert detect(activity(holdings), now=NOW, calendar=CAL).flags == frozenset()


@pytest.mark.parametrize(
    ("requests", "flagged"),
    [
        ((), False),
        ((Act(COMMUNE, DESK, ALICE, at("2026-12-07 08:30")),), False),
        (
            (
                Act(COMMUNE, DESK, ALICE, at("2026-12-07 08:30")),
                Act(COMMUNE, JUSTICE, BOB, at("2026-12-08 09:00")),
            ),
            True,
        ),
    ],
)
def test_it_flags_a_second_supplement_request(requests, flagged):
    holdings = path((COMMUNE, JUSTICE, BOB))
    result = detect(activity(holdings, supplement_requests=requests), now=NOW, calendar=CAL)
    assert (Flag.SUPPLEMENTS in result.flags) is flagged
    if flagged:
        (signal,) = result.signals
        assert (signal.count, signal.units, signal.people) == (2, (DESK, JUSTICE), (ALICE, BOB))
        assert signal.reason.render() == (
            "Công dân bị yêu cầu bổ sung hồ sơ 2 lần (chỉ được yêu cầu một lần)."
        )


def open_at(started: str) -> tuple[Holding, ...]:
    return (Holding(1, COMMUNE, JUSTICE, BOB, at(started)),)


IDLE = [
    # (why, holdings, last action, waiting for the citizen, now, idle working seconds or None)
    (
        "exactly two working days: not yet",
        open_at("2026-12-07 08:00"),
        None,
        False,
        "2026-12-09 08:00",
        None,
    ),
    ("a minute more", open_at("2026-12-07 08:00"), None, False, "2026-12-09 08:01", 16 * H + 60),
    # Fri 13:00-17:00 4 h, Mon 8 h, Tue 08:00-09:00 1 h: 13 h over the weekend.
    (
        "the weekend does not count",
        open_at("2026-12-11 13:00"),
        None,
        False,
        "2026-12-15 09:00",
        None,
    ),
    # Fri 4 h, Mon 8 h, Tue 08:00-12:00 4 h and 13:00-14:30 1.5 h: 17.5 h.
    (
        "lunch does not count either",
        open_at("2026-12-11 13:00"),
        None,
        False,
        "2026-12-15 14:30",
        17 * H + 30 * 60,
    ),
    (
        "a paused dossier waits for the citizen, it is not idle",
        open_at("2026-12-01 08:00"),
        None,
        True,
        "2026-12-15 09:00",
        None,
    ),
    (
        "the last action, not the arrival, counts",
        open_at("2026-12-01 08:00"),
        "2026-12-14 08:00",
        False,
        "2026-12-15 09:00",
        None,
    ),
    # Sent on Mon 14/12 08:00 after a last action on 1/12: 9 h at the new step, not idle.
    (
        "an action at an earlier step does not count against the new one",
        open_at("2026-12-14 08:00"),
        "2026-12-01 08:00",
        False,
        "2026-12-15 09:00",
        None,
    ),
    (
        "the last action a week ago",
        open_at("2026-12-01 08:00"),
        "2026-12-07 08:00",
        False,
        "2026-12-14 08:00",
        40 * H,
    ),
    ("no history: nothing to flag", (), None, False, "2026-12-15 09:00", None),
    (
        "a finished dossier is not idle",
        (
            Holding(
                1,
                COMMUNE,
                JUSTICE,
                BOB,
                at("2026-12-01 08:00"),
                at("2026-12-01 09:00"),
                "return_result",
            ),
        ),
        None,
        False,
        "2026-12-15 09:00",
        None,
    ),
]


@pytest.mark.parametrize(
    ("why", "holdings", "last", "waiting", "now", "expected"), IDLE, ids=[c[0] for c in IDLE]
)
def test_it_flags_a_dossier_idle_at_its_step(why, holdings, last, waiting, now, expected):
    data = activity(holdings, last_action_at=last and at(last), waiting_for_citizen=waiting)
    found = [s for s in detect(data, now=at(now), calendar=CAL).signals if s.flag == Flag.IDLE]
    if expected is None:
        assert found == [], why
        return
    (signal,) = found
    assert (signal.count, signal.agencies, signal.units, signal.people) == (
        expected,
        (COMMUNE,),
        (JUSTICE,),
        (BOB,),
    )


def test_the_idle_reason_gives_the_working_time_in_hours_and_minutes():
    data = activity(open_at("2026-12-11 13:00"))
    (signal,) = detect(data, now=at("2026-12-15 14:30"), calendar=CAL).signals
    assert signal.reason.render() == (
        "Hồ sơ nằm ở bước hiện tại 17 giờ 30 phút làm việc mà không có thao tác nào."
    )


def test_the_idle_threshold_is_configuration():
    data = activity(open_at("2026-12-07 08:00"))
    one_day = SignalPolicy(idle_working_seconds=8 * H)
    assert detect(data, now=at("2026-12-08 08:01"), calendar=CAL, policy=one_day).flags == {
        Flag.IDLE
    }
    assert detect(data, now=at("2026-12-08 08:01"), calendar=CAL).flags == frozenset()


def test_it_refuses_a_naive_now_and_meaningless_thresholds():
    with pytest.raises(ValidationError):
        detect(activity(()), now=datetime(2026, 12, 7, 8), calendar=CAL)
    with pytest.raises(ValidationError):
        SignalPolicy(bounce_returns=0)
    with pytest.raises(ValidationError):
        SignalPolicy(send_backs_allowed=-1)


# --- The early-warning list ------------------------------------------------------------------


def test_the_early_warning_list_groups_flags_by_unit_and_person():
    # Dossier 1: bounced between DESK (Alice) and JUSTICE (Bob) and idle at JUSTICE (Bob).
    # Dossier 2: idle at JUSTICE with Bob. Dossier 3: asked twice by DESK (Alice) and
    # LEADER (Carol). Dossier 4: nothing.
    bounced = path((1, DESK, ALICE), (1, JUSTICE, BOB), (1, DESK, ALICE), (1, JUSTICE, BOB))
    one = detect(activity(bounced), now=at("2026-12-10 08:00"), calendar=CAL)
    two = detect(
        DossierActivity(2, open_at("2026-12-07 08:00")), now=at("2026-12-10 08:00"), calendar=CAL
    )
    asks = (
        Act(1, DESK, ALICE, at("2026-12-07 08:00")),
        Act(1, LEADER, CAROL, at("2026-12-07 10:00")),
    )
    three = detect(
        DossierActivity(3, open_at("2026-12-09 16:00"), asks),
        now=at("2026-12-10 08:00"),
        calendar=CAL,
    )
    four = detect(DossierActivity(4, ()), now=at("2026-12-10 08:00"), calendar=CAL)
    assert one.flags == {Flag.BOUNCED, Flag.IDLE}
    assert two.flags == {Flag.IDLE}
    assert three.flags == {Flag.SUPPLEMENTS}

    board = early_warnings([one, two, three, four])
    assert [r.dossier for r in board.dossiers] == [1, 2, 3]
    assert [(t.id, t.dossiers, t.by_flag) for t in board.by_unit] == [
        (DESK, (1, 3), ((Flag.BOUNCED, 1), (Flag.SUPPLEMENTS, 1))),  # 2 dossiers, id 10
        (JUSTICE, (1, 2), ((Flag.BOUNCED, 1), (Flag.IDLE, 2))),  # 2 dossiers, id 20
        (LEADER, (3,), ((Flag.SUPPLEMENTS, 1),)),
    ]
    assert [(t.id, t.total) for t in board.by_person] == [(ALICE, 2), (BOB, 2), (CAROL, 1)]


def test_an_empty_early_warning_list():
    board = early_warnings([DossierSignals(1, ())])
    assert (board.dossiers, board.by_unit, board.by_person) == ((), (), ())


@given(st.lists(st.integers(min_value=1, max_value=3), max_size=12))
def test_a_dossier_that_always_moves_on_never_returns(places):
    """Whatever units a template passes through, a dossier at ever later steps never returns."""
    assert returns_between([(place, step) for step, place in enumerate(places)]) == {}


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(0, 4)), max_size=12))
def test_returns_never_exceed_the_moves(stays):
    """A return is a move, and the first two stays cannot be returns."""
    moves = sum(1 for a, b in pairwise(stays) if a[0] != b[0])
    assert sum(returns_between(stays).values()) <= max(0, moves - 1)
