"""Grassroots early warning (issue 10): once a day the worker compares each commune's and
department's last 30 days with its own three earlier periods and with its peers
(`core.warnings`), records what rises, and tells the supervising level through the outbox
while the problem is still small. What the supervisors did about it is recorded on the
warning (`warning_handle`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from motcua.core import warnings as rules
from motcua.core.calendar import local_date
from motcua.core.codes import is_row_id
from motcua.core.errors import NotFound, ValidationError, _
from motcua.core.indicators import Figures, Period
from motcua.core.lifecycle import Role
from motcua.core.signals import Flag
from motcua.feedback.selectors import feedback_handling
from motcua.notify.services import outbox_message, outbox_queue
from motcua.organization.selectors import (
    Actor,
    agencies_by_id,
    agency_parents,
    calendar_for_id,
    centre_tz,
    ranked_group,
    staff_by_agency,
)
from motcua.oversight.models import Cursor, UnitWarning
from motcua.oversight.selectors import _bounds, early_warning_list, figures_by, scope_of

PERIOD_DAYS = 30
PAST_PERIODS = 3


def periods(today: date) -> tuple[Period, list[Period]]:
    """The last 30 days before `today`, and the three 30-day periods before it."""
    last = today - timedelta(days=1)
    current = Period(last - timedelta(days=PERIOD_DAYS - 1), last)
    past = []
    for k in range(1, PAST_PERIODS + 1):
        end = current.first - timedelta(days=(k - 1) * PERIOD_DAYS + 1)
        past.append(Period(end - timedelta(days=PERIOD_DAYS - 1), end))
    return current, past


def _unit(
    agency: int, f: Figures, conduct: tuple[int, int] = (0, 0), idle: int = 0
) -> rules.UnitFigures:
    return rules.UnitFigures(
        unit=agency,
        received=f.to_process,
        overdue=f.to_process - f.within_time,
        conduct_complaints=conduct[0],
        conduct_upheld=conduct[1],
        repeated_supplements=f.period.late_supplements,
        idle=idle,
        satisfaction=f.satisfaction,
        ratings=f.period.ratings,
        backlog=f.open_end,
    )


@dataclass(frozen=True)
class Raised:
    warnings: int = 0
    messages: int = 0
    ran: bool = False


def warnings_raise(*, now: datetime) -> Raised:
    """Once per local day: the early warnings of every ranked agency, each recorded once per
    period and told to the oversight office and the agency's head."""
    today = local_date(now, centre_tz())
    with transaction.atomic():
        cursor, _created = Cursor.objects.select_for_update().get_or_create(name="warnings")
        if cursor.position >= today.toordinal():
            return Raised()
        cursor.position = today.toordinal()
        cursor.save()
        current, past = periods(today)
        now_figures = figures_by(period=current)
        agencies = agencies_by_id(now_figures)
        groups: dict[str, list[int]] = {}
        for pk, agency in agencies.items():
            group = ranked_group(agency)
            if group is not None:
                groups.setdefault(group, []).append(pk)
        start, end = _bounds(current)
        conduct = {
            a: (c, u) for a, (_n, _ok, c, u) in feedback_handling(start=start, end=end).items()
        }
        history = [figures_by(period=p) for p in past]
        idle = _idle_counts(list(agencies), now)
        raised: list[UnitWarning] = []
        for members in groups.values():
            units = [
                _unit(a, now_figures[a], conduct.get(a, (0, 0)), idle.get(a, 0)) for a in members
            ]
            earlier: dict[int, Sequence[rules.UnitFigures]] = {
                a: [_unit(a, h[a]) for h in history if a in h] for a in members
            }
            for warned, found in rules.level_warnings(units, past=earlier).items():
                for w in found:
                    row = _record(warned, w, current, now)
                    if row is not None:
                        raised.append(row)
        messages = sum(_tell(w, agencies[w.agency_id], now) for w in raised)
    return Raised(warnings=len(raised), messages=messages, ran=True)


