"""The clock ledger: start rule, pauses, the one extension, stop, and the explanation."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.calendar import CalendarPolicy, Override, WorkCalendar
from motcua.core.clock import (
    ClockEntry,
    ClockKind,
    compute,
    explain_due,
    used_working_seconds,
)
from motcua.core.errors import ValidationError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
HOUR = 3600
DAY = 8 * HOUR


def at(text: str) -> datetime:
    """A local Hà Nội time from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def start(when: str, days: int = 3) -> ClockEntry:
    return ClockEntry(ClockKind.START, at(when), working_seconds=days * DAY)


def pause(when: str, reason: str = "chờ công dân bổ sung") -> ClockEntry:
    return ClockEntry(ClockKind.PAUSE, at(when), reason=reason)


def resume(when: str) -> ClockEntry:
    return ClockEntry(ClockKind.RESUME, at(when))


def extend(when: str, new_due: str, reason: str = "") -> ClockEntry:
    return ClockEntry(ClockKind.EXTEND, at(when), new_due=at(new_due), reason=reason)


def stop(when: str) -> ClockEntry:
    return ClockEntry(ClockKind.STOP, at(when))


# --- Start ------------------------------------------------------------------------------------


def test_it_skips_tet_and_explains_it() -> None:
    state = compute(CAL, [start("2026-02-12 10:00")])
    assert state.started_at == at("2026-02-12 10:00")
    assert state.due_at == state.original_due_at == at("2026-02-24 10:00")
    assert not state.paused
    assert state.stopped_at is None
    assert state.explanation == (
        "Nhận hồ sơ lúc 10:00 Thứ Năm 12/02/2026.",
        "Thời hạn giải quyết: 3 ngày làm việc (24 giờ làm việc).",
        "Bỏ qua ngày nghỉ: 14/02–15/02/2026 (Thứ Bảy, Chủ nhật), "
        "16/02–20/02/2026 (Tết Nguyên Đán), 21/02–22/02/2026 (Thứ Bảy, Chủ nhật).",
        "→ Hẹn trả kết quả: 10:00 Thứ Ba 24/02/2026.",
    )


def test_a_late_receipt_counts_from_the_next_working_day() -> None:
    state = compute(CAL, [start("2026-02-13 16:30")])
    assert state.started_at == at("2026-02-23 08:00")
    assert state.due_at == at("2026-02-25 17:00")
    assert state.explanation[1] == (
        "Nhận sau 16:00 (giờ làm việc cuối) → tính từ 08:00 Thứ Hai 23/02/2026."
    )


@pytest.mark.parametrize(
    ("received", "line"),
    [
        ("2026-03-07 09:00", "Nhận vào ngày nghỉ (Thứ Bảy) → tính từ 08:00 Thứ Hai 09/03/2026."),
        ("2026-03-05 17:30", "Nhận sau giờ làm việc (17:00) → tính từ 08:00 Thứ Sáu 06/03/2026."),
        ("2026-03-05 07:00", "Nhận trước giờ làm việc (08:00) → tính từ 08:00 Thứ Năm 05/03/2026."),
        (
            "2026-03-05 12:20",
            "Nhận trong giờ nghỉ giữa hai buổi làm việc → tính từ 13:00 Thứ Năm 05/03/2026.",
        ),
    ],
)
def test_it_explains_why_counting_starts_later(received: str, line: str) -> None:
    assert compute(CAL, [start(received)]).explanation[1] == line


def test_it_reads_the_calendar_as_known_at_reception() -> None:
    storm = Override(date(2026, 3, 4), False, "Nghỉ do bão", decided_at=at("2026-03-03 09:00"))
    known_before = Override(date(2026, 3, 4), False, "Nghỉ do bão")
    entries = [start("2026-03-02 10:00")]
    assert compute(WorkCalendar(overrides=[storm]), entries).due_at == at("2026-03-05 10:00")
    assert compute(WorkCalendar(overrides=[known_before]), entries).due_at == at("2026-03-06 10:00")


def test_it_has_no_state_before_the_start() -> None:
    state = compute(CAL, [])
    assert state.started_at is None
    assert state.due_at is None
    assert state.explanation == ()


# --- Pauses -----------------------------------------------------------------------------------


