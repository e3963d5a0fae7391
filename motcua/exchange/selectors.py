"""Reading liên thông's records: integration time per dossier, a dossier's hand-overs to
other installations, the message log."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Sum

from motcua.exchange.log import LogReport, verify_log
from motcua.exchange.models import Handover, LogEntry, RemoteAgency, Wait

__all__ = [
    "LogReport",
    "agency_hosted_elsewhere",
    "exchange_handovers",
    "exchange_integration_seconds",
    "exchange_integration_seconds_of",
    "log_entries",
    "verify_log",
]


def agency_hosted_elsewhere(agency_code: str) -> bool:
    """Whether the agency with this e-ID code works on another installation (liên thông)."""
    return RemoteAgency.objects.filter(agency_code=agency_code.strip().upper()).exists()


def exchange_integration_seconds(dossier_id: int) -> int:
    """Working seconds the dossier spent in flight between installations (requests and results
    queued or retried while a peer was down): integration time, not an agency's."""
    total = Wait.objects.filter(dossier_id=dossier_id).aggregate(total=Sum("seconds"))["total"]
    return int(total or 0)


def exchange_integration_seconds_of(dossier_ids: Iterable[int]) -> dict[int, int]:
    """The same for many dossiers at once (one query), by dossier id; absent ones waited 0."""
    rows = (
        Wait.objects.filter(dossier_id__in=list(dossier_ids))
        .values("dossier_id")
        .annotate(total=Sum("seconds"))
    )
    return {row["dossier_id"]: int(row["total"]) for row in rows}


def exchange_handovers(dossier_id: int) -> list[Handover]:
    """The dossier's steps handed to other installations, in order."""
    return list(
        Handover.objects.filter(dossier_id=dossier_id)
        .select_related("installation")
        .order_by("handed_at", "id")
    )


def log_entries(message_id: str) -> list[LogEntry]:
    """The message log's rows about one message, in order."""
    return list(LogEntry.objects.filter(message_id=message_id).order_by("seq"))
