"""The portal simulator's memory (a TEST DOUBLE of the national portal): what it was sent,
what it filed, and what it was told to do wrong. Only `motcua.simulator.services` and its
views write these tables."""

from __future__ import annotations

from django.db import models


class SimulatorControl(models.Model):
    """What the simulator is told to do to the next syncs (one row, pk 1)."""

    fail_next = models.PositiveIntegerField(default=0)  # answer HTTP 500 without recording
    lose_next = models.PositiveIntegerField(default=0)  # record, then answer 504 (a lost answer)
    delay_seconds = models.PositiveIntegerField(default=0)  # wait before answering (demo only)


class ReceivedRecord(models.Model):
    """One record the simulator acknowledged, once per Idempotency-Key, as the portal dedupes."""

    key = models.CharField(max_length=200, unique=True)
    portal_ref = models.CharField(max_length=50, blank=True)  # MaHoSoQG
    code = models.CharField(max_length=50, blank=True)  # MaHoSo
    seq = models.PositiveIntegerField()  # SoThuTu
    status = models.PositiveSmallIntegerField()  # TrangThaiHoSo
    record = models.JSONField()
    received_at = models.DateTimeField()
    deliveries = models.PositiveIntegerField(default=1)  # times it came with this key

    class Meta:
        ordering = ["id"]


class Submission(models.Model):
    """One dossier the simulator filed on this installation, as the national portal would."""

    portal_ref = models.CharField(max_length=50)  # MaHoSoQG
    key = models.CharField(max_length=200)  # the Idempotency-Key it was sent with
    payload = models.JSONField()
    sent_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField()
    answer = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
