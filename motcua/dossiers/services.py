"""The one write path for dossiers: every change appends an event and updates the projection
in the same transaction, after the domain core has allowed it.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import Field, Model

from motcua.catalog.models import ProcedureVersion, StepTemplate
from motcua.catalog.selectors import documents_of, procedure_versions, steps_of
from motcua.core import clock as core_clock
from motcua.core import codes, text
from motcua.core.blame import StepSpan, responsible_step, step_outcome
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import (
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
    Text,
    ValidationError,
    _,
)
from motcua.core.lifecycle import FINISHED, Action, Facts, Role, Status, allowed_actions, decide
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierAccess,
    DossierDocument,
    DossierEvent,
    DossierStep,
)
from motcua.notify.services import outbox_statement
from motcua.organization.models import Agency, Unit
from motcua.organization.selectors import (
    Actor,
    agency_by_code,
    calendar_for,
    police_serving,
    unit_of,
)

GENESIS = "0" * 64


@dataclass(frozen=True)
class Applicant:
    """The person or organisation the dossier is for, and who submitted it for them."""

    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_id_number: str = ""
    authorisation: str = ""


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
    digitised: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Creation


def dossier_receive(
    *,
    intake: Intake,
    actor: Actor,
    now: datetime,
    outcome: Action = Action.RECEIVE,
    reason: str = "",
    missing: Sequence[str] = (),
    idempotency_key: str | None = None,
) -> Dossier:
    """Create a dossier at the desk or from the portal: received (code, form 01, clock starts),
    supplement requested (form 02), refused (form 03), or submitted online (status 1)."""
    if outcome not in (
        Action.RECEIVE,
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.SUBMIT,
    ):
        raise ValidationError(
            _("Không thể tạo hồ sơ bằng thao tác “{action_label}”."),
            action_label=Text(outcome.label),
        )
    _require_aware(now)
    if idempotency_key:
        existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    version = _procedure_version(intake.procedure_code, now)
    id_number, kind = codes.validate_id_number(intake.applicant.id_number)
    # People's names get Vietnamese capitalisation; organisations keep theirs ("TNHH").
    raw = text.nfc(" ".join(intake.applicant.name.split()))
    name = text.normalize_person_name(raw) if kind == "personal" else raw
    if not name:
        raise ValidationError(_("Chưa nhập họ tên người nộp hồ sơ."), field="applicant_name")
    if intake.channel not in Dossier.Channel.values:
        raise ValidationError(_("Kênh nộp hồ sơ không hợp lệ."), field="channel")
    if intake.delivery not in Dossier.Delivery.values:
        raise ValidationError(_("Hình thức nhận kết quả không hợp lệ."), field="delivery")
    if intake.applicant.representative_name and not intake.applicant.authorisation:
        raise ValidationError(_("Người nộp thay phải có văn bản ủy quyền."), field="authorisation")
    place = actor.agency
    if place is None:
        raise ValidationError(_("Cần nơi tiếp nhận hồ sơ."), field="received_place")
    competent = _competent_agency(version, place, intake.competent_agency_code)
    steps = steps_of(version)
    if not steps:
        raise ValidationError(
            _("Thủ tục {procedure} chưa có quy trình xử lý."), procedure=version.procedure.code
        )
    required = {d.pk: d for d in documents_of(version)}
    unknown = [d for d in intake.documents if d not in required]
    if unknown:
        raise ValidationError(_("Giấy tờ không thuộc thành phần hồ sơ của thủ tục."), ids=unknown)
    if outcome is Action.REFUSE and not reason.strip():
        raise ValidationError(_("Phải nêu rõ lý do từ chối tiếp nhận."), field="reason")
    if outcome is Action.REQUEST_SUPPLEMENT:
        missing = [m.strip() for m in missing if m.strip()]
        if not missing:
            missing = [
                required[d].name
                for d in required
                if d not in intake.documents and not required[d].optional
            ]
        if not missing:
            raise ValidationError(_("Phải liệt kê đầy đủ giấy tờ cần bổ sung."), field="missing")
    if outcome is Action.RECEIVE:
        absent = [
            d.name for pk, d in required.items() if not d.optional and pk not in intake.documents
        ]
        if absent:
            raise ValidationError(
                _("Hồ sơ chưa đủ thành phần, không thể tiếp nhận: {documents}."),
                field="documents",
                missing=absent,
                documents="; ".join(absent),
            )
    target = decide(outcome, Facts(status=None), actor.role)
    assert target is not None

    try:
        with transaction.atomic():
            dossier = Dossier(
                tracking_secret=codes.new_tracking_secret(),
                procedure_version=version,
                channel=intake.channel,
                status=int(target),
                applicant_name=name,
                applicant_id_number=id_number,
                applicant_kind=kind,
                applicant_address=intake.applicant.address.strip(),
                applicant_phone=intake.applicant.phone.strip(),
                applicant_email=intake.applicant.email.strip(),
                representative_name=text.normalize_person_name(
                    intake.applicant.representative_name
                ),
                representative_id_number=intake.applicant.representative_id_number.strip(),
                authorisation=intake.applicant.authorisation.strip(),
                request=intake.request.strip(),
                copies=intake.copies,
                delivery=intake.delivery,
                search_name=text.fold(name),
                received_place=place,
                receiving_agency=place,
                competent_agency=competent,
                current_agency=place,
                current_unit=actor.unit,
                step_count=len(steps),
                submitted_at=now,
                idempotency_key=idempotency_key or None,
            )
            _full_clean(dossier)
            # Everything reception decides is computed before the row is written, so that the
            # dossier is one INSERT; only the chain's head, which hashes the new id, follows.
            payload: dict[str, Any] = {"procedure": version.procedure.code, "v": version.version}
            writes: list[Write] = []
            if outcome is Action.RECEIVE:
                _start(dossier, actor=actor, now=now, steps=steps, payload=payload, writes=writes)
            elif outcome is Action.REFUSE:
                dossier.finished_at = now
                payload["reason"] = reason.strip()
            elif outcome is Action.REQUEST_SUPPLEMENT:
                dossier.supplement_requests = 1
                payload.update(missing=list(missing), reason=reason.strip())
            dossier.pk = _insert_returning_id(dossier)
            event = _next_event(dossier, outcome, actor, now, from_status=None, payload=payload)
            documents = [
                DossierDocument(
                    dossier=dossier,
                    required=required[pk],
                    name=required[pk].name,
                    copies=required[pk].copies,
                    original=required[pk].original,
                    digitised=intake.digitised and not required[pk].show_only,
                )
                for pk in intake.documents
            ]
            _run(
                [
                    *([_insert_statement(DossierDocument, documents)] if documents else []),
                    *(write() for write in writes),
                    _insert_statement(DossierEvent, [event]),
                    # The row is this transaction's own: no compare-and-set needed; and as
                    # neither column is indexed, PostgreSQL can update it within its page (HOT).
                    _update_statement(dossier, ["version", "chain_head"]),
                    *_status_message(dossier, outcome, now),
                ]
            )
    except IntegrityError:
        if idempotency_key:
            # Two identical submissions raced: the other one won; return what it created.
            existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return dossier


def _full_clean(dossier: Dossier) -> None:
    """Model validation (lengths, e-mail format) reported as one domain error per field."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        # Field checks only: the related rows were just loaded (checking they exist would
        # cost a query each), and unique codes and keys are the database's to enforce.
        dossier.clean_fields(
            exclude=[
                "code",
                "current_holder",
                "procedure_version",
                "received_place",
                "receiving_agency",
                "competent_agency",
                "current_agency",
                "current_unit",
            ]
        )
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        problem = " ".join(messages)  # Django's own words, already in the reader's language
        if field == "__all__":
            raise ValidationError(_("{problem}"), field=field, problem=problem) from None
        label = Text(Dossier._meta.get_field(field).verbose_name)
        raise ValidationError(
            _("{label}: {problem}"), field=field, label=label, problem=problem
        ) from None


