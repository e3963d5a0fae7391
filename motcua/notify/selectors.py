"""The reads of the outbox."""

from __future__ import annotations

from datetime import datetime

from motcua.notify.models import OutboxMessage


def outbox_backlog(*, now: datetime) -> int:
    """Messages due and not yet sent nor given up (the worker's queue, by its outbox_pending
    index), for /metrics."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, failed_at__isnull=True, available_at__lte=now
    ).count()
