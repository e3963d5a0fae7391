"""The reads of operations: is the database there, when did a worker last beat."""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError, connection

from motcua.operations.models import WorkerBeat


def database_answers() -> bool:
    """A trivial query; False if the database cannot be reached or refuses it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def last_worker_beat() -> datetime | None:
    """The newest heartbeat of any worker, or None (never, or the database is down)."""
    try:
        beat = WorkerBeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except DatabaseError:
        return None
    return beat
