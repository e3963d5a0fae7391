"""What each action changes: one handler per action, each returning a `Change`.

The business rules of each action beyond the core's decision (which the service has already
taken): which hand-over ends and which starts, what the clock records, what the apology
says. A handler reads the dossier as it was and never writes; the service applies and
writes what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from motcua.catalog.selectors import documents_of
from motcua.core import answers, reception, returning
from motcua.core import apology as core_apology
from motcua.core import clock as core_clock
from motcua.core import exchange as core_exchange
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import InvalidInput, ValidationError, _
from motcua.core.lifecycle import Action, Facts, Role, Status
from motcua.core.routing import (
    LimitUnit,
    PlannedStep,
    resume_step,
    seconds_after,
    statutory_budget,
    step_due,
)
from motcua.core.text import fold
from motcua.dossiers import scans as dossier_scans
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierDocument,
    DossierEvent,
)
from motcua.dossiers.selectors import (
    answer_window,
    clock_entries,
    dossier_blame,
    dossier_outlook,
    resolve_step,
    result_copy_on_file,
)
from motcua.organization.selectors import Actor, calendar_for

if TYPE_CHECKING:
    from motcua.organization.models import Agency, Unit


@dataclass(frozen=True)
class OpenStep:
    """A hand-over that starts: the step of the plan, where it sits, who holds it, its due."""

    index: int
    name: str
    agency: Agency
    unit: Unit
    holder_id: int | None
    due_at: datetime


@dataclass
class Change:
    """What one action changes, as its handler decides it; the service applies and writes it."""

    fields: dict[str, Any] = field(default_factory=dict)  # projection fields -> new values
    clock: list[core_clock.ClockEntry] = field(default_factory=list)  # appended; due recomputed
    close_step: bool = False  # the open hand-over ends, is judged and recorded (form 06)
    open_step: OpenStep | None = None  # the hand-over that starts
    letter: ApologyLetter | None = None  # form 04 drafted
    letter_signed: ApologyLetter | None = None  # form 04 signed
    letter_closed: ApologyLetter | None = None  # an unsigned form 04 closed: the dossier ended
    news_agency: str = ""  # the agency the citizen's message names, when not the current one
    code_from: Agency | None = None  # received now: the code comes from this agency's counter
    payload: dict[str, Any] = field(default_factory=dict)  # what the event records
    documents: list[DossierDocument] = field(default_factory=list)  # papers received now
    scans: list[tuple[int, dossier_scans.CheckedScan]] = field(
        default_factory=list
    )  # (paper, scan)
    result: dossier_scans.CheckedScan | None = None  # the result's electronic copy, attached now
    # The closing hand-over's own times, when they are not (opened then, ended now): a step
    # held on another installation ends with the times that installation reports.
    step_times: core_exchange.RemoteTimes | None = None


@dataclass(frozen=True)
class Act:
    """One action as its handler sees it: the dossier as it was, and what was asked."""

    dossier: Dossier  # at the expected version; handlers read it, never change it
    action: Action
    actor: Actor
    now: datetime
    calendar: WorkCalendar
    plan: tuple[PlannedStep, ...]
    facts: Facts
    note: str
    assignee: Actor | None
    new_due_at: datetime | None
    missing: Sequence[str]
    delivery: str
    papers: Papers | None = None  # what the citizen brought (a supplement at the counter)
    handover: returning.Handover | None = None  # how the result is handed over
    # The citizen's online answer to the supplement request: a file per paper listed, by its
    # position in the request's list.
    answer: Mapping[int, dossier_scans.ScanUpload] | None = None
    result: dossier_scans.ScanUpload | None = None  # the result's electronic copy (PDF)
    remote: core_exchange.RemoteResult | None = None  # another installation's step result
    apology: core_exchange.RemoteApology | None = None  # the letter signed there for its step


@dataclass(frozen=True)
class Papers:
    """The papers brought to the counter: the procedure's (by RequiredDocument id), others
    typed by the desk, and a scan per paper of the procedure (by the same id)."""

    ticked: Sequence[int] = ()
    others: Sequence[str] = ()
    scans: Mapping[int, dossier_scans.ScanUpload] = field(default_factory=dict)


def start(
    dossier: Dossier,
    actor: Actor,
    now: datetime,
    plan: tuple[PlannedStep, ...],
    change: Change,
    *,
    arrived_at: datetime | None,
    receiving_agency: Agency | None = None,
    deadline: datetime | None = None,
) -> Change:
    """Valid reception: a code (the service draws it), the clock, and the first step
    (reception) held by the desk.

    The clock counts from when the complete dossier arrived (`arrived_at`, online) and
    otherwise from the reception itself, never from a later officer's click. A step handed
    over by another installation has that installation's `deadline` instead of the
    procedure's statutory time: the office time left until it.
    """
    agency = receiving_agency or dossier.receiving_agency
    calendar = calendar_for(dossier.received_place)
    version = dossier.procedure_version
    begins = arrived_at or now
    budget = (
        {"working_seconds": calendar.working_seconds_between(begins, max(begins, deadline))}
        if deadline is not None
        else statutory_budget(
            Decimal(version.time_limit), LimitUnit(version.time_limit_unit), calendar
        )
    )
    entry = core_clock.ClockEntry(kind=core_clock.ClockKind.START, at=begins, **budget)
    change.fields.update(received_at=now, receiving_agency=agency)
    change.code_from = agency
    change.clock.append(entry)
    change.open_step = open_step(dossier, plan, 0, now, calendar, holder_id=actor.user_id)
    return change


def open_step(
    dossier: Dossier,
    plan: tuple[PlannedStep, ...],
    index: int,
    now: datetime,
    calendar: WorkCalendar,
    *,
    holder_id: int | None,
) -> OpenStep:
    """The hand-over to step `index` of the plan, starting now."""
    agency, unit = resolve_step(dossier, plan[index])
    return OpenStep(
        index=index,
        name=plan[index].name,
        agency=agency,
        unit=unit,
        holder_id=holder_id,
        due_at=step_due(plan[index], calendar, now),
    )


def nothing(a: Act) -> Change:
    """Actions with nothing to change but their status and event (payment)."""
    return Change()


def _receive(a: Act) -> Change:
    """Accept an online dossier, or one completed at the counter after form 02: only when
    every required paper has been received (reception's rule, on the papers of every visit);
    code, clock from the complete dossier's arrival."""
    d = a.dossier
    checklist = [
        reception.Paper(key=doc.pk, name=doc.name, optional=doc.optional)
        for doc in documents_of(d.procedure_version)
    ]
    received = DossierDocument.objects.filter(dossier=d, required__isnull=False).values_list(
        "required_id", flat=True
    )
    absent = reception.missing_papers(checklist, list(received))
    if absent:
        raise reception.incomplete(absent)
    # The clock counts from when the complete dossier arrived, not from the officer's click.
    last_supplement = (
        DossierEvent.objects.filter(dossier=d, action=Action.SUPPLEMENT).order_by("-seq").first()
    )
    arrived = last_supplement.at if last_supplement is not None else d.submitted_at
    return start(
        d,
        a.actor,
        a.now,
        a.plan,
        Change(),
        arrived_at=arrived,
        receiving_agency=a.actor.agency or d.received_place,
    )


def _refuse(a: Act) -> Change:
    return Change(payload={"reason": reception.refusal_reason(a.note, field="note")})


def _request_supplement(a: Act) -> Change:
    """Form 02: everything missing, listed once; the clock pauses while the citizen works."""
    missing = reception.supplement_list(a.missing)
    change = Change(
        fields={"supplement_requests": a.dossier.supplement_requests + 1},
        payload={"missing": list(missing)},
    )
    if a.dossier.received_at is not None:
        change.clock.append(
            core_clock.ClockEntry(
                kind=core_clock.ClockKind.PAUSE, at=a.now, reason="chờ công dân bổ sung"
            )
        )
    return change


def _supplement(a: Act) -> Change:
    """The citizen completed the dossier: the papers brought are recorded (at the counter, the
    same checklist as reception, complete again with what came before), the clock resumes
    and the step's due time moves on."""
    d = a.dossier
    change = Change()
    if a.actor.role is Role.CITIZEN and a.answer is not None:
        change = _answer(a)
    elif a.papers is not None or a.actor.role is Role.DESK:
        change = _papers_brought(a, a.papers or Papers())
    if d.received_at is None:
        return change  # still before reception: the clock has not started
    change.clock.append(core_clock.ClockEntry(kind=core_clock.ClockKind.RESUME, at=a.now))
    if d.step_due_at is not None:
        paused_at = datetime.fromisoformat(d.clock[-1]["at"])
        resumed = resume_step(
            a.calendar, due_at=d.step_due_at, paused_at=paused_at, resumed_at=a.now
        )
        change.fields.update(
            step_due_at=resumed.due_at,
            step_paused_seconds=d.step_paused_seconds + resumed.paused_seconds,
        )
    return change


def _answer(a: Act) -> Change:
    """The citizen's answer online: a file for every paper the request listed, each checked
    by its content, recorded as the papers of this visit (a paper of the procedure by its
    catalog entry when the request named it, so that reception finds the dossier complete)."""
    d = a.dossier
    assert a.answer is not None
    missing, closes = answer_window(d, a.calendar)
    answers.check_answer(
        Status(d.status),
        closes_at=closes,
        now=a.now,
        missing=missing,
        sent=list(a.answer),
        tz=a.calendar.tz,
    )
    problems: list[ValidationError] = []
    checked = {}
    for index, upload in sorted(a.answer.items()):
        try:
            checked[index] = dossier_scans.inspect(upload, field=f"paper_{index}")
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise InvalidInput(problems)
    received = set(
        DossierDocument.objects.filter(dossier=d, required__isnull=False).values_list(
            "required_id", flat=True
        )
    )
    by_name = {fold(doc.name): doc for doc in documents_of(d.procedure_version)}
    change = Change(payload={"online": True})
    listed = []
    for index, name in enumerate(missing):
        doc = by_name.get(fold(name))
        if doc is not None and doc.pk in received:
            doc = None  # already received once: this is another paper of the same name
        change.scans.append((len(change.documents), checked[index]))
        change.documents.append(
            DossierDocument(
                required=doc,
                name=doc.name if doc is not None else name,
                copies=1,
                original=False,
                received_at=a.now,
                event_seq=d.version + 1,
            )
        )
        entry: dict[str, Any] = {"name": name, "copies": 1, "original": False}
        if doc is not None:
            entry["required"] = doc.pk
        entry["scan"] = checked[index].sha256
        listed.append(entry)
    change.payload["papers"] = listed
    return change


def _result_copy(
    a: Act, change: Change, problems: list[ValidationError], *, ask: bool = True
) -> bool:
    """The result's electronic copy sent with this action, checked (a PDF, by its content)
    and kept on `change`; whether the dossier has a copy once the action is taken (without
    `ask`, and no copy sent, the answer is not needed and the table is not read: False)."""
    if a.result is None and not ask:
        return False
    on_file = result_copy_on_file(a.dossier)
    if a.result is None:
        return on_file
    if on_file:
        problems.append(
            ValidationError(
                _("Hồ sơ đã có bản điện tử của kết quả; bản đã lưu không thay được."),
                field="result",
            )
        )
        return True
    try:
        checked = dossier_scans.inspect(a.result, field="result")
        answers.check_result_copy(checked.content_type)
    except ValidationError as exc:
        problems.append(exc)
        return False
    change.result = checked
    change.payload["result_copy"] = {"sha256": checked.sha256, "size": checked.size}
    return True


def _papers_brought(a: Act, papers: Papers) -> Change:
    """Reception's completeness rule on every paper received across the visits."""
    d = a.dossier
    required = {doc.pk: doc for doc in documents_of(d.procedure_version)}
    checklist = [
        reception.Paper(key=doc.pk, name=doc.name, optional=doc.optional)
        for doc in required.values()
    ]
    before = DossierDocument.objects.filter(dossier=d, required__isnull=False).values_list(
        "required_id", flat=True
    )
    problems: list[ValidationError] = []
    brought = None
    try:
        brought = reception.check_supplement(
            papers=checklist, received=list(before), ticked=papers.ticked, others=papers.others
        )
    except InvalidInput as exc:
        problems.extend(exc.errors)
    checked = check_scans(papers.scans, brought.ticked if brought else papers.ticked, problems)
    if problems:
        raise InvalidInput(problems)
    assert brought is not None
    change = Change()
    received_papers(
        change, required, brought.ticked, brought.others, checked, now=a.now, seq=d.version + 1
    )
    return change


def check_scans(
    uploads: Mapping[int, dossier_scans.ScanUpload],
    ticked: Sequence[int],
    problems: list[ValidationError],
) -> dict[int, dossier_scans.CheckedScan]:
    """Each upload checked by its content, and only for a paper received now; every problem
    is added to `problems`."""
    checked = {}
    for key, upload in uploads.items():
        field_name = f"scan_{key}"
        if key not in ticked:
            problems.append(
                ValidationError(
                    _("Chỉ đính kèm bản quét cho giấy tờ đã đánh dấu là đã nhận."),
                    field=field_name,
                )
            )
            continue
        try:
            checked[key] = dossier_scans.inspect(upload, field=field_name)
        except ValidationError as exc:
            problems.append(exc)
    return checked


def received_papers(
    change: Change,
    required: Mapping[int, Any],
    ticked: Sequence[int],
    others: Sequence[str],
    scans: Mapping[int, dossier_scans.CheckedScan],
    *,
    now: datetime,
    seq: int,
) -> None:
    """The rows and the event's list of the papers received now (`seq`: the event's number),
    each of the procedure's papers as the catalog describes it, the others as typed."""
    for key in ticked:
        doc = required[key]
        if key in scans:
            change.scans.append((len(change.documents), scans[key]))
        change.documents.append(
            DossierDocument(
                required=doc,
                name=doc.name,
                copies=doc.copies,
                original=doc.original,
                received_at=now,
                event_seq=seq,
            )
        )
    for name in others:
        change.documents.append(
            DossierDocument(name=name, copies=1, original=False, received_at=now, event_seq=seq)
        )
    listed = []
    for i, doc in enumerate(change.documents):
        entry: dict[str, Any] = {"name": doc.name, "copies": doc.copies, "original": doc.original}
        if doc.required is not None:
            entry["required"] = doc.required.pk
        scan = next((s for j, s in change.scans if j == i), None)
        if scan is not None:
            entry["scan"] = scan.sha256
        listed.append(entry)
    change.payload["papers"] = listed


def _assign(a: Act) -> Change:
    """A leader gives the open step to a person of the unit that takes it."""
    if a.assignee is None:
        raise ValidationError(_("Chọn người được phân công."), field="to_user")
    return Change(
        fields={"current_holder_id": a.assignee.user_id}, payload={"to_user": a.assignee.user_id}
    )


def _forward(a: Act) -> Change:
    """Hand over to the next step of the procedure, possibly in another agency."""
    holder = a.assignee.user_id if a.assignee is not None else None
    step = open_step(
        a.dossier, a.plan, a.dossier.step_index + 1, a.now, a.calendar, holder_id=holder
    )
    payload = {"to_user": holder} if holder is not None else {}
    return Change(close_step=True, open_step=step, payload=payload)


def _send_back(a: Act) -> Change:
    """Return to the previous step with a reason: a hand-over like any other, recorded."""
    if not a.note:
        raise ValidationError(_("Phải nêu lý do trả lại."), field="note")
    step = open_step(a.dossier, a.plan, a.dossier.step_index - 1, a.now, a.calendar, holder_id=None)
    return Change(close_step=True, open_step=step)


def _exchange_result(a: Act) -> Change:
    """The step held on another installation ended there: it closes with that installation's
    times (kept within the hand-over and now), so that its judgement and any delay are that
    agency's; the dossier goes on to the next step, unassigned."""
    d = a.dossier
    if a.remote is None or d.step_started_at is None:
        raise ValidationError(_("Thiếu kết quả của hệ thống liên thông."), field="remote")
    times = core_exchange.step_times(a.remote.times, handed_at=d.step_started_at, now=a.now)
    step = open_step(d, a.plan, d.step_index + 1, a.now, a.calendar, holder_id=None)
    return Change(
        close_step=True,
        step_times=times,
        open_step=step,
        payload={"exchange": a.remote.payload()},
    )


def _propose(a: Act) -> Change:
    return Change(fields={"proposed": True, "proposed_by_id": a.actor.user_id})


def _approve(a: Act) -> Change:
    """The step's signing authority signs the proposal."""
    return Change(fields={"approved": True, "proposed": False, "signed_step": a.facts.step_index})


def _mark_ready(a: Act) -> Change:
    """The result exists: the agency's clock stops here (end of processing for statistics)."""
    d = a.dossier
    change = Change(
        close_step=True,
        clock=[core_clock.ClockEntry(kind=core_clock.ClockKind.STOP, at=a.now)],
        fields={"current_agency": d.received_place, "current_unit": None, "current_holder": None},
    )
    problems: list[ValidationError] = []
    _result_copy(a, change, problems, ask=False)
    if problems:
        raise InvalidInput(problems)
    return change


def _return(a: Act) -> Change:
    """The result handed over: to whom (checked against the applicant), which document, how;
    confirmed by the desk first."""
    d = a.dossier
    handover = a.handover or returning.Handover(delivery=a.delivery or d.delivery, result_number="")
    change = Change()
    problems: list[ValidationError] = []
    # Every result has its electronic copy: on file already, or sent with the return.
    copy = _result_copy(a, change, problems)
    # A copy sent but refused is named once, on its own field.
    copy = copy or any(p.details.get("field") == "result" for p in problems)
    try:
        returned = returning.check(
            handover,
            applicant_name=d.applicant_name,
            applicant_id_number=d.applicant_id_number,
            electronic_copy=copy,
        )
    except InvalidInput as exc:
        raise InvalidInput([*problems, *exc.errors]) from None
    if problems:
        raise InvalidInput(problems)
    change.fields.update(
        {
            "delivery": returned.delivery.value,
            "returned_at": a.now,
            "result_number": returned.result_number,
            "collector": returned.collector,
            "collector_name": returned.name,
            "collector_id_number": returned.id_number,
            "collector_authorisation": returned.authorisation,
            "post_tracking": returned.tracking,
        }
    )
    change.payload.update(returned.payload())
    return change


def _stop(a: Act) -> Change:
    """Withdrawal, or the stop (form 05): processing ends on the citizen's request. The open
    step ends, judged and recorded like any hand-over (form 06), and the agency's clock stops
    (a running pause ends first: that wait was the citizen's). The event records the agency
    time used against the statutory allotment, for form 05. A stop after a withdrawal finds
    both already done and changes neither."""
    d = a.dossier
    change = Change(close_step=d.step_due_at is not None)
    if d.received_at is not None and d.clock and d.clock[-1]["kind"] != "stop":
        used = core_clock.used_working_seconds(a.calendar, clock_entries(d), at=a.now)
        if d.clock[-1]["kind"] == "pause":
            change.clock.append(core_clock.ClockEntry(kind=core_clock.ClockKind.RESUME, at=a.now))
        change.clock.append(core_clock.ClockEntry(kind=core_clock.ClockKind.STOP, at=a.now))
        change.payload["used_seconds"] = used
        budget = d.clock[0].get("working_seconds")
        if budget is not None:
            change.payload["allotted_seconds"] = budget
    return change


def _draft_apology(a: Act) -> Change:
    """Form 04 drafted for the agency whose step caused the delay, with a new date it can keep."""
    d = a.dossier
    assert d.due_at is not None
    blame = dossier_blame(d, a.calendar, a.now)
    agency_id = blame.step.agency if blame else d.current_agency_id
    view = dossier_outlook(d, a.calendar, a.now, a.plan)
    assert view is not None
    new_due = a.new_due_at or view.new_due
    if new_due <= d.due_at:
        raise ValidationError(_("Ngày hẹn mới phải sau ngày hẹn hiện tại."), field="new_due_at")
    if not a.calendar.is_working_day(new_due.astimezone(a.calendar.tz).date()):
        raise ValidationError(_("Ngày hẹn mới phải là ngày làm việc."), field="new_due_at")
    reason = a.note or "Hồ sơ chưa được giải quyết kịp trong thời hạn quy định."
    # Late or not, the letter is drafted; a late one is recorded as a breach of the rule.
    timing = core_apology.timing(a.calendar, at=a.now, due_at=d.due_at)
    letter = ApologyLetter(
        dossier=d,
        agency_id=agency_id,
        step_index=blame.step.index if blame else d.step_index,
        reason=reason,
        original_due_at=d.due_at,
        new_due_at=new_due,
        drafted_at=a.now,
        drafted_by_id=a.actor.user_id,
        draft_timing=timing.value,
    )
    return Change(
        fields={"apology": "draft"},
        letter=letter,
        payload={
            "agency": agency_id,
            "new_due_at": new_due.isoformat(),
            "reason": reason,
            "timing": timing.value,
            "in_time": timing.in_time,
        },
    )


def _approve_apology(a: Act) -> Change:
    """The head of the agency signs: the new date replaces the appointment (still late). A
    signature with less than one working day left before the appointment the letter
    apologises for, or after it, is recorded as late; it is never refused."""
    letter = ApologyLetter.objects.select_related("agency").get(dossier=a.dossier)
    timing = core_apology.timing(a.calendar, at=a.now, due_at=letter.original_due_at)
    letter.approved_at = a.now
    letter.approved_by_id = a.actor.user_id
    letter.sign_timing = timing.value
    proposed = letter.new_due_at
    if proposed <= a.now:
        # Signed after the date the draft proposed: the letter cannot promise a day already
        # gone, so it promises the date the agency can keep from now (recorded as changed).
        view = dossier_outlook(a.dossier, a.calendar, a.now, a.plan)
        assert view is not None
        letter.new_due_at = view.new_due
    entry = core_clock.ClockEntry(
        kind=core_clock.ClockKind.EXTEND, at=a.now, new_due=letter.new_due_at, reason="xin lỗi"
    )
    return Change(
        fields={"apology": "approved"},
        clock=[entry],
        letter_signed=letter,
        news_agency=letter.agency.name,
        payload={
            "new_due_at": letter.new_due_at.isoformat(),
            "reason": letter.reason,
            "timing": timing.value,
            "in_time": timing.in_time,
            **({"proposed_due_at": proposed.isoformat()} if proposed != letter.new_due_at else {}),
        },
    )


def _exchange_apology(a: Act) -> Change:
    """The agency holding the step on another installation apologised there (form 04, signed
    by its head): the letter is recorded here as that agency's, signed by that head (no
    account here), with the dossier's new date after the date it promised for its step and the
    steps ahead (`new_due_after_step`). An unsigned draft made here before is signed with
    it; the one-day rule is judged at its signature against this dossier's appointment."""
    d = a.dossier
    remote = a.apology
    if remote is None or d.due_at is None or d.step_due_at is None:
        raise ValidationError(_("Thiếu văn bản xin lỗi của hệ thống liên thông."), field="apology")
    index = min(d.step_index, len(a.plan) - 1)
    new_due = core_apology.new_due_after_step(
        a.calendar,
        step_new_due=remote.new_due_at,
        seconds_after=seconds_after(a.plan, index, a.calendar),
        due_at=d.due_at,
    )
    signed_at = min(remote.signed_at, a.now)  # a clock running ahead never signs in the future
    timing = core_apology.timing(a.calendar, at=signed_at, due_at=d.due_at)
    change = Change(
        # The step keeps its due: it is judged against it when its result comes (form 06), so
        # the delay stays that agency's, as a step here whose dossier was extended.
        fields={"apology": "approved"},
        clock=[
            core_clock.ClockEntry(
                kind=core_clock.ClockKind.EXTEND, at=a.now, new_due=new_due, reason="xin lỗi"
            )
        ],
        news_agency=d.current_agency.name,
        payload={
            "agency": d.current_agency_id,
            "new_due_at": new_due.isoformat(),
            "step_new_due_at": remote.new_due_at.isoformat(),  # what it promised for it
            "reason": remote.reason,
            "timing": timing.value,
            "in_time": timing.in_time,
            "exchange": remote.payload(),
        },
    )
    signed = {
        "reason": remote.reason,
        "approved_at": signed_at,
        "sign_timing": timing.value,
        "new_due_at": new_due,
        "signer_name": remote.signer_name,
        "signer_title": remote.signer_title,
    }
    if a.facts.apology == "draft":
        change.letter_signed = ApologyLetter.objects.get(dossier=d)
        for name, value in signed.items():
            setattr(change.letter_signed, name, value)
        return change
    change.letter = ApologyLetter(
        dossier=d,
        agency_id=d.current_agency_id,
        step_index=d.step_index,
        original_due_at=d.due_at,
        drafted_at=signed_at,
        draft_timing=timing.value,
        **signed,
    )
    return change


def _warn(a: Act) -> Change:
    return Change(fields={"warned_at": a.now})


def _overdue(a: Act) -> Change:
    return Change(fields={"overdue_at": a.now})


HANDLERS: dict[Action, Callable[[Act], Change]] = {
    Action.RECEIVE: _receive,
    Action.REFUSE: _refuse,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUPPLEMENT: _supplement,
    Action.ASSIGN: _assign,
    Action.FORWARD: _forward,
    Action.SEND_BACK: _send_back,
    Action.PROPOSE: _propose,
    Action.APPROVE: _approve,
    Action.MARK_READY: _mark_ready,
    Action.RETURN_RESULT: _return,
    Action.WITHDRAW: _stop,
    Action.STOP: _stop,
    Action.DRAFT_APOLOGY: _draft_apology,
    Action.APPROVE_APOLOGY: _approve_apology,
    Action.WARN: _warn,
    Action.MARK_OVERDUE: _overdue,
    Action.EXCHANGE_RESULT: _exchange_result,
    Action.EXCHANGE_APOLOGY: _exchange_apology,
}
