"""Webhooks to subscribers: which changes they hear of, what a delivery says, how it is signed,
how a receiver verifies it, which secrets are live, and which addresses may be called.

Pure: the clock is given, the secrets and addresses are plain values. The scheme
(docs/integration.md, "Webhooks"):

- `X-Motcua-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 the HMAC-SHA256,
  under one live secret, of `f"{t}.{body}"` (the body's exact bytes);
- a receiver accepts the delivery when any v1 matches one of its secrets and `t` is within
  the tolerance of its own clock (a replayed old delivery is refused);
- rotating adds a secret and keeps the older ones live for a grace period, so a receiver can
  move to the new secret in its own time: while both are live, each delivery carries both.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from motcua.core.errors import ValidationError, _
from motcua.core.lifecycle import Action

HEADER = "X-Motcua-Signature"
SCHEME = "v1"
EVENT_STATUS_CHANGED = "dossier.status_changed"
# A receiver's default: a delivery signed more than this long ago is refused (5 minutes).
DEFAULT_TOLERANCE_SECONDS = 300
# The ids of deliveries: a UUID derived from the delivery's dedupe key (stable across retries).
_DELIVERY_NAMESPACE = uuid.UUID("6f1d9a52-3c0e-4b7e-9a61-5b2f3c8d7e10")


class BadSignature(ValidationError):
    """A delivery's signature header is missing, malformed, stale or matches no secret."""

    code = "webhook_bad_signature"


class RefusedAddress(ValidationError):
    """A subscriber's address the system will not call (not https, or a private network)."""

    code = "webhook_refused_address"


@dataclass(frozen=True)
class Secret:
    """One signing secret of a subscriber: live from `created_at` until `retire_at` (None:
    until a rotation retires it)."""

    value: str
    created_at: datetime
    retire_at: datetime | None = None


def is_live(secret: Secret, now: datetime) -> bool:
    """Whether the secret signs deliveries at `now`."""
    return secret.created_at <= now and (secret.retire_at is None or now < secret.retire_at)


def live_secrets(secrets: Iterable[Secret], now: datetime) -> list[Secret]:
    """The secrets live at `now`, newest first (the first v1 of a header is the newest)."""
    return sorted((s for s in secrets if is_live(s, now)), key=lambda s: s.created_at, reverse=True)


def retire_at_on_rotation(secret: Secret, *, now: datetime, grace: timedelta) -> datetime | None:
    """When an existing secret stops signing once a new one is added at `now`: after the
    grace period, unless it was to retire sooner already (a second rotation never extends
    the first's old secret). A secret already retired keeps its date."""
    end = now + grace
    if secret.retire_at is None or secret.retire_at > end:
        return end
    return secret.retire_at


def announces(action: str, *, from_status: int | None, to_status: int) -> bool:
    """Whether subscribers hear of this change: every status change, and the result ready."""
    return to_status != from_status or action == Action.MARK_READY.value


def delivery_id(dedupe_key: str) -> str:
    """The delivery's id, the same on every try of it: derived from its dedupe key."""
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, dedupe_key))


@dataclass(frozen=True)
class StatusChange:
    """What a status-change delivery says: no personal data, only the dossier's code, its
    national status codes (DOMAIN §4), the change's number in its record and the agency."""

    delivery_id: str
    occurred_at: datetime
    code: str
    status: int
    previous_status: int | None
    seq: int
    agency: str


def payload(change: StatusChange) -> dict[str, object]:
    """The delivery's JSON object."""
    return {
        "id": change.delivery_id,
        "type": EVENT_STATUS_CHANGED,
        "occurred_at": change.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "dossier": {
            "code": change.code,
            "status": change.status,
            "previous_status": change.previous_status,
            "seq": change.seq,
            "agency": change.agency,
        },
    }


def body_of(change: StatusChange) -> str:
    """The delivery's body as sent: compact JSON, keys in a fixed order, UTF-8 unescaped."""
    return json.dumps(payload(change), ensure_ascii=False, separators=(",", ":"))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """One v1: HMAC-SHA256 under `secret` of "<timestamp>.<body>", in hex."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secrets: Sequence[str], *, timestamp: int) -> str:
    """The signature header's value: the time, then one v1 per secret, in the given order."""
    if not secrets:
        raise ValueError("a delivery needs at least one live secret")
    return ",".join(
        [f"t={timestamp}", *(f"{SCHEME}={signature(s, timestamp, body)}" for s in secrets)]
    )


def parse(header: str) -> tuple[int, list[str]]:
    """The time and the v1 signatures of a header; unknown schemes are ignored (a later v2)."""
    timestamp: int | None = None
    found: list[str] = []
    for part in header.split(","):
        name, _eq, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME and value:
            found.append(value)
    if timestamp is None or not found:
        raise BadSignature(_("Tiêu đề chữ ký không đúng định dạng."))
    return timestamp, found


def verify(
    header: str,
    body: bytes,
    secrets: Sequence[str],
    *,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """The delivery's time when its signature holds: some v1 matches some secret and the time
    is within `tolerance` seconds of `now` (either side); else BadSignature."""
    timestamp, given = parse(header)
    if abs(now - timestamp) > tolerance:
        raise BadSignature(_("Chữ ký đã quá hạn hoặc đồng hồ lệch quá xa."), timestamp=timestamp)
    expected = [signature(s, timestamp, body) for s in secrets]
    if not any(hmac.compare_digest(e, g) for e in expected for g in given):
        raise BadSignature(_("Chữ ký không khớp với khóa bí mật nào."))
    return timestamp


# --- Which addresses may be called (SSRF) ------------------------------------------------------

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def address_is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local
    (cloud metadata at 169.254.169.254), multicast, reserved or unspecified."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, require_https: bool, allow_private: bool) -> str:
    """The subscriber's address as it will be called, or RefusedAddress: http(s) with a host,
    https when required, and no loopback or private host unless allowed. A host name is
    checked again at each delivery against the addresses it resolves to
    (`address_is_public`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress(_("Địa chỉ nhận phải là một địa chỉ http(s) đầy đủ."), field="url")
    if require_https and parts.scheme != "https":
        raise RefusedAddress(_("Địa chỉ nhận phải dùng https."), field="url")
    if parts.username or parts.password:
        raise RefusedAddress(_("Địa chỉ nhận không được chứa tên và mật khẩu."), field="url")
    if not allow_private:
        host = parts.hostname.rstrip(".").lower()
        try:
            public = address_is_public(host)
        except ValueError:  # a name: only the well-known local ones are refused here
            public = host not in _LOCAL_NAMES and not host.endswith(".localhost")
        if not public:
            raise RefusedAddress(
                _("Địa chỉ nhận trỏ vào máy nội bộ hoặc mạng riêng: không được phép."),
                field="url",
            )
    return url.strip()
