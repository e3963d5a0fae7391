"""An administrator's replays and discards of dead letters: each changes the outbox and is
recorded in the administrative log's chain in one transaction (both or neither)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction

from motcua.adminlog.services import Change, Who, admin_changes_record
from motcua.core.errors import DomainError
from motcua.notify.services import (
    DeadLetterChange,
    outbox_discard,
    outbox_replay,
    outbox_replay_channel,
)

log = logging.getLogger(__name__)
MODEL = "notify.outboxmessage"


def _recorded(changes: Sequence[DeadLetterChange], who: Who, now: datetime) -> None:
    admin_changes_record(
        who=who,
        changes=[
            Change(
                kind="change",
                model=MODEL,
                object_id=str(c.message_id),
                object_repr=f"{c.channel} #{c.message_id}",
                changes={**c.changes, "channel": c.channel},
            )
            for c in changes
        ],
        now=now,
    )


@contextmanager
def _logged_refusal(what: str, target: object, who: Who) -> Iterator[None]:
    """A refusal (not a dead letter, not found) goes to the log with its code, then on."""
    try:
        yield
    except DomainError as exc:
        log.warning("outbox: %s of %s by %s refused: %s", what, target, who.username, exc.code)
        raise


def dead_letter_replay(*, message_id: int, who: Who, now: datetime) -> DeadLetterChange:
    """Send a dead letter again from the next pass (refused unless it is one)."""
    with _logged_refusal("replay", message_id, who), transaction.atomic():
        change = outbox_replay(message_id=message_id, now=now)
        _recorded([change], who, now)
    log.info("outbox: message %s replayed by %s", message_id, who.username)
    return change


def dead_letter_discard(*, message_id: int, who: Who, now: datetime) -> DeadLetterChange:
    """Set a dead letter aside for good, kept for the record (refused unless it is one)."""
    with _logged_refusal("discard", message_id, who), transaction.atomic():
        change = outbox_discard(message_id=message_id, now=now)
        _recorded([change], who, now)
    log.info("outbox: message %s discarded by %s", message_id, who.username)
    return change


def dead_letters_replay_channel(*, channel: str, who: Who, now: datetime) -> int:
    """Send every dead letter of a channel again (after its receiver's outage); how many."""
    with transaction.atomic():
        changes = outbox_replay_channel(channel=channel, now=now)
        _recorded(changes, who, now)
    log.info("outbox: %s dead letters of %s replayed by %s", len(changes), channel, who.username)
    return len(changes)
