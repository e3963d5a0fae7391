"""Counter appointments: slots on a day, booking rules, tickets, reminders, no-shows (core)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from motcua.core.appointments import (
    DeskOpens,
    Load,
    Prepared,
    Slot,
    TieDraft,
    Window,
    busy,
    check_booking,
    check_window,
    desk_opens,
    no_show,
    prepared,
    reminder_due,
    slots_on,
    ticket_number,
    tie_draft,
    waiting_seconds,
)
from motcua.core.calendar import DEFAULT_TZ, Override, WorkCalendar
from motcua.core.errors import ConflictError, InvalidInput

TZ = DEFAULT_TZ
CAL = WorkCalendar(overrides=[Override(day=date(2026, 12, 7), working=False, reason="Nghỉ bù")])
WINDOWS = [
    Window(0, time(8), time(9), 2),
    Window(0, time(13, 30), time(14, 30), 1),
    Window(2, time(8), time(10), 5),
]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("day", "starts"),
    [
        (date(2026, 11, 30), [time(8), time(13, 30)]),  # Monday
        (date(2026, 12, 1), []),  # Tuesday: no window
        (date(2026, 12, 2), [time(8)]),  # Wednesday
        (date(2026, 12, 5), []),  # Saturday
        (date(2026, 12, 6), []),  # Sunday
        (date(2026, 12, 7), []),  # a Monday made a day off
        (date(2026, 9, 2), []),  # Quốc khánh (Wednesday)
        (date(2026, 8, 22), [time(8), time(13, 30)]),  # make-up working Saturday: Monday's
    ],
)
def test_a_branch_offers_its_windows_on_working_days_only(day, starts):
    assert [s.start for s in slots_on(day, WINDOWS, CAL)] == starts


def test_places_left_count_the_bookings():
    slots = slots_on(date(2026, 11, 30), WINDOWS, CAL, {time(8): 2})
    assert [(s.start, s.left) for s in slots] == [(time(8), 0), (time(13, 30), 1)]


def book(day, start, *, now="2026-11-27T10:00", booked=None, already=False):
    slots = slots_on(day, WINDOWS, CAL, booked or {})
    return check_booking(
        day=day, start=start, slots=slots, calendar=CAL, now=local(now), already_that_day=already
    )


def test_a_free_slot_is_booked():
    assert book(date(2026, 11, 30), time(8)).capacity == 2


@pytest.mark.parametrize(
    ("day", "start", "now", "already", "fields", "fragment"),
    [
        (date(2026, 11, 26), time(8), "2026-11-27T10:00", False, {"day"}, "đã qua"),
        (date(2027, 1, 30), time(8), "2026-11-27T10:00", False, {"day"}, "tối đa 30 ngày"),
        (date(2026, 12, 7), time(8), "2026-11-27T10:00", False, {"day"}, "ngày nghỉ"),
        (date(2026, 12, 5), time(8), "2026-11-27T10:00", False, {"day"}, "ngày nghỉ"),
        (date(2026, 11, 30), time(9), "2026-11-27T10:00", False, {"slot"}, "khung giờ"),
        (date(2026, 11, 30), time(8), "2026-11-30T08:10", False, {"slot"}, "đã bắt đầu"),
        (date(2026, 11, 30), time(8), "2026-11-27T10:00", True, {"day"}, "đã có một lịch"),
        (date(2026, 11, 26), time(8), "2026-11-27T10:00", True, {"day"}, "đã qua"),
    ],
)
def test_a_booking_is_refused_with_every_reason(day, start, now, already, fields, fragment):
    with pytest.raises(InvalidInput) as info:
        book(day, start, now=now, already=already)
    assert {p.details["field"] for p in info.value.problems()} == fields
    assert fragment in info.value.problems()[0].message


def test_a_full_slot_is_a_conflict_with_a_clear_message():
    with pytest.raises(ConflictError) as info:
        book(date(2026, 11, 30), time(8), booked={time(8): 2})
    assert info.value.message == (
        "Khung giờ 08:00–09:00 ngày 30/11/2026 đã hết chỗ; hãy chọn khung giờ hoặc nơi khác."
    )


@pytest.mark.parametrize(
    ("window", "count"),
    [
        (Window(0, time(8), time(9), 1), 0),
        (Window(7, time(8), time(9), 1), 1),
        (Window(0, time(9), time(8), 1), 1),
        (Window(0, time(9), time(9), 0), 2),
    ],
)
def test_windows_are_checked(window, count):
    assert len(check_window(window)) == count


def test_tickets_name_the_slot_and_the_place():
    assert ticket_number(time(8), 3) == "0800-03"
    assert ticket_number(time(13, 30), 12) == "1330-12"


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-11-28T23:59", False),  # two days before
        ("2026-11-29T00:00", True),  # the day before, local
        ("2026-11-29T23:00", True),
        ("2026-11-30T07:00", False),  # the day itself: too late to remind
    ],
)
def test_the_reminder_is_due_the_day_before_in_local_time(now, due):
    assert reminder_due(date(2026, 11, 30), local(now), TZ) is due


def test_the_day_before_is_local_not_utc():
    # 2026-11-28 17:30 UTC is already 29/11 00:30 in Hà Nội.
    moment = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)
    assert reminder_due(date(2026, 11, 30), moment, TZ)


@pytest.mark.parametrize(
    ("now", "missed"),
    [("2026-11-30T08:59", False), ("2026-11-30T09:00", True), ("2026-12-01T08:00", True)],
)
def test_a_no_show_once_the_slot_ended(now, missed):
    assert no_show(date(2026, 11, 30), time(9), local(now), TZ) is missed


def test_waiting_counts_from_arrival_or_the_slot_start():
    start = local("2026-11-30T08:00")
    assert waiting_seconds(local("2026-11-30T08:10"), local("2026-11-30T08:25"), start) == 900
    assert waiting_seconds(local("2026-11-30T07:40"), local("2026-11-30T08:05"), start) == 300
    assert waiting_seconds(start + timedelta(minutes=5), start, start) == 0


def test_busy_branches_are_those_nearly_full():
    loads = [
        Load("A", date(2026, 11, 30), 100, 95, 0, 0),
        Load("B", date(2026, 11, 30), 100, 10, 0, 0),
        Load("C", date(2026, 11, 30), 0, 0, 0, 0),
    ]
    assert [load.branch for load in busy(loads)] == ["A"]
    assert Slot(date(2026, 11, 30), time(8), time(9), 2, 5).left == 0


@pytest.mark.parametrize(
    ("offered_online", "open_draft", "expected"),
    [
        (True, True, TieDraft.REUSE),
        (True, False, TieDraft.START),
        (False, False, TieDraft.NONE),
        # An open draft of a procedure no longer offered online is still the citizen's.
        (False, True, TieDraft.REUSE),
    ],
)
def test_a_booking_ties_the_open_draft_or_starts_one(offered_online, open_draft, expected):
    assert tie_draft(offered_online=offered_online, open_draft=open_draft) is expected


@pytest.mark.parametrize(
    ("draft_state", "received_at_desk", "state", "opens"),
    [
        (None, False, Prepared.NONE, DeskOpens.RECEPTION),
        ("open", False, Prepared.TO_FILL, DeskOpens.RECEPTION_FROM_DRAFT),
        ("submitted", False, Prepared.SUBMITTED, DeskOpens.DOSSIER),
        ("closed", False, Prepared.CLOSED, DeskOpens.RECEPTION),
        (None, True, Prepared.RECEIVED, DeskOpens.DOSSIER),
        # Received at the counter from the draft: the counter's dossier wins.
        ("submitted", True, Prepared.RECEIVED, DeskOpens.DOSSIER),
        ("open", True, Prepared.RECEIVED, DeskOpens.DOSSIER),
    ],
)
def test_what_the_booking_says_and_the_desk_opens(draft_state, received_at_desk, state, opens):
    found = prepared(draft_state=draft_state, received_at_desk=received_at_desk)
    assert found is state
    assert desk_opens(found) is opens
