"""The indexed calendar agrees with the straightforward one, for any calendar and any input.

`Reference` is the calendar as it was before the index: day by day with day_off_reason(),
session by session with datetimes. It is slow and obviously right; Hypothesis draws random
calendars (sessions, weekends, injected or package holidays, overrides decided at various
times, both due-time styles, small year ranges) and moments anywhere, and every public
method of WorkCalendar must answer as the reference does: the same value, in the same time
zone, or the same error with the same message.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from motcua.core.calendar import (
    DEFAULT_TZ,
    CalendarPolicy,
    Override,
    Session,
    WorkCalendar,
    require_aware,
)
from motcua.core.errors import DomainError, ValidationError

VN = DEFAULT_TZ
PARIS = ZoneInfo("Europe/Paris")  # summer time: wall-clock arithmetic meets a real offset change
ONE_DAY = timedelta(days=1)
ONE_SECOND = timedelta(seconds=1)


class Reference:
    """The straightforward computation over a WorkCalendar's days (its day_off_reason)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.cal = calendar
        self.tz = calendar.tz
        self.sessions = calendar.policy.sessions

    def is_working_day(self, day: date) -> bool:
        return self.cal.day_off_reason(day) is None

    def next_working_day(self, day: date) -> date:
        self.cal.day_off_reason(day)  # the range check of `day` itself
        candidate = day + ONE_DAY
        while not self.is_working_day(candidate):
            candidate += ONE_DAY
        return candidate

    def days_off_between(self, first: date, last: date) -> list[tuple[date, str]]:
        self.cal.day_off_reason(first)  # the range checks, in this order
        self.cal.day_off_reason(last)
        result = []
        day = first
        while day <= last:
            reason = self.cal.day_off_reason(day)
            if reason is not None:
                result.append((day, reason))
            day += ONE_DAY
        return result

    def is_open(self, at: datetime) -> bool:
        local = self.local(at)
        if not self.is_working_day(local.date()):
            return False
        return any(s.start <= local.time() < s.end for s in self.sessions)

    def next_opening(self, at: datetime) -> datetime:
        local = self.local(at)
        day, moment = local.date(), local.time()
        if self.is_working_day(day):
            for session in self.sessions:
                if moment < session.start:
                    return self.at(day, session.start)
                if moment < session.end:
                    return local
        return self.at(self.next_working_day(day), self.sessions[0].start)

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise ValidationError(
                "Số giây làm việc phải là số nguyên không âm.", value=repr(seconds)
            )
        if seconds == 0 and self.is_session_end(start):
            return self.local(start)
        current = self.next_opening(start)
        remaining = timedelta(seconds=seconds)
        while remaining:
            session_end = self.session_end(current)
            available = session_end - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = self.next_opening(session_end)
        return current

    def days_to_seconds(self, days: Any) -> int:
        exact_seconds = exact_days(days) * self.cal.working_day_seconds
        return math.floor(exact_seconds + Fraction(1, 2))

    def add_working_days(self, start: datetime, days: Any) -> datetime:
        amount = exact_days(days)
        due = self.add_working_seconds(start, self.days_to_seconds(amount))
        if self.cal.policy.due_time_style == "end_of_day" and amount >= 1:
            return self.at(due.date(), self.sessions[-1].end)
        return due

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        first, last = self.local(start), self.local(end)
        if last <= first:
            return 0
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                for session in self.sessions:
                    low = max(first, self.at(day, session.start))
                    high = min(last, self.at(day, session.end))
                    if high > low:
                        total += high - low
            day += ONE_DAY
        return total // ONE_SECOND

    def clock_start(self, received_at: datetime, *, same_day: bool = False) -> datetime:
        local = self.local(received_at)
        policy = self.cal.policy
        cutoff = policy.same_day_cutoff if same_day else policy.late_cutoff
        opening = self.next_opening(local)
        if opening.date() == local.date() and opening.time() < cutoff:
            return opening
        return self.at(self.next_working_day(local.date()), self.sessions[0].start)

    def same_day_due(self, received_at: datetime) -> datetime:
        started = self.clock_start(received_at, same_day=True)
        return self.at(started.date(), self.sessions[-1].end)

    # Helpers, as they were

    def is_session_end(self, at: datetime) -> bool:
        local = self.local(at)
        return self.is_working_day(local.date()) and any(
            local.time() == session.end for session in self.sessions
        )

    def session_end(self, current: datetime) -> datetime:
        moment = current.time()
        for session in self.sessions:
            if session.start <= moment < session.end:
                return self.at(current.date(), session.end)
        raise AssertionError("session_end() needs a moment inside a session")

    def local(self, at: datetime) -> datetime:
        require_aware(at)
        local = at.astimezone(self.tz)
        self.cal.day_off_reason(local.date())  # the range check
        return local

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)


