"""The one-day rule of the apology letter (motcua.core.apology): what counts as late, and that
late never means refused (DOMAIN §5 "Late dossiers"). Default calendar: 08:00-12:00 and
13:00-17:00, Monday to Friday, so one working day is 8 hours."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.core.apology import (
    CLOSING_REASONS,
    Outlook,
    Timing,
    closing_reason,
    drafts_here,
    new_due_after_step,
    timing,
    wants_draft,
)
from motcua.core.calendar import WorkCalendar
from motcua.core.lifecycle import FINISHED, OPEN, Action, Facts, Post, Role, Status, decide

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


DUE = t("2026-11-30 08:30")  # Monday

TIMINGS = [
    # when drafted or signed, and the verdict against the appointment of Monday 08:30
    ("Wednesday, four working days ahead", "2026-11-25 10:00", Timing.IN_TIME),
    ("Friday 08:30: exactly one working day left", "2026-11-27 08:30", Timing.IN_TIME),
    ("Friday 08:31: a minute short of a working day", "2026-11-27 08:31", Timing.LATE),
    ("Saturday: the weekend counts nothing, 30 minutes left", "2026-11-28 10:00", Timing.LATE),
    ("Monday 08:29: a minute before the appointment", "2026-11-30 08:29", Timing.LATE),
    ("Monday 08:30: at the appointment", "2026-11-30 08:30", Timing.AFTER_DEADLINE),
    ("a week after the appointment", "2026-12-07 09:00", Timing.AFTER_DEADLINE),
]


@pytest.mark.parametrize(("case", "at", "expected"), TIMINGS, ids=[c[0] for c in TIMINGS])
def test_the_one_day_rule(case, at, expected):
    verdict = timing(CAL, at=t(at), due_at=DUE)
    assert verdict is expected
    assert verdict.in_time is (expected is Timing.IN_TIME)


def test_each_verdict_is_worded():
    assert "01 ngày làm việc" in Timing.IN_TIME.label
    assert Timing.LATE.label.startswith("muộn")
    assert "sau hạn" in Timing.AFTER_DEADLINE.label


@pytest.mark.parametrize(
    ("late", "in_time", "drafts"),
    [(True, True, True), (True, False, True), (False, True, False), (False, False, False)],
)
def test_the_worker_drafts_for_every_late_dossier_in_time_or_not(late, in_time, drafts):
    view = Outlook(in_time=in_time, late=late, new_due=DUE)
    assert wants_draft(view) is drafts


EXAMINATION = Facts(
    status=Status.PROCESSING,
    received=True,
    step_index=1,
    step_count=3,
    step_name="Thẩm định",
    step_role=Role.SPECIALIST,
    step_agency=1,
    step_unit=12,
)


@pytest.mark.parametrize("post", [Post(role=Role.SYSTEM), Post(Role.SPECIALIST, 5, 1, 12)])
def test_a_late_draft_is_never_refused(post):
    """The facts carry no deadline at all: whether the letter is late does not decide whether
    it may be written."""
    assert decide(Action.DRAFT_APOLOGY, EXAMINATION, post) is None


@pytest.mark.parametrize("status", sorted(FINISHED))
def test_a_waiting_draft_closes_with_a_reason_when_the_dossier_finishes(status):
    reason = closing_reason(apology="draft", status=status)
    assert reason == CLOSING_REASONS[status] and "đóng" in reason


@pytest.mark.parametrize(
    ("apology", "status"),
    [("draft", s) for s in sorted(OPEN)]
    + [("none", Status.STOPPED), ("approved", Status.WITHDRAWN), ("closed", Status.RETURNED)],
)
def test_nothing_closes_while_open_or_without_a_waiting_draft(apology, status):
    assert closing_reason(apology=apology, status=status) is None


def test_it_never_drafts_for_an_agency_on_another_installation():
    assert drafts_here(hosted_elsewhere=False)
    assert not drafts_here(hosted_elsewhere=True)


def test_the_new_date_after_a_step_elsewhere_keeps_the_steps_ahead_and_a_day_more():
    due = datetime(2026, 12, 14, 8, 30, tzinfo=VN)  # Monday
    # B promises Friday 09:00 for its step; a day and a half is allotted after it.
    step_new_due = datetime(2026, 12, 11, 9, 0, tzinfo=VN)
    after = CAL.days_to_seconds(Decimal("1.5"))
    new_due = new_due_after_step(CAL, step_new_due=step_new_due, seconds_after=after, due_at=due)
    assert new_due == max(
        CAL.add_working_seconds(step_new_due, after),
        CAL.add_working_seconds(due, CAL.working_day_seconds),
    )
    assert CAL.working_seconds_between(due, new_due) >= CAL.working_day_seconds
    # A later promise there carries the steps ahead past it.
    late = datetime(2026, 12, 21, 9, 0, tzinfo=VN)
    assert new_due_after_step(
        CAL, step_new_due=late, seconds_after=after, due_at=due
    ) == CAL.add_working_seconds(late, after)