def _start(
    dossier: Dossier,
    *,
    actor: Actor,
    now: datetime,
    steps: Sequence[StepTemplate],
    payload: dict[str, Any],
    writes: list[Write],
    arrived_at: datetime | None = None,
) -> None:
    """Valid reception: assign the code, start the clock, open the first step (reception).

    The clock counts from when the complete dossier arrived (`arrived_at`, online) and
    otherwise from the reception itself, never from a later officer's click.
    """
    calendar = calendar_for(dossier.received_place)
    dossier.code = _next_code(dossier.receiving_agency.code, now, calendar)
    dossier.received_at = now
    version = dossier.procedure_version
    clock_at = arrived_at or now
    entry = core_clock.ClockEntry(
        kind=core_clock.ClockKind.START, at=clock_at, **_budget(version, calendar)
    )
    dossier.clock = [_entry_json(entry)]
    _recompute_due(dossier, calendar, now)
    dossier.original_due_at = dossier.due_at
    payload.update(code=dossier.code, due_at=dossier.due_at.isoformat(), clock=dossier.clock[-1])
    _open_step(
        dossier,
        steps[0],
        index=0,
        now=now,
        holder_id=actor.user_id,
        calendar=calendar,
        writes=writes,
    )


def _budget(version: ProcedureVersion, calendar: WorkCalendar) -> dict[str, Any]:
    """The statutory time as the clock's START arguments."""
    unit = version.time_limit_unit
    if unit == ProcedureVersion.LimitUnit.SAME_DAY:
        return {"same_day": True}
    if unit == ProcedureVersion.LimitUnit.WORKING_HOURS:
        return {"working_seconds": int(Decimal(version.time_limit) * 3600)}
    return {"working_seconds": int(Decimal(version.time_limit) * calendar.working_day_seconds)}


def _next_code(agency_code: str, now: datetime, calendar: WorkCalendar) -> str:
    """The agency's next dossier code for the local day (an atomic upsert, safe in parallel)."""
    day = now.astimezone(calendar.tz).date()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dailysequence (agency_code, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (agency_code, day) DO UPDATE SET last = dossiers_dailysequence.last + 1 "
            "RETURNING last",
            [agency_code, day],
        )
        (seq,) = cursor.fetchone()
    return codes.format_dossier_code(agency_code, day, seq)


def _procedure_version(code: str, now: datetime) -> ProcedureVersion:
    """The version of a procedure in force now."""
    versions = procedure_versions(code.strip())
    if versions is None:
        raise NotFound(
            _("Không tìm thấy thủ tục có mã “{code}”."), field="procedure_code", code=code
        )
    today = now.date()
    version = next((v for v in versions if v.effective_from <= today), None)
    if version is None:
        raise ValidationError(_("Thủ tục {code} chưa có phiên bản đang áp dụng."), code=code)
    return version


