"""The order rule under real parallel connections (PostgreSQL): a change of a dossier made
while the acknowledgement of its previous record is being written never leaves its record
unqueued, whichever of the two takes the lock first."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from motcua.core.lifecycle import Action
from motcua.dossiers.models import DossierEvent
from motcua.national import services
from motcua.national.models import NationalSync
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_queue
from tests.conftest import at
from tests.oversight.histories import _birth

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")


@pytest.fixture
def connected(settings):
    settings.NATIONAL_PORTAL_URL = "http://portal.invalid"


def _someone_waits_on_a_lock() -> None:
    """Return once another connection of this database waits on a row lock (bounded)."""
    with connections["default"].cursor() as cursor:
        for _ in range(200_000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("nobody waited on the lock")


def _change(dossier, seq):
    """The follower's part of a change (status 2 → 4), in the caller's transaction."""
    event = DossierEvent(
        seq=seq,
        action=Action.FORWARD.value,
        from_status=2,
        to_status=4,
        at=at("2026-12-01 09:00"),
        payload={},
    )
    return services.national_follow(dossier, event)


def _run(first, second):
    """`first` runs in a transaction held open until `second`, started after it, waits on
    its lock; then both finish."""
    holding, done = threading.Event(), threading.Event()
    errors = []

    def hold():
        try:
            with transaction.atomic():
                first()
                holding.set()
                done.wait(30)
        except Exception as exc:
            errors.append(exc)
            holding.set()
        finally:
            connections.close_all()

    def follow():
        try:
            second()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=hold)
    a.start()
    holding.wait(30)
    b = threading.Thread(target=follow)
    b.start()
    try:
        _someone_waits_on_a_lock()
    finally:
        done.set()
        a.join()
        b.join()
    assert errors == []


def _queued(dossier, seq):
    return OutboxMessage.objects.filter(dedupe_key=f"national:{dossier.pk}:{seq}").count()


def test_a_change_during_the_acknowledgement_is_queued_by_the_change(world, connected):
    d = _birth(world, "2026-12-01 08:30")
    first = NationalSync.objects.get(dossier=d)
    seq = first.seq + 1

    def acknowledge():
        services._acknowledge(first, receipt="R-1", at=at("2026-12-01 08:31"))

    def change():
        with transaction.atomic():
            outbox_queue(list(_change(d, seq)))

    _run(acknowledge, change)  # the acknowledgement holds the lock; the change waits
    assert _queued(d, seq) == 1


def test_an_acknowledgement_during_a_change_queues_the_change(world, connected):
    d = _birth(world, "2026-12-01 08:30")
    first = NationalSync.objects.get(dossier=d)
    seq = first.seq + 1

    def change():
        outgoing = _change(d, seq)
        assert outgoing == []  # the first record still waits: the acknowledgement queues it

    def acknowledge():
        services._acknowledge(first, receipt="R-1", at=at("2026-12-01 08:31"))

    _run(change, acknowledge)  # the change holds the lock; the acknowledgement waits
    assert _queued(d, seq) == 1