def exact_days(days: Any) -> Fraction:
    """As the calendar validated a number of days before the index."""
    if isinstance(days, bool | float) or not isinstance(days, int | Fraction | Decimal):
        raise ValidationError(
            "Số ngày làm việc phải là số nguyên, Fraction hoặc Decimal.", value=repr(days)
        )
    try:
        amount = Fraction(days)
    except (ValueError, OverflowError) as exc:
        raise ValidationError("Số ngày làm việc không hợp lệ.", value=repr(days)) from exc
    if amount < 0:
        raise ValidationError("Số ngày làm việc không được âm.", value=repr(days))
    return amount


def reference_as_of(kwargs: dict[str, Any], moment: datetime) -> WorkCalendar:
    """A calendar built afresh from the overrides decided at or before `moment`."""
    known = [o for o in kwargs["overrides"] if o.decided_at is None or o.decided_at <= moment]
    return WorkCalendar(**{**kwargs, "overrides": known})


def outcome(call: Callable[[], object]) -> tuple[object, ...]:
    """What a call gives, comparable: the value (datetimes with their zone and fold), or the
    error's type and message."""
    try:
        value = call()
    except (DomainError, OverflowError) as exc:
        return ("raised", type(exc), str(exc))
    if isinstance(value, datetime):
        return ("datetime", value, repr(value))
    return ("value", type(value), value)


def agree(
    method: Callable[..., object], reference: Callable[..., object], *args: Any, **kwargs: Any
) -> None:
    """The method and the reference give the same outcome for the same arguments."""
    assert outcome(lambda: method(*args, **kwargs)) == outcome(lambda: reference(*args, **kwargs))


def agree_repeatedly(
    method: Callable[[datetime, Any], object],
    reference: Callable[[datetime, Any], object],
    start: datetime,
    amount: Any,
    cal: WorkCalendar,
) -> None:
    """As agree(), from `start` twice (the second time with the amount memoized) and from the
    same moment in the calendar's zone (the usual case, which converts nothing)."""
    expected = outcome(functools.partial(reference, start, amount))
    for moment in (start, start, start.astimezone(cal.tz)):
        assert outcome(functools.partial(method, moment, amount)) == expected


class Whole(int):
    """An int subclass (as an IntEnum is): accepted as an int."""


# --- Random calendars -------------------------------------------------------------------------
# Strategies are built once, here: Hypothesis spends far more building and validating a
# strategy than drawing from it.

FIRST_YEAR = 2025
LAST_YEAR = 2027
ZONES = st.sampled_from([VN, VN, UTC, PARIS])
MINUTES = st.integers(0, 24 * 60 - 1).map(lambda m: time(*divmod(m, 60)))
# Mostly whole minutes, as centres configure them; sometimes any time at all.
CLOCK_TIMES = st.one_of(MINUTES, MINUTES, MINUTES, st.times())
EDGES = {count: st.sets(CLOCK_TIMES, min_size=2 * count, max_size=2 * count) for count in (1, 2, 3)}
DAYS = st.dates(min_value=date(FIRST_YEAR - 1, 12, 20), max_value=date(LAST_YEAR + 1, 1, 10))
NAIVE = st.datetimes(
    min_value=datetime(FIRST_YEAR - 1, 12, 25), max_value=datetime(LAST_YEAR + 1, 1, 5)
)
DECIDED = st.one_of(
    st.none(),
    NAIVE.map(lambda d: d.replace(tzinfo=UTC)),
    st.builds(lambda d, zone: d.replace(tzinfo=zone), NAIVE, ZONES),
)
OVERRIDES = st.lists(
    st.builds(Override, DAYS, st.booleans(), st.sampled_from(["", "Làm bù", "Nghỉ"]), DECIDED),
    max_size=12,
)
STATUTORY = st.none() | st.dictionaries(DAYS, st.sampled_from(["Lễ", "", "Ngày Văn hóa Việt Nam"]))
EXCLUDED = st.sampled_from(
    [frozenset(), frozenset({"Ngày Văn hóa Việt Nam"}), frozenset({"Quốc khánh"})]
)
WEEKENDS = st.sets(st.integers(0, 6), max_size=6).map(frozenset)
STYLES = st.sampled_from(["exact", "end_of_day"])
COUNTS = st.integers(1, 3)
YEARS = st.integers(FIRST_YEAR, LAST_YEAR)
SMALL = st.integers(0, 3)
NUDGES = st.sampled_from([0, 0, 1, -1, 60_000_000, -60_000_000])
MILLIONTHS = st.integers(0, 10**6)
SPANS = st.integers(0, 30 * 86_400)
SHIFTS = st.integers(-3, 60)
DAY_COUNTS = st.one_of(st.integers(0, 3), st.integers(0, 25), st.integers(0, 800))


