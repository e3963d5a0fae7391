"""The API's writes: its clients (create, revoke, rotate a key), the record of every call in
the keyed chain, the rate limit's counters, and a create done once per idempotency key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import IntegrityError, transaction

from motcua.adminlog.services import Change as AdminLogChange
from motcua.adminlog.services import admin_changes_record, command_who
from motcua.api.chain import seal
from motcua.api.models import (
    ApiCall,
    ApiCallHead,
    ApiClient,
    IdempotentRequest,
    NationalDossier,
)
from motcua.api.selectors import Caller
from motcua.catalog.selectors import procedure_versions
from motcua.core import apiclients, codes, national_in, throttle
from motcua.core.errors import (
    ConflictError,
    InvalidInput,
    NotFound,
    TooManyTries,
    ValidationError,
    _,
)
from motcua.core.lifecycle import Action
from motcua.core.reception import Applicant
from motcua.dossiers.events import GENESIS, canonical_json
from motcua.dossiers.selectors import dossier_public, online_channel
from motcua.dossiers.services import Intake, dossier_receive
from motcua.online.services import reception_watch_start
from motcua.organization.selectors import (
    Actor,
    agency_by_code,
    agency_in_service,
    centre_tz,
    default_calendar,
    is_commune,
)

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier


class IdempotencyConflict(ConflictError):
    """An idempotency key used again with another body."""

    code = "idempotency_conflict"


class RateLimited(TooManyTries):
    code = "rate_limited"


@dataclass(frozen=True)
class IssuedKey:
    """A client and its new key, to show once."""

    client: ApiClient
    key: str


def _agencies(codes: Sequence[str]) -> list[Any]:
    found = []
    for code in codes:
        agency = agency_by_code(code)
        if agency is None:
            raise ValidationError(_("Không có cơ quan mã {agency}."), field="agencies", agency=code)
        found.append(agency)
    return found


def client_create(
    *,
    name: str,
    agency_codes: Sequence[str],
    operations: Sequence[str],
    requests_per_minute: int,
    now: datetime,
) -> IssuedKey:
    """A new client with its scope and a new key (returned once, stored only as a hash)."""
    try:
        granted = apiclients.check_operations(operations)
    except ValueError as exc:
        raise ValidationError(
            _("Thao tác không hợp lệ: {operations}."), field="operations", operations=str(exc)
        ) from exc
    if requests_per_minute < 1:
        raise ValidationError(_("Số yêu cầu mỗi phút phải từ 1 trở lên."), field="rate")
    agencies = _agencies(agency_codes)
    made = apiclients.new_key()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name.strip(),
            operations=granted,
            key_prefix=made.prefix,
            key_hash=made.digest,
            requests_per_minute=requests_per_minute,
            created_at=now,
        )
        client.agencies.set(agencies)
    return IssuedKey(client=client, key=made.key)


def _client(name: str) -> ApiClient:
    client = ApiClient.objects.filter(name=name).first()
    if client is None:
        raise NotFound(_("Không có ứng dụng kết nối “{name}”."), name=name)
    return client


def client_revoke(*, name: str, now: datetime) -> ApiClient:
    """Stop a client's key from working, for good (a new client gets a new key)."""
    client = _client(name)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False, revoked_at=now)
    client.refresh_from_db()
    return client


def client_rotate(*, name: str, now: datetime) -> IssuedKey:
    """A new key for a client; the old one stops working at once. A revoked client comes
    back this way only, with a key its revoked one never was."""
    client = _client(name)
    made = apiclients.new_key()
    ApiClient.objects.filter(pk=client.pk).update(
        key_prefix=made.prefix,
        key_hash=made.digest,
        rotated_at=now,
        revoked_at=None,
        is_active=True,
    )
    client.refresh_from_db()
    return IssuedKey(client=client, key=made.key)


def client_new_key(client: ApiClient) -> str:
    """Give an unsaved client (the admin's add form) a key; return the key to show once."""
    made = apiclients.new_key()
    client.key_prefix, client.key_hash = made.prefix, made.digest
    return made.key


# --- The rate limit --------------------------------------------------------------------------


