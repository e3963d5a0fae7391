"""The outbox: messages written in the same transaction as the change they announce."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """One notification to deliver (email now; SMS and portal adapters later)."""

    channel = models.CharField(max_length=20, default="email")
    recipient = models.CharField(max_length=300)
    subject = models.CharField(max_length=300, blank=True)
    # Written from templates at delivery, not in the transaction that queued it (rendering
    # costs more than the rest of a dossier action): `template` names a folder with
    # subject.txt, message.txt and message.html, filled from `context`. The text sent is
    # kept in subject, body and html.
    template = models.CharField(max_length=100, blank=True)
    context = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)  # plain text
    html = models.TextField(blank=True)  # the same message as HTML, when there is one
    # Not indexed: read only through the message itself, and every dossier action that tells
    # the citizen inserts a row here (dossiers are never deleted, so the cascade never runs).
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    # Makes scheduling idempotent: the same event never queues the same message twice.
    # Unique through Meta.constraints: a plain index, without the LIKE twin unique=True adds.
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    available_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Given up after MAX_ATTEMPTS failures: kept for the record, never counted as sent.
    failed_at = models.DateTimeField(null=True, blank=True)
    # A dead letter an administrator set aside (the integrations screen): kept for the record
    # with its failed_at, never sent, never offered again.
    discarded_at = models.DateTimeField(null=True, blank=True)
    # Tries so far: counted when a worker claims the message, so that one that kills every
    # worker trying it is given up on too.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The worker delivering it (committed before the mail leaves) and since when: a lease.
    # Another worker takes the message only once the lease has run out, the window in which a
    # worker that died between sending and recording it sends it a second time.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            # Read by the worker's delivery loop.
            models.Index(
                fields=["available_at"],
                name="outbox_pending",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            ),
            # Read by the dead-letter screen (motcua.integrations): given up, not set aside.
            models.Index(
                fields=["channel", "failed_at"],
                name="outbox_dead_letters",
                condition=Q(
                    sent_at__isnull=True, failed_at__isnull=False, discarded_at__isnull=True
                ),
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key")]