def _competent_agency(version: ProcedureVersion, place: Agency, commune_code: str) -> Agency:
    """The deciding agency: a fixed one, or for commune procedures the chosen commune."""
    if version.competent != "commune":
        agency = Agency.objects.filter(code=version.competent, is_active=True).first()
        if agency is None:
            raise ValidationError(
                _("Cơ quan có thẩm quyền {agency} không tồn tại."), agency=version.competent
            )
        return agency
    if commune_code:
        agency = Agency.objects.filter(
            code=commune_code.strip().upper(), kind=Agency.Kind.COMMUNE, is_active=True
        ).first()
        if agency is None:
            raise ValidationError(
                _("Không có UBND cấp xã với mã “{code}”."),
                field="competent_agency",
                code=commune_code,
            )
        return agency
    if place.kind == Agency.Kind.COMMUNE:
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
) -> Dossier:
    """Apply one action to a dossier: check the core's rules and the actor's right, then bump the
    version (compare-and-set), append the event and update the projection in one transaction."""
    _require_aware(now)
    expected = dossier.version if expected_version is None else expected_version
    with transaction.atomic():
        d = _working_copy(dossier, expected)
        before = {name: getattr(d, name) for name in _PROJECTION_ATTNAMES}
        ctx = _Ctx(
            dossier=d,
            actor=actor,
            now=now,
            calendar=calendar_for(d.received_place),
            payload={"note": note.strip()} if note.strip() else {},
            note=note.strip(),
            to_user_id=to_user_id,
            new_due_at=new_due_at,
            missing=missing,
            delivery=delivery,
        )
        from_status = Status(d.status)
        try:
            # Decided in memory first: besides the day's code counter (reception), which a
            # conflict rolls back with the rest, nothing is written before the compare-and-set.
            target = decide(action, dossier_facts(d, ctx.calendar, now), actor.role)
            _check_agency(d, action, actor)
            handler = _HANDLERS.get(action)
            if handler is not None:
                handler(ctx)
        except DomainError:
            # The checks ran on the caller's copy: if it is stale, that is the real error.
            if not Dossier.objects.filter(pk=d.pk, version=expected).exists():
                raise _conflict(d) from None
            raise
        if target is not None:
            d.status = int(target)
        if d.status_enum in FINISHED and d.finished_at is None:
            d.finished_at = now
        event = _next_event(d, action, actor, now, from_status=from_status, payload=ctx.payload)
        # Compare-and-set: one UPDATE of the changed columns, guarded by the version. It also
        # takes the row lock, so the reads above (made at `expected`) are still true if it wins.
        changed = {
            name: getattr(d, name)
            for name in _PROJECTION_ATTNAMES
            if getattr(d, name) != before[name]
        }
        news = d.status != from_status or action in _CITIZEN_NEWS
        writes = [
            *(write() for write in ctx.writes),
            _insert_statement(DossierEvent, [event]),
            *(_status_message(d, action, now) if news else []),
        ]
        # The compare-and-set goes first, in the same pipeline as the writes it guards: one
        # round trip. If it loses, it fails on the server, which then skips the writes queued
        # behind it; the transaction rolls back and the caller gets the conflict.
        with connection.cursor() as cursor:
            try:
                with _pipelined() as pipelined:
                    cursor.execute(*_compare_and_set(d, changed, expected, or_fail=pipelined))
                    if not pipelined and cursor.rowcount != 1:
                        raise _conflict(d)
                    for sql, params in writes:
                        cursor.execute(sql, params)
            except DataError as exc:
                if getattr(exc.__cause__, "sqlstate", None) == _LOST_RACE:
                    raise _conflict(d) from None
                raise
    return d


# One SQL statement and its parameters; a write is a statement built once the rows it refers to
# exist (at reception, the dossier's id).
Statement = tuple[str, list[Any]]
Write = Callable[[], Statement]


def _run(statements: Iterable[Statement]) -> None:
    """Execute writes whose answers nobody reads, on one cursor, pipelined on PostgreSQL."""
    with connection.cursor() as cursor, _pipelined():
        for sql, params in statements:
            cursor.execute(sql, params)


@contextlib.contextmanager
def _pipelined() -> Iterator[bool]:
    """Send statements back to back (psycopg's pipeline mode); True if pipelining.

    PostgreSQL works through each statement while Python prepares the next, instead of one
    round trip per statement. Errors surface when the block ends and the results are read:
    still inside the caller's transaction, which rolls back as before, and as Django's
    exceptions (the first error, not the "pipeline aborted" of the statements it made the
    server skip). Other databases (SQLite) run the statements one by one.
    """
    if connection.vendor != "postgresql" or connection.connection is None:
        yield False
        return
    first: DatabaseError | None = None
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            try:
                yield True
            except DatabaseError as exc:
                # An error came back while later statements were still being sent: let the
                # pipeline finish first, or psycopg logs the end's report as a second error.
                first = exc
    except DatabaseError:
        if first is None:
            raise
    if first is not None:
        raise first


# SQLSTATE division_by_zero: how the pipelined compare-and-set says it matched no row.
_LOST_RACE = "22012"


def _compare_and_set(
    dossier: Dossier, changed: dict[str, Any], expected: int, *, or_fail: bool = False
) -> Statement:
    """The UPDATE of the changed columns if the row is still at `expected` (1 row, else 0).

    With `or_fail` (PostgreSQL, pipelined), the statement fails instead of matching no row:
    the row count would only be known after the whole pipeline, and the writes behind it must
    not run for a lost race. Plain SQL: the ORM's update compiler costs more Python than the
    round trip. Only column names from the model go into the text; values are parameters.
    """
    assignments, values = [], []
    for name, value in changed.items():
        f = Dossier._meta.get_field(name)
        assignments.append(f"{connection.ops.quote_name(f.column)} = %s")
        values.append(f.get_db_prep_save(value, connection))
    sets = ", ".join(assignments)
    sql = f"UPDATE dossiers_dossier SET {sets} WHERE id = %s AND version = %s"  # noqa: S608
    if or_fail:
        sql = f"WITH cas AS ({sql} RETURNING 1) SELECT 1 / count(*) FROM cas"  # noqa: S608
    return sql, [*values, dossier.pk, expected]


