"""What an administrative change changed, as the administrative log records it (issue 11).

An administrative change (a user, a post, an agency, a unit, a procedure, a calendar …) is
recorded field by field, old → new. Passwords, secrets and keys are never recorded, only
that they changed; neither are a citizen's identity numbers, addresses and contacts, which
the personal-data rules let the centre erase later while the log stays provable.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

# The value recorded in place of a field that must not be recorded.
CHANGED = "changed"

# Parts of a field's name that make its value a secret: a password hash, a key, a token.
SECRET_PARTS = ("password", "secret", "token", "otp", "key", "salt", "hash")
# Field names that hold a citizen's identity or contact: kept out of the append-only log
# (officials' names, first_name and last_name, stay: who administers is the log's point).
PERSONAL = frozenset(
    {
        "id_number",
        "full_name",
        "applicant_name",
        "representative_name",
        "collector_name",
        "post_address",
        "provider_subject",
        "applicant_id_number",
        "representative_id_number",
        "collector_id_number",
        "phone",
        "email",
        "address",
        "birth_date",
        "search_numbers",
        "oidc_sub",
    }
)
# A name that contains a secret part but is none (a code's key is not a key to anything).
NOT_SECRET = frozenset({"code", "key_code"})


class Kind(StrEnum):
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    IMPORT = "import"


def masked(name: str) -> bool:
    """Whether a field's values are kept out of the log (only "changed" is recorded)."""
    lowered = name.lower()
    if lowered in NOT_SECRET:
        return False
    if lowered in PERSONAL or lowered.endswith("_id_number"):
        return True
    return any(part in lowered.split("_") for part in SECRET_PARTS)


def field_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The fields that differ between two snapshots, as {name: [old, new]} or "changed".

    A snapshot of None is the object's absence: every field is new at an addition and gone at
    a deletion. A masked field appears only when its value is set or changes.
    """
    old = before or {}
    new = after or {}
    changes: dict[str, Any] = {}
    for name in sorted(set(old) | set(new)):
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        changes[name] = CHANGED if masked(name) else [was, now]
    return changes


def kind_of(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Kind | None:
    """Add, change or delete, from which snapshots exist; None when neither does."""
    if before is None and after is None:
        return None
    if before is None:
        return Kind.ADD
    if after is None:
        return Kind.DELETE
    return Kind.CHANGE
