"""Webhook subscribers: adding, rotating and disabling them (each recorded in the
administrative log), the follower that queues a delivery per subscriber of every announced
status change, and the outbox's sender that signs and POSTs it."""

from __future__ import annotations

import logging
import secrets
import socket
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.adminlog.services import Change, Who, admin_changes_record
from motcua.core.adminlog import field_changes
from motcua.core.apiclients import DOSSIER_AGENCY_FIELDS, follows
from motcua.core.errors import DomainError, InvalidInput, NotFound, ValidationError, _
from motcua.core.webhooks import (
    EVENT_STATUS_CHANGED,
    HEADER,
    RefusedAddress,
    Secret,
    StatusChange,
    address_is_public,
    announces,
    body_of,
    check_url,
    delivery_id,
    live_secrets,
    retire_at_on_rotation,
    sign,
)
from motcua.notify.services import idempotency_key, outbox_message
from motcua.organization.selectors import agency_by_code
from motcua.webhooks.models import Subscriber, SubscriberSecret
from motcua.webhooks.selectors import (
    subscriber_for_delivery,
    subscriber_secrets,
    subscribers_cache_clear,
    subscribers_following,
)

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.notify.models import OutboxMessage

log = logging.getLogger(__name__)
CHANNEL = "webhook"
USER_AGENT = "motcua-webhooks/1"
NAME_MAX = Subscriber._meta.get_field("name").max_length or 200
URL_MAX = Subscriber._meta.get_field("url").max_length or 300


class DeliveryFailed(Exception):
    """A try that did not reach the subscriber or was not accepted: the outbox retries it."""


def new_secret() -> str:
    """A signing secret: 256 random bits, prefixed so that it is recognised if it leaks."""
    return "whsec_" + secrets.token_urlsafe(32)


def checked_url(url: str) -> str:
    """The address if the settings allow calling it, else RefusedAddress."""
    return check_url(
        url,
        require_https=settings.WEBHOOK_REQUIRE_HTTPS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    )


def _state(subscriber: Subscriber, agency_ids: Sequence[int]) -> dict[str, Any]:
    return {
        "name": subscriber.name,
        "url": subscriber.url,
        "active": subscriber.active,
        "agencies": sorted(agency_ids),
    }


def _record(who: Who, now: datetime, *changes: Change) -> None:
    admin_changes_record(who=who, changes=changes, now=now)


def _secret_change(row: SubscriberSecret, before: dict[str, Any] | None) -> Change:
    after = {
        "subscriber": row.subscriber_id,
        "secret": row.secret,  # masked by field_changes: only "changed" is recorded
        "created_at": row.created_at.isoformat(),
        "retire_at": row.retire_at.isoformat() if row.retire_at else None,
    }
    return Change(
        kind="add" if before is None else "change",
        model="webhooks.subscribersecret",
        object_id=str(row.pk),
        object_repr=f"{row.subscriber_id}/{row.pk}",
        changes=field_changes(before, after),
    )


def subscriber_add(
    *, name: str, url: str, agency_codes: Sequence[str], now: datetime, who: Who
) -> tuple[Subscriber, str]:
    """A new active subscriber following these agencies, with its first secret (returned:
    shown once, never again). Refused whole (nothing stored) for a bad name, address or code."""
    problems: list[ValidationError] = []
    if not name.strip():
        problems.append(ValidationError(_("Hãy nhập tên hệ thống nhận."), field="name"))
    elif len(name.strip()) > NAME_MAX:
        problems.append(
            ValidationError(_("Tên dài quá {limit} ký tự."), field="name", limit=NAME_MAX)
        )
    try:
        url = checked_url(url)
    except RefusedAddress as exc:
        problems.append(exc)
    else:
        if len(url) > URL_MAX:
            problems.append(
                ValidationError(_("Địa chỉ dài quá {limit} ký tự."), field="url", limit=URL_MAX)
            )
    agencies = []
    for code in agency_codes:
        agency = agency_by_code(code.strip())
        if agency is None:
            problems.append(
                ValidationError(_("Không có cơ quan mã “{code}”."), field="agencies", code=code)
            )
        else:
            agencies.append(agency)
    if not agency_codes:
        problems.append(ValidationError(_("Hãy chọn ít nhất một cơ quan."), field="agencies"))
    if problems:
        raise InvalidInput(problems)
    secret = new_secret()
    with transaction.atomic():
        subscriber = Subscriber.objects.create(name=name.strip(), url=url, created_at=now)
        subscriber.agencies.set(agencies)
        row = SubscriberSecret.objects.create(subscriber=subscriber, secret=secret, created_at=now)
        after = _state(subscriber, [a.pk for a in agencies])
        _record(
            who,
            now,
            Change(
                "add",
                "webhooks.subscriber",
                str(subscriber.pk),
                subscriber.name,
                field_changes(None, after),
            ),
            _secret_change(row, None),
        )
        subscribers_cache_clear()
    return subscriber, secret


def _locked(subscriber_id: int) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        raise NotFound(_("Không có hệ thống nhận số {id}."), id=subscriber_id)
    return subscriber


