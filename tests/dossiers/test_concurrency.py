"""Real parallel connections on PostgreSQL: unique codes and one winner per version."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from motcua.core.errors import ConflictError
from motcua.core.lifecycle import Action
from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Papers, dossier_act, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")


def in_threads(count, work):
    """Run `work(i)` in `count` threads released at once; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected for the assertion
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_parallel_intake_gives_unique_consecutive_codes(world):
    def work(i):
        return [
            dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30")).code
            for _ in range(8)
        ]

    results, errors = in_threads(4, work)
    assert errors == [None] * 4
    codes = sorted(code for batch in results for code in batch)
    assert codes == [f"H26.100-261125-{n:04d}" for n in range(1, 33)]


def test_two_officers_acting_at_once_exactly_one_wins(world):
    for _ in range(3):  # a few rounds: either may win, never both, never neither
        d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
        # Both officers loaded the same version before either acts.
        copies = [Dossier.objects.get(pk=d.pk), Dossier.objects.get(pk=d.pk)]

        def work(i, copies=copies):
            if i == 0:
                return dossier_act(
                    dossier=copies[0],
                    action=Action.FORWARD,
                    actor=world.lan,
                    now=at("2026-11-25 10:00"),
                )
            return dossier_act(
                dossier=copies[1],
                action=Action.REQUEST_SUPPLEMENT,
                actor=world.lan,
                now=at("2026-11-25 10:00"),
                missing=["Tờ khai"],
            )

        results, errors = in_threads(2, work)
        assert len([r for r in results if r is not None]) == 1, errors
        assert len([e for e in errors if isinstance(e, ConflictError)]) == 1, errors
        d.refresh_from_db()
        assert d.version == 2
        assert DossierEvent.objects.filter(dossier=d).count() == 2
    assert verify_chains() == []


def test_four_officers_at_once_one_wins_and_no_loser_leaves_a_trace(world):
    """The compare-and-set travels in one pipeline with the writes it guards: a loser's step
    row, event and message must all roll back with it."""
    from motcua.dossiers.models import DossierStep
    from motcua.notify.models import OutboxMessage

    for _ in range(4):
        d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
        copies = [Dossier.objects.get(pk=d.pk) for _ in range(4)]
        messages_before = OutboxMessage.objects.filter(dossier=d).count()

        def work(i, copies=copies):
            kwargs = {"missing": ["Tờ khai"]} if i % 2 else {}
            action = Action.REQUEST_SUPPLEMENT if i % 2 else Action.FORWARD
            return dossier_act(
                dossier=copies[i],
                action=action,
                actor=world.lan,
                now=at("2026-11-25 10:00"),
                **kwargs,
            )

        results, errors = in_threads(4, work)
        winners = [r for r in results if r is not None]
        assert len(winners) == 1, errors
        assert all(isinstance(e, ConflictError) for e in errors if e is not None), errors
        d.refresh_from_db()
        assert d.version == 2
        assert DossierEvent.objects.filter(dossier=d).count() == 2
        # A forward wrote the reception step's row; a supplement request wrote none.
        assert DossierStep.objects.filter(dossier=d).count() == d.step_index
        assert OutboxMessage.objects.filter(dossier=d).count() <= messages_before + 1
    assert verify_chains() == []


def test_several_workers_at_once_do_each_thing_once(world):
    """`motcua worker` may run on several machines: every change goes through the
    compare-and-set, and each outbox message is claimed by one worker at a time."""
    from django.core import mail

    from motcua.dossiers.deadlines import process_deadlines
    from motcua.notify.models import OutboxMessage
    from motcua.notify.services import outbox_deliver

    dossiers = [
        dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
        for _ in range(40)
    ]
    mail.outbox.clear()
    now = at("2026-12-02 09:00")  # every one of them is past its 3 working days

    def work(_i):
        overdue = process_deadlines(now=now).overdue
        return overdue, outbox_deliver(now=now)

    results, errors = in_threads(3, work)
    assert errors == [None] * 3
    assert sum(overdue for overdue, _sent in results) == len(dossiers)
    for d in dossiers:
        assert DossierEvent.objects.filter(dossier=d, action="mark_overdue").count() == 1
    sent = sum(count for _overdue, count in results)
    assert sent == len(mail.outbox) == OutboxMessage.objects.exclude(sent_at=None).count()
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(subjects) == len(set(subjects))  # nobody is mailed the same news twice
    assert verify_chains() == []


def test_a_lost_race_stops_before_the_writes_it_guards(world):
    """A stale action fails at its compare-and-set on the server, so the writes queued behind
    it in the pipeline never run (they would be rolled back, but could first wait for rows
    other transactions hold). A sequence, which no rollback rewinds, counts the statements
    that reached the step and event tables."""
    probe = """
        CREATE SEQUENCE probe_writes;
        CREATE FUNCTION probe_writes() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN PERFORM nextval('probe_writes'); RETURN NULL; END $$;
        CREATE TRIGGER probe_steps AFTER INSERT OR UPDATE ON dossiers_dossierstep
            FOR EACH STATEMENT EXECUTE FUNCTION probe_writes();
        CREATE TRIGGER probe_events AFTER INSERT ON dossiers_dossierevent
            FOR EACH STATEMENT EXECUTE FUNCTION probe_writes();
    """
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
    stale = Dossier.objects.get(pk=d.pk)
    dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-25 09:40"),
        missing=["Tờ khai"],
    )
    with connection.cursor() as cursor:
        cursor.execute(probe)
    try:
        with pytest.raises(ConflictError):
            dossier_act(
                dossier=stale, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 10:00")
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT is_called FROM probe_writes")
            (written,) = cursor.fetchone()
        assert not written
        # The probe works: a winning action does reach those tables.
        dossier_act(
            dossier=Dossier.objects.get(pk=d.pk),
            action=Action.SUPPLEMENT,
            actor=world.lan,
            now=at("2026-11-25 10:05"),
            papers=Papers(others=["Tờ khai"]),
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT is_called FROM probe_writes")
            assert cursor.fetchone() == (True,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER probe_steps ON dossiers_dossierstep;"
                " DROP TRIGGER probe_events ON dossiers_dossierevent;"
                " DROP FUNCTION probe_writes(); DROP SEQUENCE probe_writes;"
            )
