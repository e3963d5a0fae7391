"""Working calendar: 2026 holidays, office hours, the clock-start rule and its invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from motcua.core.calendar import (
    CalendarPolicy,
    Override,
    Session,
    WorkCalendar,
    format_date_vn,
    format_day_range,
    format_days_off,
    format_vn,
    group_days_off,
    local_date,
)
from motcua.core.errors import CalendarRangeError, ValidationError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
HOUR = 3600
DAY = 8 * HOUR


def at(text: str) -> datetime:
    """A local Hà Nội time from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


# --- Days: 2026 from the holidays package ----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working", "reason"),
    [
        (date(2026, 1, 1), False, "Tết Dương lịch"),
        (date(2026, 1, 2), True, None),
        (date(2026, 2, 13), True, None),
        (date(2026, 2, 16), False, "Giao thừa Tết Nguyên Đán"),
        (date(2026, 2, 17), False, "Tết Nguyên Đán"),
        (date(2026, 2, 20), False, "Mùng bốn Tết Nguyên Đán"),
        (date(2026, 2, 21), False, "Thứ Bảy"),
        (date(2026, 2, 22), False, "Chủ nhật"),
        (date(2026, 2, 23), True, None),
        (date(2026, 4, 26), False, "Ngày Giỗ Tổ Hùng Vương"),  # a Sunday; holiday name wins
        (date(2026, 4, 27), False, "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),
        (date(2026, 4, 30), False, "Ngày Chiến thắng"),
        (date(2026, 5, 1), False, "Ngày Quốc tế Lao động"),
        (date(2026, 8, 22), True, None),  # make-up Saturday for 31/8
        (date(2026, 8, 29), False, "Thứ Bảy"),
        (date(2026, 8, 31), False, "Ngày nghỉ (thay cho ngày 22/08/2026)"),
        (date(2026, 9, 1), False, "Quốc khánh"),
        (date(2026, 9, 2), False, "Quốc khánh"),
        (date(2026, 9, 3), True, None),
        (date(2026, 11, 24), True, None),  # Vietnam Culture Day: [check], not off by default
    ],
)
def test_it_knows_the_2026_days_off(day: date, working: bool, reason: str | None) -> None:
    assert CAL.is_working_day(day) is working
    assert CAL.day_off_reason(day) == reason


def test_it_treats_culture_day_as_off_once_confirmed() -> None:
    confirmed = WorkCalendar(policy=CalendarPolicy(excluded_holidays=frozenset()))
    assert not confirmed.is_working_day(date(2026, 11, 24))
    assert confirmed.day_off_reason(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"


def test_it_lets_overrides_win_over_the_package_and_the_weekend() -> None:
    cal = WorkCalendar(
        overrides=[
            Override(date(2026, 3, 10), working=False, reason="Nghỉ do bão (QĐ 12/QĐ-UBND)"),
            Override(date(2026, 3, 14), working=True, reason="Làm bù cho ngày 10/3"),
            Override(date(2026, 8, 31), working=True, reason="Trung tâm làm việc bình thường"),
            Override(date(2026, 8, 22), working=False, reason="Không làm bù"),
        ]
    )
    assert cal.day_off_reason(date(2026, 3, 10)) == "Nghỉ do bão (QĐ 12/QĐ-UBND)"
    assert cal.is_working_day(date(2026, 3, 14))  # a Saturday
    assert cal.is_working_day(date(2026, 8, 31))  # a package day off
    assert not cal.is_working_day(date(2026, 8, 22))  # a package make-up Saturday


def test_it_lets_the_latest_decision_for_a_day_win() -> None:
    cal = WorkCalendar(
        overrides=[
            Override(date(2026, 3, 10), False, "Nghỉ", decided_at=at("2026-03-01 09:00")),
            Override(date(2026, 3, 10), True, "Hủy nghỉ", decided_at=at("2026-03-05 09:00")),
        ]
    )
    assert cal.is_working_day(date(2026, 3, 10))
    assert not cal.as_of(at("2026-03-02 09:00")).is_working_day(date(2026, 3, 10))


def test_as_of_ignores_overrides_decided_later() -> None:
    cal = WorkCalendar(
        overrides=[
            Override(date(2026, 3, 4), False, "Nghỉ đột xuất", decided_at=at("2026-03-03 09:00")),
            Override(date(2026, 3, 5), False, "Nghỉ theo lịch năm"),  # always known
        ]
    )
    before = cal.as_of(at("2026-03-02 10:00"))
    assert before.is_working_day(date(2026, 3, 4))
    assert not before.is_working_day(date(2026, 3, 5))
    assert not cal.as_of(at("2026-03-03 09:00")).is_working_day(date(2026, 3, 4))
    assert not cal.is_working_day(date(2026, 3, 4))


def test_it_accepts_an_injected_statutory_list() -> None:
    cal = WorkCalendar(statutory={date(2030, 1, 2): "Ngày lễ thử nghiệm"})
    assert cal.day_off_reason(date(2030, 1, 2)) == "Ngày lễ thử nghiệm"
    assert cal.is_working_day(date(2030, 1, 1))  # only the injected list counts


def test_it_lists_days_off_with_reasons() -> None:
    assert CAL.days_off_between(date(2026, 8, 28), date(2026, 9, 3)) == [
        (date(2026, 8, 29), "Thứ Bảy"),
        (date(2026, 8, 30), "Chủ nhật"),
        (date(2026, 8, 31), "Ngày nghỉ (thay cho ngày 22/08/2026)"),
        (date(2026, 9, 1), "Quốc khánh"),
        (date(2026, 9, 2), "Quốc khánh"),
    ]
    assert CAL.days_off_between(date(2026, 3, 3), date(2026, 3, 2)) == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 23)),  # Friday before Tết
        (date(2026, 8, 21), date(2026, 8, 22)),  # make-up Saturday
        (date(2026, 8, 28), date(2026, 9, 3)),
        (date(2026, 3, 2), date(2026, 3, 3)),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert CAL.next_working_day(day) == expected