def subscriber_rotate(*, subscriber_id: int, now: datetime, who: Who) -> str:
    """A new secret (returned, shown once); the live ones keep signing beside it for
    WEBHOOK_SECRET_GRACE_HOURS, then retire (`core.webhooks.retire_at_on_rotation`)."""
    grace = timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    secret = new_secret()
    with transaction.atomic():
        subscriber = _locked(subscriber_id)
        changes = []
        for row in subscriber.secrets.order_by("pk"):
            value = Secret(value=row.secret, created_at=row.created_at, retire_at=row.retire_at)
            retire = retire_at_on_rotation(value, now=now, grace=grace)
            if retire != row.retire_at:
                before = {"retire_at": row.retire_at.isoformat() if row.retire_at else None}
                SubscriberSecret.objects.filter(pk=row.pk).update(retire_at=retire)
                changes.append(
                    Change(
                        "change",
                        "webhooks.subscribersecret",
                        str(row.pk),
                        f"{subscriber.pk}/{row.pk}",
                        field_changes(
                            before, {"retire_at": retire.isoformat() if retire else None}
                        ),
                    )
                )
        new = SubscriberSecret.objects.create(subscriber=subscriber, secret=secret, created_at=now)
        _record(who, now, *changes, _secret_change(new, None))
    return secret


def subscriber_disable(*, subscriber_id: int, now: datetime, who: Who) -> Subscriber:
    """Stop queueing deliveries to the subscriber (those queued fail into dead letters)."""
    with transaction.atomic():
        subscriber = _locked(subscriber_id)
        if subscriber.active:
            Subscriber.objects.filter(pk=subscriber.pk).update(active=False)
            _record(
                who,
                now,
                Change(
                    "change",
                    "webhooks.subscriber",
                    str(subscriber.pk),
                    subscriber.name,
                    {"active": [True, False]},
                ),
            )
            subscriber.active = False
        subscribers_cache_clear()
    return subscriber


# --- The follower and the sender ---------------------------------------------------------------


def webhook_follow(dossier: Dossier, event: DossierEvent) -> list[OutboxMessage]:
    """One delivery per active subscriber following one of the dossier's agencies (received
    place, receiving, competent or current), for an announced change of a dossier that has
    its code; none otherwise. Called in the change's transaction (motcua.dossiers.notices)."""
    if not dossier.code or not announces(
        event.action, from_status=event.from_status, to_status=event.to_status
    ):
        return []
    places = [getattr(dossier, f"{name}_id") for name in DOSSIER_AGENCY_FIELDS]
    following = [s for s in subscribers_following() if follows(places, s.agency_ids)]
    if not following:
        return []
    agency = dossier.current_agency.code
    messages = []
    for subscriber in following:
        key = f"webhook:{subscriber.id}:{dossier.pk}:{event.seq}"
        change = StatusChange(
            delivery_id=delivery_id(key),
            occurred_at=event.at,
            code=dossier.code,
            status=event.to_status,
            previous_status=event.from_status,
            seq=event.seq,
            agency=agency,
        )
        message = outbox_message(
            recipient=subscriber.url,
            template="",
            context={"subscriber": subscriber.id, "delivery": change.delivery_id},
            dossier_id=dossier.pk,
            dedupe_key=key,
            now=event.at,
            channel=CHANNEL,
        )
        message.body = body_of(change)
        messages.append(message)
    return messages


def _resolves_publicly(url: str) -> None:
    """Refuse a host name that resolves to a loopback or private address (checked at each
    try: the name's records may have changed since the subscriber was added)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        found = {str(info[4][0]) for info in infos}
    except OSError as exc:
        raise DeliveryFailed(f"cannot resolve {host}: {exc}") from exc
    private = sorted(a for a in found if not address_is_public(a))
    if private:
        raise DeliveryFailed(f"{host} resolves to a private address ({', '.join(private)})")


def webhook_deliver(message: OutboxMessage) -> None:
    """POST one delivery, signed at send time with every secret live now (a rotation between
    queueing and sending signs with the new one), under the message's idempotency key; raise
    (so the outbox retries, then gives up) unless the subscriber answers 2xx in time.

    The subscriber's address and secrets are read at each try; a subscriber disabled or
    removed since fails the try. Redirects are not followed."""
    subscriber = subscriber_for_delivery(int(message.context["subscriber"]))
    if subscriber is None or not subscriber.active:
        raise DeliveryFailed("subscriber disabled or removed")
    try:
        url = checked_url(subscriber.url)
    except DomainError as exc:
        raise DeliveryFailed(f"address refused: {exc.message}") from exc
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        _resolves_publicly(url)
    live = live_secrets(subscriber_secrets(subscriber), timezone.now())
    if not live:
        raise DeliveryFailed("no live secret")
    body = message.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        HEADER: sign(body, [s.value for s in live], timestamp=int(time.time())),
        "Idempotency-Key": idempotency_key(message),
        "X-Motcua-Delivery": str(message.context.get("delivery", "")),
        "X-Motcua-Event": EVENT_STATUS_CHANGED,
    }
    host = urlsplit(url).netloc
    try:
        answer = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,  # the answer's body is never read: only its status counts
        )
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__} calling {host}") from exc
    answer.close()
    if not 200 <= answer.status_code < 300:
        raise DeliveryFailed(f"HTTP {answer.status_code} from {host}")