@st.composite
def calendar_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    """Random sessions (they may touch, 12:00-12:00, but not overlap), weekends, holidays
    from the package or injected, overrides on few days decided at various times."""
    count = draw(COUNTS)
    points = sorted(draw(EDGES[count]))
    if count > 1 and draw(st.booleans()):
        points[2] = points[1]
    policy = CalendarPolicy(
        sessions=tuple(Session(points[2 * i], points[2 * i + 1]) for i in range(count)),
        late_cutoff=draw(CLOCK_TIMES),
        same_day_cutoff=draw(CLOCK_TIMES),
        due_time_style=draw(STYLES),
        weekend=draw(WEEKENDS),
        excluded_holidays=draw(EXCLUDED),
    )
    first_year = draw(YEARS)
    return {
        "tz": draw(ZONES),
        "policy": policy,
        "overrides": draw(OVERRIDES),
        "first_year": first_year,
        "last_year": max(first_year, draw(YEARS)),
        "statutory": draw(STATUTORY),
    }


@st.composite
def moments(draw: st.DrawFn, policy: CalendarPolicy) -> datetime:
    """Anywhere (nights, weekends, holidays, out of range), or on and around a session edge."""
    zone = draw(ZONES)
    if draw(st.booleans()):
        return draw(NAIVE).replace(tzinfo=zone)
    session = policy.sessions[draw(SMALL) % len(policy.sessions)]
    edge = datetime.combine(draw(DAYS), session.end if draw(st.booleans()) else session.start)
    return (edge + timedelta(microseconds=draw(NUDGES))).replace(tzinfo=zone)


@st.composite
def working_seconds(draw: st.DrawFn, day_seconds: int) -> int:
    """From nothing to past the end of the range; whole days, parts of days, and a few errors."""
    kind = draw(SMALL)
    if kind == 0:
        return draw(st.sampled_from([0, 1, 3600, day_seconds, *ODD_SECONDS]))
    whole = draw(DAY_COUNTS) * day_seconds
    return whole if kind == 1 else whole + draw(MILLIONTHS) * day_seconds // 10**6


# The largest timedelta in seconds, and past it (the reference fails on making that); an int
# subclass, which is an int; and what is refused.
LARGEST = 86_399_999_999_999
ODD_SECONDS = [10**12, LARGEST, LARGEST + 1, Whole(7200), -1, True, 3600.0]

amounts_of_days = st.one_of(
    st.fractions(min_value=0, max_value=40, max_denominator=8),
    st.integers(0, 40),
    st.decimals(min_value=0, max_value=40, places=3),
    st.sampled_from(
        [
            Decimal("0.125"),
            Decimal("NaN"),
            Decimal("Infinity"),
            Fraction(-1, 2),
            -1,
            0.5,
            True,
            Whole(2),
            "1",
        ]
    ),
)

PROPERTY = settings(max_examples=200, deadline=None)


# --- Agreement --------------------------------------------------------------------------------


@PROPERTY
@given(data=st.data(), kwargs=calendar_kwargs())
def test_days_agree_with_the_reference(data: st.DataObject, kwargs: dict[str, Any]) -> None:
    cal, ref = WorkCalendar(**kwargs), Reference(WorkCalendar(**kwargs))
    for day in data.draw(st.lists(DAYS, min_size=1, max_size=10)):
        agree(cal.is_working_day, ref.is_working_day, day)
        agree(cal.next_working_day, ref.next_working_day, day)


