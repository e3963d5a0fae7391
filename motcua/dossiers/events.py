"""The dossier's event log as a hash chain: each event carries the hash of the one before it,
so an edited, inserted or deleted event breaks the chain (`motcua audit verify`).

The hash is keyed (HMAC-SHA256 under settings.AUDIT_KEY, kept outside the database): whoever
holds only the database login cannot compute it, so cannot re-hash an edited chain, renumber
one, or forge an event. What a key cannot see (a chain cut short with its head moved back, a
dossier deleted whole) the signed anchor does (motcua.dossiers.audit, docs/audit.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organization.selectors import Actor

GENESIS = "0" * 64

# The projection's columns that its events record as they change (payload "set"), so that
# `audit verify` can rebuild them; status, version and chain head come from the events' own
# columns. A column added to the dossier that an action changes belongs here.
AUDITED = (
    "code",
    "procedure_version_id",
    "citizen_id",
    "received_place_id",
    "receiving_agency_id",
    "competent_agency_id",
    "current_agency_id",
    "current_unit_id",
    "current_holder_id",
    "step_index",
    "step_count",
    "step_started_at",
    "step_due_at",
    "step_paused_seconds",
    "received_at",
    "due_at",
    "original_due_at",
    "finished_at",
    "returned_at",
    "warned_at",
    "overdue_at",
    "supplement_requests",
    "proposed",
    "proposed_by_id",
    "approved",
    "signed_step",
    "apology",
    # How the result was handed over (form 07's last columns).
    "delivery",
    "result_number",
    "collector",
    "collector_name",
    "collector_id_number",
    "collector_authorisation",
    "post_tracking",
)


def plain(value: Any) -> Any:
    """A column's value as events record it: instants in UTC ISO form, the rest as JSON has it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def projection_changes(before: Dossier | None, after: Dossier) -> dict[str, Any]:
    """The audited columns an action changed (every one, for a new dossier), as recorded."""
    return {
        name: plain(getattr(after, name))
        for name in AUDITED
        if before is None or plain(getattr(after, name)) != plain(getattr(before, name))
    }


def canonical_json(value: Any) -> str:
    """The one JSON spelling of a value that hashes and signatures cover."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, body: dict[str, Any], key: str | None = None) -> str:
    """HMAC-SHA256 under the audit key over the previous hash and the event's canonical JSON."""
    secret = (settings.AUDIT_KEY if key is None else key).encode()
    message = (prev_hash + canonical_json(body)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


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


def chain_event(
    dossier: Dossier,
    *,
    action: Action,
    actor: Actor,
    now: datetime,
    from_status: Status | None,
    payload: dict[str, Any],
) -> DossierEvent:
    """The next event of `dossier`'s chain, not yet saved.

    `dossier` is the projection after the action, its version already moved on: the event's
    seq is that version, and its hash becomes the dossier's new chain head.
    """
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
        # As JSON stores it: what is hashed now is what verification reads back.
        payload=json.loads(json.dumps(payload, default=str)),
        prev_hash=dossier.chain_head,
    )
    event.hash = event_hash(event.prev_hash, event_body(event))
    return event


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
        if event.hash != event_hash(event.prev_hash, event_body(event)):
            problems.append((label, event.seq, "nội dung sự kiện đã bị thay đổi"))
        prev[event.dossier_id] = event.hash
        expected_seq[event.dossier_id] = event.seq + 1
        heads[event.dossier_id] = (label, event.dossier.chain_head, event.seq)
    for dossier_id, (label, head, seq) in heads.items():
        if head != prev[dossier_id]:
            problems.append((label, seq, "sự kiện cuối cùng đã bị xóa hoặc thay đổi"))
    return problems