def rate_check(*, caller: Caller, now: datetime) -> None:
    """Count a call against the client's per-minute limit; refuse past it (429, Retry-After).

    Counted in Django's cache (one atomic increment, as the guessing limits are): with several
    processes the cache must be shared (CACHE_URL on Redis) for the limit to be one."""
    limit = throttle.Limit(scope="api", tries=caller.requests_per_minute, window_seconds=60)
    stamp = now.timestamp()
    key = f"api-rate:{caller.id}:{limit.window(stamp)}"
    cache.add(key, 0, timeout=limit.window_seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.window_seconds + 5)
        count = 1
    if count > limit.tries:
        wait = limit.seconds_left(stamp)
        raise RateLimited(
            _("Quá {limit} yêu cầu mỗi phút; vui lòng thử lại sau {seconds} giây."),
            limit=limit.tries,
            seconds=wait,
            retry_after=wait,
        )


# --- The call record -------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call as it is recorded."""

    client_id: int | None
    client_name: str
    method: str
    path: str
    status: int
    error_code: str = ""
    idempotency_key: str = ""
    body_digest: str = ""
    request_id: str = ""
    address: str | None = None


def call_record(*, call: Call, now: datetime) -> None:
    """Append the call to the chain after its head (locked: calls chain one after the other),
    in a transaction of its own, so a refused request's rolled-back work does not take it."""
    with transaction.atomic():
        head, _created = ApiCallHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS}
        )
        row = ApiCall(
            seq=head.seq + 1,
            at=now,
            client_id=call.client_id,
            client_name=call.client_name[:200],
            method=call.method[:10],
            path=call.path[:300],
            status=call.status,
            error_code=call.error_code[:60],
            idempotency_key=call.idempotency_key[:100],
            body_digest=call.body_digest[:64],
            request_id=call.request_id[:64],
            address=call.address,
        )
        seal(row, head.hash)
        row.save(force_insert=True)
        ApiCallHead.objects.filter(pk=1).update(seq=row.seq, hash=row.hash)


# --- Creates done once -----------------------------------------------------------------------

Answer = tuple[int, dict[str, Any]]


def create_once(
    *,
    caller: Caller,
    key: str,
    operation: str,
    body_digest: str,
    now: datetime,
    create: Callable[[], Answer],
) -> Answer:
    """Run `create` once per (client, key): the same key with the same body gives the stored
    answer back; with another body, a conflict. The key's row is inserted first, in the create's
    transaction: a second identical request waits on it and then replays; a create that fails
    leaves no row, so the key may be used again."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    client_id=caller.id,
                    key=key,
                    operation=operation,
                    body_digest=body_digest,
                    created_at=now,
                )
        except IntegrityError:
            row = IdempotentRequest.objects.get(client_id=caller.id, key=key)
            if row.body_digest != body_digest or row.operation != operation:
                raise IdempotencyConflict(
                    _(
                        "Khóa Idempotency-Key “{key}” đã được dùng cho một yêu cầu khác; "
                        "hãy dùng khóa mới cho yêu cầu mới."
                    ),
                    key=key,
                ) from None
            return row.status, dict(row.response)
        status, body = create()
        stored = json.loads(json.dumps(body, default=str))
        IdempotentRequest.objects.filter(pk=row.pk).update(status=status, response=stored)
        return status, stored


# --- Dossiers lodged through the API ---------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """An online dossier another system lodges: the procedure, the place that receives it (an
    agency in the client's scope), the applicant, the papers (the procedure's by id, others by
    name), how the result is collected."""

    procedure_code: str
    place_code: str
    applicant: Applicant
    documents: Sequence[int] = ()
    others: Sequence[str] = ()
    delivery: str = "desk"
    copies: int = 1


def dossier_submit(*, caller: Caller, submission: Submission, key: str, now: datetime) -> Dossier:
    """Lodge an online dossier through the dossiers' write path as the portal does
    (`motcua.online.services.draft_submit`): SUBMIT, the online channel, status 1, watched for
    the desk's alert; the same key gives the same dossier."""
    apiclients.require_agency(caller.agency_codes, submission.place_code, field="place")
    place = agency_in_service(submission.place_code)
    if place is None:
        raise ValidationError(
            _("Không có cơ quan mã {agency}."), field="place", agency=submission.place_code
        )
    procedure = submission.procedure_code.strip()
    versions = procedure_versions(procedure) or []
    intake = Intake(
        procedure_code=procedure,
        applicant=submission.applicant,
        channel=online_channel(),
        request=versions[0].procedure.name if versions else "",
        copies=submission.copies,
        delivery=submission.delivery,
        competent_agency_code=place.code if is_commune(place) else "",
        documents=list(submission.documents),
        others=list(submission.others),
    )
    actor = Actor(role=Actor.citizen().role, name=submission.applicant.name, agency=place)
    with transaction.atomic():
        dossier = dossier_receive(
            intake=intake,
            actor=actor,
            now=now,
            outcome=Action.SUBMIT,
            idempotency_key=f"api:{caller.id}:{key}",
        )
        reception_watch_start(dossier=dossier, now=now)
    return dossier


