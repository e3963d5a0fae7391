"""The citizen's story of a dossier: which moments they are told of, the appointment's
reasons, and what they must do now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core.clock import ClockEntry, ClockKind
from motcua.core.lifecycle import Action, Status
from motcua.core.story import Happened, Kind, Todo, appointment, story, todo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def happened(action: Action, when: str = "2026-11-25 09:00", **extra) -> Happened:
    payload = extra.pop("payload", {})
    return Happened(action=action.value, at=at(when), payload=payload, **extra)


# Every action of the lifecycle: what the citizen is told (None: nothing).
TOLD = {
    Action.SUBMIT: Kind.SUBMITTED,
    Action.RECEIVE: Kind.RECEIVED,
    Action.REFUSE: Kind.REFUSED,
    Action.REQUEST_SUPPLEMENT: Kind.ASKED,
    Action.SUPPLEMENT: Kind.ANSWERED,
    Action.ASSIGN: None,
    Action.FORWARD: None,  # inside one agency: not told
    Action.SEND_BACK: None,
    Action.REQUEST_PAYMENT: Kind.FEES,
    Action.PAY: Kind.PAID,
    Action.PROPOSE: None,
    Action.APPROVE: None,
    Action.MARK_READY: Kind.READY,
    Action.RETURN_RESULT: Kind.RETURNED,
    Action.WITHDRAW: Kind.WITHDRAWING,
    Action.STOP: Kind.STOPPED,
    Action.DRAFT_APOLOGY: None,  # a draft is the agency's business until signed
    Action.APPROVE_APOLOGY: Kind.APOLOGY,
    Action.WARN: None,
    Action.MARK_OVERDUE: Kind.LATE,
    Action.EXCHANGE_RESULT: None,  # the step another installation held came back: internal
    Action.EXCHANGE_APOLOGY: Kind.APOLOGY,  # signed there, told here as any apology
}


@pytest.mark.parametrize("action", list(Action))
def test_it_tells_each_action_in_plain_words_or_not_at_all(action):
    moments = story([happened(action)])
    assert [m.kind for m in moments] == ([TOLD[action]] if TOLD[action] else [])


def test_a_forward_to_another_agency_names_it_and_nothing_internal():
    moments = story(
        [
            happened(Action.FORWARD, agency="Công an Phường Hoàn Kiếm", moved=True),
            happened(Action.FORWARD, agency="", moved=False),
        ]
    )
    assert [(m.kind, m.agency) for m in moments] == [(Kind.MOVED, "Công an Phường Hoàn Kiếm")]


def test_it_carries_the_list_the_reason_and_the_dates():
    moments = story(
        [
            happened(Action.RECEIVE, payload={"due_at": "2026-11-30T02:30:00+00:00"}),
            happened(Action.REQUEST_SUPPLEMENT, payload={"missing": ["Giấy chứng sinh"]}),
            happened(Action.WITHDRAW, payload={"note": "Nộp nhầm thủ tục"}),
            happened(
                Action.APPROVE_APOLOGY,
                payload={"new_due_at": "2026-12-03T10:00:00+00:00", "reason": "Chờ xác minh"},
            ),
            happened(Action.RETURN_RESULT, payload={"delivery": "electronic", "note": "x"}),
        ]
    )
    assert moments[0].due == at("2026-11-30 09:30")
    assert moments[1].missing == ("Giấy chứng sinh",)
    assert moments[2].reason == "Nộp nhầm thủ tục"
    assert (moments[3].due, moments[3].reason) == (at("2026-12-03 17:00"), "Chờ xác minh")
    assert (moments[4].delivery, moments[4].reason) == ("electronic", "")


def test_an_unknown_action_is_left_out():
    assert story([Happened(action="import", at=at("2026-11-25 09:00"), payload={})]) == []


START = ClockEntry(kind=ClockKind.START, at=at("2026-11-25 09:00"), working_seconds=3 * 28800)
PAUSE = ClockEntry(kind=ClockKind.PAUSE, at=at("2026-11-26 10:00"))
RESUME = ClockEntry(kind=ClockKind.RESUME, at=at("2026-11-27 10:00"))
EXTEND = ClockEntry(
    kind=ClockKind.EXTEND, at=at("2026-12-01 10:00"), new_due=at("2026-12-04 17:00")
)


@pytest.mark.parametrize(
    ("entries", "due", "finished", "expected"),
    [
        # Not received yet: no date.
        ((), None, False, dict(due=None, started=False, waiting=False, waits=0)),
        # Received: the date on the receipt is the date.
        ((START,), at("2026-11-30 09:00"), False, dict(due=at("2026-11-30 09:00"), first=None)),
        # Waiting for papers: no date shown until they come.
        ((START, PAUSE), at("2026-11-30 09:00"), False, dict(due=None, waiting=True, waits=1)),
        # The wait ended: the date moved by it, the receipt's date told beside it.
        (
            (START, PAUSE, RESUME),
            at("2026-12-01 09:00"),
            False,
            dict(due=at("2026-12-01 09:00"), first=at("2026-11-30 09:00"), waits=1),
        ),
        # An apology's new date.
        (
            (START, EXTEND),
            at("2026-12-04 17:00"),
            False,
            dict(apology=at("2026-12-04 17:00"), first=at("2026-11-30 09:00")),
        ),
        # Stopped while waiting: not waiting any more.
        ((START, PAUSE), at("2026-11-30 09:00"), True, dict(waiting=False)),
    ],
)
def test_the_appointment_and_why(entries, due, finished, expected):
    result = appointment(entries, due=due, first_due=at("2026-11-30 09:00"), finished=finished)
    got = dict(
        due=result.due,
        first=result.first_due,
        started=result.started,
        waiting=result.waiting,
        waits=len(result.waits),
        apology=result.apology_due,
    )
    assert {key: got[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("status", "delivery", "answer_open", "copy", "expected"),
    [
        (Status.NEW, "desk", False, False, Todo.WAIT_CHECK),
        (Status.SUPPLEMENT, "desk", True, False, Todo.SEND_PAPERS),
        (Status.SUPPLEMENT, "desk", False, False, Todo.BRING_PAPERS),
        (Status.PAYMENT, "desk", False, False, Todo.PAY),
        (Status.RECEIVED, "desk", False, False, Todo.WAIT),
        (Status.PROCESSING, "post", False, False, Todo.WAIT),
        (Status.WITHDRAWN, "desk", False, False, Todo.WAIT_STOP),
        (Status.DONE, "desk", False, True, Todo.COLLECT),
        (Status.DONE, "post", False, True, Todo.POSTED),
        (Status.DONE, "electronic", False, True, Todo.DOWNLOAD),
        (Status.DONE, "electronic", False, False, Todo.WAIT),
        (Status.RETURNED, "desk", False, True, Todo.DOWNLOAD),
        (Status.RETURNED, "desk", False, False, Todo.NOTHING),
        (Status.REFUSED, "desk", False, False, Todo.NOTHING),
        (Status.STOPPED, "desk", False, False, Todo.NOTHING),
    ],
)
def test_what_to_do_now(status, delivery, answer_open, copy, expected):
    assert todo(status, delivery=delivery, answer_open=answer_open, result_copy=copy) is expected
