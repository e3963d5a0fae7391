"""Writing the administrative log: one row per object changed, chained, in the caller's
transaction (so a change and its record commit or roll back together)."""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.adminlog.chain import seal
from motcua.adminlog.models import AdminChainHead, AdminChange
from motcua.dossiers.events import GENESIS


@dataclass(frozen=True)
class Who:
    """Who made a change, and from where (an import command has no user nor address)."""

    source: str
    user_id: int | None = None
    username: str = ""
    address: str | None = None


@dataclass(frozen=True)
class Change:
    """One object's change, as `core.adminlog.field_changes` describes it."""

    kind: str
    model: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


def admin_changes_record(*, who: Who, changes: Iterable[Change], now: datetime) -> int:
    """Append `changes` to the chain after its head (locked to the commit); return how many."""
    pending = list(changes)
    if not pending:
        return 0
    with transaction.atomic():
        head, _ = AdminChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS}
        )
        rows = []
        seq, prev = head.seq, head.hash
        for change in pending:
            seq += 1
            row = AdminChange(
                seq=seq,
                at=now,
                user_id=who.user_id,
                username=who.username[:150],
                address=who.address,
                source=who.source[:40],
                kind=change.kind,
                model=change.model[:100],
                object_id=change.object_id[:64],
                object_repr=change.object_repr[:200],
                # As JSON stores it: what is hashed now is what verification reads back.
                changes=json.loads(json.dumps(change.changes, default=str)),
            )
            seal(row, prev)
            prev = row.hash
            rows.append(row)
        AdminChange.objects.bulk_create(rows)
        AdminChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return len(rows)


def command_who(command: str) -> Who:
    """A management command as the author of a change: its name and the system user."""
    try:
        username = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        username = ""
    return Who(source=command, username=username)


def file_digests(paths: Iterable[Path]) -> dict[str, str]:
    """Each file's SHA-256, by its name: what an import read, provably."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
