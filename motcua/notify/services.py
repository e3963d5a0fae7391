"""Writing to and delivering from the outbox."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import translation

from motcua.notify.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def outbox_message(
    *,
    recipient: str,
    template: str,
    context: dict[str, Any],
    dossier_id: int | None,
    dedupe_key: str,
    now: datetime,
) -> OutboxMessage:
    """A message for the outbox, not yet queued (see `outbox_queue`): written at delivery
    from the templates in the folder `template` (subject.txt, message.txt, message.html),
    filled from `context`, which must be JSON."""
    return OutboxMessage(
        channel="email",
        recipient=recipient,
        template=template,
        context=context,
        dossier_id=dossier_id,
        dedupe_key=dedupe_key,
        created_at=now,
        available_at=now,
    )


def outbox_queue(messages: Sequence[OutboxMessage]) -> None:
    """Queue messages in the caller's transaction, so they go out only if its change commits;
    a dedupe key already queued is skipped, so a retried change never mails twice."""
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)


def outbox_deliver(*, now: datetime, batch: int = 100) -> int:
    """Send due messages; safe with several workers (rows are claimed with SKIP LOCKED)."""
    sent = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, available_at__lte=now
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        for message in pending.order_by("available_at", "id")[:batch]:
            try:
                if message.template and not message.body:
                    _compose(message)
                _send(message)
            except Exception as exc:
                message.attempts += 1
                message.last_error = str(exc)[:2000]
                # Back off exponentially; give up after MAX_ATTEMPTS, kept for the record as
                # failed (never as sent), for an administrator to see and send again.
                delay = timedelta(minutes=2**message.attempts)
                message.available_at = now + delay if message.attempts < MAX_ATTEMPTS else now
                if message.attempts >= MAX_ATTEMPTS:
                    message.failed_at = now
                    log.error("outbox: giving up on message %s: %s", message.pk, exc)
                message.save(update_fields=["attempts", "last_error", "available_at", "failed_at"])
                continue
            message.sent_at = now
            message.attempts += 1
            message.save(update_fields=["subject", "body", "html", "sent_at", "attempts"])
            sent += 1
    return sent


def outbox_mark_sent(*, now: datetime) -> int:
    """Record every message still waiting as sent at `now`, without sending it (a history
    played into the database, whose notifications went out back then); how many."""
    return OutboxMessage.objects.filter(sent_at__isnull=True).update(sent_at=now)


def _send(message: OutboxMessage) -> None:
    """Mail one message: plain text, with its HTML version beside it when it has one."""
    mail = EmailMultiAlternatives(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient]
    )
    if message.html:
        mail.attach_alternative(message.html, "text/html")
    mail.send()


def _compose(message: OutboxMessage) -> None:
    """Write the message from its templates, in the site's language (the recipient's screen
    language is not known), keeping the text for the record."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{message.template}/subject.txt", message.context)
        message.subject = " ".join(subject.split())[:300]  # one line: a header
        message.body = render_to_string(f"{message.template}/message.txt", message.context)
        message.html = render_to_string(f"{message.template}/message.html", message.context)
