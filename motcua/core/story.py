"""What a citizen reads about their dossier, in plain words (DOMAIN §13): what happened and
when, the appointment and why it is that day, and what they must do now.

No internal action names, no hand-overs inside an agency, no officers' names: a citizen sees
that the dossier was received, sent to another agency, asked for papers, ready, returned. The
pages word each kind of moment in their own templates (translated there); this module only
decides which moments there are and what each carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from motcua.core.clock import ClockEntry, ClockKind
from motcua.core.lifecycle import Action, Status


class Kind(StrEnum):
    """A moment of the dossier's story as the citizen is told it."""

    SUBMITTED = "submitted"  # sent online, waits for the desk's check
    RECEIVED = "received"  # accepted: code and appointment
    REFUSED = "refused"  # not accepted, with the reason
    ASKED = "asked"  # papers asked for (form 02), the list once
    ANSWERED = "answered"  # the papers asked for were handed in
    MOVED = "moved"  # sent to another agency to be dealt with
    FEES = "fees"  # fees to pay
    PAID = "paid"
    READY = "ready"  # the result is ready
    RETURNED = "returned"  # the result was handed over
    WITHDRAWING = "withdrawing"  # the citizen asked to withdraw
    STOPPED = "stopped"  # processing stopped (form 05)
    APOLOGY = "apology"  # the late agency apologised with a new date (form 04)
    LATE = "late"  # the appointment passed without a result


_KINDS: dict[Action, Kind] = {
    Action.SUBMIT: Kind.SUBMITTED,
    Action.RECEIVE: Kind.RECEIVED,
    Action.REFUSE: Kind.REFUSED,
    Action.REQUEST_SUPPLEMENT: Kind.ASKED,
    Action.SUPPLEMENT: Kind.ANSWERED,
    Action.FORWARD: Kind.MOVED,
    Action.REQUEST_PAYMENT: Kind.FEES,
    Action.PAY: Kind.PAID,
    Action.MARK_READY: Kind.READY,
    Action.RETURN_RESULT: Kind.RETURNED,
    Action.WITHDRAW: Kind.WITHDRAWING,
    Action.STOP: Kind.STOPPED,
    Action.APPROVE_APOLOGY: Kind.APOLOGY,
    Action.EXCHANGE_APOLOGY: Kind.APOLOGY,
    Action.MARK_OVERDUE: Kind.LATE,
}


@dataclass(frozen=True)
class Happened:
    """One event as the story needs it. `agency` is where a forward sent the dossier ("" when
    it stayed in the same agency); `moved` whether it changed agency."""

    action: str
    at: datetime
    payload: Mapping[str, Any]
    agency: str = ""
    moved: bool = False


@dataclass(frozen=True)
class Moment:
    """One line of the citizen's story."""

    kind: Kind
    at: datetime
    agency: str = ""
    missing: tuple[str, ...] = ()
    reason: str = ""
    due: datetime | None = None  # the appointment given (reception) or promised (apology)
    delivery: str = ""


def story(happened: Sequence[Happened]) -> list[Moment]:
    """The moments a citizen is told of, oldest first: hand-overs inside one agency,
    assignments, proposals, signatures, drafts and warnings are the agency's own business."""
    moments = []
    for event in happened:
        try:
            kind = _KINDS[Action(event.action)]
        except (KeyError, ValueError):
            continue
        if kind is Kind.MOVED and not event.moved:
            continue
        payload = event.payload
        reason = str(payload.get("reason") or "")
        if kind in (Kind.WITHDRAWING, Kind.STOPPED, Kind.REFUSED) and not reason:
            reason = str(payload.get("note") or "")
        due_text = payload.get("new_due_at") if kind is Kind.APOLOGY else payload.get("due_at")
        moments.append(
            Moment(
                kind=kind,
                at=event.at,
                agency=event.agency if kind is Kind.MOVED else "",
                missing=tuple(str(m) for m in payload.get("missing", ()))
                if kind is Kind.ASKED
                else (),
                reason=reason if kind in _WITH_REASON else "",
                due=datetime.fromisoformat(due_text)
                if due_text and kind in (Kind.RECEIVED, Kind.APOLOGY)
                else None,
                delivery=str(payload.get("delivery") or "") if kind is Kind.RETURNED else "",
            )
        )
    return moments


