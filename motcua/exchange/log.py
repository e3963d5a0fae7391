"""The message log as a keyed hash chain, made as the administrative log's is
(motcua/adminlog/chain.py): each row's hash is HMAC-SHA256 under the audit key over the
previous row's hash and the row's canonical JSON, so an edited, inserted or deleted row breaks
it. Rows keep the message as it travelled and its signature (X-Road's message log)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from motcua.chains import Words, chain_check
from motcua.dossiers.events import GENESIS, event_hash
from motcua.exchange.models import LogEntry, LogHead

# Told apart from the other chains' bodies, so that no row of one passes for another's.
CHAIN = "exchange"
# How a break of this chain is told (motcua.chains.chain_check).
WORDS = Words(
    missing="thiếu dòng số {seq}",
    link="liên kết với dòng trước bị sai",
    edited="nội dung dòng nhật ký đã bị sửa",
    last="dòng cuối cùng của nhật ký đã bị xóa hoặc sửa",
)


def entry_body(row: LogEntry) -> dict[str, Any]:
    """The fields a row's hash covers: all of them but its own hash."""
    return {
        "chain": CHAIN,
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "kind": row.kind,
        "peer": row.peer,
        "message_id": row.message_id,
        "type": row.type,
        "dossier": row.dossier,
        "message": row.message,
        "signature": row.signature,
        "detail": row.detail,
    }


def log_append(
    *,
    kind: str,
    now: datetime,
    peer: str = "",
    message_id: str = "",
    type: str = "",
    dossier: str = "",
    message: str = "",
    signature: str = "",
    detail: dict[str, Any] | None = None,
) -> LogEntry:
    """Append one row after the head (locked until the caller's transaction ends)."""
    with transaction.atomic():
        head = LogHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = LogHead.objects.create(pk=1, seq=0, hash=GENESIS)
        row = LogEntry(
            seq=head.seq + 1,
            at=now,
            kind=kind,
            peer=peer[:64],
            message_id=message_id[:64],
            type=type[:20],
            dossier=dossier[:64],
            message=message,
            signature=signature[:200],
            # As JSON stores it: what is hashed now is what verification reads back.
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_hash=head.hash,
        )
        row.hash = event_hash(row.prev_hash, entry_body(row))
        row.save()
        LogHead.objects.filter(pk=1).update(seq=row.seq, hash=row.hash)
    return row


@dataclass(frozen=True)
class LogReport:
    """How many rows were checked, and each break: (the row's seq or None, what)."""

    entries: int
    problems: list[tuple[int | None, str]]


def verify_log() -> LogReport:
    """Check every link of the chain, in seq order, and that the head is its last row."""
    head = LogHead.objects.filter(pk=1).values_list("seq", "hash").first()
    count, problems = chain_check(
        LogEntry.objects.order_by("seq").iterator(chunk_size=2000), entry_body, head, WORDS
    )
    return LogReport(count, problems)
