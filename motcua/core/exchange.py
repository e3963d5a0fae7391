"""Messages between installations (liên thông): the envelope, its canonical bytes, Ed25519
signatures, key validity and rotation, and the receiver's rules (X-Road's model).

Pure: no Django, no database, no clock of its own. A message is a JSON envelope signed over
its canonical bytes (`canonical_bytes`) with the sending installation's current key; the
receiver checks it (`check_incoming`) against the keys it holds for the sender, then refuses a
replay by the message id it has kept (the service's table).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from motcua.core.calendar import WorkCalendar
from motcua.core.errors import PermissionDenied, ValidationError, _

STEP_REQUEST = "step.request"
STEP_ACCEPTED = "step.accepted"
STEP_RESULT = "step.result"
STEP_APOLOGY = "step.apology"  # the agency holding the step signed form 04 with a new date
ACK = "ack"
TYPES = frozenset({STEP_REQUEST, STEP_ACCEPTED, STEP_RESULT, STEP_APOLOGY, ACK})
FIELDS = frozenset({"id", "from", "to", "type", "dossier", "step", "sent_at", "key", "body"})
MAX_IDENT = 64  # an installation's id, a key id, a dossier code


class MalformedMessage(ValidationError):
    """Not an envelope: missing or extra fields, wrong types, not canonical JSON."""

    code = "exchange_malformed"


class StaleMessage(ValidationError):
    """Sent longer ago than the tolerance, or dated in the future."""

    code = "exchange_stale"


class UntrustedMessage(PermissionDenied):
    """The message cannot be trusted as coming from who it says."""

    code = "exchange_untrusted"


class UnknownInstallation(UntrustedMessage):
    code = "exchange_unknown_installation"


class UnknownKey(UntrustedMessage):
    code = "exchange_unknown_key"


class KeyNotValid(UntrustedMessage):
    code = "exchange_key_not_valid"


class BadSignature(UntrustedMessage):
    code = "exchange_bad_signature"


class NotAddressedToUs(UntrustedMessage):
    code = "exchange_wrong_recipient"


# ---------------------------------------------------------------------------------------------
# The envelope


@dataclass(frozen=True)
class Envelope:
    """One message: who sends it to whom, about which dossier and step, signed with `key`."""

    id: str
    sender: str
    recipient: str
    type: str
    dossier: str
    step: int
    sent_at: datetime
    key: str
    body: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The envelope as it travels (`from` and `to` are its field names on the wire)."""
        return {
            "id": self.id,
            "from": self.sender,
            "to": self.recipient,
            "type": self.type,
            "dossier": self.dossier,
            "step": self.step,
            "sent_at": self.sent_at.isoformat(),
            "key": self.key,
            "body": dict(self.body),
        }


def new_envelope(
    *,
    sender: str,
    recipient: str,
    type: str,
    dossier: str,
    step: int,
    now: datetime,
    key: str,
    body: Mapping[str, Any],
    message_id: str | None = None,
) -> Envelope:
    """A new envelope with a fresh id (uuid4), dated `now`, checked as the receiver will."""
    envelope = Envelope(
        id=message_id or str(uuid.uuid4()),
        sender=sender,
        recipient=recipient,
        type=type,
        dossier=dossier,
        step=step,
        sent_at=now,
        key=key,
        body=body,
    )
    return parse_envelope(envelope.as_json())


def canonical_bytes(value: Any) -> bytes:
    """The one spelling a signature covers: sorted keys, no spaces, UTF-8; no floats (their
    spelling differs between implementations)."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise MalformedMessage(_("Thông điệp không được chứa số thực."), field="body")
    if isinstance(value, dict):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _no_floats(item)


def _malformed(name: str) -> MalformedMessage:
    return MalformedMessage(
        _("Trường “{name}” của thông điệp không hợp lệ hoặc bị thiếu."), field=name, name=name
    )


def _ident(data: Mapping[str, Any], name: str, *, empty: bool = False) -> str:
    value = data.get(name)
    if not isinstance(value, str) or len(value) > MAX_IDENT or (not value and not empty):
        raise _malformed(name)
    return value


def parse_envelope(data: Any) -> Envelope:
    """An envelope from its JSON: exactly the fields, each of its type (uuid4 id, aware time)."""
    if not isinstance(data, dict) or set(data) != FIELDS:
        raise MalformedMessage(_("Thông điệp không đúng dạng phong bì liên thông."))
    try:
        message_id = uuid.UUID(str(data["id"]))
    except ValueError:
        raise _malformed("id") from None
    if message_id.version != 4 or str(message_id) != data["id"]:
        raise _malformed("id")
    if data["type"] not in TYPES:
        raise _malformed("type")
    step = data["step"]
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < 1000:
        raise _malformed("step")
    try:
        sent_at = datetime.fromisoformat(str(data["sent_at"]))
    except ValueError:
        raise _malformed("sent_at") from None
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise _malformed("sent_at")
    if not isinstance(data["body"], dict):
        raise _malformed("body")
    envelope = Envelope(
        id=data["id"],
        sender=_ident(data, "from"),
        recipient=_ident(data, "to"),
        type=data["type"],
        dossier=_ident(data, "dossier", empty=True),
        step=step,
        sent_at=sent_at,
        key=_ident(data, "key"),
        body=data["body"],
    )
    canonical_bytes(envelope.as_json())  # no float anywhere in the body
    return envelope


# ---------------------------------------------------------------------------------------------
# Signatures and keys


def key_id_of(public: bytes) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(public).hexdigest()[:16]


def raw_public(private: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of a private key's public half."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_public(public: bytes) -> str:
    """A public key as it is exported and registered: base64 of its 32 raw bytes."""
    return base64.b64encode(public).decode()


def decode_public(text: str) -> bytes:
    """The raw bytes of an exported public key; ValidationError if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValidationError(
            _("Khóa công khai phải là 32 byte Ed25519 mã hóa base64."), field="public_key"
        )
    return raw


