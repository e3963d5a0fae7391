"""Writing to and delivering from the outbox."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import translation

from motcua.core.calendar import WorkCalendar
from motcua.core.deadletters import Facts, check_dead_letter, check_discard
from motcua.core.errors import NotFound, _
from motcua.notify.models import OutboxMessage
from motcua.notify.sms import send_sms

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def outbox_message(
    *,
    recipient: str,
    template: str,
    context: dict[str, Any],
    dossier_id: int | None,
    dedupe_key: str,
    now: datetime,
    channel: str = "email",
    office_hours: WorkCalendar | None = None,
) -> OutboxMessage:
    """A message for the outbox, not yet queued (see `outbox_queue`): written at delivery
    from the templates in the folder `template` (subject.txt, message.txt, message.html; a
    text message, channel "sms", only message.txt), filled from `context`, which must be JSON.

    Citizens are told at once. A reminder to an officer is given `office_hours`, the calendar
    of their agency: queued now, it leaves only when the office is open (at once in working
    hours; else at the start of the next session worked, never in the evening, at night, on a
    rest day or a holiday)."""
    return OutboxMessage(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        dossier_id=dossier_id,
        dedupe_key=dedupe_key,
        created_at=now,
        available_at=now if office_hours is None else office_hours.next_opening(now),
    )


def outbox_queue(messages: Sequence[OutboxMessage]) -> None:
    """Queue messages in the caller's transaction, so they go out only if its change commits;
    a dedupe key already queued is skipped, so a retried change never mails twice."""
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)


def outbox_deliver(*, now: datetime, batch: int = 100, worker: str = "") -> int:
    """Send due messages, one at a time: claim it (committed), send it outside any
    transaction, then record it sent; how many this pass recorded.

    Safe with several workers: a message is claimed by one at a time, with a lease of
    OUTBOX_LEASE_SECONDS. A worker killed after sending and before recording leaves its claim
    behind; once the lease has run out another worker sends the message again, under the same
    Message-ID and idempotency key (`message_id`, `idempotency_key`), so that a provider that
    deduplicates sends it once. That is the only duplicate: at most one per message a worker
    was sending when it died. The pass's clock starts at `now` (a simulated time in a
    rehearsal) and runs on with the real one.
    """
    worker = worker or _worker_name()
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    sent = 0
    taken: set[int] = set()  # a pass takes a message once, whatever its claim says
    for _pass in range(batch):
        message = _claim(clock(), worker, taken)
        if message is None:
            break
        taken.add(message.pk)
        try:
            if message.template and not message.body:
                _compose(message)
            _send(message)
        except Exception as exc:
            _record_failure(message, exc, clock(), worker)
            continue
        sent += _record_sent(message, clock(), worker)
    return sent


def message_id(message: OutboxMessage) -> str:
    """The message's Message-ID header, the same on every try: derived from the row."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("<> ") or "motcua.invalid"
    return f"<{idempotency_key(message)}@{domain}>"


def idempotency_key(message: OutboxMessage) -> str:
    """A key naming this message and no other (sent as X-Idempotency-Key), the same on every
    try, for providers that drop a message whose key they have seen."""
    stamp = f"{message.pk}:{message.dedupe_key}:{message.created_at.isoformat()}"
    return f"motcua.outbox.{message.pk}.{hashlib.sha256(stamp.encode()).hexdigest()[:24]}"


