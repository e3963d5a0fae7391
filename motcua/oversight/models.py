"""The rows dashboards read: sums of the core's contributions (`core.indicators`), by day and
by month, kept up to date by the worker (`services.tallies_refresh`) from the event log.

Nothing here is a source of truth: every row can be rebuilt from the events, and a test does
so on the demo data and requires equality.
"""

from __future__ import annotations

from django.db import models


class Grain(models.TextChoices):
    DAY = "d", "ngày"
    MONTH = "m", "tháng"


def _count() -> models.IntegerField[int, int]:
    return models.IntegerField(default=0)


def _seconds() -> models.BigIntegerField[int, int]:
    return models.BigIntegerField(default=0)


class AgencyTally(models.Model):
    """The dossiers of one agency and procedure: contributions dated on one day or month.

    Figures for a period add whole months' rows and the edge days' rows (core Period.months)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()  # the day, or the month's first day
    agency = models.ForeignKey(
        "organization.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    received = _count()
    received_online = _count()
    finished = _count()
    early = _count()
    on_time = _count()
    late = _count()
    late_agency = _count()
    late_supplements = _count()
    late_integration = _count()
    agency_seconds = _seconds()
    citizen_seconds = _seconds()
    integration_seconds = _seconds()
    statutory_seconds = _seconds()
    timed = _count()
    electronic_result = _count()
    fee_bearing = _count()
    paid_online = _count()
    open_delta = _count()
    late_open_delta = _count()
    ratings = _count()
    ratings_at_desk = _count()
    rating_points = _count()
    rating_points_at_desk = _count()
    dislikes = _count()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "agency", "procedure", "day"], name="agency_tally_key"
            )
        ]
        indexes = [models.Index(fields=["grain", "day"], name="agency_tally_by_day")]


class StepTally(models.Model):
    """The finished steps of one agency, unit, holder, procedure and step: by day or month."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    agency = models.ForeignKey(
        "organization.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    holder_id = models.IntegerField()  # the user who held it; 0 when the step names no one
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    step_index = models.PositiveSmallIntegerField()
    steps = _count()
    early = _count()
    on_time = _count()
    late = _count()
    held_seconds = _seconds()
    overrun_seconds = _seconds()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "agency", "unit", "holder_id", "procedure", "step_index", "day"],
                name="step_tally_key",
            )
        ]
        indexes = [
            models.Index(fields=["grain", "day"], name="step_tally_by_day"),
            models.Index(fields=["holder_id", "grain", "day"], name="step_tally_by_holder"),
        ]


class DossierTally(models.Model):
    """What one dossier last contributed, so that a change subtracts it before adding anew;
    with its verdict, so that every figure drills down to the dossiers behind it."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField()  # the dossier's version it was computed from
    rated = models.BooleanField(default=False)
    parts = models.JSONField(default=list)  # [[table, key, day, {field: n}], ...]
    agency_id = models.IntegerField()
    procedure_id = models.IntegerField()
    received_on = models.DateField()
    ended_on = models.DateField(null=True)  # the end the on-time rule uses
    outcome = models.CharField(max_length=10, blank=True)  # core Outcome; "" while open
    cause = models.CharField(max_length=12, blank=True)  # core Cause of a late one
    late_on = models.DateField(null=True)  # the day it became (or becomes) late while open

    class Meta:
        indexes = [
            models.Index(fields=["agency_id", "received_on"], name="dossier_tally_received"),
            models.Index(fields=["agency_id", "ended_on"], name="dossier_tally_ended"),
        ]


class Cursor(models.Model):
    """How far the refresh has read a log (events, ratings), with the gaps it waits on."""

    name = models.CharField(max_length=20, primary_key=True)
    position = models.BigIntegerField(default=0)  # every id up to here has been read
    # The ids missing after `position` (a transaction not yet committed, or rolled back):
    # the first id of each gap -> since when the refresh has seen it missing (ISO 8601).
    gaps = models.JSONField(default=dict)