def _insert_returning_id(row: Model) -> int:
    """INSERT one new row and return its id (see `_insert_statement`); the instance then
    counts as saved, as after `save()` (for validation and forms that get it later)."""
    sql, values = _insert_statement(type(row), [row])
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING id", values)
            (pk,) = cursor.fetchone()
        else:
            cursor.execute(sql, values)
            pk = cursor.lastrowid
    row._state.adding = False
    row._state.db = connection.alias
    return pk


def _insert_statement(model: type[Model], rows: Sequence[Model]) -> Statement:
    """INSERT new rows of one model in plain SQL, each value converted as the ORM would (its
    insert compiler costs more Python than the round trip, and no caller needs the new ids)."""
    fields, sql = _insert_sql(model)
    marks = f", ({', '.join(['%s'] * len(fields))})"
    values = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    return sql + marks * (len(rows) - 1), values


def _update_statement(row: Model, names: Sequence[str]) -> Statement:
    """UPDATE some fields of a row read in this transaction, in plain SQL (it runs in a
    pipeline, where the ORM's check of the row count cannot be made)."""
    fields = [type(row)._meta.get_field(name) for name in names]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    values = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
    sql = f"UPDATE {row._meta.db_table} SET {sets} WHERE id = %s"  # noqa: S608
    return sql, [*values, row.pk]


@functools.cache
def _insert_sql(model: type[Model]) -> tuple[list[Field], str]:
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return fields, f"INSERT INTO {meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608


def _conflict(dossier: Dossier) -> ConflictError:
    return ConflictError(
        _("Hồ sơ vừa được người khác cập nhật. Vui lòng xem trạng thái mới và thao tác lại."),
        code=dossier.code,
    )


def _working_copy(dossier: Dossier, expected: int) -> Dossier:
    """The dossier as it was at version `expected`, to compute the next state in memory.

    The caller's object is used when it is that version (every change bumps the version, so
    its fields are the row's), copied so that the caller keeps what it had; otherwise the
    row is read. Datetimes are put in UTC, as a read from the database returns them.
    """
    if dossier.version == expected and not dossier.get_deferred_fields():
        d = copy.copy(dossier)
    else:
        d = Dossier.objects.select_related(
            "procedure_version", "current_agency", "received_place", "competent_agency"
        ).get(pk=dossier.pk)
        if d.version != expected:
            raise _conflict(d)
    for name in _DATETIME_ATTNAMES:
        value = getattr(d, name)
        if value is not None:
            setattr(d, name, value.astimezone(UTC))
    return d


def dossier_facts(dossier: Dossier, calendar: WorkCalendar, now: datetime) -> Facts:
    """What the lifecycle guards need to know, read from the projection."""
    in_time = True
    if dossier.due_at is not None:
        in_time = (
            calendar.working_seconds_between(now, dossier.due_at) >= calendar.working_day_seconds
        )
    return Facts(
        status=Status(dossier.status),
        received=dossier.received_at is not None,
        supplement_requests=dossier.supplement_requests,
        step_index=dossier.step_index,
        step_count=dossier.step_count,
        proposed=dossier.proposed,
        approved=dossier.approved,
        apology=dossier.apology,
        apology_in_time=in_time,
        overdue=dossier.overdue_at is not None,
        warned=dossier.warned_at is not None,
    )


# What an action may change (by attribute name, so foreign keys compare as ids).
_PROJECTION_ATTNAMES = [
    f.attname
    for f in Dossier._meta.concrete_fields
    if not f.primary_key and f.name not in ("created_at", "tracking_secret", "idempotency_key")
]
_DATETIME_ATTNAMES = [
    f.attname for f in Dossier._meta.concrete_fields if f.get_internal_type() == "DateTimeField"
]

_DESK_ACTIONS = {
    Action.RECEIVE,
    Action.REFUSE,
    Action.RETURN_RESULT,
    Action.WITHDRAW,
    Action.STOP,
    Action.SUPPLEMENT,
    Action.PAY,
}


def dossier_allowed_actions(dossier: Dossier, actor: Actor, now: datetime) -> list[Action]:
    """The actions this person may take on the dossier now: what the page offers as buttons."""
    calendar = calendar_for(dossier.received_place)
    result = []
    for action in allowed_actions(dossier_facts(dossier, calendar, now), actor.role):
        try:
            _check_agency(dossier, action, actor)
        except PermissionDenied:
            continue
        result.append(action)
    return result


def dossier_next_step(dossier: Dossier) -> tuple[Agency, Unit] | None:
    """Where FORWARD would send the dossier, or None at the last step."""
    templates = _templates(dossier)
    if dossier.step_index + 1 >= len(templates):
        return None
    return _resolve_step(dossier, templates[dossier.step_index + 1])


