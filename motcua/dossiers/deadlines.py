"""The worker's deadline pass: warn before the deadline, mark overdue, draft apologies.

No lock is held across a batch: the candidates are read without locking, then each dossier is
read again and acted on alone, through `dossier_act`'s compare-and-set on its version. An
officer acting on a candidate meanwhile is never kept waiting for the batch (one of the two
finds the other's version and stops with a conflict, or the guard sees the change); several
workers may run at once, and each action is still applied once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet

from motcua.core.apology import drafts_here, wants_draft
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import DomainError
from motcua.core.lifecycle import Action
from motcua.core.urgency import CLOCK_RUNS
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_blame, dossier_outlook, dossier_plan
from motcua.dossiers.services import dossier_act
from motcua.exchange.selectors import agency_hosted_elsewhere
from motcua.organization.selectors import Actor, agency_by_id, calendar_for, default_calendar

log = logging.getLogger(__name__)
# Statuses in which the agency's clock runs (5, awaiting the citizen, is paused): the core's.
RUNNING = sorted(int(s) for s in CLOCK_RUNS)


@dataclass
class DeadlineReport:
    warned: int = 0
    overdue: int = 0
    apologies: int = 0


def _candidates(queryset: QuerySet[Dossier], batch: int) -> list[int]:
    """Ids of the dossiers to look at, read without locking any row (autocommit)."""
    return list(queryset.values_list("pk", flat=True)[:batch])


def _act(pk: int, action: Action, now: datetime) -> bool:
    """Apply a system action to the dossier as it is now, alone, in its own transaction (the
    compare-and-set on its version); a concurrent change or a guard just means someone got
    there first."""
    dossier = Dossier.objects.filter(pk=pk).first()
    if dossier is None:  # gone since the candidates were read
        return False
    try:
        dossier_act(dossier=dossier, action=action, actor=Actor.system(), now=now)
    except DomainError as exc:
        log.info("deadlines: %s skipped for %s: %s", action.value, dossier.code, exc.message)
        return False
    return True


def process_deadlines(*, now: datetime, batch: int = 500) -> DeadlineReport:
    """One pass over open dossiers by their stored due dates."""
    report = DeadlineReport()
    calendar = default_calendar()
    soon = calendar.add_working_seconds(now, settings.DUE_SOON_WORKING_HOURS * 3600)
    overdue_ids = _candidates(
        Dossier.objects.filter(
            still_open=True, status__in=RUNNING, due_at__lt=now, overdue_at__isnull=True
        ).order_by("due_at"),
        batch,
    )
    for pk in overdue_ids:
        report.overdue += _act(pk, Action.MARK_OVERDUE, now)
    warn_ids = _candidates(
        Dossier.objects.filter(
            still_open=True,
            status__in=RUNNING,
            due_at__gte=now,
            due_at__lte=soon,
            warned_at__isnull=True,
            overdue_at__isnull=True,
        ).order_by("due_at"),
        batch,
    )
    for pk in warn_ids:
        report.warned += _act(pk, Action.WARN, now)
    # Apologies: for dossiers whose current step already ran over or whose deadline is near
    # or past, whichever agency's calendar applies (each dossier's own decides, in core). Late
    # ones too: with less than a working day left, or already overdue, the letter is still
    # owed and is drafted, recorded as a breach of the one-day rule, for the head to sign. A
    # decision already signed does not excuse the delay: the result is still not returned.
    horizon = calendar.add_working_seconds(now, settings.APOLOGY_LOOKAHEAD_WORKING_HOURS * 3600)
    candidates = _candidates(
        Dossier.objects.filter(still_open=True, status__in=RUNNING, apology="none")
        .filter(Q(step_due_at__lt=now) | Q(due_at__lte=horizon))
        .order_by("due_at"),
        batch,
    )
    for pk in candidates:
        dossier = (
            Dossier.objects.select_related("received_place", "procedure_version")
            .filter(pk=pk)
            .first()
        )
        if dossier is None:
            continue
        dossier_calendar = calendar_for(dossier.received_place)
        view = dossier_outlook(dossier, dossier_calendar, now, dossier_plan(dossier))
        if view is None or not wants_draft(view):
            continue
        if drafts_here(hosted_elsewhere=_blamed_elsewhere(dossier, dossier_calendar, now)):
            report.apologies += _act(pk, Action.DRAFT_APOLOGY, now)
    return report


def _blamed_elsewhere(dossier: Dossier, calendar: WorkCalendar, now: datetime) -> bool:
    """Whether the agency the letter would be drafted for (the one whose step caused the
    delay, as DRAFT_APOLOGY picks it) works on another installation: it apologises there, and
    its signed letter comes back (motcua.exchange); the overdue mark stays here."""
    blame = dossier_blame(dossier, calendar, now)
    agency = agency_by_id(blame.step.agency) if blame else dossier.current_agency
    return agency is not None and agency_hosted_elsewhere(agency.code)
