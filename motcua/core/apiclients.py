"""The rules of the API's clients: the shape of a key, the operations a client may be given,
and whether a client may act (which operation, at which agency). Pure: plain values in and out.

A key is `mc_<prefix>_<secret>`: the prefix (8 lowercase letters and digits) finds the client's
row, the whole key is checked against its stored hash; the key itself is shown once and never
stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from motcua.core.errors import PermissionDenied, ValidationError, _

# Every operation a route may require; a client is given some of them.
OPERATIONS = (
    "dossiers.read",
    "dossiers.submit",
    "catalog.read",
    "national.submit",
)

_KEY = re.compile(r"mc_([a-z0-9]{8})_([A-Za-z0-9_-]{32,64})")
_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class OutOfScope(PermissionDenied):
    """The client may not do this operation, or not at this agency."""

    code = "out_of_scope"


@dataclass(frozen=True)
class NewKey:
    """A freshly made key: its lookup prefix, the whole key (shown once) and its hash."""

    prefix: str
    key: str
    digest: str


def key_digest(key: str) -> str:
    """The hash a key is stored as (SHA-256: a key is 190 random bits, no stretching needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> NewKey:
    """A new random key."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    key = f"mc_{prefix}_{secrets.token_urlsafe(32)[:43]}"
    return NewKey(prefix=prefix, key=key, digest=key_digest(key))


def key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    found = _KEY.fullmatch(key.strip())
    return found[1] if found else None


def key_matches(key: str, digest: str) -> bool:
    """Whether `key` is the one stored as `digest`, compared in constant time."""
    return hmac.compare_digest(key_digest(key.strip()), digest)


def check_operations(operations: Collection[str]) -> list[str]:
    """The operations, each a known one, sorted; ValueError names an unknown one."""
    unknown = sorted(set(operations) - set(OPERATIONS))
    if unknown:
        raise ValueError(f"unknown operations: {', '.join(unknown)}")
    return sorted(set(operations))


def require_operation(granted: Collection[str], operation: str) -> None:
    """Refuse unless the client was given `operation`."""
    if operation not in granted:
        raise OutOfScope(
            _("Ứng dụng kết nối không được cấp quyền “{operation}”."),
            operation=operation,
        )


def require_agency(agencies: Collection[str], agency_code: str, *, field: str = "") -> None:
    """Refuse unless `agency_code` is one of the client's agencies."""
    if agency_code not in agencies:
        raise OutOfScope(
            _("Ứng dụng kết nối không được làm việc với cơ quan {agency}."),
            agency=agency_code,
            field=field,
        )


# --- The cursor of the changes feed ------------------------------------------------------------

_CURSOR = re.compile(r"c1\.([0-9]{1,18})")


def encode_cursor(after_event: int) -> str:
    """The opaque cursor that resumes after the event id `after_event`."""
    return f"c1.{after_event}"


def decode_cursor(cursor: str) -> int:
    """The event id a cursor resumes after ("" starts from the beginning)."""
    if not cursor:
        return 0
    found = _CURSOR.fullmatch(cursor)
    if found is None:
        raise ValidationError(
            _("Con trỏ “{cursor}” không hợp lệ; hãy dùng giá trị next_cursor đã nhận."),
            field="cursor",
            cursor=cursor[:40],
        )
    return int(found[1])


# A dossier is an integrating system's (an API client's reads and changes feed, a webhook
# subscriber's deliveries) when any of these agencies of it is one the system works for: the
# place that received it, the official receiving agency, the competent (deciding) agency, or
# the agency holding it now (a department handling a commune's step follows it while it is
# there). One list, so that what a subscriber is told of, its key can read.
DOSSIER_AGENCY_FIELDS = ("received_place", "receiving_agency", "competent_agency", "current_agency")


def follows(dossier_agency_ids: Iterable[int | None], agency_ids: Iterable[int]) -> bool:
    """Whether a system working for `agency_ids` follows a dossier whose agencies (in the
    order of DOSSIER_AGENCY_FIELDS) are `dossier_agency_ids`."""
    return bool(set(dossier_agency_ids) & set(agency_ids))
