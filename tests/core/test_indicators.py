"""The on-time rule, the contributions that dashboards sum, and the 766 index (DOMAIN §9).

Histories are built by hand; the answers are worked out by hand in the comments. The calendar
is the default one: Monday–Friday, 08:00–12:00 and 13:00–17:00, Vietnam's 2026 holidays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from motcua.core.calendar import WorkCalendar
from motcua.core.clock import ClockEntry, ClockKind
from motcua.core.indicators import (
    Cause,
    DossierRecord,
    FeedbackFigures,
    Figures,
    Outcome,
    Period,
    RatingRecord,
    Rules,
    SyncFigures,
    Tally,
    classify,
    contributions,
    index,
    judge,
    rank,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
H = 3600
DAY = 8 * H


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def start(when: str, days: int = 3) -> ClockEntry:
    return ClockEntry(kind=ClockKind.START, at=at(when), working_seconds=days * DAY)


def pause(when: str) -> ClockEntry:
    return ClockEntry(kind=ClockKind.PAUSE, at=at(when), reason="chờ công dân bổ sung")


def resume(when: str) -> ClockEntry:
    return ClockEntry(kind=ClockKind.RESUME, at=at(when))


def stop(when: str) -> ClockEntry:
    return ClockEntry(kind=ClockKind.STOP, at=at(when))


def extend(when: str, new_due: str) -> ClockEntry:
    return ClockEntry(kind=ClockKind.EXTEND, at=at(when), new_due=at(new_due), reason="xin lỗi")


def record(clock, *, finished=None, supplements=None, integration=0, **kw) -> DossierRecord:
    pauses = sum(1 for e in clock if e.kind is ClockKind.PAUSE)
    return DossierRecord(
        received_at=clock[0].at,
        clock=tuple(clock),
        finished_at=at(finished) if finished else None,
        supplement_requests=pauses if supplements is None else supplements,
        online=kw.pop("online", False),
        integration_seconds=integration,
        **kw,
    )


# Received Monday 2 March 2026 09:00 with 3 working days: due Thursday 5 March 09:00.
MON = "2026-03-02 09:00"

JUDGEMENTS = [
    # (name, clock, finished, integration seconds, outcome, cause, late_from)
    (
        "finished on the due day, before the hour: on time",
        [start(MON), stop("2026-03-05 08:30")],
        "2026-03-05 08:30", 0, Outcome.ON_TIME, Cause.NONE, "2026-03-05 09:00",
    ),
    (
        "finished a day before the due day: early",
        [start(MON), stop("2026-03-04 16:00")],
        "2026-03-04 16:00", 0, Outcome.EARLY, Cause.NONE, "2026-03-05 09:00",
    ),
    (
        "finished an hour after the due time: late, the agency's doing",
        [start(MON), stop("2026-03-05 10:00")],
        "2026-03-05 10:00", 0, Outcome.LATE, Cause.AGENCY, "2026-03-05 09:00",
    ),
    (
        # One working hour late, two working hours spent waiting on another system: the
        # national formula says late; oversight does not blame the agency.
        "late only because of integration time",
        [start(MON), stop("2026-03-05 10:00")],
        "2026-03-05 10:00", 2 * H, Outcome.LATE, Cause.INTEGRATION, "2026-03-05 09:00",
    ),
    (
        # Three working hours late, two of integration: the agency still overran.
        "late by more than the integration time",
        [start(MON), stop("2026-03-05 13:00")],
        "2026-03-05 13:00", 2 * H, Outcome.LATE, Cause.AGENCY, "2026-03-05 09:00",
    ),
    (
        # Paused Tue 3 March 09:00 (8 working hours used, 16 left) until Mon 9 March 09:00;
        # the 16 hours then run Mon 09:00-17:00 (7 h), Tue (8 h) and Wed 08:00-09:00 (1 h):
        # due Wed 11 March 09:00. Finished Tue 10 March 15:00 is early.
        "a paused dossier is on time when the pause moves its due date",
        [start(MON), pause("2026-03-03 09:00"), resume("2026-03-09 09:00"),
         stop("2026-03-10 15:00")],
        "2026-03-10 15:00", 0, Outcome.EARLY, Cause.NONE, "2026-03-11 09:00",
    ),
    (
        # Same history finished Wed 11 March 10:00, an hour after the moved due date.
        "a paused dossier finished after its moved due date is late",
        [start(MON), pause("2026-03-03 09:00"), resume("2026-03-09 09:00"),
         stop("2026-03-11 10:00")],
        "2026-03-11 10:00", 0, Outcome.LATE, Cause.AGENCY, "2026-03-11 09:00",
    ),
    (
        # Two supplement requests: late from the second request, whatever the dates.
        "a dossier asked twice for supplements counts as late",
        [start(MON), pause("2026-03-02 10:00"), resume("2026-03-02 11:00"),
         pause("2026-03-02 14:00"), resume("2026-03-02 15:00"), stop("2026-03-03 09:00")],
        "2026-03-03 09:00", 0, Outcome.LATE, Cause.SUPPLEMENTS, "2026-03-02 14:00",
    ),
    (
        "an apology's new date is not used: still late against the first appointment",
        [start(MON), extend("2026-03-04 10:00", "2026-03-09 17:00"), stop("2026-03-06 10:00")],
        "2026-03-06 10:00", 0, Outcome.LATE, Cause.AGENCY, "2026-03-05 09:00",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clock", "finished", "integration", "outcome", "cause", "late_from"),
    [j[1:] for j in JUDGEMENTS],
    ids=[j[0] for j in JUDGEMENTS],
)
def test_judge_finished(clock, finished, integration, outcome, cause, late_from):
    verdict = judge(CAL, record(clock, finished=finished, integration=integration))
    assert verdict.outcome is outcome
    assert verdict.cause is cause
    assert verdict.late_from == at(late_from)
    assert verdict.ended_at == at(finished)


def test_a_second_request_allowed_by_configuration_is_not_late():
    clock = [
        *(start(MON), pause("2026-03-02 10:00"), resume("2026-03-02 11:00")),
        *(pause("2026-03-02 14:00"), resume("2026-03-02 15:00"), stop("2026-03-03 09:00")),
    ]
    verdict = judge(
        CAL,
        record(clock, finished="2026-03-03 09:00"),
        Rules(version="t", supplement_requests_allowed=2),
    )
    assert verdict.outcome is Outcome.EARLY


def test_times_are_kept_apart():
    # Received Mon 09:00, paused Tue 09:00 (8 h used) to Mon 9 March 09:00 (citizen: Tue
    # 09:00-17:00 is 7 h, Wed-Fri 24 h, Mon 08:00-09:00 1 h: 32 h), then finished Tue 10
    # March 15:00 (Mon 09-17 7 h, Tue 08-15 6 h: 13 h more). Agency 21 h, citizen 32 h.
    clock = [start(MON), pause("2026-03-03 09:00"), resume("2026-03-09 09:00"),
             stop("2026-03-10 15:00")]  # fmt: skip
    verdict = judge(CAL, record(clock, finished="2026-03-10 15:00", integration=H))
    assert (verdict.agency_seconds, verdict.citizen_seconds) == (21 * H, 32 * H)
    assert verdict.integration_seconds == H
    assert verdict.statutory_seconds == 3 * DAY


OPEN = [
    # (name, clock, supplements, outcome-less late_from)
    ("running: late once its due date passes", [start(MON)], None, "2026-03-05 09:00"),
    (
        "waiting for the citizen, asked before the due date: not late while it waits",
        [start(MON), pause("2026-03-03 09:00")], None, None,
    ),
    (
        "waiting, but asked after the due date: late since the due date",
        [start(MON), pause("2026-03-06 09:00")], None, "2026-03-05 09:00",
    ),
    (
        "waiting after a second request: late from the second request",
        [start(MON), pause("2026-03-02 10:00"), resume("2026-03-02 11:00"),
         pause("2026-03-02 14:00")], None, "2026-03-02 14:00",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clock", "supplements", "late_from"), [o[1:] for o in OPEN], ids=[o[0] for o in OPEN]
)
def test_judge_open(clock, supplements, late_from):
    verdict = judge(CAL, record(clock, supplements=supplements))
    assert verdict.outcome is None and verdict.ended_at is None
    assert verdict.late_from == (at(late_from) if late_from else None)


def test_contributions_of_a_late_dossier_fall_on_their_days():
    # Received Mon 2 March, late from Thu 5 March 09:00, finished Fri 6 March 10:00, rated
    # 2 in each of the four dimensions (dislike) on Mon 9 March at the desk.
    rating = RatingRecord(at=at("2026-03-09 10:00"), points=8, at_desk=True)
    rec = record(
        [start(MON), stop("2026-03-06 10:00")],
        finished="2026-03-06 10:00", online=True, electronic_result=True, rating=rating,
    )  # fmt: skip
    out = contributions(CAL, rec)
    assert set(out) == {date(2026, 3, d) for d in (2, 5, 6, 9)}
    assert out[date(2026, 3, 2)].as_dict() == {
        **Tally().as_dict(),
        "received": 1,
        "received_online": 1,
        "open_delta": 1,
    }
    assert out[date(2026, 3, 5)].late_open_delta == 1
    six = out[date(2026, 3, 6)]
    assert (six.finished, six.late, six.late_agency, six.open_delta, six.late_open_delta) == (
        1, 1, 1, -1, -1
    )  # fmt: skip
    # Mon 09:00 to Fri 10:00: 7 + 8 + 8 + 8 + 2 = 33 working hours.
    assert six.agency_seconds == 33 * H and six.electronic_result == 1
    nine = out[date(2026, 3, 9)]
    assert (nine.ratings, nine.ratings_at_desk, nine.rating_points, nine.dislikes) == (1, 1, 8, 1)
    assert nine.rating_points_at_desk == 8


def test_ratings_at_a_desk_device_are_kept_apart_from_the_citizens_own():
    # Own channel: 20 and 12 points (averages 5 and 3: 4); at a desk: 20 (5). Four
    # dossiers finished: response rate 3/4.
    period = Tally(finished=4, ratings=3, ratings_at_desk=1, rating_points=52,
                   rating_points_at_desk=20)  # fmt: skip
    f = Figures.of(period, Tally())
    assert f.satisfaction == Fraction(52, 12)
    assert f.satisfaction_own == 4
    assert f.satisfaction_at_desk == 5
    assert f.response_rate == Fraction(3, 4)


def test_a_dossier_late_and_finished_the_same_day_is_never_open_and_late():
    out = contributions(
        CAL, record([start(MON), stop("2026-03-05 10:00")], finished="2026-03-05 10:00")
    )
    assert all(t.late_open_delta == 0 for t in out.values())


def test_an_online_dossier_due_before_its_receipt_is_open_and_late_from_the_receipt():
    # Submitted online Mon 2 March 10:00 for a same-day procedure (due 17:00 that day),
    # accepted at the desk Tue 3 March 09:00: the clock started at the submission, so it was
    # due before it was received. It is open, and late, from its receipt, not before.
    same_day = ClockEntry(kind=ClockKind.START, at=at("2026-03-02 10:00"), same_day=True)
    rec = DossierRecord(
        received_at=at("2026-03-03 09:00"), clock=(same_day,), finished_at=None,
        supplement_requests=0, online=True,
    )  # fmt: skip
    verdict = judge(CAL, rec)
    assert verdict.late_from == at("2026-03-03 09:00")
    out = contributions(CAL, rec)
    assert set(out) == {date(2026, 3, 3)}
    assert (out[date(2026, 3, 3)].open_delta, out[date(2026, 3, 3)].late_open_delta) == (1, 1)


def sums(records, period: Period) -> Figures:
    inside, before = Tally(), Tally()
    for rec in records:
        for day, tally in contributions(CAL, rec).items():
            if period.first <= day <= period.last:
                inside.add(tally)
            elif day < period.first:
                before.add(tally)
    return Figures.of(inside, before)


def test_the_on_time_rate_counts_carried_and_open_dossiers():
    # March 2026, four dossiers:
    # a: received 27 Feb, finished early 3 March (carried in, on time);
    # b: received 2 March, finished late 6 March;
    # c: received 30 March (3 days: due Thu 2 April), open at the end of March: on time;
    # d: received 23 March (due 26 March), still open at the end: late.
    a = record([start("2026-02-27 09:00"), stop("2026-03-03 09:00")], finished="2026-03-03 09:00")
    b = record([start(MON), stop("2026-03-06 10:00")], finished="2026-03-06 10:00")
    c = record([start("2026-03-30 09:00")])
    d = record([start("2026-03-23 09:00")])
    march = sums([a, b, c, d], Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert (march.carried, march.period.received, march.open_end, march.late_open_end) == (
        1, 3, 2, 1
    )  # fmt: skip
    # Within time: a (early) and c (open, not late): 2 of 4.
    assert march.to_process == 4 and march.within_time == 2
    assert march.on_time_rate == Fraction(1, 2)


def test_integration_late_is_split_from_the_agency_late_rate():
    late_by_sync = record(
        [start(MON), stop("2026-03-05 10:00")], finished="2026-03-05 10:00", integration=2 * H
    )
    on_time = record([start(MON), stop("2026-03-04 10:00")], finished="2026-03-04 10:00")
    march = sums([late_by_sync, on_time], Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert march.late_rate == Fraction(1, 2)
    assert march.agency_late_rate == 0


def test_index_scores_and_explains():
    # 10 dossiers to process, 8 within time (2.1: 16 points); 3 of 10 online (share 30%,
    # full at 50%: 6 × 0.6 = 3.6); no fee (4.3 full: 6); 5 of 10 finished with an electronic
    # result (3); no feedback (6.2 full: 6); late 20%, 1 dislike of 4 ratings (25%):
    # 100% − 45% = 55% ÷ 90% × 6 = 11/3.
    period = Tally(received=10, received_online=3, finished=10, early=4, on_time=4, late=2,
                   electronic_result=5, ratings=4, dislikes=1, rating_points=14)  # fmt: skip
    result = index(Figures.of(period, Tally()))
    scores = {i.code: i.score for i in result.indicators}
    assert scores["2.1"] == 16
    assert scores["3.3"] == Fraction(18, 5)
    assert scores["4.3"] == 6
    assert scores["5.1"] == 3
    assert scores["6.2"] == 6
    assert scores["6.4"] == Fraction(11, 3)
    assert scores["1.4"] is None  # no portal sync yet: empty, not 0
    assert result.available == 50
    assert result.total == 16 + Fraction(18, 5) + 6 + 3 + 6 + Fraction(11, 3)
    assert result.score == result.total * 2
    assert result.band == classify(result.score)
    assert all(i.formula for i in result.indicators)


@pytest.mark.parametrize(
    ("received", "sync", "numerator", "denominator", "score"),
    [
        # Not connected to the portal: empty, never 0.
        (10, None, None, None, None),
        # Connected, nothing received: nothing to judge, full points as the other ratios.
        (0, SyncFigures(0), 0, 0, Fraction(6)),
        # Every dossier received in the period synced: 6 × 10 ÷ 10.
        (10, SyncFigures(10), 10, 10, Fraction(6)),
        # Some still waiting for the portal's acknowledgement: 6 × 7 ÷ 10.
        (10, SyncFigures(7), 7, 10, Fraction(21, 5)),
        # Connected, none acknowledged yet: a real 0.
        (4, SyncFigures(0), 0, 4, Fraction(0)),
        # The portal's own count, if it were known, wins when larger: 6 × 7 ÷ 14.
        (10, SyncFigures(7, portal_count=14), 7, 14, Fraction(3)),
        # ... and ours when the portal's is smaller.
        (10, SyncFigures(7, portal_count=8), 7, 10, Fraction(21, 5)),
        # Never more synced than counted (an agency changed between records): 6 × 3 ÷ 3.
        (3, SyncFigures(5), 3, 3, Fraction(6)),
    ],
)
def test_the_sync_indicator(received, sync, numerator, denominator, score):
    figures = Figures.of(Tally(received=received, on_time=received, finished=received), Tally())
    result = index(figures, sync=sync)
    synced = {i.code: i for i in result.indicators}["1.4"]
    assert (synced.numerator, synced.denominator, synced.score) == (numerator, denominator, score)
    assert synced.maximum == 6 and synced.formula
    if sync is None:
        assert "chưa kết nối" in synced.formula
        assert result.available == 50
    else:
        assert "÷ hồ sơ tiếp nhận trong kỳ" in synced.formula
        assert result.available == 56  # counted in the score once computed
        assert result.group_total(synced.group) == score


def test_feedback_on_time_share():
    result = index(
        Figures.of(Tally(received=1, on_time=1, finished=1), Tally()),
        FeedbackFigures(items=4, on_time=3),
    )
    assert {i.code: i.score for i in result.indicators}["6.2"] == Fraction(9, 2)


@pytest.mark.parametrize(
    ("score", "band"),
    [(Fraction(100), "Xuất sắc"), (Fraction(90), "Xuất sắc"), (Fraction(8999, 100), "Tốt"),
     (Fraction(80), "Tốt"), (Fraction(65), "Khá"), (Fraction(50), "Trung bình"),
     (Fraction(4999, 100), "Yếu"), (None, "")],
)  # fmt: skip
def test_classify_bands(score, band):
    assert classify(score) == band


def test_rank_shares_places_and_puts_missing_scores_last():
    ranked = rank({1: Fraction(80), 2: Fraction(90), 3: Fraction(80), 4: None, 5: Fraction(70)})
    assert [(r.key, r.rank) for r in ranked] == [(2, 1), (1, 2), (3, 2), (5, 4), (4, None)]


@pytest.mark.parametrize(
    ("first", "last", "head", "months", "tail"),
    [
        ("2026-01-01", "2026-12-31", 0, 12, 0),
        ("2026-01-15", "2026-03-10", 17, 1, 10),
        ("2026-02-03", "2026-02-20", 18, 0, 0),
        ("2026-02-01", "2026-02-28", 0, 1, 0),
    ],
)
def test_period_split_into_months(first, last, head, months, tail):
    p = Period(date.fromisoformat(first), date.fromisoformat(last))
    h, m, t = p.months()
    assert (len(h), len(m), len(t)) == (head, months, tail)
    covered = sorted(h + t) + [d for d in m]
    assert min(covered) == p.first
    days = (
        len(h)
        + len(t)
        + sum(((d.replace(day=28) + timedelta(days=4)).replace(day=1) - d).days for d in m)
    )
    assert days == (p.last - p.first).days + 1