def _check_agency(dossier: Dossier, action: Action, actor: Actor) -> None:
    """Staff act only on what their agency holds; the desk also on what it received."""
    if actor.role in (Role.SYSTEM, Role.CITIZEN):
        return
    if actor.agency is None:
        raise PermissionDenied(_("Tài khoản chưa được gán cơ quan công tác."))
    if actor.agency.pk == dossier.current_agency_id:
        return
    if action in _DESK_ACTIONS and actor.agency.pk == dossier.received_place_id:
        return
    if action is Action.APPROVE_APOLOGY:
        letter = ApologyLetter.objects.filter(dossier=dossier).first()
        if letter is not None and letter.agency_id == actor.agency.pk:
            return
    raise PermissionDenied(
        _("Hồ sơ không do cơ quan của bạn đang xử lý."), action=action.value, code=dossier.code
    )


@dataclass
class _Ctx:
    dossier: Dossier
    actor: Actor
    now: datetime
    calendar: WorkCalendar
    payload: dict[str, Any]
    note: str
    to_user_id: int | None
    new_due_at: datetime | None
    missing: Sequence[str]
    delivery: str
    # Writes besides the dossier row, run in order once the compare-and-set has won.
    writes: list[Write] = field(default_factory=list)
    opened: DossierStep | None = None  # the step this action opens, not yet inserted


def _on_receive(ctx: _Ctx) -> None:
    """Accept an online dossier: code, clock from the complete dossier's arrival."""
    d = ctx.dossier
    steps = _templates(d)
    # The clock counts from when the complete dossier arrived, not from the officer's click.
    arrived = d.submitted_at
    last_supplement = (
        DossierEvent.objects.filter(dossier=d, action=Action.SUPPLEMENT).order_by("-seq").first()
    )
    if last_supplement is not None:
        arrived = last_supplement.at
    d.receiving_agency = ctx.actor.agency or d.received_place
    _start(
        d,
        actor=ctx.actor,
        now=ctx.now,
        steps=steps,
        payload=ctx.payload,
        writes=ctx.writes,
        arrived_at=arrived,
    )


def _on_refuse(ctx: _Ctx) -> None:
    if not ctx.note:
        raise ValidationError(_("Phải nêu rõ lý do từ chối tiếp nhận."), field="note")
    ctx.payload["reason"] = ctx.note


def _on_request_supplement(ctx: _Ctx) -> None:
    """Form 02: everything missing, listed once; the clock pauses while the citizen works."""
    missing = [m.strip() for m in ctx.missing if m.strip()]
    if not missing:
        raise ValidationError(_("Phải liệt kê đầy đủ giấy tờ cần bổ sung."), field="missing")
    d = ctx.dossier
    d.supplement_requests += 1
    ctx.payload["missing"] = missing
    if d.received_at is not None:
        entry = core_clock.ClockEntry(
            kind=core_clock.ClockKind.PAUSE, at=ctx.now, reason="chờ công dân bổ sung"
        )
        _clock_append(d, entry, ctx)


def _on_supplement(ctx: _Ctx) -> None:
    """The citizen completed the dossier: resume the clock, shift the step's due time."""
    d = ctx.dossier
    if d.received_at is None:
        return  # still before reception: the clock has not started
    pause_at = datetime.fromisoformat(d.clock[-1]["at"])
    entry = core_clock.ClockEntry(kind=core_clock.ClockKind.RESUME, at=ctx.now)
    _clock_append(d, entry, ctx)
    step = _current_step(d)
    if step is not None:
        paused = ctx.calendar.working_seconds_between(pause_at, ctx.now)
        remaining = ctx.calendar.working_seconds_between(pause_at, step.due_at)
        step.paused_seconds += paused
        step.due_at = ctx.calendar.add_working_seconds(ctx.now, remaining)
        ctx.writes.append(lambda: _update_statement(step, ["paused_seconds", "due_at"]))
        d.step_due_at = step.due_at


def _on_assign(ctx: _Ctx) -> None:
    """A leader gives the current step to a person of the unit holding it."""
    from motcua.organization.models import Staff

    d = ctx.dossier
    staff = Staff.objects.filter(user_id=ctx.to_user_id, agency_id=d.current_agency_id).first()
    if staff is None:
        raise ValidationError(
            _("Người được phân công phải là cán bộ của cơ quan đang xử lý hồ sơ."), field="to_user"
        )
    d.current_holder_id = staff.user_id
    d.current_unit_id = staff.unit_id
    ctx.payload.update(to_user=staff.user_id, to_unit=staff.unit_id)
    if ctx.opened is not None:  # forwarded and assigned at once: the step is not inserted yet
        ctx.opened.holder_id = staff.user_id
        ctx.opened.unit_id = staff.unit_id
        return
    step = _current_step(d)
    if step is not None:
        step.holder_id = staff.user_id
        step.unit_id = staff.unit_id
        ctx.writes.append(lambda: _update_statement(step, ["holder", "unit"]))


def _on_forward(ctx: _Ctx) -> None:
    """Hand over to the next step of the procedure, possibly in another agency."""
    d = ctx.dossier
    templates = _templates(d)
    _close_step(d, ctx)
    nxt = d.step_index + 1
    ctx.opened = _open_step(
        d,
        templates[nxt],
        index=nxt,
        now=ctx.now,
        holder_id=None,
        calendar=ctx.calendar,
        writes=ctx.writes,
    )
    if ctx.to_user_id:
        _on_assign(ctx)


def _on_send_back(ctx: _Ctx) -> None:
    """Return to the previous step with a reason: a hand-over like any other, recorded."""
    if not ctx.note:
        raise ValidationError(_("Phải nêu lý do trả lại."), field="note")
    d = ctx.dossier
    templates = _templates(d)
    _close_step(d, ctx)
    prev = d.step_index - 1
    ctx.opened = _open_step(
        d,
        templates[prev],
        index=prev,
        now=ctx.now,
        holder_id=None,
        calendar=ctx.calendar,
        writes=ctx.writes,
    )


