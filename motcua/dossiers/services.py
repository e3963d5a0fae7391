"""The one write path for dossiers: reception and every later action.

The core decides (`motcua.core.lifecycle.decide`: the state, the guards and the actor's right
on this step); the action's handler (`motcua.dossiers.handlers`) returns what changes as a
plain value (`Change`); `_commit` applies it to a copy of the projection, chains the event,
and writes it all through `motcua.dossiers.writes` in one transaction, guarded by a
compare-and-set on the version.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction

from motcua.catalog.selectors import documents_of, procedure_versions
from motcua.core import answers, codes, contact, reception, returning, text
from motcua.core import clock as core_clock
from motcua.core.apology import closing_reason
from motcua.core.blame import step_outcome
from motcua.core.calendar import WorkCalendar, local_date
from motcua.core.errors import (
    ConflictError,
    DomainError,
    InvalidInput,
    NotFound,
    Text,
    ValidationError,
    _,
)
from motcua.core.exchange import RemoteApology, RemoteResult
from motcua.core.lifecycle import FINISHED, Action, Facts, Post, Status, decide
from motcua.core.reception import Applicant
from motcua.core.retention import PSEUDONYM
from motcua.core.routing import (
    PlannedStep,
    allotment_seconds,
    resume_step,
)
from motcua.dossiers import scans as dossier_scans
from motcua.dossiers import stamps, writes
from motcua.dossiers.events import chain_event, plain, projection_changes
from motcua.dossiers.handlers import (
    HANDLERS,
    Act,
    Change,
    Papers,
    check_scans,
    nothing,
    received_papers,
    start,
)
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierAccess,
    DossierEvent,
    DossierResult,
    DossierScan,
    DossierStep,
)
from motcua.dossiers.notices import followers_messages, is_news, status_notice
from motcua.dossiers.scans import CheckedScan, ScanUpload
from motcua.dossiers.selectors import (
    answer_window,
    clock_entries,
    dossier_facts,
    dossier_plan,
    post_of,
)
from motcua.organization.selectors import (
    Actor,
    agency_in_service,
    calendar_for,
    coverage_area,
    is_commune,
    staff_actor,
)

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion
    from motcua.notify.models import OutboxMessage
    from motcua.organization.models import Agency

__all__ = [
    "Applicant",
    "Handover",
    "Intake",
    "Papers",
    "ScanUpload",
    "dossier_act",
    "dossier_answer_supplement",
    "dossier_receive",
    "dossier_request_withdrawal",
    "dossier_view_personal_data",
    "dossiers_shown",
]

Handover = returning.Handover


@dataclass(frozen=True)
class Intake:
    """What the desk (or the portal) hands to `dossier_receive`."""

    procedure_code: str
    applicant: Applicant
    channel: int = Dossier.Channel.IN_PERSON
    request: str = ""
    copies: int = 1
    delivery: str = Dossier.Delivery.DESK
    competent_agency_code: str = ""  # the commune, for commune-level procedures
    documents: Sequence[int] = ()  # ids of the RequiredDocument rows ticked at the desk
    others: Sequence[str] = ()  # other papers received, as the desk typed them
    extra: dict[str, Any] = field(default_factory=dict)
    citizen_id: int | None = None  # the account it is lodged for (the portal's, or the desk's link)
    # A step handed over by another installation (motcua.exchange): the deadline it set, which
    # the clock keeps instead of the procedure's statutory time.
    deadline: datetime | None = None
    # A dossier filed on another system (the national portal): when it was submitted there,
    # its "system timestamp online" (DOMAIN §5), from which its clock counts once accepted;
    # the wait until it arrived here is integration time, not the agency's.
    submitted_at: datetime | None = None


# ---------------------------------------------------------------------------------------------
# Reception


def dossier_receive(
    *,
    intake: Intake,
    actor: Actor,
    now: datetime,
    outcome: Action = Action.RECEIVE,
    reason: str = "",
    missing: Sequence[str] = (),
    idempotency_key: str | None = None,
    scans: Mapping[int, ScanUpload] | None = None,
) -> Dossier:
    """Create a dossier at the desk or from the portal: received (code, form 01, clock starts),
    supplement requested (form 02), refused (form 03), or submitted online (status 1).

    Every problem with the intake is reported at once (`InvalidInput`); nothing is written.
    `scans` are the scans of papers ticked, by RequiredDocument id.
    """
    _require_aware(now)
    place = actor.agency
    if place is None:
        raise ValidationError(_("Cần nơi tiếp nhận hồ sơ."), field="received_place")
    target = decide(outcome, Facts(status=None, received_place=place.pk), post_of(actor))
    assert target is not None
    if idempotency_key:
        idempotency_key = _submission_key(
            idempotency_key, place=place, intake=intake, outcome=outcome, extra=(reason, missing)
        )
        existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    version = _procedure_version(intake.procedure_code, now, calendar_for(place))
    problems: list[ValidationError] = []
    competent = _collect(problems, lambda: _competent_agency(version, place, intake))
    if intake.submitted_at is not None and not (
        intake.submitted_at.tzinfo is not None and intake.submitted_at <= now
    ):
        problems.append(
            ValidationError(_("Thời điểm nộp hồ sơ không được ở tương lai."), field="submitted_at")
        )
    if intake.channel not in Dossier.Channel.values:
        problems.append(ValidationError(_("Kênh nộp hồ sơ không hợp lệ."), field="channel"))
    if intake.delivery not in Dossier.Delivery.values:
        problems.append(
            ValidationError(_("Hình thức nhận kết quả không hợp lệ."), field="delivery")
        )
    required = {d.pk: d for d in documents_of(version)}
    papers = [
        reception.Paper(key=d.pk, name=d.name, optional=d.optional) for d in required.values()
    ]
    checked = _collect(
        problems,
        lambda: reception.check(
            outcome,
            applicant=intake.applicant,
            papers=papers,
            ticked=intake.documents,
            reason=reason,
            missing=missing,
        ),
    )
    others = _collect(problems, lambda: reception.other_papers(intake.others))
    checked_scans = check_scans(scans or {}, intake.documents, problems)
    plan = dossier_plan_of(version)
    if not plan:
        problems.append(
            ValidationError(
                _("Thủ tục {procedure} chưa có quy trình xử lý."),
                field="procedure_code",
                procedure=version.procedure.code,
            )
        )
    dossier = None
    if checked is not None and competent is not None:
        dossier = _new_dossier(
            intake, version, checked, place, competent, actor, now, plan, idempotency_key or None
        )
        dossier.status = int(target)
        problems.extend(_field_problems(dossier))
    if problems:
        raise InvalidInput(problems)
    assert dossier is not None and checked is not None
    try:
        with transaction.atomic():
            change = Change(payload={"procedure": version.procedure.code, "v": version.version})
            if outcome is Action.RECEIVE:
                change = start(
                    dossier, actor, now, plan, change, arrived_at=None, deadline=intake.deadline
                )
            elif outcome is Action.REFUSE:
                change.fields["finished_at"] = now
                change.payload["reason"] = checked.reason
            elif outcome is Action.REQUEST_SUPPLEMENT:
                change.fields["supplement_requests"] = 1
                change.payload.update(missing=list(checked.missing), reason=reason.strip())
            received_papers(
                change,
                required,
                list(dict.fromkeys(intake.documents)),
                others or (),
                checked_scans,
                now=now,
                seq=1,
            )
            return _commit(
                dossier,
                action=outcome,
                actor=actor,
                now=now,
                change=change,
                target=target,
                expected=None,
            )
    except IntegrityError:
        if idempotency_key:
            # Two identical submissions raced: the other one won; return what it created.
            existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise


def _submission_key(
    key: str, *, place: Agency, intake: Intake, outcome: Action, extra: object
) -> str:
    """The key a double submission shares: the page's key, at this desk, for this very
    intake. The same page sent again with another applicant (the browser's back button keeps
    the key) is another dossier, and another desk's key is never this one's."""
    content = json.dumps(
        [key, place.pk, outcome.value, dataclasses.asdict(intake), extra],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def dossier_plan_of(version: ProcedureVersion) -> tuple[PlannedStep, ...]:
    """The plan of a version (through a dossier-less stand-in, as `dossier_plan` reads it)."""
    return dossier_plan(Dossier(procedure_version=version))


def _collect(problems: list[ValidationError], check: Callable[[], Any]) -> Any:
    """Run one check; keep its problems for the combined answer and return None instead."""
    try:
        return check()
    except ValidationError as exc:
        problems.extend(exc.problems())  # type: ignore[arg-type]  # all ValidationErrors
        return None


def _new_dossier(
    intake: Intake,
    version: ProcedureVersion,
    checked: reception.Checked,
    place: Agency,
    competent: Agency,
    actor: Actor,
    now: datetime,
    plan: tuple[PlannedStep, ...],
    idempotency_key: str | None,
) -> Dossier:
    """The projection of a dossier about to be created, before anything happened to it."""
    applicant = intake.applicant
    return Dossier(
        tracking_secret=codes.new_tracking_secret(),
        procedure_version=version,
        channel=intake.channel,
        status=0,
        applicant_name=checked.name,
        applicant_id_number=checked.id_number,
        applicant_kind=checked.kind,
        applicant_address=applicant.address.strip(),
        applicant_phone=applicant.phone.strip(),
        applicant_email=applicant.email.strip(),
        representative_name=checked.representative_name,
        representative_id_number=applicant.representative_id_number.strip(),
        authorisation=applicant.authorisation.strip(),
        request=intake.request.strip(),
        copies=intake.copies,
        delivery=intake.delivery,
        search_name=text.fold(checked.name),
        search_numbers=contact.search_numbers(
            checked.id_number, applicant.representative_id_number, applicant.phone
        ),
        received_place=place,
        receiving_agency=place,
        competent_agency=competent,
        current_agency=place,
        current_unit=actor.unit,
        step_count=len(plan),
        citizen_id=intake.citizen_id,
        submitted_at=intake.submitted_at or now,
        idempotency_key=idempotency_key,
    )


def _field_problems(dossier: Dossier) -> list[ValidationError]:
    """Model validation (lengths, e-mail format) and the characters a text may hold (whoever
    calls: the desk's fields check them first), one domain error per field."""
    problems = _character_problems(dossier)
    try:
        # Field checks only: the related rows were just loaded (checking they exist would
        # cost a query each), and unique codes and keys are the database's to enforce.
        dossier.clean_fields(exclude=_RELATIONS)
    except DjangoValidationError as exc:
        for name, messages in exc.message_dict.items():
            problem = " ".join(messages)  # Django's own words, already in the reader's language
            label = Text(getattr(Dossier._meta.get_field(name), "verbose_name", name))
            problems.append(
                ValidationError(_("{label}: {problem}"), field=name, label=label, problem=problem)
            )
    return problems


def _character_problems(dossier: Dossier) -> list[ValidationError]:
    """A problem for each text column holding a control, bidi or invisible character (a
    TextField keeps its line breaks): NUL, above all, never reaches the database."""
    problems = []
    for column in Dossier._meta.concrete_fields:
        if not isinstance(column, models.CharField | models.TextField):
            continue
        value = getattr(dossier, column.attname)
        if not value:
            continue
        try:
            text.check_characters(
                value,
                multiline=isinstance(column, models.TextField),
                field=column.name,
                label=str(column.verbose_name),
            )
        except ValidationError as exc:
            problems.append(exc)
    return problems


_RELATIONS = [
    "code",
    "current_holder",
    "proposed_by",
    "procedure_version",
    "received_place",
    "receiving_agency",
    "competent_agency",
    "current_agency",
    "current_unit",
]


def _procedure_version(code: str, now: datetime, calendar: WorkCalendar) -> ProcedureVersion:
    """The version of a procedure in force on the centre's local date."""
    versions = procedure_versions(code.strip())
    if versions is None:
        raise NotFound(
            _("Không tìm thấy thủ tục có mã “{code}”."), field="procedure_code", code=code
        )
    today = local_date(now, calendar.tz)
    version = next((v for v in versions if v.effective_from <= today), None)
    if version is None:
        raise ValidationError(
            _("Thủ tục {code} chưa có phiên bản đang áp dụng."), field="procedure_code", code=code
        )
    return version


def _competent_agency(version: ProcedureVersion, place: Agency, intake: Intake) -> Agency:
    """The deciding agency: a fixed one, or for commune procedures the chosen commune."""
    if version.competent != "commune":
        agency = agency_in_service(version.competent)
        if agency is None:
            raise ValidationError(
                _("Cơ quan có thẩm quyền {agency} không tồn tại."),
                field="competent_agency",
                agency=version.competent,
            )
        return agency
    commune_code = intake.competent_agency_code.strip().upper()
    if commune_code:
        agency = agency_in_service(commune_code, commune=True)
        if agency is None:
            raise ValidationError(
                _("Không có UBND cấp xã với mã “{code}”."),
                field="competent_agency",
                code=intake.competent_agency_code,
            )
        if agency != place:
            reception.check_coverage(coverage_area(place), coverage_area(agency))
        return agency
    if is_commune(place):
        return place
    raise ValidationError(
        _("Thủ tục cấp xã: phải chọn UBND xã, phường có thẩm quyền."), field="competent_agency"
    )


# ---------------------------------------------------------------------------------------------
# Actions on an existing dossier


def dossier_act(
    *,
    dossier: Dossier,
    action: Action,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
    note: str = "",
    to_user_id: int | None = None,
    new_due_at: datetime | None = None,
    missing: Sequence[str] = (),
    delivery: str = "",
    papers: Papers | None = None,
    handover: Handover | None = None,
    answer: Mapping[int, ScanUpload] | None = None,
    result: ScanUpload | None = None,
    remote: RemoteResult | None = None,
    apology: RemoteApology | None = None,
) -> Dossier:
    """Apply one action to a dossier: the core checks the state, the guards and the actor's
    right on this step; then the version moves on (compare-and-set), the event is appended
    and the projection updated, in one transaction. A refused action writes nothing."""
    _require_aware(now)
    expected = dossier.version if expected_version is None else expected_version
    # The desk's fields check these first; any other caller is held to the same rule.
    note, missing = text.nfc(note), [text.nfc(item) for item in missing]
    text.check_characters(note, multiline=True, field="note", label=_("Ghi chú"))
    for item in missing:
        text.check_characters(item, field="missing", label=_("Giấy tờ cần bổ sung"))
    with transaction.atomic():
        d = _working_copy(dossier, expected)
        calendar = calendar_for(d.received_place)
        plan = dossier_plan(d)
        facts = dossier_facts(d, calendar, now, plan)
        assignee = _assignee(to_user_id)
        try:
            # Decided in memory first: besides the day's code counter (reception), which a
            # conflict rolls back with the rest, nothing is written before the compare-and-set.
            target = decide(action, facts, post_of(actor), assignee=_post(assignee))
            act = Act(
                dossier=d,
                action=action,
                actor=actor,
                now=now,
                calendar=calendar,
                plan=plan,
                facts=facts,
                note=note.strip(),
                assignee=assignee,
                new_due_at=new_due_at,
                missing=missing,
                delivery=delivery,
                papers=papers,
                handover=handover,
                answer=answer,
                result=result,
                remote=remote,
                apology=apology,
            )
            change = HANDLERS.get(action, nothing)(act)
        except DomainError:
            # The checks ran on the caller's copy: if it is stale, that is the real error.
            if not Dossier.objects.filter(pk=d.pk, version=expected).exists():
                raise writes.conflict(d) from None
            raise
        if act.note:
            change.payload.setdefault("note", act.note)
        return _commit(
            d, action=action, actor=actor, now=now, change=change, target=target, expected=expected
        )


def _assignee(to_user_id: int | None) -> Actor | None:
    if to_user_id is None:
        return None
    assignee = staff_actor(to_user_id)
    if assignee is None:
        raise ValidationError(_("Người được giao không phải cán bộ."), field="to_user")
    return assignee


def _post(actor: Actor | None) -> Post | None:
    return post_of(actor) if actor is not None else None


def _working_copy(dossier: Dossier, expected: int) -> Dossier:
    """The dossier as it was at version `expected`: the caller's object when it is that version
    (every change bumps the version, so its fields are the row's), else the row read again."""
    if dossier.version == expected and not dossier.get_deferred_fields() - writes.DERIVED:
        return dossier
    d = Dossier.objects.select_related(
        "procedure_version__procedure", "current_agency", "received_place", "competent_agency"
    ).get(pk=dossier.pk)
    if d.version != expected:
        raise writes.conflict(d)
    return d


def _commit(
    before: Dossier,
    *,
    action: Action,
    actor: Actor,
    now: datetime,
    change: Change,
    target: Status | None,
    expected: int | None,
) -> Dossier:
    """Apply `change` to a copy of `before` (None `expected`: a new dossier), chain the event,
    and write it all; the caller's object is left as it was."""
    calendar = calendar_for(before.received_place)
    from_status = None if expected is None else Status(before.status)
    if change.code_from is not None:  # received now: the day's next code of the agency
        day = local_date(now, calendar.tz)
        change.fields["code"] = change.payload["code"] = writes.next_dossier_code(
            change.code_from.code, day
        )
    finished = _finished(before, change, now, calendar, actor) if change.close_step else None
    after = copy.copy(before)
    for name, value in change.fields.items():
        setattr(after, name, value)
    step = change.open_step
    if step is not None:
        after.step_index = step.index
        after.current_agency = step.agency
        after.current_unit = step.unit
        after.current_holder_id = step.holder_id
        after.step_due_at = step.due_at
        after.step_started_at = now
        after.step_paused_seconds = 0
    elif finished is not None:
        after.step_due_at = after.step_started_at = None  # no step is open any more
        after.step_paused_seconds = 0
    if change.clock:
        after.clock = [*before.clock, *(_entry_json(e) for e in change.clock)]
        _recompute_due(after, calendar, now)
        change.payload["clock"] = after.clock[-1]
        if after.due_at is not None:
            change.payload["due_at"] = after.due_at.isoformat()
    if target is not None:
        after.status = int(target)
    if after.status_enum in FINISHED and after.finished_at is None:
        after.finished_at = now
    closing = closing_reason(apology=before.apology, status=after.status_enum)
    if closing is not None and expected is not None:
        # The dossier ends with a draft still unsigned: it closes here, with the reason, in
        # this same transaction (no new date can be promised any more).
        letter = ApologyLetter.objects.get(dossier_id=before.pk)
        letter.closed_at, letter.closed_reason = now, closing
        change.letter_closed = letter
        after.apology = "closed"
        change.payload["apology_closed"] = closing
    after.version += 1
    # What the projection became, so that `audit verify` can rebuild it from the events.
    change.payload["set"] = projection_changes(None if expected is None else before, after)
    news = is_news(action, from_status=from_status, to_status=Status(after.status))

    def event(d: Dossier) -> DossierEvent:
        return chain_event(
            d, action=action, actor=actor, now=now, from_status=from_status, payload=change.payload
        )

    def messages(d: Dossier, e: DossierEvent) -> list[OutboxMessage]:
        told = (
            status_notice(
                d,
                action,
                now=now,
                payload=change.payload,
                tz=calendar.tz,
                agency=change.news_agency,
                withdrawn=from_status is Status.WITHDRAWN,
            )
            if news
            else None
        )
        return [*([told] if told is not None else []), *followers_messages(d, e)]

    if expected is None:
        # Papers with scans are written once the dossier has its id (the scans refer to them).
        fast = change.documents if not change.scans else []
        writes.create(after, documents=fast, event=event, messages=messages)
        if change.scans:
            _add_papers(after, change, actor, now)
        return after
    chained = event(after)
    after.chain_head = chained.hash
    writes.update(
        before,
        after,
        expected=expected,
        finished=finished,
        letter=change.letter,
        letter_signed=change.letter_signed,
        letter_closed=change.letter_closed,
        event=chained,
        messages=messages(after, chained),
    )
    stamps.dossier_changed(after.code)  # what the tracking page kept of it is not shown again
    if change.documents:
        _add_papers(after, change, actor, now)
    if change.result is not None:
        _add_result(after, change.result, actor, now)
    return after


def _add_result(dossier: Dossier, result: CheckedScan, actor: Actor, now: datetime) -> None:
    """Write the result's electronic copy: the file first (named by its content, under
    results/), then its row; a file this call wrote is removed again if the row fails."""
    name, new = dossier_scans.store(dossier.pk, result, folder="results")
    try:
        DossierResult.objects.create(
            dossier_id=dossier.pk,
            file=name,
            sha256=result.sha256,
            size=result.size,
            content_type=result.content_type,
            original_name=result.original_name,
            attached_at=now,
            attached_by_id=actor.user_id,
            event_seq=dossier.version,
        )
    except BaseException:
        if new:
            dossier_scans.discard([name])
        raise


def _add_papers(dossier: Dossier, change: Change, actor: Actor, now: datetime) -> None:
    """Write the papers received now and their scans: the files first (named by their
    content), then the rows; a file this change wrote is removed again if the rows fail."""
    created: list[str] = []
    try:
        stored = []
        for index, scan in change.scans:
            name, new = dossier_scans.store(dossier.pk, scan)
            if new:
                created.append(name)
            stored.append((index, scan, name))
        writes.add_papers(
            dossier,
            change.documents,
            [
                (
                    index,
                    DossierScan(
                        dossier_id=dossier.pk,
                        file=name,
                        sha256=scan.sha256,
                        size=scan.size,
                        content_type=scan.content_type,
                        original_name=scan.original_name,
                        uploaded_at=now,
                        uploaded_by_id=actor.user_id,
                    ),
                )
                for index, scan, name in stored
            ],
        )
    except BaseException:
        dossier_scans.discard(created)
        raise


def _finished(
    before: Dossier, change: Change, now: datetime, calendar: WorkCalendar, actor: Actor
) -> DossierStep:
    """The open hand-over ends now, judged against its due time: its row for form 06, held by
    whoever it was assigned to, or else by whoever handed it over. The event records it."""
    assert before.step_due_at is not None and before.step_started_at is not None
    due, paused = before.step_due_at, before.step_paused_seconds
    started, ended = before.step_started_at, now
    if change.step_times is not None:  # held elsewhere: the times that installation reports
        started, ended = change.step_times.started_at, change.step_times.ended_at
    if before.status == Status.SUPPLEMENT and before.clock:
        # Ended while waiting for the citizen (a stop): the running pause is citizen time,
        # as if it had ended now, and the step is judged by the due time it then has.
        resumed = resume_step(
            calendar,
            due_at=due,
            paused_at=datetime.fromisoformat(before.clock[-1]["at"]),
            resumed_at=now,
        )
        due, paused = resumed.due_at, paused + resumed.paused_seconds
    verdict = step_outcome(ended_at=ended, due_at=due, tz=calendar.tz)
    planned = dossier_plan(before)[before.step_index]
    name = planned.name
    # The agency's working time on the step (the citizen's waits taken out) and its allotment.
    held = calendar.working_seconds_between(started, ended)
    change.payload["step"] = {
        "index": before.step_index,
        "name": name,
        "agency": before.current_agency_id,
        "unit": before.current_unit_id,
        "outcome": verdict,
        "used_seconds": max(0, held - paused),
        "allotted_seconds": allotment_seconds(planned, calendar),
        # The rest of form 06's row, so that `audit verify` can rebuild it.
        "holder": before.current_holder_id or actor.user_id,
        "started_at": plain(started),
        "due_at": plain(due),
        "paused_seconds": paused,
    }
    if ended != now:
        change.payload["step"]["ended_at"] = plain(ended)
    return DossierStep(
        dossier_id=before.pk,
        index=before.step_index,
        name=name,
        agency_id=before.current_agency_id,
        unit_id=before.current_unit_id,
        holder_id=before.current_holder_id or actor.user_id,
        started_at=started,
        due_at=due,
        ended_at=ended,
        paused_seconds=paused,
        outcome=verdict,
        note=change.payload.get("note", ""),
    )


def _entry_json(entry: core_clock.ClockEntry) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": entry.kind.value, "at": entry.at.isoformat()}
    if entry.working_seconds is not None:
        data["working_seconds"] = entry.working_seconds
    if entry.same_day:
        data["same_day"] = True
    if entry.new_due is not None:
        data["new_due"] = entry.new_due.isoformat()
    if entry.reason:
        data["reason"] = entry.reason
    return data


def _recompute_due(dossier: Dossier, calendar: WorkCalendar, now: datetime) -> None:
    """Due dates are recomputed from the ledger (the core reads overrides as known then)."""
    state = core_clock.compute(calendar, clock_entries(dossier), now=now)
    if state.due_at is not None:
        dossier.due_at = state.due_at
    if state.original_due_at is not None:
        dossier.original_due_at = state.original_due_at


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError(_("Thời điểm phải có múi giờ."))


def dossier_view_personal_data(
    *,
    dossier: Dossier,
    actor: Actor,
    now: datetime,
    page: str = "dossier",
    address: str | None = None,
) -> None:
    """Record that a staff member opened a dossier's personal data (who, when, where, from).

    Kept beside the state chain rather than in it: reading must not bump the version and so
    make a colleague's open form stale. The audit anchor covers the read log instead.
    """
    dossiers_shown(dossier_ids=[dossier.pk], actor=actor, now=now, page=page, address=address)


def dossiers_shown(
    *, dossier_ids: Sequence[int], actor: Actor, now: datetime, page: str, address: str | None
) -> None:
    """Record that a page showed these dossiers' personal data to a staff member: one row per
    dossier, inserted at once (a list of fifty is one statement)."""
    _require_aware(now)
    DossierAccess.objects.bulk_create(
        DossierAccess(
            dossier_id=pk,
            user_id=actor.user_id,
            role=actor.role,
            at=now,
            page=page,
            address=address,
        )
        for pk in dict.fromkeys(dossier_ids)
    )


# ---------------------------------------------------------------------------------------------
# What a citizen does online on their own dossier (motcua.core.answers)


def _own(dossier: Dossier, citizen_id: int) -> None:
    """A citizen acts only on a dossier tied to their account: another's is "not found"."""
    if dossier.citizen_id is None or dossier.citizen_id != citizen_id:
        raise NotFound(_("Không tìm thấy hồ sơ."))


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related(
        "procedure_version__procedure", "current_agency", "received_place", "competent_agency"
    ).get(pk=dossier.pk)


def dossier_answer_supplement(
    *, dossier: Dossier, citizen_id: int, files: Mapping[int, ScanUpload], now: datetime
) -> Dossier:
    """The citizen answers the request for papers online, once: a file for every paper
    listed, within the window; the dossier goes back to the desk's check (before reception)
    or to processing, and the clock resumes. A second answer, a late one, a missing or bad
    file: a plain message, nothing stored."""
    _require_aware(now)
    _own(dossier, citizen_id)
    actor = Actor.citizen(dossier.applicant_name)

    def check(d: Dossier) -> None:
        calendar = calendar_for(d.received_place)
        missing, closes = answer_window(d, calendar)
        answers.check_answer(
            Status(d.status),
            closes_at=closes,
            now=now,
            missing=missing,
            sent=list(files),
            tz=calendar.tz,
        )

    # Every problem at once: a file missing and a file refused for its content alike (the
    # dossier not waiting, or the window closed, is said alone: no file would help).
    problems: list[ValidationError] = []
    try:
        check(dossier)
    except InvalidInput as exc:
        problems.extend(exc.errors)
    for index, upload in sorted(files.items()):
        try:
            dossier_scans.inspect(upload, field=f"paper_{index}")
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise InvalidInput(sorted(problems, key=lambda p: str(p.details.get("field"))))
    try:
        return dossier_act(
            dossier=dossier, action=Action.SUPPLEMENT, actor=actor, now=now, answer=files
        )
    except ConflictError:
        check(_fresh(dossier))  # sent twice at once: the other answer was taken
        raise


def dossier_request_withdrawal(
    *, dossier: Dossier, citizen_id: int, reason: str, now: datetime
) -> Dossier:
    """The citizen asks to withdraw, with a reason, while no decision has been issued
    (NĐ 118 Điều 21); the dossier waits at the desk, which issues the stop notice (form 05)."""
    _require_aware(now)
    _own(dossier, citizen_id)
    reason = answers.withdrawal_reason(text.nfc(reason))
    text.check_characters(reason, multiline=True, field="note", label=_("Lý do"))
    answers.check_withdrawal(Status(dossier.status), approved=dossier.approved)
    actor = Actor.citizen(dossier.applicant_name)
    try:
        return dossier_act(
            dossier=dossier, action=Action.WITHDRAW, actor=actor, now=now, note=reason
        )
    except ConflictError:
        fresh = _fresh(dossier)
        answers.check_withdrawal(Status(fresh.status), approved=fresh.approved)
        raise


def dossiers_exported(*, dossier_ids: Sequence[int], now: datetime, address: str | None) -> None:
    """Record in the read log that a citizen downloaded their own data with these dossiers
    (no staff user: role "citizen", page "citizen.export"; the dossiers name the account)."""
    _require_aware(now)
    DossierAccess.objects.bulk_create(
        DossierAccess(
            dossier_id=pk,
            user_id=None,
            role="citizen",
            at=now,
            page="citizen.export",
            address=address,
        )
        for pk in dict.fromkeys(dossier_ids)
    )


def reads_purge(*, before: datetime, apply: bool) -> int:
    """Read-log rows older than `before`: delete them (on PostgreSQL after `audit lockdown`
    only the tables' owner can; docs/privacy.md); how many."""
    old = DossierAccess.objects.filter(at__lt=before)
    count = old.count()
    if apply:
        old.delete()
    return count


# The applicant's columns a pseudonymised dossier keeps empty (or as the pseudonym): none of
# them is in an event (events.AUDITED), so the chain and the projection's check still hold.
PERSONAL_COLUMNS = (
    "applicant_id_number",
    "applicant_address",
    "applicant_phone",
    "applicant_email",
    "representative_name",
    "representative_id_number",
    "authorisation",
    "search_numbers",
)


def dossiers_pseudonymise(*, before: datetime, apply: bool) -> int:
    """Dossiers finished before `before`: the applicant's name replaced, their numbers,
    address and contacts emptied, the files of the scans and of the result's electronic copy
    deleted (their rows and hashes stay, as the events that recorded them; the row's file
    name is emptied, so that a page asking for the file says it is gone); codes, dates, steps
    and figures stay; how many."""
    due = Dossier.objects.filter(finished_at__lt=before).exclude(applicant_name=PSEUDONYM)
    ids = list(due.values_list("pk", flat=True))
    if apply and ids:
        files = [
            *DossierScan.objects.filter(dossier_id__in=ids).values_list("file", flat=True),
            *DossierResult.objects.filter(dossier_id__in=ids).values_list("file", flat=True),
        ]
        Dossier.objects.filter(pk__in=ids).update(
            applicant_name=PSEUDONYM,
            search_name=text.fold(PSEUDONYM),
            **{column: "" for column in PERSONAL_COLUMNS},
        )
        DossierScan.objects.filter(dossier_id__in=ids).update(file="")
        DossierResult.objects.filter(dossier_id__in=ids).update(file="")
        dossier_scans.discard_on_commit(files)
    return len(ids)
