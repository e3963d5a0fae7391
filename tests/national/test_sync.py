"""The sync of every dossier's changes to the national portal, against the portal simulator:
in order, once each from the portal's side, through failures, lost answers and dead letters."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from motcua.core.lifecycle import Action
from motcua.dossiers.services import Handover, dossier_act
from motcua.national.models import NationalSync
from motcua.national.selectors import dossier_syncs, sync_rate
from motcua.notify.models import OutboxMessage
from motcua.notify.services import MAX_ATTEMPTS, outbox_deliver
from motcua.simulator.services import received_records, simulator_control
from tests.conftest import at
from tests.dossiers.test_services import PERSON
from tests.oversight.histories import _birth, _settle
from tests.scanfiles import PDF, upload

pytestmark = pytest.mark.django_db


def _played(world):
    """A birth registration received at Hoàn Kiếm's desk on Tuesday 1/12 at 08:30, settled
    and returned by 10:00."""
    d = _birth(world, "2026-12-01 08:30")
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-01 08:40"))
    d = _settle(world, d, appraised="2026-12-01 09:00", approved="2026-12-01 09:30")
    return dossier_act(
        dossier=d,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-12-01 10:00"),
        handover=Handover(
            "desk", "12/QĐ-UBND", "applicant", id_number=PERSON.id_number, confirmed=True
        ),
    )


def _statuses(code):
    return [(r.seq, r.status) for r in received_records(code=code)]


def test_it_queues_nothing_when_not_connected(world, settings):
    settings.NATIONAL_PORTAL_URL = ""
    d = _played(world)
    assert dossier_syncs(d.pk) == []
    assert not OutboxMessage.objects.filter(channel="national").exists()
    assert sync_rate(agency_id=d.competent_agency_id, start=at("2026-12-01 00:00"),
                     end=at("2026-12-02 00:00")) is None  # fmt: skip


def test_it_sends_every_status_once_in_order(world, portal):
    d = _played(world)
    # Only the first record is in the outbox: each next one waits for the one before.
    assert OutboxMessage.objects.filter(channel="national").count() == 1
    outbox_deliver(now=at("2026-12-01 10:05"))
    received = received_records(code=d.code)
    assert [r.status for r in received] == [2, 4, 9, 10]
    assert [r.seq for r in received] == sorted(r.seq for r in received)
    assert all(r.deliveries == 1 for r in received)
    done = received[2].record
    assert done["NgayHenTra"] == "20261201170000"  # the first appointment
    assert done["NgayKetThucXuLy"] == "20261201093000"
    assert "MaKetQua" in done and received[1].record.get("MaKetQua") is None
    assert received[3].record["MaKetQua"] == "12/QĐ-UBND"
    assert all(s.acknowledged_at is not None and s.attempts == 1 for s in dossier_syncs(d.pk))
    # Authorised with the token, keyed by the outbox message.
    first = portal.sent[0]
    assert first.headers["Authorization"] == "Bearer jeton-cong-dvcqg-thu-nghiem"
    assert first.headers["Idempotency-Key"].startswith("motcua.outbox.")


def test_failures_are_retried_with_backoff_and_change_nothing_in_the_order(world, portal):
    d = _played(world)
    simulator_control(fail_next=2)
    t = at("2026-12-01 10:05")
    outbox_deliver(now=t)  # fails: next try in 2 minutes
    outbox_deliver(now=t + timedelta(minutes=1))  # too early: nothing tried
    assert NationalSync.objects.get(dossier=d, status=2).attempts == 1
    outbox_deliver(now=t + timedelta(minutes=2, seconds=1))  # fails: next in 4 minutes
    outbox_deliver(now=t + timedelta(minutes=5))
    assert received_records(code=d.code) == []
    outbox_deliver(now=t + timedelta(minutes=7))
    assert _statuses(d.code) == [(s.seq, s.status) for s in dossier_syncs(d.pk)]
    assert [s for _, s in _statuses(d.code)] == [2, 4, 9, 10]
    assert NationalSync.objects.get(dossier=d, status=2).attempts == 3


def test_a_lost_answer_is_sent_again_and_kept_once(world, portal):
    d = _played(world)
    simulator_control(lose_next=1)  # the portal keeps it, the answer never comes back
    t = at("2026-12-01 10:05")
    outbox_deliver(now=t)
    assert _statuses(d.code)[0][1] == 2
    assert NationalSync.objects.get(dossier=d, status=2).acknowledged_at is None
    outbox_deliver(now=t + timedelta(minutes=3))
    received = received_records(code=d.code)
    assert [r.status for r in received] == [2, 4, 9, 10]
    assert received[0].deliveries == 2  # the same key twice: the portal kept it once


def test_a_timeout_is_retried(world, portal):
    d = _played(world)
    portal.timeouts = 1
    t = at("2026-12-01 10:05")
    outbox_deliver(now=t)
    assert received_records(code=d.code) == []
    assert "timeout" in NationalSync.objects.get(dossier=d, status=2).last_error
    outbox_deliver(now=t + timedelta(minutes=3))
    assert [s for _, s in _statuses(d.code)] == [2, 4, 9, 10]


def test_a_dead_letter_holds_the_later_records_back(world, portal):
    d = _played(world)
    simulator_control(fail_next=100)
    t = at("2026-12-01 10:05")
    for attempt in range(MAX_ATTEMPTS):
        outbox_deliver(now=t + timedelta(minutes=2 ** (attempt + 1)) * (attempt + 1))
    message = OutboxMessage.objects.get(channel="national")
    assert message.failed_at is not None  # given up: a dead letter
    simulator_control(fail_next=0)
    outbox_deliver(now=t + timedelta(days=3))
    assert received_records(code=d.code) == []  # nothing overtook it
    assert [s.acknowledged_at for s in dossier_syncs(d.pk)] == [None] * 4
    rate = sync_rate(agency_id=d.competent_agency_id, start=at("2026-12-01 00:00"),
                     end=at("2026-12-02 00:00"))  # fmt: skip
    assert rate is not None and (rate.dossiers, rate.on_time, rate.waiting) == (1, 0, 4)
    # Set aside it would hold the rest back for good: the screen refuses, the purge keeps it.
    from motcua.core.deadletters import KeptInOrder
    from motcua.notify.services import outbox_discard, outbox_purge

    with pytest.raises(KeptInOrder):
        outbox_discard(message_id=message.pk, now=t + timedelta(days=3))
    outbox_purge(before=t + timedelta(days=400), apply=True)
    message.refresh_from_db()
    assert message.discarded_at is None
    # Sent again (the dead-letter screen's resend): the rest follow, in order.
    OutboxMessage.objects.filter(pk=message.pk).update(failed_at=None, attempts=0)
    outbox_deliver(now=t + timedelta(days=3, minutes=1))
    assert [s for _, s in _statuses(d.code)] == [2, 4, 9, 10]


def test_the_sync_rate_counts_dossiers_synced_within_a_working_hour(world, portal):
    quick = _birth(world, "2026-12-01 08:30")
    outbox_deliver(now=at("2026-12-01 08:31"))
    slow = _birth(world, "2026-12-01 11:30", name="Trần Văn Chậm")
    outbox_deliver(now=at("2026-12-01 14:01"))  # 91 working minutes after the change
    rate = sync_rate(agency_id=quick.competent_agency_id, start=at("2026-12-01 00:00"),
                     end=at("2026-12-02 00:00"))  # fmt: skip
    assert rate is not None
    assert (rate.dossiers, rate.synced, rate.on_time, rate.waiting) == (2, 2, 1, 0)
    assert rate.rate == Fraction(1, 2)
    assert slow.competent_agency_id == quick.competent_agency_id


def test_a_result_attached_with_a_status_is_one_record(world, portal):
    d = _birth(world, "2026-12-01 08:30")
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-01 08:40"))
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-12-01 09:00"))
    syncs = dossier_syncs(d.pk)
    assert [s.status for s in syncs] == [2, 4]  # the proposal changed no status
    assert upload(PDF, "kq.pdf")  # (the result itself: test_it_sends_every_status_once_in_order)
