"""`motcua purge`: each kind of record holding personal data, past its period
(core.retention, settings.RETENTION_DAYS), deleted or pseudonymised by the service of the app
that owns it. Statistics (the oversight tallies) and the audit chains are not touched: the
dossiers' personal columns are none of the events' (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, transaction

from motcua.appointments.services import bookings_purge
from motcua.citizens.services import citizens_purge_codes, citizens_purge_traces
from motcua.core.retention import Record, Rule, rules
from motcua.dossiers.services import dossiers_pseudonymise, reads_purge
from motcua.feedback.services import (
    feedback_pending_purge,
    feedback_pseudonymise,
    ratings_forget_addresses,
)
from motcua.notify.services import outbox_purge
from motcua.online.services import drafts_purge_closed
from motcua.payments.services import payments_pseudonymise


def _sessions(*, before: datetime, apply: bool) -> int:
    """Sessions expired before `before` (Django's clearsessions, counted)."""
    expired = Session.objects.filter(expire_date__lt=before)
    count = expired.count()
    if apply:
        expired.delete()
    return count


PURGES: dict[Record, Callable[..., int]] = {
    Record.SESSION: _sessions,
    Record.SIGNUP_CODE: citizens_purge_codes,
    Record.SIGN_IN_TRACE: citizens_purge_traces,
    Record.PENDING_FEEDBACK: feedback_pending_purge,
    Record.OUTBOX: outbox_purge,
    Record.READ_LOG: reads_purge,
    Record.CLOSED_DRAFT: drafts_purge_closed,
    Record.FEEDBACK: feedback_pseudonymise,
    Record.DOSSIER: dossiers_pseudonymise,
    Record.RATING_ADDRESS: ratings_forget_addresses,
    Record.BOOKING: bookings_purge,
    Record.PAYMENT: payments_pseudonymise,
}


@dataclass(frozen=True)
class Line:
    """What one rule did (or, in a dry run, would do)."""

    rule: Rule
    count: int
    refused: str = ""  # the database refused (an append-only table after lockdown)


def purge(*, now: datetime, apply: bool, only: set[Record] | None = None) -> list[Line]:
    """Every rule (or those in `only`) applied at `now`, each kind in its own transaction."""
    lines = []
    for record, rule in rules(settings.RETENTION_DAYS).items():
        if only is not None and record not in only:
            continue
        try:
            with transaction.atomic():
                count = PURGES[record](before=rule.cutoff(now), apply=apply)
        except DatabaseError as exc:
            lines.append(Line(rule, 0, refused=str(exc).strip().splitlines()[0]))
            continue
        lines.append(Line(rule, count))
    return lines
