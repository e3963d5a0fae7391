"""Liên thông between installations: handing a step to an agency on another installation and
taking its result back, with every message signed, acknowledged, retried, deduplicated and
logged (docs/integration.md, "Between installations").

Sending: a dossier forwarded to a step whose agency lives elsewhere queues a signed
"step.request" in the forward's own transaction (`exchange_follow`); the outbox delivers it
(`exchange_send`, channel "exchange"), retrying with backoff until the peer answers with a
signed acknowledgement. Receiving: `exchange_receive` checks the message (motcua.core.exchange),
refuses a replay by its id, acts on it and records it in one transaction, and answers with a
signed acknowledgement; a second delivery of the same id gets the same acknowledgement again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.selectors import documents_of, procedure_versions
from motcua.core import exchange as core
from motcua.core.calendar import local_date
from motcua.core.errors import ConflictError, DomainError, NotFound, ValidationError, _
from motcua.core.lifecycle import FINISHED, Action, Role
from motcua.core.reception import Applicant
from motcua.core.text import fold
from motcua.dossiers.selectors import dossier_papers, dossier_plan, dossier_public
from motcua.dossiers.services import Intake, dossier_act, dossier_receive
from motcua.edge import problem_body
from motcua.exchange import keys
from motcua.exchange.log import log_append
from motcua.exchange.models import (
    Handover,
    Installation,
    LogEntry,
    PeerKey,
    Received,
    RemoteAgency,
    Task,
    Wait,
)
from motcua.notify.services import idempotency_key, outbox_message, outbox_queue
from motcua.organization.selectors import (
    Actor,
    agency_by_code,
    calendar_for,
    centre_tz,
    desk_of,
    staff_actor,
    staff_title,
)

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.notify.models import OutboxMessage

log = logging.getLogger(__name__)
PATH = "/lien-thong/v1/messages"
Kind = LogEntry.Kind
_FINISHED = frozenset(int(s) for s in FINISHED)
_HANDING = frozenset({Action.FORWARD.value, Action.SEND_BACK.value})  # actions opening a step


def _us() -> str:
    if not settings.INSTALLATION_ID:
        raise ValidationError(
            _("Chưa đặt mã hệ thống (MOTCUA_INSTALLATION_ID)."), field="installation"
        )
    return str(settings.INSTALLATION_ID)


def _tolerance() -> core.Tolerance:
    return core.Tolerance(max_age=timedelta(seconds=settings.EXCHANGE_MAX_AGE_SECONDS))


def _wire(envelope: core.Envelope, signature: str) -> dict[str, Any]:
    return {"message": envelope.as_json(), "signature": signature}


def _text(envelope: core.Envelope) -> str:
    """The envelope as the log keeps it: its canonical JSON, the bytes the signature covers."""
    return core.canonical_bytes(envelope.as_json()).decode()


def _signed(
    *,
    peer: str,
    type: str,
    dossier: str,
    step: int,
    body: Mapping[str, Any],
    now: datetime,
) -> tuple[core.Envelope, str]:
    """A new envelope from us to `peer`, signed with our current key."""
    key_id, private = keys.signing_key()
    envelope = core.new_envelope(
        sender=_us(), recipient=peer, type=type, dossier=dossier, step=step, now=now,
        key=key_id, body=body,
    )  # fmt: skip
    return envelope, core.sign(private, envelope)


def _outgoing(
    *,
    peer: Installation,
    type: str,
    dossier: str,
    step: int,
    body: Mapping[str, Any],
    now: datetime,
    dedupe_key: str,
    dossier_id: int | None,
) -> tuple[core.Envelope, OutboxMessage]:
    """A signed message to `peer`, as an outbox message of channel "exchange" (not queued)."""
    envelope, signature = _signed(
        peer=peer.code, type=type, dossier=dossier, step=step, body=body, now=now
    )
    message = outbox_message(
        recipient=peer.code,
        template="",
        context=_wire(envelope, signature),
        dossier_id=dossier_id,
        dedupe_key=dedupe_key,
        now=now,
        channel="exchange",
    )
    return envelope, message


# ---------------------------------------------------------------------------------------------
# Peers


def installation_add(*, code: str, name: str, base_url: str) -> Installation:
    """Register a peer, or update its name and address (it is active again)."""
    peer, _created = Installation.objects.update_or_create(
        code=code.strip(), defaults={"name": name.strip(), "base_url": base_url, "active": True}
    )
    peer.full_clean()
    return peer


def peer_key_add(
    *,
    installation: str,
    key_id: str,
    public_key: str,
    valid_from: datetime,
    valid_until: datetime | None,
) -> PeerKey:
    """Register (or update the validity of) a peer's public key, as its `export-key` shows it."""
    peer = Installation.objects.filter(code=installation).first()
    if peer is None:
        raise NotFound(
            _("Hệ thống “{installation}” chưa được đăng ký liên thông."),
            installation=installation,
        )
    raw = core.decode_public(public_key)
    if core.key_id_of(raw) != key_id:
        raise ValidationError(_("Mã khóa không khớp khóa công khai."), field="key_id")
    key, _created = PeerKey.objects.update_or_create(
        installation=peer,
        key_id=key_id,
        defaults={
            "public_key": core.encode_public(raw),
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return key


def remote_agency_add(*, agency_code: str, installation: str, procedure_code: str = "") -> None:
    """Say that the agency with this e-ID code works on that installation."""
    peer = Installation.objects.filter(code=installation).first()
    if peer is None:
        raise NotFound(
            _("Hệ thống “{installation}” chưa được đăng ký liên thông."),
            installation=installation,
        )
    RemoteAgency.objects.update_or_create(
        agency_code=agency_code.strip().upper(),
        defaults={"installation": peer, "procedure_code": procedure_code.strip()},
    )


def _public_keys(peer: Installation) -> list[core.PublicKey]:
    return [
        core.PublicKey(k.key_id, core.decode_public(k.public_key), k.valid_from, k.valid_until)
        for k in PeerKey.objects.filter(installation=peer)
    ]


# ---------------------------------------------------------------------------------------------
# Following our dossiers: what to send when one changes


def exchange_follow(dossier: Dossier, event: DossierEvent) -> list[OutboxMessage]:
    """The messages a dossier's change sends (in the change's transaction): a step.request
    when it was forwarded (or sent back) to an agency on another installation, a step.result
    when a dossier opened for another installation's step ended here, a step.apology when the
    apology of such a dossier was signed here (the new date goes back with it)."""
    if event.action in _HANDING:
        return _step_request(dossier, event)
    if event.action == Action.APPROVE_APOLOGY.value:
        return _step_apology(dossier, event)
    if event.to_status in _FINISHED and event.from_status not in _FINISHED:
        return _step_result(dossier, event)
    return []


def _step_request(dossier: Dossier, event: DossierEvent) -> list[OutboxMessage]:
    remote = (
        RemoteAgency.objects.filter(
            agency_code=dossier.current_agency.code, installation__active=True
        )
        .select_related("installation")
        .first()
    )
    if remote is None:
        return []
    assert dossier.step_due_at is not None and dossier.code
    step = dossier_plan(dossier)[dossier.step_index]
    procedure = dossier.procedure_version.procedure
    body = {
        "agency": remote.agency_code,
        "procedure": remote.procedure_code or procedure.code,
        "origin": {"procedure": procedure.code, "name": procedure.name, "channel": dossier.channel},
        "step_name": step.name,
        "allotment": format(step.allotment.normalize(), "f"),  # working days
        "due_at": dossier.step_due_at.isoformat(),
        "papers": [p.name for p in dossier_papers(dossier)],
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
        },
        "request": dossier.request,
    }
    envelope, message = _outgoing(
        peer=remote.installation,
        type=core.STEP_REQUEST,
        dossier=dossier.code,
        step=dossier.step_index,
        body=body,
        now=event.at,
        dedupe_key=f"exchange:request:{dossier.pk}:{event.seq}",
        dossier_id=dossier.pk,
    )
    Handover.objects.create(
        dossier_id=dossier.pk,
        step_index=dossier.step_index,
        installation=remote.installation,
        request_id=envelope.id,
        handed_at=event.at,
    )
    return [message]


def _step_result(dossier: Dossier, event: DossierEvent) -> list[OutboxMessage]:
    task = (
        Task.objects.select_for_update()
        .filter(dossier_id=dossier.pk, result_id="")
        .select_related("installation")
        .first()
    )
    if task is None:
        return []
    assert dossier.received_at is not None
    body = {
        "request": task.request_id,
        "code": dossier.code or "",
        "outcome": event.action,
        "status": dossier.status,
        "reference": dossier.result_number,
        "started_at": dossier.received_at.isoformat(),
        "ended_at": event.at.isoformat(),
    }
    envelope, message = _outgoing(
        peer=task.installation,
        type=core.STEP_RESULT,
        dossier=task.origin_code,
        step=task.step_index,
        body=body,
        now=event.at,
        dedupe_key=f"exchange:result:{task.pk}",
        dossier_id=dossier.pk,
    )
    Task.objects.filter(pk=task.pk).update(result_id=envelope.id)
    return [message]


def _step_apology(dossier: Dossier, event: DossierEvent) -> list[OutboxMessage]:
    """The apology (form 04) of a dossier opened for another installation's step, signed here
    by the head of our agency: the letter's new date, reason and signer, sent to the
    installation whose step it is, so that its dossier and its citizen learn the new date.
    Read from the signature's event: the letter's row is written in the same statement batch."""
    task = (
        Task.objects.filter(dossier_id=dossier.pk, result_id="")
        .select_related("installation")
        .first()
    )
    if task is None:
        return []
    signer = staff_actor(event.actor_id) if event.actor_id is not None else None
    title = staff_title(event.actor_id) if event.actor_id is not None else ""
    body = {
        "request": task.request_id,
        "code": dossier.code or "",
        "agency": event.agency.code if event.agency is not None else "",
        "new_due_at": event.payload["new_due_at"],
        "reason": event.payload["reason"],
        "signer_name": signer.name if signer is not None else "",
        "signer_title": title or str(Role(event.actor_role).label),
        "signed_at": event.at.isoformat(),
    }
    _envelope, message = _outgoing(
        peer=task.installation,
        type=core.STEP_APOLOGY,
        dossier=task.origin_code,
        step=task.step_index,
        body=body,
        now=event.at,
        dedupe_key=f"exchange:apology:{task.pk}",
        dossier_id=dossier.pk,
    )
    return [message]


# ---------------------------------------------------------------------------------------------
# Sending (the outbox's sender of channel "exchange")


class PeerUnavailable(Exception):
    """The peer did not answer, or answered without a good acknowledgement: tried again."""


def exchange_send(message: OutboxMessage) -> None:
    """POST one signed message to its peer and check the signed acknowledgement; raise to
    have it retried. Idempotent: the peer answers a message id it has seen with the same
    acknowledgement, and each log row is written once per message."""
    now = timezone.now()
    wire = message.context
    envelope = core.parse_envelope(wire["message"])
    peer = Installation.objects.filter(code=message.recipient, active=True).first()
    if peer is None:
        raise PeerUnavailable(f"hệ thống {message.recipient} không còn liên thông")
    if not LogEntry.objects.filter(kind=Kind.SENT, message_id=envelope.id).exists():
        log_append(
            kind=Kind.SENT,
            now=now,
            peer=peer.code,
            message_id=envelope.id,
            type=envelope.type,
            dossier=envelope.dossier,
            message=_text(envelope),
            signature=wire["signature"],
        )
    try:
        response = requests.post(
            peer.base_url.rstrip("/") + PATH,
            data=json.dumps(wire, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Idempotency-Key": idempotency_key(message),
            },
            timeout=settings.EXCHANGE_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise PeerUnavailable(f"{peer.code}: {exc}") from exc
    if response.status_code != 200:
        detail = _answer_detail(response)
        log_append(
            kind=Kind.REJECTED,
            now=timezone.now(),
            peer=peer.code,
            message_id=envelope.id,
            type=envelope.type,
            dossier=envelope.dossier,
            detail={"status": response.status_code, **detail},
        )
        raise PeerUnavailable(f"{peer.code} trả lời {response.status_code}: {detail}")
    _acknowledged(peer, envelope, response, timezone.now())


def _answer_detail(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text[:500]}
    return (
        {"code": body.get("code"), "message": body.get("message")} if isinstance(body, dict) else {}
    )


def _acknowledged(
    peer: Installation, sent: core.Envelope, response: requests.Response, now: datetime
) -> None:
    """Check the peer's signed acknowledgement of `sent` and log it, once."""
    try:
        wire = response.json()
        ack, signature = _parse_wire(wire)
        core.check_incoming(
            ack,
            signature,
            us=_us(),
            peer_known=True,
            keys=_public_keys(peer),
            now=now,
            tolerance=_tolerance(),
        )
    except (ValueError, DomainError) as exc:
        raise PeerUnavailable(f"{peer.code}: xác nhận không hợp lệ: {exc}") from exc
    if ack.type != core.ACK or ack.sender != peer.code or ack.body.get("of") != sent.id:
        raise PeerUnavailable(f"{peer.code}: xác nhận không phải của thông điệp {sent.id}")
    with transaction.atomic():
        if LogEntry.objects.filter(kind=Kind.ACKNOWLEDGED, message_id=sent.id).exists():
            return
        log_append(
            kind=Kind.ACKNOWLEDGED,
            now=now,
            peer=peer.code,
            message_id=sent.id,
            type=sent.type,
            dossier=sent.dossier,
            message=_text(ack),
            signature=signature,
            detail={"ack": ack.id, "status": ack.body.get("status")},
        )


# ---------------------------------------------------------------------------------------------
# Receiving


def _parse_wire(data: Any) -> tuple[core.Envelope, str]:
    if not isinstance(data, dict) or set(data) != {"message", "signature"}:
        raise core.MalformedMessage(_("Thông điệp không đúng dạng phong bì liên thông."))
    signature = data["signature"]
    if not isinstance(signature, str) or len(signature) > 200:
        raise core.MalformedMessage(
            _("Trường “{name}” của thông điệp không hợp lệ hoặc bị thiếu."),
            field="signature",
            name="signature",
        )
    return core.parse_envelope(data["message"]), signature


def exchange_receive(*, raw: bytes, now: datetime) -> dict[str, Any]:
    """Check, act on and acknowledge one message; the signed acknowledgement to answer with.

    A refusal (not JSON, not an envelope, an unknown installation or key, a key not valid
    when it was sent, a bad signature, not addressed to us, too old, or what it asks cannot
    be done) raises its DomainError with nothing stored but the refusal's log row."""
    envelope: core.Envelope | None = None
    try:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise core.MalformedMessage(_("Thông điệp không phải JSON hợp lệ.")) from None
        envelope, signature = _parse_wire(data)
        peer = Installation.objects.filter(code=envelope.sender, active=True).first()
        core.check_incoming(
            envelope,
            signature,
            us=_us(),
            peer_known=peer is not None,
            keys=_public_keys(peer) if peer is not None else [],
            now=now,
            tolerance=_tolerance(),
        )
        assert peer is not None
        if envelope.type not in _ACTS:
            raise core.MalformedMessage(
                _("Loại thông điệp “{type}” không được gửi đến đây."), type=envelope.type
            )
        return _act(peer, envelope, signature, now)
    except DomainError as exc:
        _refused(raw, envelope, exc, now)
        raise


def _act(
    peer: Installation, envelope: core.Envelope, signature: str, now: datetime
) -> dict[str, Any]:
    """Act on a checked message and record it, or answer a replay as the first time."""
    try:
        with transaction.atomic():
            seen = Received.objects.filter(installation=peer, message_id=envelope.id).first()
            if seen is not None:
                # A replay, or a retry after a lost acknowledgement: nothing is done again.
                _log_received(peer, envelope, signature, now, duplicate=True)
                return dict(seen.ack)
            status, extra = _ACTS[envelope.type](peer, envelope, now)
            ack, ack_signature = _signed(
                peer=peer.code,
                type=core.ACK,
                dossier=envelope.dossier,
                step=envelope.step,
                body={"of": envelope.id, "status": status, **extra},
                now=now,
            )
            answer = _wire(ack, ack_signature)
            Received.objects.create(
                installation=peer,
                message_id=envelope.id,
                type=envelope.type,
                received_at=now,
                ack=answer,
            )
            _log_received(peer, envelope, signature, now, duplicate=False)
            log_append(
                kind=Kind.ACK_SENT,
                now=now,
                peer=peer.code,
                message_id=envelope.id,
                type=core.ACK,
                dossier=envelope.dossier,
                message=_text(ack),
                signature=ack_signature,
                detail={"ack": ack.id, "status": status},
            )
            return answer
    except IntegrityError:
        # The same message delivered twice at once: the other delivery recorded it.
        raise ConflictError(
            _("Thông điệp đang được xử lý; gửi lại sau."), message_id=envelope.id
        ) from None


def _log_received(
    peer: Installation, envelope: core.Envelope, signature: str, now: datetime, *, duplicate: bool
) -> None:
    log_append(
        kind=Kind.RECEIVED,
        now=now,
        peer=peer.code,
        message_id=envelope.id,
        type=envelope.type,
        dossier=envelope.dossier,
        message=_text(envelope),
        signature=signature,
        detail={"duplicate": True} if duplicate else {},
    )


def _refused(raw: bytes, envelope: core.Envelope | None, exc: DomainError, now: datetime) -> None:
    """The refusal's log row, in a transaction of its own: what came (as it came, cut to
    64 KiB), who it said it was from, and the error answered."""
    log_append(
        kind=Kind.REFUSED,
        now=now,
        peer=envelope.sender if envelope else "",
        message_id=envelope.id if envelope else "",
        type=envelope.type if envelope else "",
        dossier=envelope.dossier if envelope else "",
        message=raw[:65536].decode("utf-8", "replace"),
        detail={"code": exc.code, "error": problem_body(exc)},
    )


def _request(peer: Installation, e: core.Envelope, now: datetime) -> tuple[str, dict[str, Any]]:
    """A step handed to one of our agencies: our own dossier for it, received at that
    agency's desk through the normal write path, due when the sender's step is due."""
    body = e.body
    try:
        agency_code = str(body["agency"])
        procedure = str(body["procedure"])
        due_at = datetime.fromisoformat(str(body["due_at"]))
        applicant = Applicant(**{k: str(v) for k, v in dict(body["applicant"]).items()})
        papers = [str(p) for p in body.get("papers", [])]
        channel = int(dict(body.get("origin", {})).get("channel", 1))
    except (KeyError, TypeError, ValueError):
        raise core.MalformedMessage(_("Nội dung yêu cầu liên thông không hợp lệ.")) from None
    if due_at.tzinfo is None:
        raise core.MalformedMessage(_("Nội dung yêu cầu liên thông không hợp lệ."))
    agency = agency_by_code(agency_code)
    if agency is None or RemoteAgency.objects.filter(agency_code=agency_code).exists():
        raise NotFound(
            _("Cơ quan “{agency}” không làm việc trên hệ thống này."), agency=agency_code
        )
    step_name = str(body.get("step_name", ""))[:200]
    actor = Actor(role=Role.DESK, name=peer.name, agency=agency, unit=desk_of(agency))
    dossier = dossier_receive(
        intake=Intake(
            procedure_code=procedure,
            applicant=applicant,
            channel=channel,
            request=f"Liên thông từ {peer.name}: hồ sơ {e.dossier}, bước “{step_name}”.",
            documents=_ticked(procedure, papers, now),
            others=[p for p in papers if fold(p) not in _catalog_names(procedure, now)],
            deadline=due_at,
        ),
        actor=actor,
        now=now,
        idempotency_key=f"exchange:{peer.code}:{e.id}",
    )
    task = Task.objects.create(
        installation=peer,
        request_id=e.id,
        origin_code=e.dossier,
        step_index=e.step,
        dossier_id=dossier.pk,
        due_at=due_at,
    )
    assert dossier.due_at is not None and dossier.code
    _accepted, accepted = _outgoing(
        peer=peer,
        type=core.STEP_ACCEPTED,
        dossier=e.dossier,
        step=e.step,
        body={"request": e.id, "code": dossier.code, "due_at": dossier.due_at.isoformat()},
        now=now,
        dedupe_key=f"exchange:accepted:{task.pk}",
        dossier_id=dossier.pk,
    )
    outbox_queue([accepted])
    return "accepted", {"code": dossier.code}


def _catalog_docs(procedure: str, now: datetime) -> dict[str, int]:
    today = local_date(now, centre_tz())
    versions = procedure_versions(procedure) or []
    version = next((v for v in versions if v.effective_from <= today), None)
    return {fold(d.name): d.pk for d in documents_of(version)} if version is not None else {}


def _catalog_names(procedure: str, now: datetime) -> set[str]:
    return set(_catalog_docs(procedure, now))


def _ticked(procedure: str, papers: Sequence[str], now: datetime) -> list[int]:
    """The procedure's papers among those the sender received (by name, accents folded)."""
    docs = _catalog_docs(procedure, now)
    return [docs[fold(p)] for p in papers if fold(p) in docs]


def _handover(peer: Installation, e: core.Envelope) -> Handover:
    request = e.body.get("request")
    handover = (
        Handover.objects.select_for_update().filter(installation=peer, request_id=request).first()
    )
    if handover is None or handover.step_index != e.step:
        raise NotFound(
            _("Không có yêu cầu liên thông “{request}” gửi hệ thống này."), request=str(request)
        )
    return handover


def _accepted(peer: Installation, e: core.Envelope, now: datetime) -> tuple[str, dict[str, Any]]:
    """The peer opened its dossier for our step: its code, for the record."""
    handover = _handover(peer, e)
    Handover.objects.filter(pk=handover.pk).update(
        remote_code=str(e.body.get("code", ""))[:50], accepted_at=now
    )
    return "recorded", {}


def _result(peer: Installation, e: core.Envelope, now: datetime) -> tuple[str, dict[str, Any]]:
    """The peer ended our step: it closes with the peer's times and the dossier moves on;
    the time in flight either way is recorded as integration time."""
    handover = _handover(peer, e)
    if handover.result_at is not None:
        return "already_recorded", {}
    try:
        started = datetime.fromisoformat(str(e.body["started_at"]))
        ended = datetime.fromisoformat(str(e.body["ended_at"]))
    except (KeyError, ValueError):
        raise core.MalformedMessage(_("Nội dung kết quả liên thông không hợp lệ.")) from None
    if started.tzinfo is None or ended.tzinfo is None:
        raise core.MalformedMessage(_("Nội dung kết quả liên thông không hợp lệ."))
    dossier = dossier_public(handover.dossier_id)
    remote = core.RemoteResult(
        times=core.RemoteTimes(started, ended),
        installation=peer.code,
        outcome=str(e.body.get("outcome", ""))[:20],
        remote_code=str(e.body.get("code", ""))[:50],
        reference=str(e.body.get("reference", ""))[:100],
    )
    status, note = "applied", ""
    if (
        dossier.step_index != handover.step_index
        or dossier.step_started_at != handover.handed_at
        or dossier.code != e.dossier
    ):
        # The dossier moved on, or was handed over again since (a newer request is waiting).
        status, note = "not_applied", "hồ sơ không còn ở bước đã chuyển"
    else:
        try:
            dossier_act(
                dossier=dossier,
                action=Action.EXCHANGE_RESULT,
                actor=Actor.system(),
                now=now,
                remote=remote,
            )
        except ConflictError:
            raise
        except DomainError as exc:
            # The dossier cannot move on (stopped, withdrawn meanwhile): the result is kept.
            status, note = "not_applied", exc.message
    calendar = calendar_for(dossier.received_place)
    times = core.step_times(remote.times, handed_at=handover.handed_at, now=now)
    Wait.objects.bulk_create(
        Wait(
            dossier_id=dossier.pk,
            step_index=handover.step_index,
            leg=leg.leg,
            started_at=leg.started_at,
            ended_at=leg.ended_at,
            seconds=leg.seconds,
        )
        for leg in core.legs(calendar, handed_at=handover.handed_at, times=times, received_at=now)
    )
    Handover.objects.filter(pk=handover.pk).update(
        result_at=now, outcome=remote.outcome, note=note, remote_code=remote.remote_code
    )
    return status, {}


def _apology(peer: Installation, e: core.Envelope, now: datetime) -> tuple[str, dict[str, Any]]:
    """The agency holding our step apologised on its installation (form 04, signed by its
    head there): the letter is recorded on our dossier as that agency's, with the new date,
    through the write path, and our citizen is told. A letter for a step that is no longer
    open here (its result came, or the dossier moved on) changes nothing."""
    handover = _handover(peer, e)
    apology = core.parse_apology(peer.code, e.body)
    dossier = dossier_public(handover.dossier_id)
    if (
        handover.result_at is not None
        or dossier.step_index != handover.step_index
        or dossier.step_started_at != handover.handed_at
        or dossier.code != e.dossier
    ):
        return "not_applied", {}
    try:
        dossier_act(
            dossier=dossier,
            action=Action.EXCHANGE_APOLOGY,
            actor=Actor.system(),
            now=now,
            apology=apology,
        )
    except ConflictError:
        raise
    except DomainError:
        # Already apologised here, or the dossier cannot take it (stopped, withdrawn).
        return "not_applied", {}
    return "applied", {}


_ACTS: dict[str, Callable[[Installation, core.Envelope, datetime], tuple[str, dict[str, Any]]]] = {
    core.STEP_REQUEST: _request,
    core.STEP_ACCEPTED: _accepted,
    core.STEP_RESULT: _result,
    core.STEP_APOLOGY: _apology,
}