# --- From the national portal ------------------------------------------------------------------


class NationalRefConflict(ConflictError):
    """The national portal's reference came again with other content."""

    code = "national_ref_conflict"


# The write path's field names as TT 04 names them, so that a refusal names the payload's field.
_TT04_FIELDS = {
    "applicant_name": "ChuHoSo.HoTen",
    "applicant_id_number": "ChuHoSo.SoDinhDanh",
    "applicant_address": "ChuHoSo.DiaChi",
    "applicant_phone": "ChuHoSo.SoDienThoai",
    "applicant_email": "ChuHoSo.Email",
    "documents": "TaiLieuNop",
    "others": "TaiLieuNop",
    "procedure_code": "MaTTHC",
    "received_place": "MaCoQuan",
    "competent_agency": "MaCoQuan",
    "delivery": "HinhThucNhanKetQua",
    "channel": "KenhThucHien",
}


def _tt04(exc: InvalidInput | ValidationError) -> InvalidInput:
    renamed = []
    for problem in exc.problems():
        field = str(problem.details.get("field", ""))
        details = {**problem.details, "field": _TT04_FIELDS.get(field, field)}
        renamed.append(ValidationError(problem.template, **details))
    return InvalidInput(renamed)


@dataclass(frozen=True)
class NationalAnswer:
    """What the portal is answered: its reference, the province's code (None until the desk
    receives it), the status, our reference, and whether this was a replay."""

    portal_ref: str
    code: str | None
    status: int
    ref: int
    replayed: bool


def _national_context(now: datetime) -> national_in.Context:
    return national_in.Context(
        now=now,
        tz=centre_tz(),
        first_year=default_calendar().first_year,
        known_procedure=lambda code: bool(procedure_versions(code)),
        known_agency=lambda code: agency_in_service(code) is not None,
    )


def _answer_of(dossier_id: int, *, replayed: bool) -> NationalAnswer:
    dossier = dossier_public(dossier_id)
    row = NationalDossier.objects.get(dossier_id=dossier_id)
    return NationalAnswer(
        portal_ref=row.portal_ref,
        code=dossier.code,
        status=dossier.status,
        ref=dossier.pk,
        replayed=replayed,
    )


# The applicant's fields the kept message leaves out: they are the dossier's own columns.
_PERSONAL = ("HoTen", "SoDinhDanh", "DiaChi", "SoDienThoai", "Email")


