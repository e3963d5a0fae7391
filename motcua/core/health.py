"""Whether the service is healthy (`/healthz`): the database answers and a worker has finished
a pass recently enough. Pure: the moments are parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Health", "health", "worker_lag"]


@dataclass(frozen=True)
class Health:
    """The verdict and what it rests on (no personal data: only times)."""

    ok: bool
    database_ok: bool
    last_beat: datetime | None
    lag_seconds: float | None
    worker_ok: bool


def worker_lag(last_beat: datetime | None, now: datetime) -> float | None:
    """Seconds since the last beat (never negative: a clock a little ahead is no lag), or
    None when no worker ever beat."""
    if last_beat is None:
        return None
    return max(0.0, (now - last_beat).total_seconds())


def health(
    *, database_ok: bool, last_beat: datetime | None, now: datetime, max_lag_seconds: int
) -> Health:
    """Healthy when the database answers and the last beat is at most max_lag_seconds old;
    no beat at all is unhealthy (deadlines and the outbox would stand still)."""
    lag = worker_lag(last_beat, now)
    worker_ok = lag is not None and lag <= max_lag_seconds
    return Health(
        ok=database_ok and worker_ok,
        database_ok=database_ok,
        last_beat=last_beat,
        lag_seconds=lag,
        worker_ok=worker_ok,
    )
