"""The writes of operations: a worker's heartbeat."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from motcua.operations.models import WorkerBeat


def worker_name() -> str:
    """This process as a worker: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def worker_beat_record(*, worker: str, now: datetime) -> None:
    """Record that this worker finished a pass at `now` (one row per worker, upserted)."""
    WorkerBeat.objects.update_or_create(worker=worker, defaults={"beat_at": now})
