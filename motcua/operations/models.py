"""What the running service records about itself: the workers' heartbeats."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """One row per worker process (host and pid), its last finished pass; `/healthz` and
    `/metrics` read the newest. Rewritten in place: as many rows as workers ever ran."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        # Read by operations.selectors.last_worker_beat (the newest beat).
        indexes = [models.Index(fields=["-beat_at"], name="operations_beat_newest")]

    def __str__(self) -> str:
        return f"{self.worker} {self.beat_at:%Y-%m-%d %H:%M:%S}"
