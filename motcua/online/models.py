"""Online submission: a citizen's drafts (the e-form's values, the papers attached or taken
from results issued earlier), the watch on an online dossier's reception, and the requests
for papers the system already held (declare once, DOMAIN §13)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class Draft(models.Model):
    """An e-form being filled: resumed until submitted, or closed after a while (worker)."""

    class State(models.TextChoices):
        OPEN = "open", "Đang soạn"
        SUBMITTED = "submitted", "Đã nộp"
        CLOSED = "closed", "Đã đóng"

    citizen = models.ForeignKey("citizens.Citizen", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        "organization.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField(default=dict, blank=True)
    delivery = models.CharField(max_length=20, blank=True)
    post_address = models.CharField(max_length=300, blank=True)
    # What the fee is counted on, as the citizen declares it (`core.fees.asks`): the copies,
    # and the pages of each copy for a fee per page (2.000815 chứng thực).
    copies = models.PositiveSmallIntegerField(default=1)
    pages = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # The dossier's idempotency key: a double submission makes one dossier.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.OneToOneField(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        indexes = [
            # Read by the worker (drafts_close_stale): open drafts by their last change.
            models.Index(
                fields=["updated_at"], name="draft_open_by_change", condition=Q(state="open")
            ),
            models.Index(fields=["citizen", "state"], name="draft_by_citizen"),
        ]


class DraftPaper(models.Model):
    """A required paper of a draft: a file the citizen attached, or a result this system
    issued to them earlier (`source`, the dossier it came from), taken by reference."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="papers")
    document = models.ForeignKey(
        "catalog.RequiredDocument", on_delete=models.PROTECT, related_name="+"
    )
    file = models.CharField(max_length=300, blank=True)  # storage name, under drafts/
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    source = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "document"], name="one_paper_per_document"),
            models.CheckConstraint(
                condition=~Q(file="") | Q(source__isnull=False), name="paper_file_or_source"
            ),
        ]


class ReceptionWatch(models.Model):
    """The online reception's clock of one dossier: when its desk was alerted, when it
    turned late (not accepted nor sent back within the limit)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    arrived_at = models.DateTimeField()
    alerted_at = models.DateTimeField(null=True, blank=True)
    late_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)  # accepted, sent back or refused

    class Meta:
        indexes = [
            # Read by the worker (online_watch): dossiers still awaiting their reception check.
            models.Index(fields=["arrived_at"], name="watch_open", condition=Q(done_at=None)),
        ]


class HeldPaperRequest(models.Model):
    """The desk asked for a paper the system already held (taken by reference): why, by whom
    (DOMAIN §13: counted per agency)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("organization.Agency", on_delete=models.PROTECT, related_name="+")
    paper = models.CharField(max_length=500)
    reason = models.TextField()
    by_user_id = models.IntegerField(null=True)
    at = models.DateTimeField()
