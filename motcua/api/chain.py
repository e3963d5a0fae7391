"""The API call record's keyed hash chain, made as the administrative log's is
(motcua/adminlog/chain.py): each row's hash is HMAC-SHA256 under the audit key over the
previous row's hash and the row's canonical JSON, so an edited, inserted or deleted row breaks
it, and only the holder of the key (kept outside the database) could re-hash it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from motcua.api.models import ApiCall, ApiCallHead
from motcua.chains import Words, chain_check
from motcua.dossiers.events import event_hash

# Told apart from the other chains' bodies, so that no row of one passes for another's.
CHAIN = "api"
# How a break of this chain is told (motcua.chains.chain_check).
WORDS = Words(
    missing="thiếu lần gọi số {seq}",
    link="liên kết với lần gọi trước bị sai",
    edited="nội dung lần gọi đã bị sửa",
    last="lần gọi cuối cùng đã bị xóa hoặc sửa",
)


def call_body(row: ApiCall) -> dict[str, Any]:
    """The fields a call's hash covers: all of them but its own hash."""
    return {
        "chain": CHAIN,
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(),
        "client": row.client_id,
        "client_name": row.client_name,
        "method": row.method,
        "path": row.path,
        "status": row.status,
        "error": row.error_code,
        "idempotency_key": row.idempotency_key,
        "body": row.body_digest,
        "request_id": row.request_id,
        "address": row.address,
    }


def seal(row: ApiCall, prev_hash: str) -> None:
    """Link `row` after `prev_hash` and set its hash."""
    row.prev_hash = prev_hash
    row.hash = event_hash(prev_hash, call_body(row))


@dataclass(frozen=True)
class ChainReport:
    """How many calls were checked, and each break: (the call's seq or None, what)."""

    calls: int
    problems: list[tuple[int | None, str]]


def verify_call_chain() -> ChainReport:
    """Check every link of the chain, in seq order, and that the head is its last row."""
    head = ApiCallHead.objects.filter(pk=1).values_list("seq", "hash").first()
    count, problems = chain_check(
        ApiCall.objects.order_by("seq").iterator(chunk_size=2000), call_body, head, WORDS
    )
    return ChainReport(count, problems)