def test_a_pause_moves_the_due_date_by_its_length() -> None:
    entries = [start("2026-03-02 08:00"), pause("2026-03-03 10:00"), resume("2026-03-05 10:00")]
    state = compute(CAL, entries)
    assert state.due_at == state.original_due_at == at("2026-03-06 17:00")  # was Wed 04/03
    assert not state.paused
    assert state.paused_seconds == 2 * DAY
    assert (
        "Tạm dừng chờ công dân bổ sung từ 10:00 Thứ Ba 03/03/2026 đến 10:00 Thứ Năm "
        "05/03/2026: 2 ngày làm việc không tính." in state.explanation
    )
    assert state.explanation[-1] == "→ Hẹn trả kết quả: 17:00 Thứ Sáu 06/03/2026."


def test_a_resume_out_of_hours_counts_from_the_next_opening() -> None:
    entries = [start("2026-03-02 08:00"), pause("2026-03-03 10:00"), resume("2026-03-06 18:30")]
    state = compute(CAL, entries)
    # 1.75 days left at the pause, counted from Monday 08:00.
    assert state.due_at == at("2026-03-10 15:00")
    assert state.paused_seconds == 30 * HOUR  # Tuesday 10:00 to Friday's closing


def test_while_paused_the_due_date_is_unknown() -> None:
    entries = [start("2026-03-02 08:00"), pause("2026-03-03 10:00", "Chờ nộp phí")]
    state = compute(CAL, entries, now=at("2026-03-04 10:00"))
    assert state.paused
    assert state.due_at is None
    assert state.original_due_at is None
    assert state.paused_seconds == DAY
    assert state.explanation[-2:] == (
        "Đang tạm dừng chờ nộp phí từ 10:00 Thứ Ba 03/03/2026; đến 10:00 Thứ Tư 04/03/2026 "
        "đã 1 ngày làm việc không tính.",
        "→ Hẹn trả kết quả: chưa xác định (đang tạm dừng, còn lại 1,75 ngày làm việc; "
        "hạn mới được tính khi tiếp tục xử lý).",
    )


def test_a_pause_after_the_due_date_does_not_move_it() -> None:
    entries = [start("2026-03-02 08:00", days=1), pause("2026-03-03 10:00")]
    state = compute(CAL, entries)
    assert state.due_at == at("2026-03-02 17:00")
    entries += [resume("2026-03-05 10:00")]
    assert compute(CAL, entries).due_at == at("2026-03-02 17:00")


def test_a_same_day_pause_keeps_the_hours_left_until_closing() -> None:
    entries = [
        ClockEntry(ClockKind.START, at("2026-03-05 14:00"), same_day=True),
        pause("2026-03-05 14:30"),
        resume("2026-03-06 09:00"),
    ]
    state = compute(CAL, entries)
    assert state.due_at == at("2026-03-06 11:30")
    assert "Thời hạn giải quyết: trả kết quả trong ngày." in state.explanation


def test_a_same_day_procedure_received_after_15_is_due_next_day() -> None:
    entry = ClockEntry(ClockKind.START, at("2026-03-06 15:30"), same_day=True)
    state = compute(CAL, [entry])
    assert state.started_at == at("2026-03-09 08:00")
    assert state.due_at == at("2026-03-09 17:00")
    assert state.explanation[1] == (
        "Thủ tục trả trong ngày, nhận sau 15:00 → tính từ 08:00 Thứ Hai 09/03/2026."
    )


def test_end_of_day_style_stays_at_closing_time_after_a_pause() -> None:
    cal = WorkCalendar(policy=CalendarPolicy(due_time_style="end_of_day"))
    entries = [start("2026-03-02 10:00"), pause("2026-03-03 10:00"), resume("2026-03-05 14:00")]
    assert compute(cal, entries[:1]).due_at == at("2026-03-05 17:00")
    # Paused 2.25 days: Thursday 17:00 + 2.25 days lands on Tuesday 10:00 -> its closing time.
    assert compute(cal, entries).due_at == at("2026-03-10 17:00")


# --- Extension and stop -----------------------------------------------------------------------