def sign(private: Ed25519PrivateKey, envelope: Envelope) -> str:
    """The envelope's signature (base64) over its canonical bytes."""
    return base64.b64encode(private.sign(canonical_bytes(envelope.as_json()))).decode()


def signature_ok(public: bytes, envelope: Envelope, signature: str) -> bool:
    """Whether `signature` (base64) is this key's over the envelope's canonical bytes."""
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(raw, canonical_bytes(envelope.as_json()))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


@dataclass(frozen=True)
class PublicKey:
    """A peer's public key as registered: valid from `valid_from` until `valid_until` (None:
    no end yet); a message signed outside that window is refused."""

    key_id: str
    public: bytes
    valid_from: datetime
    valid_until: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)


def pick_key(
    keys: Sequence[PublicKey], key_id: str, at: datetime, now: datetime | None = None
) -> PublicKey:
    """The key `key_id` if it was valid at `at`, the sending time the sender wrote, and has
    not ended by `now`, the receiving time: a key ended in the admin (it may have leaked) stops
    at once, whatever `sent_at` a message with it claims. UnknownKey or KeyNotValid otherwise."""
    key = next((k for k in keys if k.key_id == key_id), None)
    if key is None:
        raise UnknownKey(_("Khóa “{key}” không được đăng ký cho hệ thống gửi."), key=key_id)
    ended = now is not None and key.valid_until is not None and now >= key.valid_until
    if not key.valid_at(at) or ended:
        raise KeyNotValid(
            _("Khóa “{key}” không còn hoặc chưa có hiệu lực tại thời điểm gửi."), key=key_id
        )
    return key


@dataclass(frozen=True)
class Tolerance:
    """How old a message may be when it arrives, and how far ahead the sender's clock may run."""

    max_age: timedelta
    max_skew: timedelta = timedelta(minutes=5)


def check_incoming(
    envelope: Envelope,
    signature: str,
    *,
    us: str,
    peer_known: bool,
    keys: Sequence[PublicKey],
    now: datetime,
    tolerance: Tolerance,
) -> None:
    """The receiver's checks before it looks at the message id: a known, active installation;
    a key of its, valid when the message was sent; a good signature; addressed to us; sent
    within the tolerance. The first that fails is raised."""
    if not peer_known:
        raise UnknownInstallation(
            _("Hệ thống “{installation}” chưa được đăng ký liên thông."),
            installation=envelope.sender,
        )
    key = pick_key(keys, envelope.key, envelope.sent_at, now)
    if not signature_ok(key.public, envelope, signature):
        raise BadSignature(_("Chữ ký của thông điệp không hợp lệ."), message_id=envelope.id)
    if envelope.recipient != us:
        raise NotAddressedToUs(
            _("Thông điệp gửi cho hệ thống “{to}”, không phải hệ thống này."), to=envelope.recipient
        )
    if envelope.sent_at > now + tolerance.max_skew:
        raise StaleMessage(_("Thời điểm gửi của thông điệp ở tương lai."), field="sent_at")
    if envelope.sent_at < now - tolerance.max_age:
        raise StaleMessage(_("Thông điệp đã quá hạn tiếp nhận."), field="sent_at")


# ---------------------------------------------------------------------------------------------
# Our own keys: the keyring and its rotation


@dataclass(frozen=True)
class OwnKey:
    """One of our signing keys: current while `retired_at` is None; a retired key signs
    nothing, and its public half is exported until the grace period after its retirement."""

    key_id: str
    created_at: datetime
    retired_at: datetime | None = None


