"""Whether a dossier is overdue, and how urgent it is: the one rule that every list, filter,
badge, page and the worker read (DOMAIN §4-§5).

The agency's clock runs in statuses 2, 4 and 6. While the dossier waits for the citizen's
supplement (5) the clock is paused and its due date moves by the pause: it is never overdue
then, wherever it is shown; it waits for the citizen. A finished dossier (3, 7, 8, 9, 10) has
no running deadline either: whether it ended late is the hand-over's and the statistics'
verdict, not this one's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from motcua.core.errors import _
from motcua.core.lifecycle import CLOCK_RUNS, Status

__all__ = ["CLOCK_RUNS", "PAUSED", "Bucket", "bucket", "clock_runs", "overdue"]

PAUSED = frozenset({Status.SUPPLEMENT})


class Bucket(StrEnum):
    """The inbox's urgency buckets, most urgent first (the order lists are sorted by)."""

    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"
    LATER = "later"
    PAUSED = "paused"
    # A visit that ended with a supplement request at reception (form 02): no dossier was
    # received and no clock started, so it is shown apart and never counted as running.
    GUIDED = "guided"

    @property
    def label(self) -> str:
        return BUCKET_LABELS[self]

    @property
    def rank(self) -> int:
        """The position in the urgency order (0: most urgent)."""
        return list(Bucket).index(self)


BUCKET_LABELS: dict[Bucket, str] = {
    Bucket.OVERDUE: _("Quá hạn"),
    Bucket.TODAY: _("Đến hạn hôm nay"),
    Bucket.SOON: _("Sắp đến hạn"),
    Bucket.LATER: _("Còn hạn"),
    Bucket.PAUSED: _("Chờ công dân bổ sung"),
    Bucket.GUIDED: _("Đã hướng dẫn bổ sung"),
}


def clock_runs(status: Status | int) -> bool:
    """Whether the agency's clock runs in this status."""
    return status in CLOCK_RUNS


def overdue(status: Status | int, due_at: datetime | None, *, now: datetime) -> bool:
    """Past its due time with the agency's clock running: the dossier (`due_at`) or its open
    step (the step's due time) is overdue. Never while paused or finished."""
    return clock_runs(status) and due_at is not None and due_at < now


def guided(status: Status | int, *, received: bool) -> bool:
    """A visit the desk ended by listing what to complete (form 02) before receiving
    anything: the citizen was guided, no dossier runs."""
    return status == Status.SUPPLEMENT and not received


def bucket(
    status: Status | int,
    due_at: datetime | None,
    *,
    now: datetime,
    today_end: datetime,
    soon: datetime,
    received: bool = True,
) -> Bucket:
    """Which urgency bucket a dossier falls in: a guided visit apart, paused ones wait for the
    citizen, the rest by how close their due time is; one whose clock is not running (a result
    waiting at the desk) is not pressing."""
    if guided(status, received=received):
        return Bucket.GUIDED
    if status in PAUSED:
        return Bucket.PAUSED
    if not clock_runs(status) or due_at is None:
        return Bucket.LATER
    if due_at < now:
        return Bucket.OVERDUE
    if due_at <= today_end:
        return Bucket.TODAY
    if due_at <= soon:
        return Bucket.SOON
    return Bucket.LATER
