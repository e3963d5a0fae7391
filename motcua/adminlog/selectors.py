"""Reading the administrative log: the oversight page's list and the chain's check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from motcua.adminlog.chain import ChainReport, verify_admin_chain
from motcua.adminlog.models import AdminChainHead, AdminChange
from motcua.dossiers.events import GENESIS

__all__ = ["AdminChange", "ChangeFilters", "admin_chain_report", "admin_changes", "authors"]


@dataclass(frozen=True)
class ChangeFilters:
    """Who (a user id), which kind of object (a model label), and when (local bounds)."""

    start: datetime
    end: datetime
    user_id: int | None = None
    model: str = ""


def admin_changes(filters: ChangeFilters) -> QuerySet[AdminChange]:
    """The changes of a period, newest first, narrowed to one author and kind of object."""
    rows = AdminChange.objects.filter(at__gte=filters.start, at__lt=filters.end)
    if filters.user_id is not None:
        rows = rows.filter(user_id=filters.user_id)
    if filters.model:
        rows = rows.filter(model=filters.model)
    return rows.order_by("-seq")


def authors() -> list[tuple[int, str]]:
    """Everyone who made a recorded change: (user id, name as recorded), by name."""
    pairs = AdminChange.objects.exclude(user_id=None).values_list("user_id", "username").distinct()
    return sorted({(int(u), name) for u, name in pairs if u is not None}, key=lambda p: p[1])


def models_changed() -> list[str]:
    """The kinds of object the log holds (model labels), sorted."""
    return sorted(set(AdminChange.objects.values_list("model", flat=True).distinct()))


def admin_chain_report() -> ChainReport:
    """The chain's check, as `motcua audit verify` makes it."""
    return verify_admin_chain()


def admin_chain_head() -> tuple[int, str]:
    """The chain's last seq and hash, as its head row says (0 and the genesis when empty)."""
    head = AdminChainHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def admin_change_hash(seq: int) -> str | None:
    """The hash of the change numbered `seq`, or None when there is none."""
    return AdminChange.objects.filter(seq=seq).values_list("hash", flat=True).first()