_WITH_REASON = frozenset({Kind.REFUSED, Kind.WITHDRAWING, Kind.STOPPED, Kind.APOLOGY})


@dataclass(frozen=True)
class Wait:
    """A time the dossier waited for the citizen's papers (not counted against the agency)."""

    start: datetime
    end: datetime | None  # None: still waiting


@dataclass(frozen=True)
class Appointment:
    """The appointment and why it is that day, as plain facts for the page to word."""

    due: datetime | None  # the date promised now; None before reception or while waiting
    first_due: datetime | None  # the date on the receipt, when the appointment moved since
    waits: tuple[Wait, ...]  # each time the dossier waited for the citizen
    apology_due: datetime | None  # the new date an apology letter set
    waiting: bool  # waiting for the citizen now: the date is known again once they answer
    started: bool  # the clock started (the dossier was received)
    finished: bool  # processing ended: the appointment no longer moves


def appointment(
    entries: Sequence[ClockEntry],
    *,
    due: datetime | None,
    first_due: datetime | None,
    finished: bool,
) -> Appointment:
    """The appointment's facts from the clock ledger: the waits for the citizen (pause to
    resume), the apology's new date, and the first date when it differs from the current."""
    waits: list[Wait] = []
    apology_due = None
    for entry in entries:
        if entry.kind is ClockKind.PAUSE:
            waits.append(Wait(start=entry.at, end=None))
        elif entry.kind is ClockKind.RESUME and waits and waits[-1].end is None:
            waits[-1] = Wait(start=waits[-1].start, end=entry.at)
        elif entry.kind is ClockKind.EXTEND:
            apology_due = entry.new_due
    waiting = bool(waits) and waits[-1].end is None and not finished
    started = any(entry.kind is ClockKind.START for entry in entries)
    shown = None if waiting else due
    return Appointment(
        due=shown,
        first_due=first_due if first_due is not None and first_due != shown else None,
        waits=tuple(waits),
        apology_due=apology_due,
        waiting=waiting,
        started=started,
        finished=finished,
    )


class Todo(StrEnum):
    """What the citizen must do now."""

    WAIT_CHECK = "wait_check"  # the desk checks the dossier sent online
    SEND_PAPERS = "send_papers"  # papers asked for: send them online, once
    BRING_PAPERS = "bring_papers"  # papers asked for, online window closed: to the counter
    PAY = "pay"  # fees to pay
    WAIT = "wait"  # nothing: the agency is working on it, until the appointment
    WAIT_STOP = "wait_stop"  # the withdrawal reaches the desk, which issues the stop notice
    COLLECT = "collect"  # the result waits at the desk
    POSTED = "posted"  # the result comes by post
    DOWNLOAD = "download"  # the electronic result can be downloaded
    NOTHING = "nothing"  # it is over


def todo(status: Status, *, delivery: str, answer_open: bool, result_copy: bool) -> Todo:
    """What the citizen must do now, from the status, how the result reaches them, whether
    the online answer to a supplement request is still open and whether an electronic copy of
    the result is on file."""
    if status is Status.NEW:
        return Todo.WAIT_CHECK
    if status is Status.SUPPLEMENT:
        return Todo.SEND_PAPERS if answer_open else Todo.BRING_PAPERS
    if status is Status.PAYMENT:
        return Todo.PAY
    if status is Status.WITHDRAWN:
        return Todo.WAIT_STOP
    if status is Status.DONE:
        if delivery == "electronic":
            return Todo.DOWNLOAD if result_copy else Todo.WAIT
        return Todo.POSTED if delivery == "post" else Todo.COLLECT
    if status is Status.RETURNED and result_copy:
        return Todo.DOWNLOAD
    if status in (Status.RECEIVED, Status.PROCESSING):
        return Todo.WAIT
    return Todo.NOTHING
