"""The administrative log's keyed hash chain, made as the dossiers' events are
(motcua/dossiers/events.py): each row's hash is HMAC-SHA256 under the audit key over the
previous row's hash and the row's canonical JSON, so an edited, inserted or deleted row breaks
it, and only the holder of the key (kept outside the database) could re-hash it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from motcua.adminlog.models import AdminChainHead, AdminChange
from motcua.chains import Words, chain_check
from motcua.dossiers.events import event_hash

# Told apart from a dossier's event body, so that no row of one chain passes for the other's.
CHAIN = "admin"
# How a break of this chain is told (motcua.chains.chain_check).
WORDS = Words(
    missing="thiếu thay đổi số {seq}",
    link="liên kết với thay đổi trước bị sai",
    edited="nội dung thay đổi đã bị sửa",
    last="thay đổi cuối cùng đã bị xóa hoặc sửa",
)


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
    head = AdminChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    count, problems = chain_check(
        AdminChange.objects.order_by("seq").iterator(chunk_size=2000), change_body, head, WORDS
    )
    return ChainReport(count, problems)
