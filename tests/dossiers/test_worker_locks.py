"""The worker's deadline pass holds no lock across its batch (PostgreSQL, real connections).

An officer acting on a dossier the worker is about to mark overdue must not wait for the whole
batch, and two workers reading the same candidates at once must still apply each action once.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from motcua.core.lifecycle import Action
from motcua.dossiers import deadlines
from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_act, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.django_db(transaction=True)
# Every dossier received on Wednesday 08:30 is past its 3 working days by then.
LATE = at("2026-12-02 09:00")
# Only a guard against a hang if the code under test deadlocks; never reached when it works.
HANG = 60


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")


def received(world, count):
    return [
        dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
        for _ in range(count)
    ]


def test_an_officer_acting_during_the_worker_pass_is_not_blocked(world, monkeypatch):
    dossiers = received(world, 4)
    acting, release = threading.Event(), threading.Event()
    real_act = deadlines.dossier_act
    first = []

    def act_then_hold(**kwargs):
        """The worker's first action, then it waits, mid-batch, until the officer is done."""
        result = real_act(**kwargs)
        if not acting.is_set():
            first.append(kwargs["dossier"].pk)
            acting.set()
            release.wait(HANG)
        return result

    monkeypatch.setattr(deadlines, "dossier_act", act_then_hold)
    outcome = {}

    def worker():
        try:
            outcome["report"] = deadlines.process_deadlines(now=LATE)
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc
        finally:
            acting.set()
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert acting.wait(HANG)
        # The worker is mid-batch: one dossier done, the others still to come.
        other = Dossier.objects.get(pk=next(d.pk for d in dossiers if d.pk not in first))
        with connection.cursor() as cursor:
            # Were the worker holding the batch's rows, this would fail after 200 ms.
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            moved = dossier_act(dossier=other, action=Action.FORWARD, actor=world.lan, now=LATE)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        assert moved.version == other.version + 1
    finally:
        release.set()
        thread.join(HANG)
    assert "error" not in outcome, outcome
    assert outcome["report"].overdue == len(dossiers)  # the moved one too, on its new version
    for d in dossiers:
        assert DossierEvent.objects.filter(dossier=d, action="mark_overdue").count() == 1
    assert verify_chains() == []


def test_two_workers_reading_the_same_candidates_apply_each_action_once(world, monkeypatch):
    dossiers = received(world, 12)
    # Three to be warned: received Friday 14:00, due Wednesday 14:00, hours after LATE.
    soon = [
        dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-27 14:00"))
        for _ in range(3)
    ]
    both_read = threading.Barrier(2, timeout=HANG)
    real_candidates = deadlines._candidates

    def candidates_then_wait(queryset, batch):
        ids = real_candidates(queryset, batch)
        both_read.wait()  # neither acts before both have read the same candidates
        return ids

    monkeypatch.setattr(deadlines, "_candidates", candidates_then_wait)
    reports, errors = [None, None], [None, None]

    def worker(i):
        try:
            reports[i] = deadlines.process_deadlines(now=LATE)
        except Exception as exc:  # reported by the assertion below
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG)
    assert errors == [None, None]
    assert sum(r.overdue for r in reports) == len(dossiers)
    assert sum(r.warned for r in reports) == len(soon)
    for d in dossiers:
        assert DossierEvent.objects.filter(dossier=d, action="mark_overdue").count() == 1
    for d in soon:
        assert DossierEvent.objects.filter(dossier=d, action="warn").count() == 1
    apologies = sum(r.apologies for r in reports)
    assert DossierEvent.objects.filter(action="draft_apology").count() == apologies
    for d in dossiers + soon:
        assert DossierEvent.objects.filter(dossier=d, action="draft_apology").count() <= 1
    assert verify_chains() == []