def _worker_name() -> str:
    """Who claims: the machine, the process and this pass (threads share a process)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _claimable(at: datetime) -> Q:
    """Due, not sent nor given up, and claimed by nobody or by a worker whose lease ran out."""
    expired = at - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    return Q(sent_at__isnull=True, failed_at__isnull=True, available_at__lte=at) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=expired)
    )


def _claim(at: datetime, worker: str, taken: set[int]) -> OutboxMessage | None:
    """The next due message, claimed by `worker` and committed before it is sent; None when
    there is none. The claim is a compare-and-set on the same condition, so that of two workers
    reading the same row one takes it; PostgreSQL skips the rows another is claiming."""
    while True:
        with transaction.atomic():
            pending = OutboxMessage.objects.filter(_claimable(at)).exclude(pk__in=taken)
            if connection.features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            message = pending.order_by("available_at", "id").first()
            if message is None:
                return None
            if message.attempts >= MAX_ATTEMPTS:
                # Every worker that took it died before recording how it went.
                claimed = OutboxMessage.objects.filter(pk=message.pk).filter(_claimable(at))
                if claimed.update(failed_at=at, claimed_at=None):
                    log.error("outbox: giving up on message %s: no try ever finished", message.pk)
                taken.add(message.pk)
                continue
            won = (
                OutboxMessage.objects.filter(pk=message.pk)
                .filter(_claimable(at))
                .update(claimed_at=at, claimed_by=worker, attempts=F("attempts") + 1)
            )
        if won:
            message.claimed_at, message.claimed_by = at, worker
            message.attempts += 1
            return message
        taken.add(message.pk)  # another worker claimed it between our read and our update


def _record_sent(message: OutboxMessage, at: datetime, worker: str) -> int:
    """Record the message sent, with the text that went out; 0 if another worker, whose
    claim came after this one's lease ran out, recorded it first (then it went out twice)."""
    recorded = OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        subject=message.subject,
        body=message.body,
        html=message.html,
        sent_at=at,
        claimed_at=message.claimed_at,
        claimed_by=worker,
    )
    if not recorded:
        log.warning("outbox: message %s was sent again after its lease ran out", message.pk)
    return recorded


def _record_failure(message: OutboxMessage, exc: Exception, at: datetime, worker: str) -> None:
    """Back off exponentially; give up after MAX_ATTEMPTS, kept for the record as failed
    (never as sent), for an administrator to see and send again. The claim is released."""
    give_up = message.attempts >= MAX_ATTEMPTS
    if give_up:
        log.error("outbox: giving up on message %s: %s", message.pk, exc)
    OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker, sent_at__isnull=True).update(
        last_error=str(exc)[:2000],
        available_at=at if give_up else at + timedelta(minutes=2**message.attempts),
        failed_at=at if give_up else None,
        claimed_at=None,
    )


def outbox_mark_sent(*, now: datetime) -> int:
    """Record every message still waiting as sent at `now`, without sending it (a history
    played into the database, whose notifications went out back then); how many."""
    return OutboxMessage.objects.filter(sent_at__isnull=True).update(sent_at=now)


# Senders of the channels other apps add (a portal sync, a webhook, an exchange message), by
# channel name: each takes the claimed message and raises to have it retried with backoff.
Sender = Callable[[OutboxMessage], None]
_SENDERS: dict[str, Sender] = {}
# Channels whose later messages wait for the earlier ones (`keeps_order`).
_ORDERED: set[str] = set()


def outbox_channel(name: str, sender: Sender, *, keeps_order: bool = False) -> None:
    """Have messages of channel `name` delivered by `sender` (called from an AppConfig's
    ready()): it is given the claimed message, outside any transaction, with the same retries,
    lease, backoff and giving-up as mail; it must be idempotent under
    `idempotency_key(message)`, since a worker killed mid-send has it sent again."""
    if name in ("email", "sms") or _SENDERS.get(name, sender) is not sender:
        raise ValueError(f"outbox channel {name!r} is taken")
    _SENDERS[name] = sender
    if keeps_order:
        # Its dead letters are never set aside nor purged: a later message waits for them.
        _ORDERED.add(name)


def channels_added() -> list[str]:
    """The channels other apps added (`outbox_channel`)."""
    return list(_SENDERS)


def _send(message: OutboxMessage) -> None:
    """Send one message: a text message through the SMS backend, a channel another app added
    through its sender, else by mail."""
    if message.channel == "sms":
        send_sms(message.recipient, message.body, idempotency_key(message))
        return
    if message.channel in _SENDERS:
        _SENDERS[message.channel](message)
        return
    _mail(message)


