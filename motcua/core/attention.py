"""Why a dossier needs a leader's attention, said explicitly: each reason a plain value the
leader's view prints beside the dossier, so that a list "needing attention" says why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from motcua.core.errors import _
from motcua.core.lifecycle import Status
from motcua.core.urgency import PAUSED, clock_runs


class Reason(StrEnum):
    """One reason, most pressing first (the order they are listed in)."""

    OVERDUE = "overdue"
    STEP_OVERDUE = "step_overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    UNASSIGNED = "unassigned"
    WAITING = "waiting"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]

    @property
    def late(self) -> bool:
        """Whether the reason is a deadline already missed (shown with the "late" badge)."""
        return self in (Reason.OVERDUE, Reason.STEP_OVERDUE)


REASON_LABELS: dict[Reason, str] = {
    Reason.OVERDUE: _("Quá hạn trả kết quả"),
    Reason.STEP_OVERDUE: _("Quá hạn bước đang xử lý"),
    Reason.DUE_TODAY: _("Đến hạn hôm nay"),
    Reason.DUE_SOON: _("Sắp đến hạn (trong 2 ngày làm việc)"),
    Reason.UNASSIGNED: _("Chưa phân công người xử lý"),
    Reason.WAITING: _("Chờ công dân bổ sung"),
}

# Statuses in which someone of the unit must be named to work on the dossier.
NEEDS_HOLDER = frozenset({Status.RECEIVED, Status.PROCESSING})


def reasons(
    status: Status | int,
    *,
    due_at: datetime | None,
    step_due_at: datetime | None,
    assigned: bool,
    now: datetime,
    today_end: datetime,
    soon: datetime,
) -> tuple[Reason, ...]:
    """Every reason the dossier needs attention now, most pressing first; () if none."""
    found: list[Reason] = []
    if status in PAUSED:
        found.append(Reason.WAITING)
    if clock_runs(status):
        if due_at is not None and due_at < now:
            found.append(Reason.OVERDUE)
        elif step_due_at is not None and step_due_at < now:
            found.append(Reason.STEP_OVERDUE)
        else:
            nearest = min((d for d in (due_at, step_due_at) if d is not None), default=None)
            if nearest is not None and nearest <= today_end:
                found.append(Reason.DUE_TODAY)
            elif nearest is not None and nearest <= soon:
                found.append(Reason.DUE_SOON)
    if status in NEEDS_HOLDER and not assigned:
        found.append(Reason.UNASSIGNED)
    return tuple(sorted(found, key=list(Reason).index))
