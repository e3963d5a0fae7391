"""The reads of the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from motcua.core.deadletters import shortened, shown_recipient
from motcua.notify.models import OutboxMessage
from motcua.notify.services import channels_added


def outbox_backlog(*, now: datetime) -> int:
    """Messages due and not yet sent nor given up (the worker's queue, by its outbox_pending
    index), for /metrics."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, failed_at__isnull=True, available_at__lte=now
    ).count()


@dataclass(frozen=True)
class ChannelCounts:
    """One channel's messages not sent: waiting for a first try, retrying, given up."""

    channel: str
    waiting: int = 0
    retrying: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class DeadLetter:
    """A message given up on, as the dead-letter screen lists it: the recipient shown safely,
    the dossier by its code only, the last error shortened."""

    id: int
    channel: str
    recipient: str
    dossier_code: str
    attempts: int
    error: str
    failed_at: datetime


def outbox_channels() -> list[str]:
    """Every channel the outbox delivers: mail, text messages and those other apps added."""
    return ["email", "sms", *sorted(channels_added())]


def outbox_counts() -> list[ChannelCounts]:
    """Per channel (every known one, and any other found in the table), the messages waiting,
    retrying and given up (not set aside): two grouped counts, each on its partial index."""
    pending = (
        OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        .values("channel")
        .annotate(
            waiting=Count("id", filter=Q(attempts=0)),
            retrying=Count("id", filter=Q(attempts__gt=0)),
        )
    )
    dead = (
        _dead().values("channel").annotate(given_up=Count("id")).values_list("channel", "given_up")
    )
    found: dict[str, dict[str, int]] = {c: {} for c in outbox_channels()}
    for row in pending:
        found.setdefault(row["channel"], {}).update(
            waiting=row["waiting"], retrying=row["retrying"]
        )
    for channel, given_up in dead:
        found.setdefault(channel, {})["given_up"] = given_up
    return [ChannelCounts(channel=c, **counts) for c, counts in found.items()]


def dead_letters(*, channel: str = "") -> QuerySet[OutboxMessage]:
    """The messages given up on and not set aside, latest first, of one channel or all."""
    rows = _dead()
    if channel:
        rows = rows.filter(channel=channel)
    return (
        rows.annotate(dossier_code=F("dossier__code"))
        .only("id", "channel", "recipient", "attempts", "last_error", "failed_at")
        .order_by("-failed_at", "-id")
    )


def dead_letter_row(message: OutboxMessage) -> DeadLetter:
    """One message of `dead_letters` as the screen shows it."""
    assert message.failed_at is not None
    return DeadLetter(
        id=message.pk,
        channel=message.channel,
        recipient=shown_recipient(message.channel, message.recipient),
        dossier_code=getattr(message, "dossier_code", None) or "",
        attempts=message.attempts,
        error=shortened(message.last_error),
        failed_at=message.failed_at,
    )


def _dead() -> QuerySet[OutboxMessage]:
    """Given up, not sent, not set aside: the outbox_dead_letters index's condition."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, failed_at__isnull=False, discarded_at__isnull=True
    )
