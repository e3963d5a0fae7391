"""Reads of the national sync: a change's facts and record, the integration time of
dossiers (for oversight) and the sync rate of an agency (766 index, indicator 1.4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, Sum

from motcua.core import national_out
from motcua.core.lifecycle import Status
from motcua.dossiers.selectors import (
    citizen_dossier_url,
    dossier_papers,
    dossier_public,
    dossier_result,
)
from motcua.national import link
from motcua.national.models import IntegrationWait, NationalSync
from motcua.organization.selectors import calendar_for_id
from motcua.payments.selectors import dossier_payment

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

# The name of a fee recorded at this installation's counter or gateway, as sent to the portal.
FEE_NAME = "Phí, lệ phí"


def is_connected() -> bool:
    """Whether this installation syncs with the national portal (NATIONAL_PORTAL_URL set)."""
    return bool(settings.NATIONAL_PORTAL_URL)


def change_facts(dossier: Dossier) -> dict[str, Any]:
    """What a change left of the dossier's projection that its record tells (JSON)."""

    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.procedure.code,
        "place": dossier.received_place.code,
        "received_at": moment(dossier.received_at),
        "first_due_at": moment(dossier.original_due_at),
        "finished_at": moment(dossier.finished_at),
        "channel": dossier.channel,
        "result_number": dossier.result_number,
    }


def sync_record(sync: NationalSync) -> dict[str, Any]:
    """The record of one change as the portal is sent it: the change's facts, with the papers
    received and the result attached up to that change, the fees, and the portal's own data
    of a dossier filed there (read now: the inbound endpoint writes it after the first
    change)."""
    facts = sync.facts
    dossier = dossier_public(sync.dossier_id)
    portal = link.national_link(sync.dossier_id)

    def moment(key: str) -> datetime | None:
        value = facts.get(key)
        return datetime.fromisoformat(value) if value else None

    if portal is not None and portal.papers:
        papers = tuple(national_out.Paper(n, d, s) for n, d, s in portal.papers)
    else:
        papers = tuple(
            national_out.Paper(p.name, digitised=bool(p.scans.all()), from_data_store=False)
            for p in dossier_papers(dossier)
            if p.event_seq <= sync.seq
        )
    copy = dossier_result(dossier)
    result = None
    if copy is not None and copy.event_seq <= sync.seq:
        # The result's number once the desk recorded it at the return, else its copy's hash.
        number = facts.get("result_number") or copy.sha256
        url = citizen_dossier_url(dossier) if dossier.citizen_id else ""
        result = national_out.Result(number=number, url=url)
    payment = dossier_payment(dossier)
    if portal is not None:
        fees = tuple(national_out.Fee(n, a) for n, a in portal.fees)
        paid_online = portal.paid_online
    else:
        fees = (national_out.Fee(FEE_NAME, payment.amount_due),) if payment is not None else ()
        paid_online = 2 if payment is not None and payment.method == "online" else 0
    change = national_out.DossierChange(
        code=facts.get("code"),
        portal_ref=portal.portal_ref if portal is not None else None,
        procedure_code=facts["procedure"],
        agency_code=facts["place"],
        received_at=moment("received_at"),
        first_due_at=moment("first_due_at"),
        finished_at=moment("finished_at"),
        channel=int(facts["channel"]),
        status=Status(sync.status),
        seq=sync.seq,
        result=result,
        fees=fees,
        paid_online=paid_online,
        papers=papers,
        vneid=portal.vneid if portal is not None else False,
        system_code=settings.NATIONAL_SYSTEM_CODE,
    )
    return national_out.record(change)


def integration_seconds(dossier_ids: Iterable[int]) -> dict[int, int]:
    """Working seconds each dossier spent waiting on other systems (those with none left
    out): what oversight counts apart from the agency's time."""
    rows = (
        IntegrationWait.objects.filter(dossier_id__in=list(dossier_ids))
        .values("dossier_id")
        .annotate(seconds=Sum("seconds"))
        .values_list("dossier_id", "seconds")
    )
    return {dossier_id: int(seconds) for dossier_id, seconds in rows if seconds}


def integration_waits(dossier_id: int) -> list[IntegrationWait]:
    """One dossier's waits on other systems, in order."""
    return list(IntegrationWait.objects.filter(dossier_id=dossier_id).order_by("started_at"))


def dossier_syncs(dossier_id: int) -> list[NationalSync]:
    """One dossier's records for the portal, in order."""
    return list(NationalSync.objects.filter(dossier_id=dossier_id).order_by("seq"))


@dataclass(frozen=True)
class SyncRate:
    """Indicator 1.4 of one agency for a period: the dossiers with a change in it whose every
    record the portal acknowledged on time (national_out.SYNC_ON_TIME_WORKING_SECONDS)."""

    dossiers: int  # dossiers with a record queued in the period
    synced: int  # of them, every record acknowledged
    on_time: int  # of them, every record acknowledged within the threshold
    waiting: int  # records of those dossiers not acknowledged yet

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.on_time, self.dossiers) if self.dossiers else None


def sync_rate(*, agency_id: int, start: datetime, end: datetime) -> SyncRate | None:
    """The sync rate of an agency's dossiers changed in [start, end); None when this
    installation is not connected to the portal and never was (no record at all)."""
    ids = set(
        NationalSync.objects.filter(
            agency_id=agency_id, queued_at__gte=start, queued_at__lt=end
        ).values_list("dossier_id", flat=True)
    )
    if not ids:
        if not is_connected():
            return None
        return SyncRate(0, 0, 0, 0)
    by_dossier: dict[int, list[national_out.Sync]] = defaultdict(list)
    for dossier_id, seq, queued, acknowledged in NationalSync.objects.filter(
        dossier_id__in=ids, queued_at__lt=end
    ).values_list("dossier_id", "seq", "queued_at", "acknowledged_at"):
        by_dossier[dossier_id].append(national_out.Sync(seq, queued, acknowledged))
    calendar = calendar_for_id(agency_id)
    synced = on_time = waiting = 0
    for syncs in by_dossier.values():
        left = sum(1 for s in syncs if s.acknowledged_at is None)
        waiting += left
        synced += int(not left)
        on_time += int(national_out.synced_on_time(calendar, syncs))
    return SyncRate(len(ids), synced, on_time, waiting)


def synced_by(
    *, start: datetime, end: datetime, agencies: Collection[int] | None = None
) -> dict[int, int] | None:
    """Indicator 1.4's numerator for every agency at once (a ranking's ~130 in one query):
    per agency, the dossiers received in [start, end) whose every record queued before `end`
    the portal acknowledged; agencies with none are left out (0). None when this installation
    is not connected to the portal: the indicator then stays empty, never 0.

    A dossier received in the period with no record at all (received before the connection)
    is not synced: it counts in the denominator (the dossiers received), not here."""
    if not is_connected():
        return None
    rows = NationalSync.objects.filter(
        dossier__received_at__gte=start, dossier__received_at__lt=end, queued_at__lt=end
    )
    if agencies is not None:
        rows = rows.filter(agency_id__in=list(agencies))
    counts = (
        rows.values("agency_id")
        .annotate(
            dossiers=Count("dossier_id", distinct=True),
            waiting=Count("dossier_id", distinct=True, filter=Q(acknowledged_at__isnull=True)),
        )
        .values_list("agency_id", "dossiers", "waiting")
    )
    return {agency: dossiers - waiting for agency, dossiers, waiting in counts}