def _on_propose(ctx: _Ctx) -> None:
    ctx.dossier.proposed = True


def _on_approve(ctx: _Ctx) -> None:
    ctx.dossier.approved = True


def _on_mark_ready(ctx: _Ctx) -> None:
    """The result exists: the agency's clock stops here (end of processing for statistics)."""
    d = ctx.dossier
    _close_step(d, ctx)
    entry = core_clock.ClockEntry(kind=core_clock.ClockKind.STOP, at=ctx.now)
    _clock_append(d, entry, ctx)
    d.current_agency = d.received_place
    d.current_unit = None
    d.current_holder = None
    d.step_due_at = None


def _on_return(ctx: _Ctx) -> None:
    d = ctx.dossier
    delivery = ctx.delivery or d.delivery
    if delivery not in Dossier.Delivery.values:
        raise ValidationError(_("Hình thức trả kết quả không hợp lệ."), field="delivery")
    d.delivery = delivery
    d.returned_at = ctx.now
    ctx.payload["delivery"] = delivery


def _on_stop(ctx: _Ctx) -> None:
    """Form 05: processing stops on the citizen's request; the clock stops with it."""
    d = ctx.dossier
    if d.received_at is not None and d.clock and d.clock[-1]["kind"] != "stop":
        if d.clock[-1]["kind"] == "pause":
            _clock_append(
                d, core_clock.ClockEntry(kind=core_clock.ClockKind.RESUME, at=ctx.now), ctx
            )
        _clock_append(d, core_clock.ClockEntry(kind=core_clock.ClockKind.STOP, at=ctx.now), ctx)
    _close_step(d, ctx)
    d.step_due_at = None


def _on_draft_apology(ctx: _Ctx) -> None:
    """Form 04 drafted for the agency whose step caused the delay, with a proposed new date."""
    d = ctx.dossier
    blame = dossier_blame(d, ctx.calendar, ctx.now)
    agency_id = blame.step.agency if blame else d.current_agency_id
    new_due = ctx.new_due_at or proposed_new_due(d, ctx.calendar, ctx.now)
    assert d.due_at is not None
    if new_due <= d.due_at:
        raise ValidationError(_("Ngày hẹn mới phải sau ngày hẹn hiện tại."), field="new_due_at")
    if not ctx.calendar.is_working_day(new_due.astimezone(ctx.calendar.tz).date()):
        raise ValidationError(_("Ngày hẹn mới phải là ngày làm việc."), field="new_due_at")
    reason = ctx.note or "Hồ sơ chưa được giải quyết kịp trong thời hạn quy định."
    letter = ApologyLetter(
        dossier=d,
        agency_id=agency_id,
        step_index=blame.step.index if blame else d.step_index,
        reason=reason,
        original_due_at=d.due_at,
        new_due_at=new_due,
        drafted_at=ctx.now,
        drafted_by_id=ctx.actor.user_id,
    )
    ctx.writes.append(lambda: _insert_statement(ApologyLetter, [letter]))
    d.apology = "draft"
    ctx.payload.update(agency=agency_id, new_due_at=new_due.isoformat(), reason=reason)


def _on_approve_apology(ctx: _Ctx) -> None:
    """The head of the agency signs: the new date replaces the appointment (still late)."""
    d = ctx.dossier
    letter = ApologyLetter.objects.get(dossier=d)
    if ctx.actor.agency is None or ctx.actor.agency.pk != letter.agency_id:
        raise PermissionDenied(_("Chỉ thủ trưởng cơ quan gây chậm trễ được ký văn bản xin lỗi."))
    letter.approved_at = ctx.now
    letter.approved_by_id = ctx.actor.user_id
    ctx.writes.append(lambda: _update_statement(letter, ["approved_at", "approved_by"]))
    entry = core_clock.ClockEntry(
        kind=core_clock.ClockKind.EXTEND, at=ctx.now, new_due=letter.new_due_at, reason="xin lỗi"
    )
    _clock_append(d, entry, ctx)
    d.apology = "approved"
    ctx.payload["new_due_at"] = letter.new_due_at.isoformat()


def _on_warn(ctx: _Ctx) -> None:
    ctx.dossier.warned_at = ctx.now


def _on_overdue(ctx: _Ctx) -> None:
    ctx.dossier.overdue_at = ctx.now


_HANDLERS = {
    Action.RECEIVE: _on_receive,
    Action.REFUSE: _on_refuse,
    Action.REQUEST_SUPPLEMENT: _on_request_supplement,
    Action.SUPPLEMENT: _on_supplement,
    Action.ASSIGN: _on_assign,
    Action.FORWARD: _on_forward,
    Action.SEND_BACK: _on_send_back,
    Action.PROPOSE: _on_propose,
    Action.APPROVE: _on_approve,
    Action.MARK_READY: _on_mark_ready,
    Action.RETURN_RESULT: _on_return,
    Action.STOP: _on_stop,
    Action.DRAFT_APOLOGY: _on_draft_apology,
    Action.APPROVE_APOLOGY: _on_approve_apology,
    Action.WARN: _on_warn,
    Action.MARK_OVERDUE: _on_overdue,
}


# ---------------------------------------------------------------------------------------------
# Steps, clock, events


def _templates(dossier: Dossier) -> list[StepTemplate]:
    """The procedure version's steps (a version with dossiers never changes)."""
    return steps_of(dossier.procedure_version)