def _mail(message: OutboxMessage) -> None:
    """Mail one message: plain text, with its HTML version beside it when it has one, under
    the Message-ID and idempotency key of its row."""
    mail = EmailMultiAlternatives(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.recipient],
        headers={"Message-ID": message_id(message), "X-Idempotency-Key": idempotency_key(message)},
    )
    if message.html:
        mail.attach_alternative(message.html, "text/html")
    mail.send()


def _compose(message: OutboxMessage) -> None:
    """Write the message from its templates, in the site's language (the recipient's screen
    language is not known), keeping the text for the record."""
    with translation.override(settings.LANGUAGE_CODE):
        if message.channel == "sms":
            body = render_to_string(f"{message.template}/message.txt", message.context)
            message.body = body.strip()
            return
        subject = render_to_string(f"{message.template}/subject.txt", message.context)
        message.subject = " ".join(subject.split())[:300]  # one line: a header
        message.body = render_to_string(f"{message.template}/message.txt", message.context)
        message.html = render_to_string(f"{message.template}/message.html", message.context)


def outbox_purge(*, before: datetime, apply: bool) -> int:
    """Messages sent, or given up on, before `before`: delete them with their recipient and
    text (the dossier's events keep what happened); how many. The dead letters of a channel
    that keeps an order stay until they are sent: later messages wait for them."""
    given_up = Q(failed_at__lt=before, sent_at__isnull=True) & ~Q(channel__in=sorted(_ORDERED))
    done = OutboxMessage.objects.filter(Q(sent_at__lt=before) | given_up)
    count = done.count()
    if apply:
        done.delete()
    return count


# ---------------------------------------------------------------------------------------------
# Dead letters: an administrator sends a given-up message again, or sets it aside


@dataclass(frozen=True)
class DeadLetterChange:
    """What a replay or a discard changed of one message, for the administrative log."""

    message_id: int
    channel: str
    dossier_id: int | None
    changes: dict[str, Any]


def _facts(message: OutboxMessage) -> Facts:
    return Facts(
        sent_at=message.sent_at,
        failed_at=message.failed_at,
        discarded_at=message.discarded_at,
        attempts=message.attempts,
    )


def _dead_letter_locked(message_id: int) -> OutboxMessage:
    """The message, locked to the caller's transaction, if it is a dead letter; NotFound or
    NotADeadLetter (nothing changed) otherwise."""
    message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("Không tìm thấy tin nhắn này."))
    check_dead_letter(_facts(message))
    return message


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def outbox_replay(*, message_id: int, now: datetime) -> DeadLetterChange:
    """Give a dead letter another full round of tries, from now: attempts back to 0, no longer
    given up (its last error is kept until the next try). In the caller's transaction."""
    with transaction.atomic():
        message = _dead_letter_locked(message_id)
        OutboxMessage.objects.filter(pk=message.pk).update(
            failed_at=None, attempts=0, available_at=now, claimed_at=None, claimed_by=""
        )
    return DeadLetterChange(
        message_id=message.pk,
        channel=message.channel,
        dossier_id=message.dossier_id,
        changes={
            "action": "replay",
            "failed_at": [_iso(message.failed_at), None],
            "attempts": [message.attempts, 0],
            "available_at": [_iso(message.available_at), now.isoformat()],
        },
    )


def outbox_discard(*, message_id: int, now: datetime) -> DeadLetterChange:
    """Set a dead letter aside: kept with its record, never sent nor offered again."""
    with transaction.atomic():
        message = _dead_letter_locked(message_id)
        check_discard(keeps_order=message.channel in _ORDERED)
        OutboxMessage.objects.filter(pk=message.pk).update(discarded_at=now)
    return DeadLetterChange(
        message_id=message.pk,
        channel=message.channel,
        dossier_id=message.dossier_id,
        changes={"action": "discard", "discarded_at": [None, now.isoformat()]},
    )


def outbox_replay_channel(*, channel: str, now: datetime) -> list[DeadLetterChange]:
    """Give every dead letter of a channel another round (after the receiver's outage)."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(
                channel=channel,
                sent_at__isnull=True,
                failed_at__isnull=False,
                discarded_at__isnull=True,
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        return [outbox_replay(message_id=pk, now=now) for pk in ids]
