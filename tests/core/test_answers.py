"""The citizen's own answers online: the supplement once and in time, the withdrawal, the
electronic result."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core import answers
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import GuardError, InvalidInput, NotFound, ValidationError
from motcua.core.lifecycle import Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


ASKED = at("2026-11-25 09:00")  # a Wednesday
CLOSES = answers.answer_closes_at(CAL, ASKED, 15)
MISSING = ["Giấy chứng sinh", "Tờ khai"]


def test_the_window_is_counted_in_working_days():
    # 15 working days from Wed 25/11: three weeks later, weekends skipped.
    assert at("2026-12-16 09:00") == CLOSES


@pytest.mark.parametrize(
    ("status", "now", "sent", "error", "fields"),
    [
        (Status.SUPPLEMENT, at("2026-11-26 10:00"), [0, 1], None, []),
        (Status.SUPPLEMENT, at("2026-11-26 10:00"), [1], InvalidInput, ["paper_0"]),
        (Status.SUPPLEMENT, at("2026-11-26 10:00"), [], InvalidInput, ["paper_0", "paper_1"]),
        (Status.SUPPLEMENT, at("2026-11-26 10:00"), [0, 1, 5], InvalidInput, ["paper_5"]),
        # Answered already: the dossier does not wait any more.
        (Status.PROCESSING, at("2026-11-26 10:00"), [0, 1], GuardError, ["papers"]),
        (Status.NEW, at("2026-11-26 10:00"), [0, 1], GuardError, ["papers"]),
        # The window closed: the papers go to the counter.
        (Status.SUPPLEMENT, at("2026-12-16 09:00"), [0, 1], GuardError, ["papers"]),
        (Status.SUPPLEMENT, at("2026-12-16 08:59"), [0, 1], None, []),
    ],
)
def test_an_answer_is_taken_once_in_time_and_whole(status, now, sent, error, fields):
    def check():
        answers.check_answer(status, closes_at=CLOSES, now=now, missing=MISSING, sent=sent, tz=VN)

    if error is None:
        check()
        assert answers.answer_open(status, closes_at=CLOSES, now=now)
        return
    with pytest.raises(error) as info:
        check()
    assert [p.details["field"] for p in info.value.problems()] == fields


def test_the_late_message_names_the_local_closing_time():
    with pytest.raises(GuardError) as info:
        answers.check_answer(
            Status.SUPPLEMENT,
            closes_at=CLOSES,
            now=at("2026-12-17 10:00"),
            missing=MISSING,
            sent=[0, 1],
            tz=VN,
        )
    assert "16/12/2026" in str(info.value.message.format(**info.value.details))
    assert not answers.answer_open(Status.SUPPLEMENT, closes_at=CLOSES, now=at("2026-12-17 10:00"))


def test_no_request_means_no_window():
    assert not answers.answer_open(Status.SUPPLEMENT, closes_at=None, now=ASKED)
    with pytest.raises(GuardError):
        answers.check_answer(
            Status.SUPPLEMENT, closes_at=None, now=ASKED, missing=[], sent=[], tz=VN
        )


@pytest.mark.parametrize(
    ("status", "approved", "allowed"),
    [
        (Status.NEW, False, False),
        (Status.RECEIVED, False, True),
        (Status.PROCESSING, False, True),
        (Status.SUPPLEMENT, False, True),
        (Status.PAYMENT, False, True),
        (Status.PROCESSING, True, False),  # a decision was signed (NĐ 118 Điều 21)
        (Status.WITHDRAWN, False, False),
        (Status.STOPPED, False, False),
        (Status.DONE, True, False),
        (Status.RETURNED, True, False),
        (Status.REFUSED, False, False),
    ],
)
def test_withdrawal_only_before_any_decision(status, approved, allowed):
    assert answers.withdrawal_allowed(status, approved=approved) is allowed
    if allowed:
        answers.check_withdrawal(status, approved=approved)
    else:
        with pytest.raises(GuardError):
            answers.check_withdrawal(status, approved=approved)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_withdrawal_needs_a_reason(reason):
    with pytest.raises(ValidationError):
        answers.withdrawal_reason(reason)


def test_a_withdrawal_reason_is_trimmed():
    assert answers.withdrawal_reason("  Nộp nhầm thủ tục \n") == "Nộp nhầm thủ tục"


@pytest.mark.parametrize(
    ("status", "copy", "given"),
    [
        (Status.DONE, True, True),
        (Status.RETURNED, True, True),
        (Status.DONE, False, False),
        (Status.PROCESSING, True, False),
        (Status.STOPPED, True, False),
    ],
)
def test_the_result_only_once_ready_and_on_file(status, copy, given):
    if given:
        answers.check_result_download(status, has_copy=copy)
    else:
        with pytest.raises(NotFound):
            answers.check_result_download(status, has_copy=copy)


def test_the_result_copy_is_a_pdf():
    answers.check_result_copy("application/pdf")
    with pytest.raises(ValidationError):
        answers.check_result_copy("image/png")