def _payload_digest(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def _kept(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The message as kept: as received, but for the applicant's personal fields."""
    kept: dict[str, Any] = json.loads(json.dumps(payload))
    owner = kept.get("ChuHoSo")
    if isinstance(owner, dict):
        kept["ChuHoSo"] = {k: v for k, v in owner.items() if k not in _PERSONAL}
    return kept


def _replay(portal_ref: str, payload: Mapping[str, Any]) -> NationalAnswer | None:
    """The answer already given for this reference, if the portal sends it again unchanged."""
    row = NationalDossier.objects.filter(portal_ref=portal_ref).first()
    if row is None:
        return None
    if row.payload_digest != _payload_digest(payload):
        raise NationalRefConflict(
            _(
                "Hồ sơ {portal_ref} đã được nhận với nội dung khác; hồ sơ đã nhận không được "
                "gửi lại với nội dung thay đổi."
            ),
            field="MaHoSoQG",
            portal_ref=portal_ref,
        )
    return _answer_of(row.dossier_id, replayed=True)


def national_receive(*, caller: Caller, payload: object, now: datetime) -> NationalAnswer:
    """Take a dossier from the national portal (TT 04/2025): checked field by field
    (`motcua.core.national_in`), the agency in the client's scope, then lodged through the
    dossiers' write path as an online submission (status 1, the online channel, watched for the
    desk's alert), its national data kept beside it. The same MaHoSoQG sent again unchanged
    gives the same dossier back, whatever its Idempotency-Key; changed, a conflict."""
    if isinstance(payload, Mapping) and isinstance(payload.get("MaCoQuan"), str):
        code = payload["MaCoQuan"]
        if codes.is_agency_code(code) and code not in caller.agency_codes:
            apiclients.require_agency(caller.agency_codes, code, field="MaCoQuan")
    checked = national_in.check(payload, _national_context(now))
    assert isinstance(payload, Mapping)
    replay = _replay(checked.portal_ref, payload)
    if replay is not None:
        return replay
    place = agency_in_service(checked.agency_code)
    assert place is not None  # checked as known
    versions = procedure_versions(checked.procedure_code) or []
    a = checked.applicant
    intake = Intake(
        procedure_code=checked.procedure_code,
        applicant=Applicant(
            name=a.name, id_number=a.id_number, address=a.address, phone=a.phone, email=a.email
        ),
        channel=online_channel(),
        request=versions[0].procedure.name if versions else "",
        delivery=checked.delivery,
        competent_agency_code=place.code if is_commune(place) else "",
        documents=[p.component for p in checked.papers if p.component is not None],
        others=[p.name for p in checked.papers if p.component is None],
        # Its clock counts from the citizen's submission on the portal (NgayNopHoSo); the time
        # until it arrived here is the portal's (motcua.national: integration time).
        submitted_at=checked.submitted_at,
    )
    actor = Actor(role=Actor.citizen().role, name=a.name, agency=place)
    try:
        with transaction.atomic():
            dossier = dossier_receive(
                intake=intake,
                actor=actor,
                now=now,
                outcome=Action.SUBMIT,
                # One dossier per national reference, whichever client or key sends it.
                idempotency_key=f"national:{checked.portal_ref}",
            )
            NationalDossier.objects.create(
                dossier_id=dossier.pk,
                portal_ref=checked.portal_ref,
                adapter_version=checked.version,
                client_id=caller.id,
                vneid=checked.vneid,
                paid_online=checked.paid_online,
                digitised=checked.digitised,
                papers=[[p.name, p.digitised, p.from_data_store] for p in checked.papers],
                fees=[[f.name, f.amount] for f in checked.fees],
                payload=_kept(payload),
                payload_digest=_payload_digest(payload),
                filed_at=checked.submitted_at,
                received_at=now,
            )
            reception_watch_start(dossier=dossier, now=now)
    except InvalidInput as exc:
        raise _tt04(exc) from None
    except ValidationError as exc:
        raise _tt04(exc) from None
    except IntegrityError:
        # Another request took the same reference first (both passed `_replay`): its answer.
        replay = _replay(checked.portal_ref, payload)
        if replay is None:
            raise
        return replay
    return NationalAnswer(
        portal_ref=checked.portal_ref,
        code=dossier.code,
        status=dossier.status,
        ref=dossier.pk,
        replayed=False,
    )


def client_change_log(
    *, client: ApiClient, kind: str, changes: dict[str, Any], command: str, now: datetime
) -> None:
    """Record a command's change of a client in the administrative log (the key only as
    "changed": `motcua.core.adminlog` keeps secrets out)."""
    admin_changes_record(
        who=command_who(command),
        changes=[
            AdminLogChange(
                kind=kind,
                model="api.apiclient",
                object_id=str(client.pk),
                object_repr=client.name,
                changes=changes,
            )
        ],
        now=now,
    )
