"""The reads of webhook subscribers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet

from motcua.caching import Family
from motcua.core.webhooks import Secret
from motcua.webhooks.models import Subscriber, SubscriberSecret

# Read on every status change of every dossier (the follower, in the change's transaction):
# the active subscribers and their agencies, cached and forgotten by every service that
# changes them (and the admin), so a dossier action costs no query when nobody follows it.
_FOLLOWING = Family("webhook_subscribers")


@dataclass(frozen=True)
class Following:
    """An active subscriber as the follower needs it."""

    id: int
    url: str
    agency_ids: frozenset[int]


def subscribers_cache_clear() -> None:
    """Forget the cached subscribers; called by every change of a subscriber or its agencies."""
    _FOLLOWING.forget()


def subscribers_following() -> tuple[Following, ...]:
    """The active subscribers with the ids of the agencies each follows."""
    return _FOLLOWING.fetch("active", load=_load_following)


def _load_following() -> tuple[Following, ...]:
    rows = Subscriber.objects.filter(active=True).prefetch_related("agencies").order_by("pk")
    return tuple(
        Following(id=s.pk, url=s.url, agency_ids=frozenset(a.pk for a in s.agencies.all()))
        for s in rows
    )


def subscriber_for_delivery(subscriber_id: int) -> Subscriber | None:
    """The subscriber with its secrets, as the sender reads it at each try."""
    return Subscriber.objects.prefetch_related("secrets").filter(pk=subscriber_id).first()


def subscriber_secrets(subscriber: Subscriber) -> list[Secret]:
    """The subscriber's secrets as the core takes them."""
    return [
        Secret(value=s.secret, created_at=s.created_at, retire_at=s.retire_at)
        for s in subscriber.secrets.all()
    ]


def subscribers_list() -> QuerySet[Subscriber]:
    """Every subscriber with its agencies and secrets (never their values on a screen)."""
    return Subscriber.objects.prefetch_related("agencies", "secrets").order_by("pk")


def secret_rows(subscriber: Subscriber) -> list[SubscriberSecret]:
    """The subscriber's secrets, newest first."""
    return sorted(subscriber.secrets.all(), key=lambda s: s.created_at, reverse=True)


def fingerprint(secret: str) -> str:
    """What identifies a secret on a screen without revealing it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]