def current_key(keys: Sequence[OwnKey]) -> OwnKey:
    """The one key that signs; ValidationError when the keyring has none (not generated)."""
    current = [k for k in keys if k.retired_at is None]
    if len(current) != 1:
        raise ValidationError(
            _("Chưa có khóa ký liên thông: chạy “motcua exchange keygen”."), field="key"
        )
    return current[0]


def rotated(keys: Sequence[OwnKey], new: OwnKey, now: datetime) -> list[OwnKey]:
    """The keyring after `new` becomes the current key: the old current one retired now."""
    return [*(k if k.retired_at is not None else replace(k, retired_at=now) for k in keys), new]


@dataclass(frozen=True)
class Exported:
    """A public key as the peer's administrator registers it."""

    key_id: str
    valid_from: datetime
    valid_until: datetime | None


def exported(keys: Sequence[OwnKey], *, now: datetime, grace: timedelta) -> list[Exported]:
    """Our keys a peer should hold now: the current one and those retired within `grace`
    (valid until their retirement plus the grace, so messages queued before it still pass)."""
    result = []
    for k in keys:
        until = None if k.retired_at is None else k.retired_at + grace
        if until is None or until > now:
            result.append(Exported(k.key_id, k.created_at, until))
    return result


# ---------------------------------------------------------------------------------------------
# A step held on another installation


@dataclass(frozen=True)
class RemoteTimes:
    """When the other installation says it started and ended the step."""

    started_at: datetime
    ended_at: datetime


def step_times(remote: RemoteTimes, *, handed_at: datetime, now: datetime) -> RemoteTimes:
    """The step's times as recorded here: the other side's, kept within [handed over, now]
    (a clock running ahead or behind never makes a step end before it began or after now)."""
    started = min(max(remote.started_at, handed_at), now)
    ended = min(max(remote.ended_at, started), now)
    return RemoteTimes(started, ended)


@dataclass(frozen=True)
class Leg:
    """Time in flight between the installations: integration time, not the agency's."""

    leg: str  # "request": handed over -> the other side received; "result": ended -> back here
    started_at: datetime
    ended_at: datetime
    seconds: int  # working seconds of this calendar


def legs(
    calendar: WorkCalendar, *, handed_at: datetime, times: RemoteTimes, received_at: datetime
) -> list[Leg]:
    """The two legs in flight of a step done elsewhere, in working seconds."""
    return [
        Leg(
            "request",
            handed_at,
            times.started_at,
            calendar.working_seconds_between(handed_at, times.started_at),
        ),
        Leg(
            "result",
            times.ended_at,
            received_at,
            calendar.working_seconds_between(times.ended_at, received_at),
        ),
    ]


@dataclass(frozen=True)
class RemoteResult:
    """What the other installation reports of the step it held: its times, how it ended
    (its dossier's status), its dossier's code and the result's reference."""

    times: RemoteTimes
    installation: str
    outcome: str = ""
    remote_code: str = ""
    reference: str = ""

    def payload(self) -> dict[str, Any]:
        """As the dossier's event records it."""
        return {
            "installation": self.installation,
            "outcome": self.outcome,
            "remote_code": self.remote_code,
            "reference": self.reference,
            "started_at": self.times.started_at.isoformat(),
            "ended_at": self.times.ended_at.isoformat(),
        }


@dataclass(frozen=True)
class RemoteApology:
    """The apology (form 04) the agency holding the step signed on its installation: the new
    date it promises, its reason, who signed it (a head with no account here) and when."""

    installation: str
    new_due_at: datetime
    reason: str
    signer_name: str
    signer_title: str
    signed_at: datetime

    def payload(self) -> dict[str, Any]:
        """As the dossier's event records it."""
        return {
            "installation": self.installation,
            "signer_name": self.signer_name,
            "signer_title": self.signer_title,
            "signed_at": self.signed_at.isoformat(),
        }


def parse_apology(installation: str, body: Mapping[str, Any]) -> RemoteApology:
    """A step.apology's body (aware times, a reason and a signer's name); MalformedMessage
    otherwise."""
    try:
        new_due = datetime.fromisoformat(str(body["new_due_at"]))
        signed = datetime.fromisoformat(str(body["signed_at"]))
        reason, name, title = (
            str(body[k]).strip() for k in ("reason", "signer_name", "signer_title")
        )
    except (KeyError, ValueError):
        raise MalformedMessage(_("Nội dung văn bản xin lỗi liên thông không hợp lệ.")) from None
    if new_due.tzinfo is None or signed.tzinfo is None or not reason or not name:
        raise MalformedMessage(_("Nội dung văn bản xin lỗi liên thông không hợp lệ."))
    return RemoteApology(installation, new_due, reason[:2000], name[:200], title[:200], signed)