@PROPERTY
@given(data=st.data(), kwargs=calendar_kwargs())
def test_days_off_between_agrees_with_the_reference(
    data: st.DataObject, kwargs: dict[str, Any]
) -> None:
    cal, ref = WorkCalendar(**kwargs), Reference(WorkCalendar(**kwargs))
    for _round in range(3):
        first = data.draw(DAYS)
        # A span of a few weeks, as an explanation shows, or any two days.
        near = data.draw(st.booleans())
        last = first + data.draw(SHIFTS) * ONE_DAY if near else data.draw(DAYS)
        agree(cal.days_off_between, ref.days_off_between, first, last)


@PROPERTY
@given(data=st.data(), kwargs=calendar_kwargs())
def test_hours_agree_with_the_reference(data: st.DataObject, kwargs: dict[str, Any]) -> None:
    cal, ref = WorkCalendar(**kwargs), Reference(WorkCalendar(**kwargs))
    for moment in data.draw(st.lists(moments(kwargs["policy"]), min_size=1, max_size=4)):
        agree(cal.is_open, ref.is_open, moment)
        agree(cal.next_opening, ref.next_opening, moment)
        agree(cal.clock_start, ref.clock_start, moment)
        agree(cal.clock_start, ref.clock_start, moment, same_day=True)
        agree(cal.same_day_due, ref.same_day_due, moment)


@PROPERTY
@given(data=st.data(), kwargs=calendar_kwargs())
def test_adding_working_seconds_agrees_with_the_reference(
    data: st.DataObject, kwargs: dict[str, Any]
) -> None:
    cal, ref = WorkCalendar(**kwargs), Reference(WorkCalendar(**kwargs))
    for _round in range(4):
        start = data.draw(moments(kwargs["policy"]))
        seconds = data.draw(working_seconds(cal.working_day_seconds))
        agree_repeatedly(cal.add_working_seconds, ref.add_working_seconds, start, seconds, cal)


@PROPERTY
@given(data=st.data(), kwargs=calendar_kwargs())
def test_adding_working_days_agrees_with_the_reference(
    data: st.DataObject, kwargs: dict[str, Any]
) -> None:
    cal, ref = WorkCalendar(**kwargs), Reference(WorkCalendar(**kwargs))
    for _round in range(4):
        start = data.draw(moments(kwargs["policy"]))
        days = data.draw(amounts_of_days)
        agree(cal.days_to_seconds, ref.days_to_seconds, days)
        agree_repeatedly(cal.add_working_days, ref.add_working_days, start, days, cal)


@PROPERTY
@given(data=st.data(), kwargs=calendar_kwargs())
def test_working_seconds_between_agrees_with_the_reference(
    data: st.DataObject, kwargs: dict[str, Any]
) -> None:
    cal, ref = WorkCalendar(**kwargs), Reference(WorkCalendar(**kwargs))
    for _round in range(4):
        start = data.draw(moments(kwargs["policy"]))
        if data.draw(st.booleans()):
            end = data.draw(moments(kwargs["policy"]))
        else:
            end = start + timedelta(seconds=data.draw(SPANS))
        agree(cal.working_seconds_between, ref.working_seconds_between, start, end)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), kwargs=calendar_kwargs())
def test_as_of_agrees_with_a_calendar_built_from_what_was_known(
    data: st.DataObject, kwargs: dict[str, Any]
) -> None:
    cal = WorkCalendar(**kwargs)
    policy = kwargs["policy"]
    decided = [o.decided_at for o in kwargs["overrides"] if o.decided_at is not None]
    # The decision times themselves, where "at or before" matters most, or anything.
    instants = st.sampled_from(decided) | moments(policy) if decided else moments(policy)
    first, second = data.draw(instants), data.draw(instants)
    # As of one moment, and then as of another: both limits apply.
    once = cal.as_of(first)
    twice = once.as_of(second)
    expected_once = reference_as_of(kwargs, first)
    expected_twice = reference_as_of({**kwargs, "overrides": expected_once.overrides}, second)
    for seen, built in ((once, expected_once), (twice, expected_twice)):
        assert seen.overrides == built.overrides
        ref = Reference(built)
        for override in kwargs["overrides"]:
            agree(seen.is_working_day, ref.is_working_day, override.day)
            agree(seen.day_off_reason, built.day_off_reason, override.day)
        start = data.draw(moments(policy))
        seconds = data.draw(working_seconds(seen.working_day_seconds))
        agree(seen.add_working_seconds, ref.add_working_seconds, start, seconds)


# --- Cases worth keeping (found while writing the index) ----------------------------------------