def _resolve_step(dossier: Dossier, template: StepTemplate) -> tuple[Agency, Unit]:
    """Which agency and unit a step template means for this dossier."""
    ref = template.agency_ref
    if ref == "receiving":
        agency = dossier.receiving_agency
    elif ref == "competent":
        agency = dossier.competent_agency
    elif ref == "commune_police":
        agency = police_serving(dossier.competent_agency_id)
    else:
        agency = agency_by_code(ref)
    if agency is None:
        raise DomainError(
            _("Quy trình tham chiếu cơ quan “{ref}” không tồn tại."), step=template.name, ref=ref
        )
    unit = unit_of(agency.pk, template.unit_code)
    if unit is None:
        raise DomainError(
            _("Cơ quan {agency} không có đơn vị “{unit}”."),
            step=template.name,
            agency=agency.name,
            unit=template.unit_code,
        )
    return agency, unit


def _open_step(
    dossier: Dossier,
    template: StepTemplate,
    *,
    index: int,
    now: datetime,
    holder_id: int | None,
    calendar: WorkCalendar,
    writes: list[Write],
) -> DossierStep:
    """Point the projection at a new step; its row is inserted by `writes`."""
    agency, unit = _resolve_step(dossier, template)
    seconds = int(Decimal(template.allotment) * calendar.working_day_seconds)
    due = calendar.add_working_seconds(now, seconds)
    dossier.step_index = index
    dossier.current_agency = agency
    dossier.current_unit = unit
    dossier.current_holder_id = holder_id
    dossier.step_due_at = due
    step = DossierStep(
        dossier=dossier,
        index=index,
        name=template.name,
        agency=agency,
        unit=unit,
        holder_id=holder_id,
        started_at=now,
        due_at=due,
    )

    def insert() -> Statement:
        step.dossier_id = dossier.pk  # at reception, known only once the dossier is written
        return _insert_statement(DossierStep, [step])

    writes.append(insert)
    return step


def _current_step(dossier: Dossier) -> DossierStep | None:
    return (
        DossierStep.objects.filter(dossier=dossier, ended_at__isnull=True).order_by("-id").first()
    )


def _close_step(dossier: Dossier, ctx: _Ctx) -> None:
    """End the current hand-over and judge it against its allotment (form 06).

    The open step is the projection's (its index, agency, unit and due time are kept equal
    to the step row's), so nothing is read: one UPDATE closes it once the action has won.
    """
    if dossier.step_due_at is None:
        return  # not received yet, or finished: no step is open
    outcome = step_outcome(ended_at=ctx.now, due_at=dossier.step_due_at, tz=ctx.calendar.tz)
    ended_at = DossierStep._meta.get_field("ended_at").get_db_prep_save(ctx.now, connection)
    params = [ended_at, outcome, ctx.note, ctx.actor.user_id, dossier.pk]

    # Whoever handed it over held it, unassigned or not.
    close = (
        "UPDATE dossiers_dossierstep SET ended_at = %s, outcome = %s, note = %s, "
        "holder_id = COALESCE(holder_id, %s) WHERE dossier_id = %s AND ended_at IS NULL"
    )
    ctx.writes.append(lambda: (close, params))
    ctx.payload["step"] = {
        "index": dossier.step_index,
        "name": _templates(dossier)[dossier.step_index].name,
        "agency": dossier.current_agency_id,
        "unit": dossier.current_unit_id,
        "outcome": outcome,
    }


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


def clock_entries(dossier: Dossier) -> list[core_clock.ClockEntry]:
    """The dossier's clock ledger as domain values."""
    return [
        core_clock.ClockEntry(
            kind=core_clock.ClockKind(e["kind"]),
            at=datetime.fromisoformat(e["at"]),
            working_seconds=e.get("working_seconds"),
            same_day=e.get("same_day", False),
            new_due=datetime.fromisoformat(e["new_due"]) if e.get("new_due") else None,
            reason=e.get("reason", ""),
        )
        for e in dossier.clock
    ]


def _clock_append(dossier: Dossier, entry: core_clock.ClockEntry, ctx: _Ctx) -> None:
    dossier.clock = [*dossier.clock, _entry_json(entry)]
    _recompute_due(dossier, ctx.calendar, ctx.now)
    ctx.payload["clock"] = dossier.clock[-1]
    if dossier.due_at is not None:
        ctx.payload["due_at"] = dossier.due_at.isoformat()


def _recompute_due(dossier: Dossier, calendar: WorkCalendar, now: datetime) -> None:
    """Due dates are recomputed from the ledger (the core reads overrides as known then)."""
    state = core_clock.compute(calendar, clock_entries(dossier), now=now)
    if state.due_at is not None:
        dossier.due_at = state.due_at
    if state.original_due_at is not None:
        dossier.original_due_at = state.original_due_at
    dossier.due_explanation = list(state.explanation)


def dossier_blame(dossier: Dossier, calendar: WorkCalendar, now: datetime):  # noqa: ANN201
    """The step (and its agency id) that caused the delay, counting only agency time."""
    templates = {t.order: t for t in _templates(dossier)}
    ordered = sorted(templates)
    spans = []
    for step in DossierStep.objects.filter(dossier=dossier).order_by("started_at", "id"):
        template = templates[ordered[step.index]] if step.index < len(ordered) else None
        allotted = (
            int(Decimal(template.allotment) * calendar.working_day_seconds) if template else 0
        )
        used = calendar.working_seconds_between(step.started_at, step.ended_at or now)
        spans.append(
            StepSpan(
                index=step.index,
                agency=step.agency_id,
                allotted_seconds=allotted,
                used_seconds=max(0, used - step.paused_seconds),
                open=step.ended_at is None,
            )
        )
    return responsible_step(spans)


