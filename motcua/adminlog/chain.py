"""The administrative log's keyed hash chain, made as the dossiers' events are
(motcua/dossiers/events.py): each row's hash is HMAC-SHA256 under the audit key over the
previous row's hash and the row's canonical JSON, so an edited, inserted or deleted row breaks
it, and only the holder of the key (kept outside the database) could re-hash it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from motcua.adminlog.models import AdminChainHead, AdminChange
from motcua.dossiers.events import GENESIS, event_hash

# Told apart from a dossier's event body, so that no row of one chain passes for the other's.
CHAIN = "admin"


def change_body(row: AdminChange) -> dict[str, Any]:
    """The fields a change's hash covers: all of them but its own hash."""
    return {
        "chain": CHAIN,
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "user": row.user_id,
        "username": row.username,
        "address": row.address,
        "source": row.source,
        "kind": row.kind,
        "model": row.model,
        "object": row.object_id,
        "repr": row.object_repr,
        "changes": row.changes,
    }


def seal(row: AdminChange, prev_hash: str) -> None:
    """Link `row` after `prev_hash` and set its hash."""
    row.prev_hash = prev_hash
    row.hash = event_hash(prev_hash, change_body(row))


@dataclass(frozen=True)
class ChainReport:
    """How many changes were checked, and each break: (the change's seq or None, what)."""

    changes: int
    problems: list[tuple[int | None, str]]


def verify_admin_chain() -> ChainReport:
    """Check every link of the chain, in seq order, and that the head is its last row."""
    problems: list[tuple[int | None, str]] = []
    prev, expected, count = GENESIS, 1, 0
    for row in AdminChange.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if row.seq != expected:
            problems.append((row.seq, f"thiếu thay đổi số {expected}"))
        if row.prev_hash != prev:
            problems.append((row.seq, "liên kết với thay đổi trước bị sai"))
        if not hmac.compare_digest(row.hash, event_hash(row.prev_hash, change_body(row))):
            problems.append((row.seq, "nội dung thay đổi đã bị sửa"))
        prev, expected = row.hash, row.seq + 1
    head = AdminChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (expected - 1, prev):
        problems.append((None, "thay đổi cuối cùng đã bị xóa hoặc sửa"))
    return ChainReport(count, problems)