CENTRE = {
    "overrides": [
        Override(
            date(2026, 3, 10), False, "Nghỉ do bão", decided_at=datetime(2026, 3, 9, tzinfo=UTC)
        ),
        Override(date(2026, 3, 14), True, "Làm bù cho ngày 10/3"),
    ],
    "first_year": 2024,
    "last_year": 2027,
}


@settings(max_examples=200, deadline=None)
@given(start=moments(CalendarPolicy()), seconds=working_seconds(8 * 3600))
@example(start=datetime(2026, 3, 2, 12, tzinfo=VN), seconds=0)  # lunch: to the next opening
@example(start=datetime(2026, 3, 2, 17, tzinfo=VN), seconds=0)  # a session end stays put
@example(start=datetime(2026, 3, 2, 9, tzinfo=VN), seconds=3 * 3600)  # fills the morning
@example(start=datetime(2026, 3, 13, 16, tzinfo=VN), seconds=2 * 3600)  # to the make-up Saturday
@example(start=datetime(2027, 12, 31, 16, tzinfo=VN), seconds=3600)  # past the last year
def test_the_default_policy_with_a_centres_overrides_agrees(start: datetime, seconds: int) -> None:
    cal, ref = WorkCalendar(**CENTRE), Reference(WorkCalendar(**CENTRE))
    agree(cal.add_working_seconds, ref.add_working_seconds, start, seconds)
    end = start + timedelta(seconds=min(seconds, 10**9))
    agree(cal.working_seconds_between, ref.working_seconds_between, start, end)


def test_whole_days_end_at_closing_time_not_at_the_next_opening() -> None:
    cal = WorkCalendar()
    for start, days, due in [
        ("2026-03-02 08:00", 1, "2026-03-02 17:00"),  # Monday, from the opening
        ("2026-03-01 22:00", 1, "2026-03-02 17:00"),  # Sunday night
        ("2026-03-02 17:00", 1, "2026-03-03 17:00"),  # from the closing
        ("2026-03-02 12:30", 1, "2026-03-03 12:00"),  # from lunch: the morning's end
        ("2026-03-02 10:00", 5, "2026-03-09 10:00"),
        ("2026-12-31 08:00", 1, "2026-12-31 17:00"),  # the year's last working day
        ("2026-12-31 08:00", 2, "2027-01-04 17:00"),  # 1/1 is Tết Dương lịch, then a weekend
    ]:
        assert cal.add_working_days(at(start), days) == at(due)
        assert cal.add_working_days(at(start), Fraction(days)) == at(due)


def test_a_sum_that_skips_a_whole_year_ends_on_the_right_day() -> None:
    """Around as many working days as 2026 has, from the end of 2025: into 2027 or not."""
    cal, ref = WorkCalendar(), Reference(WorkCalendar())
    in_2026 = sum(cal.is_working_day(date(2026, 1, 1) + i * ONE_DAY) for i in range(365))
    for start in (datetime(2025, 12, 31, 17, tzinfo=VN), datetime(2025, 12, 31, 10, tzinfo=VN)):
        for days in range(in_2026 - 1, in_2026 + 3):
            for amount in (days, Fraction(days), days - Fraction(1, 8)):
                assert cal.add_working_days(start, amount) == ref.add_working_days(start, amount)
            seconds = days * cal.working_day_seconds
            assert cal.add_working_seconds(start, seconds) == ref.add_working_seconds(
                start, seconds
            )


@pytest.mark.parametrize("days", [1, Fraction(1), Decimal("1.000"), Fraction(9, 8), 2])
def test_in_end_of_day_style_one_day_or_more_ends_at_closing_time(days: Any) -> None:
    policy = CalendarPolicy(due_time_style="end_of_day")
    cal, ref = WorkCalendar(policy=policy), Reference(WorkCalendar(policy=policy))
    start = datetime(2026, 3, 2, 10, 15, tzinfo=VN)
    for _twice in range(2):  # the second time from the memoized amount
        due = cal.add_working_days(start, days)
        assert due == ref.add_working_days(start, days)
        assert due.time() == time(17)


def test_many_different_amounts_agree() -> None:
    """More amounts than the calendar memoizes: it forgets them, and stays right."""
    cal, ref = WorkCalendar(**CENTRE), Reference(WorkCalendar(**CENTRE))
    start = datetime(2026, 3, 9, 11, 30, tzinfo=VN)
    amounts = range(1, 5000)
    for seconds in amounts:
        cal.add_working_seconds(start, seconds * 7)
        cal.add_working_days(start, Fraction(seconds, 4000))
    for seconds in amounts[::25]:  # forgotten, or still known
        assert cal.add_working_seconds(start, seconds * 7) == ref.add_working_seconds(
            start, seconds * 7
        )
        days = Fraction(seconds, 4000)
        assert cal.add_working_days(start, days) == ref.add_working_days(start, days)