def test_it_refuses_dates_outside_the_supported_years() -> None:
    with pytest.raises(CalendarRangeError, match="2000–2099"):
        CAL.is_working_day(date(2100, 1, 4))
    with pytest.raises(CalendarRangeError, match="2000–2099"):
        CAL.add_working_days(at("1999-12-31 10:00"), 1)
    small = WorkCalendar(first_year=2026, last_year=2026)
    with pytest.raises(CalendarRangeError, match="năm 2026–2026"):
        small.next_working_day(date(2026, 12, 31))


def test_it_refuses_naive_datetimes() -> None:
    naive = datetime(2026, 3, 2, 10, 0)
    for call in (
        lambda: CAL.is_open(naive),
        lambda: CAL.add_working_seconds(naive, HOUR),
        lambda: CAL.clock_start(naive),
        lambda: CAL.working_seconds_between(at("2026-03-02 10:00"), naive),
        lambda: CAL.as_of(naive),
        lambda: format_vn(naive),
    ):
        with pytest.raises(ValidationError, match="múi giờ"):
            call()


def test_it_refuses_a_datetime_where_a_day_is_meant() -> None:
    with pytest.raises(ValidationError, match="date"):
        CAL.is_working_day(at("2026-03-02 10:00"))


@pytest.mark.parametrize(
    "policy_kwargs",
    [
        {"sessions": ()},
        {"sessions": (Session(time(12), time(8)),)},
        {"sessions": (Session(time(8), time(12)), Session(time(11), time(17)))},
        {"due_time_style": "midnight"},
        {"weekend": frozenset(range(7))},
    ],
)
def test_it_refuses_meaningless_policies(policy_kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CalendarPolicy(**policy_kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: CalendarPolicy(sessions=(Session(time(12), time(8)),)),
            "Buổi làm việc 12:00–08:00 không hợp lệ: giờ bắt đầu phải trước giờ kết thúc.",
        ),
        (
            lambda: CalendarPolicy(due_time_style="midnight"),
            "Kiểu giờ hẹn trả không hợp lệ: 'midnight' (chỉ nhận exact, end_of_day).",
        ),
        (
            lambda: WorkCalendar(first_year=2030, last_year=2020),
            "Phạm vi năm không hợp lệ: 2030–2020.",
        ),
        (
            lambda: CAL.as_of("2026-03-02 10:00"),  # type: ignore[arg-type]
            "Thời điểm phải là một thời điểm (datetime).",
        ),
        (
            lambda: CAL.as_of(datetime(2026, 3, 2, 10)),
            "Thời điểm phải kèm múi giờ (không nhận thời điểm không có múi giờ): 02/03/2026 10:00.",
        ),
        (
            lambda: WorkCalendar(
                overrides=[Override(date(2026, 3, 4), False, "Nghỉ", datetime(2026, 3, 3, 9))]
            ),
            "Thời điểm ra quyết định phải kèm múi giờ (không nhận thời điểm không có múi giờ): "
            "03/03/2026 09:00.",
        ),
    ],
)
def test_messages_read_as_before_with_their_values_as_details(call, message: str) -> None:
    """The wording is the same; the values are details, so a translation can place them."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.message == message
    assert caught.value.template != message


# --- Hours ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "is_open", "next_opening"),
    [
        ("2026-03-02 07:59", False, "2026-03-02 08:00"),
        ("2026-03-02 08:00", True, "2026-03-02 08:00"),
        ("2026-03-02 11:59", True, "2026-03-02 11:59"),
        ("2026-03-02 12:00", False, "2026-03-02 13:00"),  # lunch
        ("2026-03-02 12:30", False, "2026-03-02 13:00"),
        ("2026-03-02 16:59", True, "2026-03-02 16:59"),
        ("2026-03-02 17:00", False, "2026-03-03 08:00"),
        ("2026-03-06 18:00", False, "2026-03-09 08:00"),  # Friday evening
        ("2026-03-07 10:00", False, "2026-03-09 08:00"),  # Saturday
        ("2026-02-13 17:30", False, "2026-02-23 08:00"),  # before Tết
        ("2026-08-22 09:00", True, "2026-08-22 09:00"),  # make-up Saturday
    ],
)
def test_office_hours(moment: str, is_open: bool, next_opening: str) -> None:
    assert CAL.is_open(at(moment)) is is_open
    assert CAL.next_opening(at(moment)) == at(next_opening)


def test_it_works_in_local_time_whatever_the_input_zone() -> None:
    # 08:40 UTC is 15:40 in Hà Nội.
    received = datetime(2026, 2, 13, 8, 40, tzinfo=UTC)
    assert CAL.is_open(received)
    result = CAL.add_working_seconds(received, HOUR)
    assert result == at("2026-02-13 16:40")
    assert result.tzinfo is VN


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        ("2026-02-12 10:00", 8 * HOUR, "2026-02-13 10:00"),  # Thu 10:00 + 8 h = Fri 10:00
        ("2026-03-02 13:00", 4 * HOUR, "2026-03-02 17:00"),  # stays at the session end
        ("2026-03-02 08:00", 4 * HOUR, "2026-03-02 12:00"),
        ("2026-03-02 11:00", 2 * HOUR, "2026-03-02 14:00"),  # lunch skipped
        ("2026-03-02 12:30", HOUR, "2026-03-02 14:00"),  # starts at 13:00
        ("2026-03-02 16:30", HOUR, "2026-03-03 08:30"),
        ("2026-03-02 10:00", 0, "2026-03-02 10:00"),
        ("2026-03-02 12:15", 0, "2026-03-02 13:00"),
        ("2026-08-21 16:00", 2 * HOUR, "2026-08-22 09:00"),  # make-up Saturday
        ("2026-08-28 16:00", 2 * HOUR, "2026-09-03 09:00"),  # 29/8 - 2/9 off
    ],
)
def test_add_working_seconds(start: str, seconds: int, expected: str) -> None:
    assert CAL.add_working_seconds(at(start), seconds) == at(expected)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-02-12 10:00", 3, "2026-02-24 10:00"),  # Tết 16-20/2 skipped
        ("2026-02-12 10:00", Fraction(1, 2), "2026-02-12 15:00"),
        ("2026-02-12 10:00", Decimal("0.25"), "2026-02-12 12:00"),  # ends at the session end
        ("2026-02-12 11:00", Decimal("0.25"), "2026-02-12 14:00"),
        ("2026-02-12 10:00", Decimal("1.5"), "2026-02-13 15:00"),
        ("2026-03-02 08:00", 1, "2026-03-02 17:00"),
        ("2026-04-24 10:00", 2, "2026-04-29 10:00"),  # Giỗ Tổ and its day off in lieu
        ("2026-08-21 10:00", 1, "2026-08-22 10:00"),  # Saturday 22/8 is worked
        ("2026-08-28 10:00", 1, "2026-09-03 10:00"),
    ],
)
def test_add_working_days(start: str, days: Fraction | Decimal | int, expected: str) -> None:
    assert CAL.add_working_days(at(start), days) == at(expected)


def test_end_of_day_style_ends_at_closing_time_of_the_last_day() -> None:
    cal = WorkCalendar(policy=CalendarPolicy(due_time_style="end_of_day"))
    assert cal.add_working_days(at("2026-02-12 10:00"), 3) == at("2026-02-24 17:00")
    assert cal.add_working_days(at("2026-03-02 08:00"), 1) == at("2026-03-02 17:00")
    # Fractions keep the exact time: "end of day" is about whole days.
    assert cal.add_working_days(at("2026-02-12 10:00"), Fraction(1, 2)) == at("2026-02-12 15:00")


def test_other_office_hours() -> None:
    policy = CalendarPolicy(
        sessions=(Session(time(7, 30), time(11, 30)), Session(time(13, 30), time(17))),
    )
    cal = WorkCalendar(policy=policy)
    assert cal.working_day_seconds == 27000  # 7.5 h
    assert cal.add_working_days(at("2026-03-02 09:30"), Fraction(1, 2)) == at("2026-03-02 15:15")
    assert cal.next_opening(at("2026-03-02 12:00")) == at("2026-03-02 13:30")


def test_it_refuses_bad_amounts() -> None:
    with pytest.raises(ValidationError):
        CAL.add_working_seconds(at("2026-03-02 10:00"), -1)
    with pytest.raises(ValidationError):
        CAL.add_working_days(at("2026-03-02 10:00"), 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        CAL.add_working_days(at("2026-03-02 10:00"), Decimal("NaN"))
    with pytest.raises(ValidationError):
        CAL.add_working_days(at("2026-03-02 10:00"), -1)


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        ("2026-03-02 08:00", "2026-03-02 17:00", DAY),
        ("2026-03-02 11:00", "2026-03-02 14:00", 2 * HOUR),
        ("2026-03-02 17:00", "2026-03-03 08:00", 0),
        ("2026-03-02 10:00", "2026-03-02 09:00", 0),
        ("2026-02-13 16:00", "2026-02-23 09:00", 2 * HOUR),
        ("2026-03-02 00:00", "2026-03-09 00:00", 5 * DAY),
    ],
)
def test_working_seconds_between(start: str, end: str, seconds: int) -> None:
    assert CAL.working_seconds_between(at(start), at(end)) == seconds


# --- When the clock starts (DOMAIN §5) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "same_day", "expected"),
    [
        ("2026-03-05 10:00", False, "2026-03-05 10:00"),  # office hours
        ("2026-03-05 15:59", False, "2026-03-05 15:59"),
        ("2026-03-05 16:00", False, "2026-03-06 08:00"),  # the last working hour
        ("2026-03-06 16:30", False, "2026-03-09 08:00"),  # Friday 16:30 -> Monday
        ("2026-03-05 17:30", False, "2026-03-06 08:00"),  # after closing
        ("2026-03-05 06:45", False, "2026-03-05 08:00"),  # before opening
        ("2026-03-05 12:10", False, "2026-03-05 13:00"),  # lunch
        ("2026-03-07 09:00", False, "2026-03-09 08:00"),  # Saturday
        ("2026-02-17 09:00", False, "2026-02-23 08:00"),  # Tết
        ("2026-03-05 14:00", True, "2026-03-05 14:00"),
        ("2026-03-05 15:00", True, "2026-03-06 08:00"),  # same-day cut-off
        ("2026-03-05 15:30", True, "2026-03-06 08:00"),
    ],
)
def test_clock_start(received: str, same_day: bool, expected: str) -> None:
    assert CAL.clock_start(at(received), same_day=same_day) == at(expected)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-03-05 14:00", "2026-03-05 17:00"),
        ("2026-03-05 15:30", "2026-03-06 17:00"),
        ("2026-03-06 15:30", "2026-03-09 17:00"),
        ("2026-03-07 09:00", "2026-03-09 17:00"),
        ("2026-03-05 07:00", "2026-03-05 17:00"),
    ],
)
def test_same_day_due(received: str, due: str) -> None:
    assert CAL.same_day_due(at(received)) == at(due)


# --- Vietnamese formatting ---------------------------------------------------------------------


def test_format_vn() -> None:
    assert format_vn(at("2026-02-12 10:00")) == "10:00 Thứ Năm 12/02/2026"
    assert format_vn(datetime(2026, 2, 15, 17, 5, tzinfo=UTC)) == "00:05 Thứ Hai 16/02/2026"
    assert format_date_vn(date(2026, 3, 8)) == "Chủ nhật 08/03/2026"


def test_format_day_range() -> None:
    assert format_day_range(date(2026, 4, 27), date(2026, 4, 27)) == "27/04/2026"
    assert format_day_range(date(2026, 2, 16), date(2026, 2, 20)) == "16/02–20/02/2026"
    assert format_day_range(date(2026, 12, 31), date(2027, 1, 1)) == "31/12/2026–01/01/2027"


def test_it_groups_days_off_into_ranges() -> None:
    days = CAL.days_off_between(date(2026, 2, 14), date(2026, 2, 23))
    assert format_days_off(days) == (
        "14/02–15/02/2026 (Thứ Bảy, Chủ nhật), 16/02–20/02/2026 (Tết Nguyên Đán), "
        "21/02–22/02/2026 (Thứ Bảy, Chủ nhật)"
    )
    april = CAL.days_off_between(date(2026, 4, 25), date(2026, 5, 3))
    assert group_days_off(april) == [
        (date(2026, 4, 25), date(2026, 4, 25), "Thứ Bảy"),
        (date(2026, 4, 26), date(2026, 4, 27), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2026, 4, 30), date(2026, 5, 1), "Ngày Chiến thắng, Ngày Quốc tế Lao động"),
        (date(2026, 5, 2), date(2026, 5, 3), "Thứ Bảy, Chủ nhật"),
    ]
    assert format_days_off([]) == ""


# --- Properties (2024-2030) --------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31, 23, 59), timezones=st.just(VN)
)
amounts = st.fractions(min_value=0, max_value=30, max_denominator=4)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(start=moments, days=amounts)
def test_a_due_date_is_in_office_hours_on_a_working_day(start: datetime, days: Fraction) -> None:
    due = CAL.add_working_days(start, days)
    session_ends = {session.end for session in CAL.policy.sessions}
    assert CAL.is_open(due) or (CAL.is_working_day(due.date()) and due.time() in session_ends)
    assert CAL.is_working_day(due.date())
    assert due >= start


@PROPERTY
@given(start=moments, days=amounts, more=amounts)
def test_more_working_days_never_give_an_earlier_date(
    start: datetime, days: Fraction, more: Fraction
) -> None:
    assert CAL.add_working_days(start, days) <= CAL.add_working_days(start, days + more)


@PROPERTY
@given(start=moments, days=amounts, more=amounts)
# Found in review: from Tuesday noon 1 day ended at Wednesday 17:00, 1⅓ days at 15:40.
@example(start=datetime(2026, 3, 3, 12, tzinfo=VN), days=Fraction(1), more=Fraction(1, 3))
def test_in_end_of_day_style_more_days_never_give_an_earlier_date(
    start: datetime, days: Fraction, more: Fraction
) -> None:
    cal = WorkCalendar(policy=CalendarPolicy(due_time_style="end_of_day"))
    assert cal.add_working_days(start, days) <= cal.add_working_days(start, days + more)


@PROPERTY
@given(start=moments, seconds=st.integers(min_value=0, max_value=25 * DAY))
def test_working_seconds_between_inverts_add_working_seconds(start: datetime, seconds: int) -> None:
    assert CAL.working_seconds_between(start, CAL.add_working_seconds(start, seconds)) == seconds


def test_adding_nothing_to_the_end_of_a_session_answers_in_the_calendars_zone():
    noon_in_utc = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội, a Thursday
    result = CAL.add_working_seconds(noon_in_utc, 0)
    assert result == noon_in_utc
    assert result.utcoffset() == timedelta(hours=7)


@PROPERTY
@given(start=moments, first=st.integers(0, 10 * DAY), second=st.integers(0, 10 * DAY))
# Found by Hypothesis: 2.5 days from New Year's Day end at 12:00 sharp; adding nothing more
# must not move that to the afternoon's opening.
@example(start=datetime(2024, 1, 1, tzinfo=VN), first=72000, second=0)
def test_adding_working_seconds_is_additive(start: datetime, first: int, second: int) -> None:
    step = CAL.add_working_seconds(start, first)
    assert CAL.add_working_seconds(step, second) == CAL.add_working_seconds(start, first + second)


@PROPERTY
@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    working=st.booleans(),
)
def test_overrides_win_over_the_statutory_list(day: date, working: bool) -> None:
    cal = WorkCalendar(overrides=[Override(day, working=working, reason="Quyết định thử")])
    assert cal.is_working_day(day) is working
    neighbour = day + timedelta(days=1)
    assert cal.is_working_day(neighbour) is CAL.is_working_day(neighbour)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 11, 25, 17, 10, tzinfo=UTC), date(2026, 11, 26)),  # 00:10 in Hà Nội
        (datetime(2026, 11, 25, 16, 59, tzinfo=UTC), date(2026, 11, 25)),  # 23:59
        (datetime(2026, 11, 26, 0, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), date(2026, 11, 26)),
        (datetime(2026, 11, 26, 23, 59, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), date(2026, 11, 26)),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), date(2027, 1, 1)),  # a new year, locally
    ],
)
def test_local_date_is_the_day_in_the_centres_zone(moment, day):
    assert local_date(moment) == day
    assert local_date(moment, ZoneInfo("Asia/Ho_Chi_Minh")) == day


def test_local_date_refuses_a_naive_moment():
    with pytest.raises(ValidationError, match="múi giờ"):
        local_date(datetime(2026, 11, 26, 0, 10))
