"""core.health: the verdict of /healthz, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from motcua.core.health import health, worker_lag

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("database_ok", "beat_ago", "ok", "worker_ok", "lag"),
    [
        (True, 10, True, True, 10.0),
        (True, 300, True, True, 300.0),  # at the limit: still fine
        (True, 301, False, False, 301.0),  # past it
        (True, None, False, False, None),  # no worker ever beat
        (False, 10, False, True, 10.0),  # the database is down
        (True, -5, True, True, 0.0),  # the worker's clock a little ahead
    ],
    ids=["fresh", "at-limit", "stale", "never", "database-down", "clock-ahead"],
)
def test_the_verdict(database_ok, beat_ago, ok, worker_ok, lag):
    last = None if beat_ago is None else NOW - timedelta(seconds=beat_ago)
    verdict = health(database_ok=database_ok, last_beat=last, now=NOW, max_lag_seconds=300)
    assert (verdict.ok, verdict.worker_ok, verdict.lag_seconds) == (ok, worker_ok, lag)
    assert verdict.database_ok is database_ok
    assert verdict.last_beat == last


def test_no_beat_has_no_lag():
    assert worker_lag(None, NOW) is None