def _idle_counts(agencies: Sequence[int], now: datetime) -> dict[int, int]:
    found = early_warning_list(agencies=agencies, now=now)
    counts: dict[int, int] = {}
    for f in found.flagged:
        if Flag.IDLE in f.signals.flags and f.dossier.current_agency_id is not None:
            counts[f.dossier.current_agency_id] = counts.get(f.dossier.current_agency_id, 0) + 1
    return counts


def _words(words: Any) -> dict[str, Any]:
    return {"template": words.template, "values": {k: str(v) for k, v in words.values}}


def _exact(value: Any) -> str:
    if value is None:
        return ""
    return (
        f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    )


def _record(
    agency: int, w: rules.EarlyWarning, period: Period, now: datetime
) -> UnitWarning | None:
    """Recorded once per agency and kind in a period's length: a signal still rising the next
    day is the same warning, not a new one (None)."""
    recent = UnitWarning.objects.filter(
        agency_id=agency, kind=w.kind.value, raised_at__gt=now - timedelta(days=PERIOD_DAYS)
    )
    if recent.exists():
        return None
    row = UnitWarning(
        agency_id=agency,
        kind=w.kind.value,
        severity=w.severity.value,
        period_first=period.first,
        period_last=period.last,
        current=_exact(w.current),
        baseline=_exact(w.baseline),
        words=_words(w.words),
        raised_at=now,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None
    return row


def _tell(warning: UnitWarning, agency: Any, now: datetime) -> int:
    """The oversight office whose scope holds the agency, and the agency's head, by e-mail in
    their office hours; once per warning and person."""
    if warning.notified:
        return 0
    parents = agency_parents()
    people = []
    for staff in staff_by_agency():
        if not staff.user.email or staff.role not in (
            Role.SUPERVISOR.value,
            Role.AGENCY_LEADER.value,
        ):
            continue
        actor = Actor(
            role=Role(staff.role), user_id=staff.user_id, agency=staff.agency, unit=staff.unit
        )
        if warning.agency_id in scope_of(actor, parents).agencies:
            people.append(staff)
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('oversight_warnings:list')}"
    context = {
        "agency": agency.name,
        "kind": str(rules.WarningKind(warning.kind).label),
        "severity": str(rules.Severity(warning.severity).label),
        "template": warning.words["template"],
        "values": warning.words["values"],
        "first": f"{warning.period_first:%d/%m/%Y}",
        "last": f"{warning.period_last:%d/%m/%Y}",
        "url": url,
    }
    calendar = calendar_for_id(warning.agency_id)
    messages = [
        outbox_message(
            recipient=s.user.email,
            template="oversight/warning",
            context=context,
            dossier_id=None,
            dedupe_key=f"warning:{warning.pk}:{s.user_id}",
            now=now,
            office_hours=calendar,
        )
        for s in people
    ]
    outbox_queue(messages)
    warning.notified = len(messages)
    warning.save(update_fields=["notified"])
    return len(messages)


def warning_handle(*, actor: Actor, pk: int, action_taken: str, now: datetime) -> UnitWarning:
    """Record what was done about a warning; only those whose scope holds its agency."""
    text = action_taken.strip()
    if not text:
        raise ValidationError(_("Ghi rõ việc đã làm để xử lý cảnh báo."), field="action_taken")
    if not is_row_id(pk):
        raise NotFound(_("Không tìm thấy cảnh báo."))
    with transaction.atomic():
        warning = UnitWarning.objects.select_for_update().filter(pk=pk).first()
        if warning is None or warning.agency_id not in scope_of(actor).agencies:
            raise NotFound(_("Không tìm thấy cảnh báo."))
        if warning.handled_at is not None:
            raise ValidationError(_("Cảnh báo này đã được ghi nhận xử lý."), field="action_taken")
        warning.action_taken = text
        warning.handled_at = now
        warning.handled_by_id = actor.user_id
        warning.save(update_fields=["action_taken", "handled_at", "handled_by"])
    return warning


def warnings_for(actor: Actor) -> list[UnitWarning]:
    """The warnings of the agencies in the actor's scope, open ones first, newest first."""
    agencies = scope_of(actor).agencies
    if not agencies:
        return []
    return list(
        UnitWarning.objects.filter(agency_id__in=agencies)
        .select_related("agency", "handled_by")
        .order_by("handled_at", "-raised_at")[:500]
    )
