"""The outbound sync with the National Public Service Portal, and the time dossiers wait on
other systems. Only `motcua.national.services` writes these tables."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class NationalSync(models.Model):
    """One record of one dossier's change for the portal (a status change or a result): when
    the change was made, what was sent, and when the portal acknowledged it. A dossier's
    records go in the order of `seq`, each only once the one before it is acknowledged."""

    # Not checked by the database, like every row under a dossier (motcua.dossiers.models).
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    seq = models.PositiveIntegerField()  # the event's seq: SoThuTu
    # The agency whose 766 index counts the dossier (competent, else receiving): the sync
    # rate's (indicator 1.4) scope.
    agency = models.ForeignKey(
        "organization.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    status = models.PositiveSmallIntegerField()  # TrangThaiHoSo of this record
    # The dossier's facts as this change left them (motcua.national.selectors.change_facts);
    # the papers, the result, the fees and the portal's data are added at the first try.
    facts = models.JSONField(default=dict)
    record = models.JSONField(null=True, blank=True)  # what was sent, the same on every try
    queued_at = models.DateTimeField()  # the change's moment
    attempts = models.PositiveSmallIntegerField(default=0)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=100, blank=True)  # the portal's acknowledgement id

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="one_sync_per_change")
        ]
        indexes = [
            # Read by the sync rate: an agency's records of a period.
            models.Index(fields=["agency", "queued_at"], name="sync_by_agency"),
            # Read by the order rule: a dossier's records not yet acknowledged.
            models.Index(
                fields=["dossier", "seq"],
                name="sync_waiting",
                condition=Q(acknowledged_at__isnull=True),
            ),
        ]


class IntegrationWait(models.Model):
    """Working time a dossier spent waiting on another system while its clock ran (the
    national portal's hand-over to this installation; later, steps at other installations).
    Oversight counts it apart (motcua.core.indicators: integration_seconds), so that a dossier
    late only by it is not the agency's delay. Written in the transaction of a change of the
    dossier, so the tallies' refresh, which recounts changed dossiers, reads it."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    # What was waited for: "portal" (from the submission on the national portal to the
    # arrival here); others add theirs (e.g. "exchange:<installation>").
    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=100, blank=True)  # one wait of that kind, e.g. a step
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    seconds = models.PositiveIntegerField()  # the working time of it inside the dossier's clock

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind", "key"], name="one_wait_per_key")
        ]