def test_adjacent_sessions_end_a_sum_at_the_first_sessions_end() -> None:
    policy = CalendarPolicy(sessions=(Session(time(8), time(12)), Session(time(12), time(16))))
    cal = WorkCalendar(policy=policy)
    start = datetime(2026, 3, 2, 8, tzinfo=VN)
    assert cal.add_working_seconds(start, 4 * 3600) == datetime(2026, 3, 2, 12, tzinfo=VN)
    assert cal.add_working_seconds(start, 8 * 3600) == datetime(2026, 3, 2, 16, tzinfo=VN)


def test_past_the_last_year_it_names_the_first_day_outside() -> None:
    cal = WorkCalendar(first_year=2026, last_year=2026)
    evening = datetime(2026, 12, 31, 16, 30, tzinfo=VN)
    night = evening.replace(hour=18)  # after the range's last closing time
    for call in (
        lambda: cal.add_working_seconds(evening, 3600),
        lambda: cal.add_working_days(evening, 1),
        lambda: cal.next_opening(night),
        lambda: cal.next_working_day(date(2026, 12, 31)),
        lambda: cal.add_working_seconds(night, 10**15),  # this error before the overflow
    ):
        try:
            call()
        except DomainError as exc:
            assert exc.details["day"] == "2027-01-01"
        else:
            raise AssertionError("expected a CalendarRangeError")
    # Up to the last closing time of the range is fine.
    assert cal.add_working_seconds(evening, 1800) == datetime(2026, 12, 31, 17, tzinfo=VN)
    assert cal.working_seconds_between(datetime(2026, 1, 1, tzinfo=VN), evening) > 0


@pytest.mark.parametrize("seconds", [86_399_999_999_999, 86_400_000_000_000, 10**15])
@pytest.mark.parametrize("hour", [10, 18])
def test_amounts_past_any_calendar_fail_as_before(seconds: int, hour: int) -> None:
    """The largest timedelta runs past the range; a larger amount cannot be made at all."""
    cal = WorkCalendar(first_year=2026, last_year=2026)
    ref = Reference(WorkCalendar(first_year=2026, last_year=2026))
    start = datetime(2026, 12, 31, hour, tzinfo=VN)
    agree(cal.add_working_seconds, ref.add_working_seconds, start, seconds)


def test_the_index_crosses_new_year_and_the_years_between() -> None:
    cal = WorkCalendar()
    ref = Reference(WorkCalendar())
    start = datetime(2025, 12, 30, 10, tzinfo=VN)
    for seconds in (8 * 3600, 300 * 8 * 3600, 600 * 8 * 3600):
        assert cal.add_working_seconds(start, seconds) == ref.add_working_seconds(start, seconds)
    end = datetime(2028, 2, 1, 9, tzinfo=VN)
    assert cal.working_seconds_between(start, end) == ref.working_seconds_between(start, end)


# --- as_of is memoized --------------------------------------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def test_as_of_returns_the_same_copy_for_the_same_knowledge() -> None:
    cal = WorkCalendar(
        overrides=[
            Override(date(2026, 3, 4), False, "Nghỉ", decided_at=at("2026-03-03 09:00")),
            Override(date(2026, 3, 10), False, "Nghỉ", decided_at=at("2026-03-08 09:00")),
            Override(date(2026, 3, 5), False, "Nghỉ theo lịch năm"),
        ]
    )
    before = cal.as_of(at("2026-03-01 10:00"))
    assert before is cal.as_of(at("2026-03-02 16:00"))  # nothing decided in between
    assert [o.reason for o in before.overrides] == ["Nghỉ theo lịch năm"]
    between = cal.as_of(at("2026-03-03 09:00"))
    assert between is not before
    assert between.as_of(at("2026-03-01 10:00")) is before  # a copy's copy is shared too
    assert between.as_of(at("2026-03-09 10:00")) is between  # it knows no later decision
    assert cal.as_of(at("2026-03-09 10:00")) is cal  # everything known: the calendar itself
    assert not between.is_working_day(date(2026, 3, 4))
    assert between.is_working_day(date(2026, 3, 10))
