"""Writing to and delivering from the outbox."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction

from motcua.notify.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def outbox_statement(
    *,
    recipient: str,
    subject: str,
    body: str,
    dossier,  # noqa: ANN001
    dedupe_key: str,
    now: datetime,
) -> tuple[str, list[object]]:
    """The INSERT that queues a message, for the caller to run in its own transaction (with its
    other writes); the same dedupe key is queued only once."""
    # One INSERT ... ON CONFLICT DO NOTHING instead of a read, a savepoint and a write; in
    # plain SQL because it runs on every dossier action and the ORM's compiler costs more
    # than the round trip. Both PostgreSQL and SQLite (3.24+) accept this statement.
    at = OutboxMessage._meta.get_field("created_at").get_db_prep_save(now, connection)
    return (
        "INSERT INTO notify_outboxmessage (channel, recipient, subject, body, dossier_id,"
        " dedupe_key, created_at, available_at, sent_at, attempts, last_error)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL, 0, '') ON CONFLICT DO NOTHING",
        [
            "email",
            recipient,
            subject[:300],
            body,
            dossier.pk if dossier is not None else None,
            dedupe_key,
            at,
            at,
        ],
    )


def outbox_deliver(*, now: datetime, batch: int = 100) -> int:
    """Send due messages; safe with several workers (rows are claimed with SKIP LOCKED)."""
    sent = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        for message in pending.order_by("available_at", "id")[:batch]:
            try:
                send_mail(
                    message.subject,
                    message.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [message.recipient],
                )
            except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
                message.attempts += 1
                message.last_error = str(exc)[:2000]
                # Back off exponentially; give up (kept for the record) after MAX_ATTEMPTS.
                delay = timedelta(minutes=2**message.attempts)
                message.available_at = now + delay if message.attempts < MAX_ATTEMPTS else now
                if message.attempts >= MAX_ATTEMPTS:
                    message.sent_at = now
                    log.error("outbox: giving up on message %s: %s", message.pk, exc)
                message.save(update_fields=["attempts", "last_error", "available_at", "sent_at"])
                continue
            message.sent_at = now
            message.attempts += 1
            message.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