def test_an_extension_sets_the_due_date_but_keeps_the_original() -> None:
    entries = [
        start("2026-03-02 08:00"),
        extend("2026-03-03 09:00", "2026-03-10 17:00", "Cần xác minh thực địa"),
        stop("2026-03-09 11:00"),
    ]
    state = compute(CAL, entries)
    assert state.due_at == at("2026-03-10 17:00")
    assert state.original_due_at == at("2026-03-04 17:00")
    assert state.stopped_at == at("2026-03-09 11:00")
    assert (
        "Gia hạn theo văn bản xin lỗi: hẹn mới 17:00 Thứ Ba 10/03/2026 thay cho 17:00 Thứ Tư "
        "04/03/2026; lý do: Cần xác minh thực địa." in state.explanation
    )
    assert (
        "Kết thúc xử lý lúc 11:00 Thứ Hai 09/03/2026: trong hạn đã gia hạn "
        "(vẫn tính là trễ hạn so với hẹn ban đầu)." in state.explanation
    )


def test_a_pause_after_an_extension_moves_both_dates() -> None:
    entries = [
        start("2026-03-02 08:00"),
        extend("2026-03-03 09:00", "2026-03-10 17:00"),
        pause("2026-03-04 08:00"),
        resume("2026-03-05 08:00"),
    ]
    state = compute(CAL, entries)
    assert state.due_at == at("2026-03-11 17:00")
    assert state.original_due_at == at("2026-03-05 17:00")


@pytest.mark.parametrize(
    ("stopped", "verdict"),
    [
        ("2026-03-04 16:00", "trong hạn"),
        ("2026-03-05 09:00", "quá hạn"),
    ],
)
def test_a_stop_says_whether_it_was_on_time(stopped: str, verdict: str) -> None:
    state = compute(CAL, [start("2026-03-02 08:00"), stop(stopped)])
    assert state.stopped_at == at(stopped)
    assert state.explanation[-2].endswith(f": {verdict}.")


def test_a_stop_while_paused_ends_the_pause() -> None:
    entries = [start("2026-03-02 08:00"), pause("2026-03-03 10:00"), stop("2026-03-06 10:00")]
    state = compute(CAL, entries)
    assert not state.paused
    assert state.paused_seconds == 3 * DAY
    assert state.due_at == at("2026-03-09 17:00")
    assert state.explanation[-2].endswith(": trong hạn.")


