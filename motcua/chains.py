"""What the keyed hash chains of records share (the administrative log, the API's call record,
the liên thông message log): each row carries its `seq`, the previous row's hash and its own,
an HMAC-SHA256 under the audit key over both (motcua/dossiers/events.py `event_hash`), and a
head row keeps the last seq and hash, so an edited, inserted or deleted row, the last one
included, breaks the chain. Each chain keeps its own body (the fields its hash covers, with the
chain's name, so that no row of one passes for another's) and says a break in its own words."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from motcua.dossiers.events import GENESIS, event_hash


class Link(Protocol):
    seq: int
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Words:
    """How one chain names its breaks: a missing row (with `{seq}`), a wrong link, an edited
    row, a last row deleted or edited."""

    missing: str
    link: str
    edited: str
    last: str


def chain_check(
    rows: Iterable[Link],
    body: Callable[[Any], dict[str, Any]],
    head: tuple[int, str] | None,
    words: Words,
) -> tuple[int, list[tuple[int | None, str]]]:
    """Check every link of `rows` (in seq order) and that `head` (None: no head row yet) is
    the last of them; how many rows were read, and each break as (its seq or None, what)."""
    problems: list[tuple[int | None, str]] = []
    prev, expected, count = GENESIS, 1, 0
    for row in rows:
        count += 1
        if row.seq != expected:
            problems.append((row.seq, words.missing.format(seq=expected)))
        if row.prev_hash != prev:
            problems.append((row.seq, words.link))
        if not hmac.compare_digest(row.hash, event_hash(row.prev_hash, body(row))):
            problems.append((row.seq, words.edited))
        prev, expected = row.hash, row.seq + 1
    if (head or (0, GENESIS)) != (expected - 1, prev):
        problems.append((None, words.last))
    return count, problems
