"""Grassroots early warning per commune or unit (DOMAIN §9, §13): each signal against the
unit's own past and its peers, with the small-sample rules. Answers worked out by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from motcua.core.warnings import (
    Severity,
    UnitFigures,
    WarningKind,
    WarningPolicy,
    level_warnings,
    median,
    number,
    percent,
    unit_warnings,
)

HOAN_KIEM, BA_DINH, TAY_HO, LONG_BIEN, CAU_GIAY = 1, 2, 3, 4, 5


def figures(**kwargs: object) -> UnitFigures:
    return UnitFigures(unit=HOAN_KIEM, **kwargs)  # type: ignore[arg-type]


def one(kind: WarningKind, current: UnitFigures, **kwargs: object):
    """The warning of that kind, or None."""
    found = [w for w in unit_warnings(current, **kwargs) if w.kind == kind]  # type: ignore[arg-type]
    assert len(found) <= 1
    return found[0] if found else None


def past(*pairs: tuple[int, int]) -> list[UnitFigures]:
    return [figures(received=r, overdue=o) for r, o in pairs]


OVERDUE = [
    # (why, now (received, overdue), past, expected (severity, rate, baseline) or None)
    (
        "30% against 10%: up 20 points",
        (20, 6),
        past((20, 2), (20, 2)),
        (Severity.WATCH, "3/10", "1/10"),
    ),
    ("up exactly 10 points", (20, 4), past((40, 4)), (Severity.WATCH, "1/5", "1/10")),
    ("up 9 points: not yet", (100, 19), past((100, 10)), None),
    ("up exactly 25 points: an alert", (20, 7), past((20, 2)), (Severity.ALERT, "7/20", "1/10")),
    ("a tiny commune: 3 of 4 late is no alarm", (4, 3), past((20, 0)), None),
    ("two overdue dossiers are no alarm", (10, 2), past((20, 0)), None),
    ("no past: nothing to rise from", (20, 10), [], None),
    ("a past of 9 dossiers is too few", (10, 3), past((5, 0), (4, 0)), None),
    (
        "a past of 10 dossiers is enough",
        (10, 3),
        past((5, 0), (5, 0)),
        (Severity.ALERT, "3/10", "0"),
    ),
    ("falling is not rising", (20, 3), past((20, 10)), None),
]


@pytest.mark.parametrize(("why", "now", "before", "expected"), OVERDUE, ids=[c[0] for c in OVERDUE])
def test_it_warns_of_a_growing_overdue_rate(why, now, before, expected):
    warning = one(WarningKind.OVERDUE_RISING, figures(received=now[0], overdue=now[1]), past=before)
    if expected is None:
        assert warning is None, why
        return
    severity, rate, baseline = expected
    assert (warning.severity, warning.current, warning.baseline) == (
        severity,
        Fraction(rate),
        Fraction(baseline),
    )


def test_the_overdue_sentence_gives_the_numbers_compared():
    warning = one(
        WarningKind.OVERDUE_RISING, figures(received=20, overdue=6), past=past((20, 2), (20, 2))
    )
    assert warning.words.render() == (
        "Tỷ lệ hồ sơ quá hạn kỳ này là 30% (6/20 hồ sơ), "
        "tăng 20 điểm phần trăm so với 10% của 2 kỳ trước."
    )


COUNTS = [
    # (kind, field, count, past counts, expected (severity, sentence) or None)
    (WarningKind.CONDUCT_COMPLAINTS, "conduct_complaints", 1, [], None),
    (
        WarningKind.CONDUCT_COMPLAINTS,
        "conduct_complaints",
        2,
        [],
        (
            Severity.WATCH,
            "2 phản ánh về thái độ, tác phong của cán bộ trong kỳ, 0 phản ánh có cơ sở "
            "(chưa có số liệu kỳ trước).",
        ),
    ),
    (
        WarningKind.CONDUCT_COMPLAINTS,
        "conduct_complaints",
        4,
        [1, 0],
        (
            Severity.ALERT,
            "4 phản ánh về thái độ, tác phong của cán bộ trong kỳ, 0 phản ánh có cơ sở "
            "(các kỳ trước: 0,5/kỳ).",
        ),
    ),
    (WarningKind.REPEATED_SUPPLEMENTS, "repeated_supplements", 1, [0], None),
    (
        WarningKind.REPEATED_SUPPLEMENTS,
        "repeated_supplements",
        2,
        [0, 0],
        (Severity.WATCH, "2 hồ sơ bị yêu cầu bổ sung quá một lần trong kỳ (các kỳ trước: 0/kỳ)."),
    ),
    (
        # 11 in 3 periods: 3.67 a period, shown 3,7.
        WarningKind.REPEATED_SUPPLEMENTS,
        "repeated_supplements",
        5,
        [3, 4, 4],
        (Severity.ALERT, "5 hồ sơ bị yêu cầu bổ sung quá một lần trong kỳ (các kỳ trước: 3,7/kỳ)."),
    ),
]


@pytest.mark.parametrize(("kind", "field", "count", "before", "expected"), COUNTS)
def test_it_warns_of_a_cluster_of_conduct_complaints_or_repeated_supplements(
    kind, field, count, before, expected
):
    warning = one(kind, figures(**{field: count}), past=[figures(**{field: n}) for n in before])
    if expected is None:
        assert warning is None
        return
    assert (warning.severity, warning.current, warning.words.render()) == (
        expected[0],
        count,
        expected[1],
    )
    assert warning.baseline == (Fraction(sum(before), len(before)) if before else None)


SAID = "{} phản ánh về thái độ, tác phong của cán bộ trong kỳ, {} phản ánh có cơ sở"
UPHELD = [
    # (received, upheld, expected severity or None)
    (1, 0, None),
    (1, 1, Severity.WATCH),  # one upheld is a fact, not an impression
    (2, 2, Severity.ALERT),
    (3, 1, Severity.WATCH),
    (4, 0, Severity.ALERT),
]


@pytest.mark.parametrize(("received", "upheld", "expected"), UPHELD)
def test_conduct_complaints_received_and_upheld_are_weighed_apart(received, upheld, expected):
    current = figures(conduct_complaints=received, conduct_upheld=upheld)
    warning = one(WarningKind.CONDUCT_COMPLAINTS, current, past=[figures(conduct_complaints=1)])
    if expected is None:
        assert warning is None
        return
    assert (warning.severity, warning.words.render()) == (
        expected,
        SAID.format(received, upheld) + " (các kỳ trước: 1/kỳ).",
    )


IDLE = [
    # (idle, backlog, expected severity or None)
    (2, 4, None),  # half the backlog, but only two dossiers
    (3, 15, Severity.WATCH),  # exactly 20%
    (3, 16, None),  # 18.75%
    (5, 10, Severity.ALERT),  # exactly 50%
    (3, 0, None),  # inconsistent figures: nothing open, nothing to say
]


@pytest.mark.parametrize(("idle", "backlog", "expected"), IDLE)
def test_it_warns_of_many_idle_dossiers(idle, backlog, expected):
    warning = one(WarningKind.IDLE_DOSSIERS, figures(idle=idle, backlog=backlog))
    assert (warning and warning.severity) == expected
    if warning:
        assert warning.current == Fraction(idle, backlog)


def test_the_idle_sentence():
    warning = one(
        WarningKind.IDLE_DOSSIERS,
        figures(idle=3, backlog=16),
        policy=WarningPolicy(idle_share=Fraction(1, 10)),
    )
    assert warning.words.render() == (
        "3 trên 16 hồ sơ đang giải quyết để lâu không có thao tác (18,8%)."
    )


def rated(average, ratings):
    return figures(satisfaction=average, ratings=ratings)


SATISFACTION = [
    # (why, now, past, expected (severity, baseline) or None)
    (
        "4.35 down to 4.0",
        rated(4.0, 10),
        [rated(4.5, 10), rated(4.2, 10)],
        (Severity.WATCH, "87/20"),
    ),
    ("exactly 0.3 down", rated(4.2, 10), [rated(4.5, 10)], (Severity.WATCH, "9/2")),
    ("0.2 down: not yet", rated(4.3, 10), [rated(4.5, 10)], None),
    ("exactly 0.8 down: an alert", rated(3.7, 12), [rated(4.5, 20)], (Severity.ALERT, "9/2")),
    ("nine ratings now are too few", rated(2.0, 9), [rated(4.5, 20)], None),
    ("nine ratings in the past are too few", rated(2.0, 30), [rated(4.5, 4), rated(4.5, 5)], None),
    (
        "unrated past periods are left out",
        rated(4.0, 10),
        [rated(None, 0), rated(4.5, 10)],
        (Severity.WATCH, "9/2"),
    ),
    ("no rating now", rated(None, 0), [rated(4.5, 10)], None),
    ("rising is not falling", rated(4.8, 10), [rated(4.0, 10)], None),
]


@pytest.mark.parametrize(
    ("why", "now", "before", "expected"), SATISFACTION, ids=[c[0] for c in SATISFACTION]
)
def test_it_warns_of_falling_satisfaction(why, now, before, expected):
    warning = one(WarningKind.SATISFACTION_FALLING, now, past=before)
    if expected is None:
        assert warning is None, why
        return
    assert (warning.severity, warning.baseline) == (expected[0], Fraction(expected[1]))


def test_the_satisfaction_sentence():
    warning = one(
        WarningKind.SATISFACTION_FALLING, rated(4.0, 10), past=[rated(4.5, 10), rated(4.2, 10)]
    )
    assert warning.words.render() == (
        "Mức hài lòng giảm từ 4,4 xuống 4 điểm trên thang 5 "
        "(10 lượt đánh giá kỳ này, 20 lượt các kỳ trước)."
    )


def peers(*backlogs: int) -> list[UnitFigures]:
    return [UnitFigures(unit=10 + i, backlog=b) for i, b in enumerate(backlogs)]


BACKLOG = [
    # (why, backlog, peers, expected (severity, median) or None)
    ("twice the median", 12, peers(5, 6, 8), (Severity.WATCH, 6)),
    ("three times the median", 18, peers(5, 6, 8), (Severity.ALERT, 6)),
    ("less than twice", 11, peers(5, 6, 8), None),
    ("two peers make no median", 100, peers(1, 1), None),
    ("a backlog of 9 is no alarm", 9, peers(1, 2, 3), None),
    (
        "even count: the median is between the middle two",
        14,
        peers(10, 4, 8, 6),
        (Severity.WATCH, 7),
    ),
    ("every peer clear", 10, peers(0, 0, 0), (Severity.ALERT, 0)),
    (
        "the unit itself is not its own peer",
        12,
        [UnitFigures(HOAN_KIEM, backlog=12), *peers(5, 6, 8)],
        (Severity.WATCH, 6),
    ),
]


@pytest.mark.parametrize(
    ("why", "backlog", "others", "expected"), BACKLOG, ids=[c[0] for c in BACKLOG]
)
def test_it_warns_of_a_backlog_far_above_the_peers_median(why, backlog, others, expected):
    warning = one(WarningKind.BACKLOG_ABOVE_PEERS, figures(backlog=backlog), peers=others)
    if expected is None:
        assert warning is None, why
        return
    assert (warning.severity, warning.current, warning.baseline) == (
        expected[0],
        backlog,
        expected[1],
    )


def test_the_backlog_sentences():
    warning = one(WarningKind.BACKLOG_ABOVE_PEERS, figures(backlog=15), peers=peers(5, 6, 8))
    assert (
        warning.words.render()
        == "Tồn đọng 15 hồ sơ, gấp 2,5 lần trung vị (6) của 3 đơn vị cùng cấp."
    )
    warning = one(WarningKind.BACKLOG_ABOVE_PEERS, figures(backlog=10), peers=peers(0, 0, 0))
    assert (
        warning.words.render() == "Tồn đọng 10 hồ sơ, trong khi 3 đơn vị cùng cấp không tồn đọng."
    )


def test_a_quiet_unit_raises_nothing_and_the_order_is_fixed():
    assert unit_warnings(figures()) == ()
    busy = figures(received=20, overdue=6, conduct_complaints=2, idle=5, backlog=12)
    kinds = [w.kind for w in unit_warnings(busy, past=past((20, 2)), peers=peers(5, 6, 8))]
    assert kinds == [
        WarningKind.OVERDUE_RISING,
        WarningKind.CONDUCT_COMPLAINTS,
        WarningKind.IDLE_DOSSIERS,
        WarningKind.BACKLOG_ABOVE_PEERS,
    ]


def test_a_level_compares_each_unit_with_the_others():
    # Backlogs 30, 6, 5, 8: Hoàn Kiếm against 6, 5, 8 (median 6): 5 times, an alert; Long
    # Biên against 30, 6, 5 (median 6): 8/6 < 2, nothing; the others even less.
    units = [
        UnitFigures(HOAN_KIEM, backlog=30),
        UnitFigures(BA_DINH, backlog=6),
        UnitFigures(TAY_HO, backlog=5),
        UnitFigures(LONG_BIEN, backlog=8),
    ]
    answers = level_warnings(units)
    assert list(answers) == [HOAN_KIEM]
    (warning,) = answers[HOAN_KIEM]
    assert (warning.kind, warning.severity, warning.baseline) == (
        WarningKind.BACKLOG_ABOVE_PEERS,
        Severity.ALERT,
        6,
    )


def test_a_level_reads_each_units_own_past():
    units = [
        UnitFigures(HOAN_KIEM, received=20, overdue=6),
        UnitFigures(CAU_GIAY, received=20, overdue=6),
    ]
    history = {HOAN_KIEM: past((20, 2)), CAU_GIAY: past((20, 6))}
    assert list(level_warnings(units, past=history)) == [HOAN_KIEM]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(87, 20), "4,4"),  # 4.35 rounds half up
        (Fraction(1, 2), "0,5"),
        (Fraction(3), "3"),
        (Fraction(-1, 4), "-0,3"),
        (Fraction(-1, 100), "0"),
        (Fraction(11, 3), "3,7"),
    ],
)
def test_numbers_are_written_as_vietnamese_writes_them(value, shown):
    assert number(value) == shown


def test_percent_and_median():
    assert percent(Fraction(1, 8)) == "12,5%"
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == Fraction(5, 2)
    with pytest.raises(ValueError):
        median([])
