"""Evidence for the annual evaluation of officials (DOMAIN §10): points from the steps each
person held, the suggested level, and the ≤ 20% quota within a unit. Points worked out by
hand with the default weights: 70 × on-time share + 30 × (average − 1) ÷ 4, or 100 × on-time
share with fewer than 5 ratings; minus 2 per late dossier caused, 5 per apology, 10 per
conduct complaint upheld."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.errors import ValidationError
from motcua.core.evaluation import (
    EvaluationPolicy,
    Level,
    PersonFigures,
    evaluate,
    quota,
)

JUSTICE, POLICE = 20, 40
ALICE, BOB, CAROL, DAVE, EVE, FRANK = 1, 2, 3, 4, 5, 6

# Quota rounded up: one person alone can be excellent, so the bands show by themselves.
BANDS_ONLY = EvaluationPolicy(quota_rounding="ceil")


def person(
    pid=ALICE,
    *,
    unit=JUSTICE,
    handled,
    on_time,
    sat=None,
    ratings=0,
    late=0,
    apologies=0,
    conduct=0,
):
    return PersonFigures(pid, unit, handled, on_time, late, apologies, conduct, sat, ratings)


SCORES = [
    (
        "every step on time, fully satisfied",
        person(handled=100, on_time=100, sat=5.0, ratings=10),
        100,
        Level.EXCELLENT,
    ),
    # 70 × 0.96 = 67.2; 30 × 0.9 = 27.
    (
        "94.2 points but four steps late: good",
        person(handled=100, on_time=96, sat=4.6, ratings=10),
        Fraction(942, 10),
        Level.GOOD,
    ),
    (
        "every step on time, 4.2 average: 70 + 24",
        person(handled=100, on_time=100, sat=4.2, ratings=10),
        94,
        Level.EXCELLENT,
    ),
    # (11/3 − 1) ÷ 4 = 2/3; 30 × 2/3 = 20.
    (
        "exactly 90",
        person(handled=10, on_time=10, sat=Fraction(11, 3), ratings=6),
        90,
        Level.EXCELLENT,
    ),
    (
        "exactly 70: 100 − 4 apologies × 5 − 1 complaint × 10",
        person(handled=20, on_time=20, ratings=3, sat=5, apologies=4, conduct=1),
        70,
        Level.GOOD,
    ),
    ("69: 75 − 3 late dossiers × 2", person(handled=100, on_time=75, late=3), 69, Level.DONE),
    ("exactly 50", person(handled=4, on_time=2), 50, Level.DONE),
    ("30 points", person(handled=10, on_time=3), 30, Level.NOT_DONE),
    ("never below zero", person(handled=1, on_time=0, conduct=2), 0, Level.NOT_DONE),
    (
        "the worst ratings: 70 + 0",
        person(handled=10, on_time=10, sat=1.0, ratings=20),
        70,
        Level.GOOD,
    ),
    (
        "five ratings count: 70 + 15",
        person(handled=10, on_time=10, sat=3.0, ratings=5),
        85,
        Level.GOOD,
    ),
    (
        "four ratings do not: 100",
        person(handled=10, on_time=10, sat=3.0, ratings=4),
        100,
        Level.EXCELLENT,
    ),
]


@pytest.mark.parametrize(("why", "figures", "points", "level"), SCORES, ids=[c[0] for c in SCORES])
def test_points_and_the_band_they_give(why, figures, points, level):
    (result,) = evaluate([figures], BANDS_ONLY)
    assert (result.points, result.level) == (points, level), why


def test_no_step_handled_gives_no_suggestion():
    (result,) = evaluate([person(handled=0, on_time=0, sat=5.0, ratings=30)])
    assert (result.points, result.level, result.quota_limited) == (None, None, False)
    assert [line.render() for line in result.lines] == [
        "Không xử lý bước nào trong kỳ: chưa đủ căn cứ để gợi ý mức xếp loại từ dữ liệu hồ sơ."
    ]


def test_the_result_explains_the_formula_and_the_counts():
    (result,) = evaluate([person(handled=100, on_time=96, sat=4.6, ratings=10)])
    assert [line.render() for line in result.lines] == [
        "Đúng hạn: 96/100 bước đã xử lý (96%).",
        "Hài lòng: trung bình 4,6/5 trên 10 lượt đánh giá, quy đổi (4,6 − 1) ÷ 4 = 90%.",
        "Điểm cơ bản = 70 × 96% + 30 × 90% = 94,2 điểm.",
        "Tổng: 94,2 điểm.",
        "Gợi ý: Hoàn thành tốt nhiệm vụ: đạt từ 90 điểm nhưng còn 4 bước không đúng hạn, nên "
        "chưa đủ điều kiện mức xuất sắc (mọi nhiệm vụ phải đúng hạn).",
    ]


def test_the_result_explains_the_deductions_and_unscored_satisfaction():
    figures = person(handled=20, on_time=20, ratings=3, sat=5, apologies=4, conduct=1)
    (result,) = evaluate([figures])
    assert [line.render() for line in result.lines] == [
        "Đúng hạn: 20/20 bước đã xử lý (100%).",
        "Hài lòng: 3 lượt đánh giá, chưa đủ 5 lượt nên không tính; "
        "điểm cơ bản = 100 × 100% = 100 điểm.",
        "Trừ: 0 bước trễ hạn do mình giữ × 2 + 4 thư xin lỗi × 5 + 1 phản ánh về thái độ "
        "được xác nhận × 10 = 30 điểm.",
        "Tổng: 70 điểm.",
        "Gợi ý: Hoàn thành tốt nhiệm vụ (từ 70 điểm).",
    ]


@pytest.mark.parametrize(
    ("pool", "floor", "half_up", "ceil"),
    [
        (0, 0, 0, 0),
        (1, 0, 0, 1),  # 0.2
        (2, 0, 0, 1),  # 0.4
        (3, 0, 1, 1),  # 0.6
        (4, 0, 1, 1),  # 0.8
        (5, 1, 1, 1),  # 1.0
        (6, 1, 1, 2),  # 1.2
        (8, 1, 2, 2),  # 1.6
        (10, 2, 2, 2),
    ],
)
def test_the_quota_rounds_as_configured(pool, floor, half_up, ceil):
    answers = [
        quota(pool, EvaluationPolicy(quota_rounding=r)) for r in ("floor", "half_up", "ceil")
    ]
    assert answers == [floor, half_up, ceil]


def star(pid, *, handled=50, sat=5.0, unit=JUSTICE):
    """Every step on time; 100 points at 5.0, 97 at 4.6 (70 + 30 × 0.9)."""
    return person(pid, unit=unit, handled=handled, on_time=handled, sat=sat, ratings=10)


def good(pid, *, unit=JUSTICE):
    """40 of 50 on time, unrated: 80 points."""
    return person(pid, unit=unit, handled=50, on_time=40)


@pytest.mark.parametrize(
    ("size", "kept"),
    [(1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (6, 1)],
)
def test_a_unit_of_stars_keeps_at_most_a_fifth_at_the_top(size, kept):
    # Points 100, 99.25, 98.5...: Alice best, then Bob, ... (sat 5.0, 4.9, 4.8...).
    people = [star(pid, sat=5.0 - (pid - 1) / 10) for pid in range(1, size + 1)]
    results = evaluate(people)
    assert [r.level for r in results] == [Level.EXCELLENT] * kept + [Level.GOOD] * (size - kept)
    assert [r.quota_limited for r in results] == [False] * kept + [True] * (size - kept)


def test_ties_are_broken_by_steps_handled_then_id_and_explained():
    # Pool: five rated good or above, so one may be excellent. Alice, Bob and Carol all have
    # 100 points and every step on time; Bob and Carol handled 80 steps, Alice 50; Bob's id
    # is lower than Carol's: Bob keeps it, then Carol (more steps), then Alice.
    people = [star(ALICE), star(BOB, handled=80), star(CAROL, handled=80), good(DAVE), good(EVE)]
    results = {r.person: r for r in evaluate(people)}
    assert {p: r.level for p, r in results.items()} == {
        ALICE: Level.GOOD,
        BOB: Level.EXCELLENT,
        CAROL: Level.GOOD,
        DAVE: Level.GOOD,
        EVE: Level.GOOD,
    }
    rule = (
        "Chỉ tiêu mức xuất sắc của đơn vị: 20% × 5 người đạt mức tốt trở lên = 1, lấy 1 "
        "người. Xếp theo điểm, rồi số bước đã xử lý, rồi mã cán bộ nhỏ hơn: "
    )
    assert results[BOB].lines[-1].render() == rule + "đứng thứ 1/3."
    assert [line.render() for line in results[CAROL].lines[-2:]] == [
        rule + "đứng thứ 2/3.",
        "Do vượt chỉ tiêu, gợi ý: Hoàn thành tốt nhiệm vụ.",
    ]
    assert results[ALICE].lines[-2].render() == rule + "đứng thứ 3/3."
    assert results[DAVE].lines[-1].render() == "Gợi ý: Hoàn thành tốt nhiệm vụ (từ 70 điểm)."
    # The quota does not change the points.
    assert results[CAROL].points == 100


def test_more_points_win_before_any_tie_break():
    # Frank (97 points, more steps) loses to Eve (100 points).
    people = [star(FRANK, handled=90, sat=4.6), star(EVE, handled=10), good(1), good(2), good(3)]
    levels = [r.level for r in evaluate(people)]
    assert levels == [Level.GOOD, Level.EXCELLENT, Level.GOOD, Level.GOOD, Level.GOOD]


def test_only_those_rated_good_or_above_make_the_pool():
    # One star, three good and one "done" (50 points): a pool of 4, no excellent place.
    done = person(DAVE, handled=4, on_time=2)
    results = evaluate([star(ALICE), good(BOB), good(CAROL), good(EVE), done])
    assert [r.level for r in results] == [
        Level.GOOD,
        Level.GOOD,
        Level.GOOD,
        Level.GOOD,
        Level.DONE,
    ]
    # A fifth person rated good makes it 5: one place.
    results = evaluate([star(ALICE), good(BOB), good(CAROL), good(EVE), done, good(FRANK)])
    assert results[0].level == Level.EXCELLENT


def test_each_unit_has_its_own_quota_and_the_order_given_is_kept():
    people = [
        star(ALICE, unit=POLICE),
        *[good(pid) for pid in (10, 11, 12, 13)],
        star(BOB),
        *[good(pid, unit=POLICE) for pid in (20, 21, 22, 23)],
    ]
    results = evaluate(people)
    assert [r.person for r in results] == [p.person for p in people]
    assert [r.person for r in results if r.level == Level.EXCELLENT] == [ALICE, BOB]


def test_an_excellent_person_without_the_law_s_condition_is_not_in_the_race():
    # 94.2 points with late steps: good before any quota, never "limited by the quota".
    (result,) = evaluate([person(handled=100, on_time=96, sat=4.6, ratings=10)], BANDS_ONLY)
    assert (result.level, result.quota_limited) == (Level.GOOD, False)


@pytest.mark.parametrize(
    "changes",
    [
        {"on_time_weight": 60},
        {"on_time_weight": -10, "satisfaction_weight": 110},
        {"good_from": Fraction(95)},
        {"quota_rounding": "nearest"},
        {"top_quota": Fraction(3, 2)},
    ],
)
def test_it_refuses_settings_that_make_no_sense(changes):
    with pytest.raises(ValidationError):
        EvaluationPolicy(**changes)


@st.composite
def units(draw):
    """Up to 8 people in up to 2 units, with any consistent figures."""
    people = []
    for pid in range(draw(st.integers(0, 8))):
        handled = draw(st.integers(0, 30))
        people.append(
            person(
                pid,
                unit=draw(st.sampled_from([JUSTICE, POLICE])),
                handled=handled,
                on_time=draw(st.integers(0, handled)),
                sat=draw(st.one_of(st.none(), st.sampled_from([1.0, 3.5, 4.2, 5.0]))),
                ratings=draw(st.integers(0, 12)),
                late=draw(st.integers(0, 3)),
                apologies=draw(st.integers(0, 2)),
                conduct=draw(st.integers(0, 1)),
            )
        )
    return people


@given(units(), st.sampled_from(["floor", "half_up", "ceil"]))
def test_the_quota_is_never_exceeded_and_losers_are_good(people, rounding):
    policy = EvaluationPolicy(quota_rounding=rounding)
    results = evaluate(people, policy)
    for unit in (JUSTICE, POLICE):
        mine = [r for r in results if r.unit == unit]
        pool = [r for r in mine if r.level in (Level.EXCELLENT, Level.GOOD)]
        top = [r for r in mine if r.level == Level.EXCELLENT]
        assert len(top) <= quota(len(pool), policy)
        assert all(0 <= r.points <= 100 for r in mine if r.points is not None)
        for r in mine:
            if r.quota_limited:
                assert r.level == Level.GOOD and r.points >= 90
