"""The outbound sync with the National Public Service Portal: every status change and result
of every dossier goes there through the outbox, in order, once; and the time a dossier waits
on another system is recorded for oversight.

The order rule (motcua.core.national_out.next_to_send): a dossier's record is queued in the
outbox only once the one before it is acknowledged. The follower queues a change's message at
once when the dossier has no record waiting; otherwise it only writes the record's row, and the
acknowledgement of the one before queues it. A record given up on (a dead letter) therefore
holds the later ones back, visibly, until it is sent again; nothing overtakes it.

Locking: the follower reads the dossier's waiting records FOR UPDATE, and the acknowledgement
updates its record (a row lock) before it looks for the next one. On PostgreSQL, whichever
comes second waits for the other's commit and then sees it (READ COMMITTED re-reads the row),
so a record is never left unqueued behind an acknowledgement that did not see it. SQLite
runs one writer at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F

from motcua.core import national_out
from motcua.core.lifecycle import Action, Status
from motcua.national import link, selectors
from motcua.national.models import IntegrationWait, NationalSync
from motcua.notify.services import idempotency_key, outbox_message, outbox_queue
from motcua.organization.selectors import calendar_for

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.notify.models import OutboxMessage

log = logging.getLogger(__name__)
CHANNEL = "national"
# Where the records go: NATIONAL_PORTAL_URL followed by this path. [check]: the portal's own
# path is the adapter's (ADAPTER_VERSION), to be set from the portal's connection document.
SYNC_PATH = "/dossiers/sync"
PORTAL_WAIT = "portal"  # IntegrationWait.kind of the hand-over from the portal to here


class PortalError(Exception):
    """The portal did not acknowledge a record: the outbox tries again later."""


def national_follow(dossier: Dossier, event: DossierEvent) -> Sequence[OutboxMessage]:
    """The follower of every dossier (motcua.dossiers.notices): records the portal's hand-over
    time of a dossier filed there when the desk accepts it, and queues the sync of every status
    change and result. Nothing is queued when NATIONAL_PORTAL_URL is unset."""
    if event.action == Action.RECEIVE and event.from_status == Status.NEW:
        _record_portal_wait(dossier)
    if not selectors.is_connected():
        return []
    attached = "result_copy" in event.payload
    if not national_out.is_followed(
        from_status=event.from_status, to_status=event.to_status, result_attached=attached
    ):
        return []
    waiting = list(
        NationalSync.objects.select_for_update()
        .filter(dossier_id=dossier.pk, acknowledged_at__isnull=True)
        .values_list("seq", flat=True)
    )
    NationalSync.objects.bulk_create(
        [
            NationalSync(
                dossier_id=dossier.pk,
                seq=event.seq,
                agency_id=dossier.competent_agency_id or dossier.receiving_agency_id,
                status=event.to_status,
                facts=selectors.change_facts(dossier),
                queued_at=event.at,
            )
        ],
        # A concurrent change of the same dossier made the same seq: it loses its
        # compare-and-set just after (a ConflictError), so this row is never needed.
        ignore_conflicts=True,
    )
    if waiting:
        return []  # queued by the acknowledgement of the one before
    return [_message(dossier.pk, event.seq, now=event.at)]


def _message(dossier_id: int, seq: int, *, now: datetime) -> OutboxMessage:
    return outbox_message(
        recipient=settings.NATIONAL_PORTAL_URL[:300],
        template="",
        context={"dossier": dossier_id, "seq": seq},
        dossier_id=dossier_id,
        dedupe_key=f"national:{dossier_id}:{seq}",
        now=now,
        channel=CHANNEL,
    )


def national_send(message: OutboxMessage) -> None:
    """The outbox's sender of channel "national": POST the record to the portal, with the
    message's idempotency key, and record its acknowledgement (which queues the next record
    of the dossier). Raises PortalError to be tried again (the outbox's backoff)."""
    dossier_id, seq = int(message.context["dossier"]), int(message.context["seq"])
    sync = NationalSync.objects.filter(dossier_id=dossier_id, seq=seq).first()
    if sync is None or sync.acknowledged_at is not None:
        return  # acknowledged by an earlier try whose worker died before the outbox knew
    if NationalSync.objects.filter(
        dossier_id=dossier_id, seq__lt=seq, acknowledged_at__isnull=True
    ).exists():
        # Never queued so by this module; a message sent again by hand must wait its turn.
        raise PortalError(f"record {seq} waits for an earlier record of dossier {dossier_id}")
    if not selectors.is_connected():
        raise PortalError("NATIONAL_PORTAL_URL is unset: the record waits for a connection")
    at = message.claimed_at or message.available_at  # the try's moment, on the pass's clock
    record = sync.record or selectors.sync_record(sync)
    NationalSync.objects.filter(pk=sync.pk).update(
        record=record, attempts=F("attempts") + 1, last_tried_at=at
    )
    try:
        receipt = _post(record, idempotency_key(message), seq)
    except PortalError as exc:
        NationalSync.objects.filter(pk=sync.pk).update(last_error=str(exc)[:2000])
        raise
    _acknowledge(sync, receipt=receipt, at=at)


def _post(record: dict[str, Any], key: str, seq: int) -> str:
    """Send one record; the portal's acknowledgement id, or PortalError."""
    url = settings.NATIONAL_PORTAL_URL.rstrip("/") + SYNC_PATH
    headers = {
        "Authorization": f"Bearer {settings.NATIONAL_PORTAL_TOKEN}",
        "Idempotency-Key": key,
    }
    try:
        response = requests.post(
            url, json=record, headers=headers, timeout=settings.NATIONAL_PORTAL_TIMEOUT
        )
    except requests.RequestException as exc:
        raise PortalError(f"portal unreachable: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise PortalError(f"portal answered {response.status_code}: {response.text[:200]}")
    try:
        ack = response.json()
    except ValueError:
        raise PortalError("portal's answer is not JSON") from None
    receipt = ack.get("MaTiepNhan") if isinstance(ack, dict) else None
    if not receipt or ack.get("SoThuTu") != seq:
        raise PortalError(f"portal's answer is not an acknowledgement of record {seq}: {ack}")
    return str(receipt)[:100]


def _acknowledge(sync: NationalSync, *, receipt: str, at: datetime) -> None:
    """Record the acknowledgement and queue the dossier's next record, in one transaction."""
    with transaction.atomic():
        done = NationalSync.objects.filter(pk=sync.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=at, receipt=receipt, last_error=""
        )
        if not done:
            return  # another worker's try recorded it first
        following = (
            NationalSync.objects.filter(
                dossier_id=sync.dossier_id, seq__gt=sync.seq, acknowledged_at__isnull=True
            )
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        if following is not None:
            outbox_queue([_message(sync.dossier_id, following, now=at)])


# ---------------------------------------------------------------------------------------------
# Integration time


def _record_portal_wait(dossier: Dossier) -> None:
    """The working time, inside the dossier's clock, between its submission on the national
    portal (NgayNopHoSo) and its arrival here: the portal's, not the agency's."""
    portal = link.national_link(dossier.pk)
    if portal is None:
        return
    filed, arrived = link.portal_times(portal)
    if filed is None or arrived is None:
        return
    # The clock counts from the dossier's submission here (motcua.dossiers.handlers.start):
    # only the part of the wait after it is inside the agency's time.
    start = max(filed, dossier.submitted_at)
    seconds = national_out.waited_seconds(calendar_for(dossier.received_place), start, arrived)
    integration_wait_record(
        dossier_id=dossier.pk,
        kind=PORTAL_WAIT,
        key="",
        started_at=filed,
        ended_at=arrived,
        seconds=seconds,
    )


def integration_wait_record(
    *,
    dossier_id: int,
    kind: str,
    key: str,
    started_at: datetime,
    ended_at: datetime,
    seconds: int,
) -> None:
    """Record that a dossier waited `seconds` of working time, inside its clock, on another
    system (once per dossier, kind and key). Call it in the transaction of a change of the
    dossier, so the tallies' refresh recounts it with that change."""
    IntegrationWait.objects.bulk_create(
        [
            IntegrationWait(
                dossier_id=dossier_id,
                kind=kind,
                key=key,
                started_at=started_at,
                ended_at=ended_at,
                seconds=max(0, seconds),
            )
        ],
        ignore_conflicts=True,
    )