# --- Grammar ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([pause("2026-03-02 09:00")], "Mốc đầu tiên phải là bắt đầu"),
        ([start("2026-03-02 08:00"), start("2026-03-02 09:00")], "bắt đầu tính thời hạn một lần"),
        ([start("2026-03-02 08:00"), resume("2026-03-02 09:00")], "sau khi đã tạm dừng"),
        (
            [start("2026-03-02 08:00"), pause("2026-03-02 09:00"), pause("2026-03-02 10:00")],
            "đang tạm dừng",
        ),
        (
            [
                start("2026-03-02 08:00"),
                extend("2026-03-02 09:00", "2026-03-10 17:00"),
                extend("2026-03-02 10:00", "2026-03-11 17:00"),
            ],
            "Chỉ được gia hạn một lần",
        ),
        (
            [
                start("2026-03-02 08:00"),
                pause("2026-03-02 09:00"),
                extend("2026-03-02 10:00", "2026-03-10 17:00"),
            ],
            "Không thể gia hạn khi đang tạm dừng",
        ),
        (
            [start("2026-03-02 08:00"), extend("2026-03-02 09:00", "2026-03-04 17:00")],
            "phải sau hạn hiện tại",
        ),
        (
            [start("2026-03-02 08:00"), ClockEntry(ClockKind.EXTEND, at("2026-03-02 09:00"))],
            "ngày hẹn trả mới",
        ),
        (
            [start("2026-03-02 08:00"), stop("2026-03-02 09:00"), stop("2026-03-02 10:00")],
            "đã kết thúc",
        ),
        (
            [start("2026-03-02 08:00"), stop("2026-03-02 09:00"), pause("2026-03-02 10:00")],
            "đã kết thúc",
        ),
        ([start("2026-03-02 10:00"), pause("2026-03-02 09:00")], "thứ tự thời gian"),
        ([ClockEntry(ClockKind.START, at("2026-03-02 08:00"))], "Cần thời hạn giải quyết"),
        ([ClockEntry(ClockKind.START, at("2026-03-02 08:00"), working_seconds=0)], "nguyên dương"),
        (
            [
                ClockEntry(
                    ClockKind.START, at("2026-03-02 08:00"), working_seconds=DAY, same_day=True
                )
            ],
            "trả trong ngày",
        ),
        (
            [ClockEntry(ClockKind.START, datetime(2026, 3, 2, 8), working_seconds=DAY)],
            "múi giờ",
        ),
    ],
)
def test_it_refuses_a_ledger_out_of_grammar(entries: list[ClockEntry], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        compute(CAL, entries)


def test_it_refuses_a_naive_now() -> None:
    with pytest.raises(ValidationError, match="múi giờ"):
        compute(CAL, [start("2026-03-02 08:00")], now=datetime(2026, 3, 2, 9))


NAIVE = datetime(2026, 3, 2, 10)
TIME_ZONE_NEEDED = "phải kèm múi giờ (không nhận thời điểm không có múi giờ): 02/03/2026 10:00."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: compute(CAL, [start("2026-03-02 10:00"), pause("2026-03-01 10:00")]),
            "Các mốc của đồng hồ phải theo thứ tự thời gian: mốc tạm dừng lúc 10:00 Chủ nhật "
            "01/03/2026 đứng sau mốc lúc 10:00 Thứ Hai 02/03/2026.",
        ),
        (
            lambda: compute(
                CAL,
                [start("2026-03-02 08:00"), stop("2026-03-02 09:00"), resume("2026-03-02 10:00")],
            ),
            "Đồng hồ đã kết thúc; không thể ghi thêm mốc tiếp tục.",
        ),
        (
            lambda: compute(
                CAL,
                [start("2026-03-02 08:00"), ClockEntry("hoãn", at("2026-03-02 09:00"))],  # type: ignore[arg-type]
            ),
            "Loại mốc không hợp lệ: 'hoãn'.",
        ),
        (
            lambda: compute(CAL, [ClockEntry(ClockKind.START, NAIVE, working_seconds=DAY)]),
            f"Thời điểm bắt đầu tính thời hạn {TIME_ZONE_NEEDED}",
        ),
        (
            lambda: compute(CAL, [start("2026-03-02 08:00"), ClockEntry(ClockKind.STOP, NAIVE)]),
            f"Thời điểm kết thúc {TIME_ZONE_NEEDED}",
        ),
        (
            lambda: compute(
                CAL,
                [
                    start("2026-03-02 08:00"),
                    ClockEntry(ClockKind.EXTEND, at("2026-03-02 09:00"), new_due=NAIVE),
                ],
            ),
            f"Ngày hẹn trả mới {TIME_ZONE_NEEDED}",
        ),
        (
            lambda: compute(CAL, [start("2026-03-02 08:00")], now=NAIVE),
            f"Thời điểm hiện tại {TIME_ZONE_NEEDED}",
        ),
        (
            lambda: explain_due(CAL, received_at=NAIVE, working_days=1),
            f"Thời điểm nhận hồ sơ {TIME_ZONE_NEEDED}",
        ),
    ],
)
def test_messages_read_as_before_with_their_values_as_details(call, message: str) -> None:
    """The wording is the same; the values are details, so a translation can place them."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.message == message
    assert caught.value.template != message


# --- Agency time used -------------------------------------------------------------------------


def test_used_working_seconds_leaves_out_citizen_time() -> None:
    entries = [start("2026-03-02 08:00"), pause("2026-03-03 10:00"), resume("2026-03-05 10:00")]
    assert used_working_seconds(CAL, entries, at=at("2026-03-02 08:00")) == 0
    assert used_working_seconds(CAL, entries, at=at("2026-03-03 10:00")) == DAY + 2 * HOUR
    assert used_working_seconds(CAL, entries, at=at("2026-03-04 10:00")) == DAY + 2 * HOUR
    assert used_working_seconds(CAL, entries, at=at("2026-03-05 11:00")) == DAY + 3 * HOUR
    stopped = [*entries, stop("2026-03-05 12:00")]
    assert used_working_seconds(CAL, stopped, at=at("2026-03-20 12:00")) == DAY + 4 * HOUR
    assert used_working_seconds(CAL, [], at=at("2026-03-05 11:00")) == 0


def test_used_working_seconds_starts_with_the_clock() -> None:
    entries = [start("2026-03-06 16:30")]  # counts from Monday 08:00
    assert used_working_seconds(CAL, entries, at=at("2026-03-07 10:00")) == 0
    assert used_working_seconds(CAL, entries, at=at("2026-03-09 10:00")) == 2 * HOUR


# --- explain_due (the CLI `calendar due`) ---------------------------------------------------


def test_explain_due_in_working_days() -> None:
    due, lines = explain_due(CAL, received_at=at("2026-02-12 10:00"), working_days=Fraction(3, 2))
    assert due == at("2026-02-13 15:00")
    assert lines == (
        "Nhận hồ sơ lúc 10:00 Thứ Năm 12/02/2026.",
        "Thời hạn giải quyết: 1,5 ngày làm việc (12 giờ làm việc).",
        "→ Hẹn trả kết quả: 15:00 Thứ Sáu 13/02/2026.",
    )


@pytest.mark.parametrize(
    ("kwargs", "due", "budget_line"),
    [
        (
            {"working_days": 3},
            "2026-02-24 10:00",
            "Thời hạn giải quyết: 3 ngày làm việc (24 giờ làm việc).",
        ),
        (
            {"working_seconds": 2 * HOUR},
            "2026-02-12 12:00",
            "Thời hạn giải quyết: 0,25 ngày làm việc (2 giờ làm việc).",
        ),
        (
            {"working_seconds": 90 * 60},
            "2026-02-12 11:30",
            "Thời hạn giải quyết: 1 giờ 30 phút làm việc.",
        ),
        ({"same_day": True}, "2026-02-12 17:00", "Thời hạn giải quyết: trả kết quả trong ngày."),
    ],
)
def test_explain_due(kwargs: dict[str, object], due: str, budget_line: str) -> None:
    result, lines = explain_due(CAL, received_at=at("2026-02-12 10:00"), **kwargs)  # type: ignore[arg-type]
    assert result == at(due)
    assert budget_line in lines
    assert lines[-1].startswith("→ Hẹn trả kết quả: ")


def test_explain_due_needs_exactly_one_limit() -> None:
    with pytest.raises(ValidationError, match="Cần đúng một"):
        explain_due(CAL, received_at=at("2026-02-12 10:00"))
    with pytest.raises(ValidationError, match="Cần đúng một"):
        explain_due(CAL, received_at=at("2026-02-12 10:00"), working_days=1, same_day=True)


# --- Properties -------------------------------------------------------------------------------

# Starts inside office hours, 2024-2030.
office_moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31, 23, 59), timezones=st.just(VN)
).map(CAL.next_opening)


@settings(max_examples=200, deadline=None)
@given(
    received=office_moments,
    budget_days=st.integers(min_value=1, max_value=15),
    into=st.floats(min_value=0, max_value=1, exclude_max=True),
    k=st.integers(min_value=1, max_value=10),
)
def test_a_pause_of_k_working_days_moves_the_due_date_by_k_working_days(
    received: datetime, budget_days: int, into: float, k: int
) -> None:
    first = ClockEntry(ClockKind.START, received, working_seconds=budget_days * DAY)
    before = compute(CAL, [first])
    assert before.started_at is not None and before.due_at is not None
    # A pause in office hours, before the due date, and a resumption k working days later.
    paused_at = CAL.next_opening(
        CAL.add_working_seconds(before.started_at, int(into * budget_days * DAY))
    )
    resumed_at = CAL.next_opening(CAL.add_working_days(paused_at, k))
    assert CAL.is_open(paused_at) and CAL.is_open(resumed_at)
    assert paused_at < before.due_at
    entries = [
        first,
        ClockEntry(ClockKind.PAUSE, paused_at),
        ClockEntry(ClockKind.RESUME, resumed_at),
    ]
    after = compute(CAL, entries)
    assert after.due_at == CAL.add_working_days(before.due_at, k)
    assert CAL.working_seconds_between(before.due_at, after.due_at) == k * DAY
    assert after.paused_seconds == k * DAY