def proposed_new_due(dossier: Dossier, calendar: WorkCalendar, now: datetime) -> datetime:
    """A new date the agency can keep: the allotments of the steps still ahead, counted from
    now, and never less than one working day after the current appointment."""
    templates = _templates(dossier)
    ahead = sum((Decimal(t.allotment) for t in templates[dossier.step_index :]), Decimal(0))
    from_now = calendar.add_working_seconds(now, int(ahead * calendar.working_day_seconds))
    assert dossier.due_at is not None
    after_due = calendar.add_working_seconds(dossier.due_at, calendar.working_day_seconds)
    return max(from_now, after_due)


def _event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """sha256 over the previous hash and the event's canonical JSON."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def event_body(event: DossierEvent) -> dict[str, Any]:
    """The fields an event's hash covers."""
    return {
        "dossier": event.dossier_id,
        "seq": event.seq,
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "actor": event.actor_id,
        "role": event.actor_role,
        "agency": event.agency_id,
        "unit": event.unit_id,
        "at": event.at.astimezone(UTC).isoformat(),  # as stored, whatever the zone given
        "payload": event.payload,
    }


def _next_event(
    dossier: Dossier,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    from_status: Status | None,
    payload: dict[str, Any],
) -> DossierEvent:
    """The next event of the chain, not yet saved; the dossier's version and head move on."""
    dossier.version += 1
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.version,
        action=action.value,
        from_status=int(from_status) if from_status is not None else None,
        to_status=dossier.status,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        agency=actor.agency,
        unit=actor.unit,
        at=now,
        payload=json.loads(json.dumps(payload, default=str)),
        prev_hash=dossier.chain_head,
    )
    event.hash = _event_hash(event.prev_hash, event_body(event))
    dossier.chain_head = event.hash
    return event


# Besides every status change, what a citizen is told about: a new appointment, a delay.
# Hand-overs, proposals and approvals inside the agencies are on the tracking page instead of
# in the citizen's mailbox; a drafted apology reaches the citizen once it is signed.
_CITIZEN_NEWS = frozenset({Action.APPROVE_APOLOGY, Action.MARK_OVERDUE})


def _status_message(dossier: Dossier, action: Action, now: datetime) -> list[Statement]:
    """Every state change reaches the citizen (DOMAIN §13): a message for the outbox, if the
    citizen gave an address."""
    if not dossier.applicant_email:
        return []
    label = dossier.code or "(chưa có mã)"
    return [
        outbox_statement(
            recipient=dossier.applicant_email,
            subject=f"Hồ sơ {label}: {action.label}",
            body=_citizen_message(dossier, action),
            dossier=dossier,
            dedupe_key=f"dossier:{dossier.pk}:{dossier.version}",
            now=now,
        )
    ]


def _citizen_message(dossier: Dossier, action: Action) -> str:
    lines = [
        f"Kính gửi {dossier.applicant_name},",
        "",
        f"Hồ sơ {dossier.code or ''} – {dossier.procedure_version.procedure.name}",
        f"Trạng thái: {Status(dossier.status).label} ({action.label}).",
    ]
    if dossier.due_at is not None and dossier.is_open:
        lines.append(f"Hẹn trả kết quả: {dossier.due_at:%H:%M %d/%m/%Y} (giờ Việt Nam).")
    lines += ["", f"Mã tra cứu: {dossier.tracking_secret}"]
    return "\n".join(lines)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError(_("Thời điểm phải có múi giờ."))


def dossier_view_personal_data(*, dossier: Dossier, actor: Actor, now: datetime) -> None:
    """Record that a staff member opened a dossier's personal data (who, when).

    Kept beside the state chain rather than in it: reading must not bump the version and so
    make a colleague's open form stale.
    """
    DossierAccess.objects.create(dossier=dossier, user_id=actor.user_id, role=actor.role, at=now)


def verify_chains(dossier_ids: Iterable[int] | None = None) -> list[tuple[str, int, str]]:
    """Check every event's hash link; return (dossier code, seq, problem) for each break."""
    problems: list[tuple[str, int, str]] = []
    events = DossierEvent.objects.select_related("dossier").order_by("dossier_id", "seq")
    if dossier_ids is not None:
        events = events.filter(dossier_id__in=list(dossier_ids))
    prev: dict[int, str] = {}
    expected_seq: dict[int, int] = {}
    heads: dict[int, tuple[str, str, int]] = {}
    for event in events.iterator(chunk_size=2000):
        label = event.dossier.code or f"#{event.dossier_id}"
        want_prev = prev.get(event.dossier_id, GENESIS)
        seq = expected_seq.get(event.dossier_id, 1)
        if event.seq != seq:
            problems.append((label, event.seq, f"thiếu sự kiện số {seq}"))
        if event.prev_hash != want_prev:
            problems.append((label, event.seq, "liên kết với sự kiện trước bị sai"))
        if event.hash != _event_hash(event.prev_hash, event_body(event)):
            problems.append((label, event.seq, "nội dung sự kiện đã bị thay đổi"))
        prev[event.dossier_id] = event.hash
        expected_seq[event.dossier_id] = event.seq + 1
        heads[event.dossier_id] = (label, event.dossier.chain_head, event.seq)
    for dossier_id, (label, head, seq) in heads.items():
        if head != prev[dossier_id]:
            problems.append((label, seq, "sự kiện cuối cùng đã bị xóa hoặc thay đổi"))
    return problems
