"""Webhooks end to end: a status change of a followed dossier queues one signed delivery per
subscriber, written with the change; the worker's pass POSTs it to a real socket, signed with
every live secret at send time; failures retry with backoff and end as dead letters."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.adminlog.models import AdminChange
from motcua.adminlog.services import Who
from motcua.core.errors import ConflictError, InvalidInput
from motcua.core.lifecycle import Action
from motcua.core.webhooks import BadSignature, verify
from motcua.dossiers import audit
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from motcua.notify.services import MAX_ATTEMPTS, idempotency_key, outbox_deliver
from motcua.webhooks import services
from motcua.webhooks.models import Subscriber, SubscriberSecret
from motcua.webhooks.services import (
    subscriber_add,
    subscriber_disable,
    subscriber_rotate,
)
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.webhooks.receiver import serve

pytestmark = pytest.mark.django_db
ADMIN = Who(source="test", username="quantri")
T = at("2026-11-25 08:30")


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    """Tests call a receiver on loopback over http."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver():
    found, server = serve()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def clock():
    """The real clock at T, ticking: the sender signs with the time and the live secrets."""
    with time_machine.travel(T, tick=True) as traveller:
        yield traveller


def add(world, receiver, *agencies):
    codes = [a.code for a in agencies or [world.hoan_kiem]]
    return subscriber_add(name="Hệ thống A", url=receiver.url, agency_codes=codes, now=T, who=ADMIN)


def webhooks():
    return list(OutboxMessage.objects.filter(channel="webhook").order_by("pk"))


def test_a_status_change_is_delivered_signed_once_per_subscriber(world, receiver, clock):
    subscriber, secret = add(world, receiver)
    d = dossier_receive(intake=intake(world), actor=world.lan, now=T)
    (message,) = webhooks()
    assert message.dedupe_key == f"webhook:{subscriber.pk}:{d.pk}:1"
    assert outbox_deliver(now=T, worker="w") >= 1

    (got,) = receiver.got
    assert got.path == "/motcua/in"
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["idempotency-key"] == idempotency_key(message)
    now = int(timezone.now().timestamp())
    assert verify(got.headers["x-motcua-signature"], got.body, [secret], now=now) > 0
    with pytest.raises(BadSignature):
        verify(got.headers["x-motcua-signature"], got.body, ["whsec_other"], now=now)
    body = json.loads(got.body)
    assert body["type"] == "dossier.status_changed"
    assert body["id"] == got.headers["x-motcua-delivery"]
    assert body["dossier"] == {
        "code": d.code,
        "status": 2,
        "previous_status": None,
        "seq": 1,
        "agency": world.hoan_kiem.code,
    }
    assert body["occurred_at"] == "2026-11-25T01:30:00Z"
    # No personal data: neither the applicant's name nor their number.
    assert d.applicant_name.encode() not in got.body
    assert d.applicant_id_number.encode() not in got.body
    message.refresh_from_db()
    assert message.sent_at is not None


def test_only_status_changes_of_followed_agencies_are_queued(world, receiver, clock):
    add(world, receiver, world.police_hk)  # the chain's second agency
    other = subscriber_add(
        name="Hệ thống B", url=receiver.url, agency_codes=[world.ba_dinh.code], now=T, who=ADMIN
    )[0]
    d = dossier_receive(intake=intake(world), actor=world.lan, now=T)
    assert webhooks() == []  # neither follows Hoàn Kiếm
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    assert webhooks() == []
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 15:00"))
    # Now held by the commune police, but a hand-over inside one status: not announced.
    assert d.current_agency == world.police_hk
    assert webhooks() == []
    assert Subscriber.objects.filter(pk=other.pk, active=True).exists()


def test_every_subscriber_of_an_agency_gets_its_own_delivery(world, receiver, clock):
    first, _secret = add(world, receiver)
    second, _other = add(world, receiver)
    d = dossier_receive(intake=intake(world), actor=world.lan, now=T)
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    keys = sorted(m.dedupe_key for m in webhooks())
    expected = [f"webhook:{s.pk}:{d.pk}:{seq}" for s in (first, second) for seq in (1, 2)]
    assert d.status == 4
    assert keys == sorted(expected)
    ids = {json.loads(m.body)["id"] for m in webhooks()}
    assert len(ids) == 4


def test_a_disabled_subscriber_is_no_longer_queued_for(world, receiver, clock):
    subscriber, _secret = add(world, receiver)
    subscriber_disable(subscriber_id=subscriber.pk, now=T, who=ADMIN)
    dossier_receive(intake=intake(world), actor=world.lan, now=T)
    assert webhooks() == []


def test_a_delivery_is_retried_with_backoff_and_then_given_up(world, receiver, clock):
    add(world, receiver)
    dossier_receive(intake=intake(world), actor=world.lan, now=T)
    receiver.status = 500
    outbox_deliver(now=T, worker="w")
    (message,) = webhooks()
    assert (message.attempts, message.last_error) == (1, f"HTTP 500 from {receiver.url[7:22]}")
    # Two minutes after the try (the pass's clock runs on from `now` with the real one).
    assert timedelta(minutes=2) <= message.available_at - T < timedelta(minutes=3)
    outbox_deliver(now=T + timedelta(minutes=1), worker="w")  # not due yet
    assert len(receiver.got) == 1
    when = T + timedelta(minutes=3)
    for _ in range(MAX_ATTEMPTS - 1):
        outbox_deliver(now=when, worker="w")
        when += timedelta(days=1)
    message.refresh_from_db()
    assert message.failed_at is not None and message.sent_at is None
    assert len(receiver.got) == MAX_ATTEMPTS
    # Every try carried the same idempotency key and the same delivery id.
    assert {g.headers["idempotency-key"] for g in receiver.got} == {idempotency_key(message)}
    assert len({json.loads(g.body)["id"] for g in receiver.got}) == 1


def test_a_receiver_that_is_down_is_a_failed_try(world, receiver, clock, settings):
    subscriber, _secret = add(world, receiver)
    Subscriber.objects.filter(pk=subscriber.pk).update(url="http://127.0.0.1:9/in")  # discard
    dossier_receive(intake=intake(world), actor=world.lan, now=T)
    outbox_deliver(now=T, worker="w")
    (message,) = webhooks()
    assert message.sent_at is None and message.attempts == 1
    assert message.last_error.startswith("ConnectionError calling 127.0.0.1:9")


def test_a_rotation_between_queueing_and_sending_signs_with_both_secrets(world, receiver, clock):
    subscriber, old = add(world, receiver)
    dossier_receive(intake=intake(world), actor=world.lan, now=T)
    new = subscriber_rotate(subscriber_id=subscriber.pk, now=timezone.now(), who=ADMIN)
    outbox_deliver(now=T, worker="w")
    (got,) = receiver.got
    header = got.headers["x-motcua-signature"]
    assert header.count("v1=") == 2
    now = int(timezone.now().timestamp())
    assert verify(header, got.body, [old], now=now) and verify(header, got.body, [new], now=now)

    # After the grace period only the new secret signs: a receiver still on the old one fails.
    clock.shift(timedelta(hours=25))
    d = dossier_receive(intake=intake(world), actor=world.lan, now=timezone.now())
    outbox_deliver(now=timezone.now(), worker="w")
    assert len(receiver.got) == 2
    later = receiver.got[1]
    assert json.loads(later.body)["dossier"]["code"] == d.code
    header = later.headers["x-motcua-signature"]
    assert header.count("v1=") == 1
    now = int(timezone.now().timestamp())
    assert verify(header, later.body, [new], now=now)
    with pytest.raises(BadSignature):
        verify(header, later.body, [old], now=now)


def test_a_second_rotation_does_not_extend_the_first_ones_old_secret(world, receiver):
    subscriber, _first = add(world, receiver)
    subscriber_rotate(subscriber_id=subscriber.pk, now=T, who=ADMIN)
    subscriber_rotate(subscriber_id=subscriber.pk, now=T + timedelta(hours=1), who=ADMIN)
    retire = list(
        SubscriberSecret.objects.filter(subscriber=subscriber)
        .order_by("pk")
        .values_list("retire_at", flat=True)
    )
    assert retire == [T + timedelta(hours=24), T + timedelta(hours=25), None]


def test_a_bad_subscriber_is_refused_whole_and_nothing_is_stored(world, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(InvalidInput) as caught:
        subscriber_add(
            name="", url="http://10.0.0.5/in", agency_codes=["NO.SUCH"], now=T, who=ADMIN
        )
    fields = [p.details.get("field") for p in caught.value.problems()]
    assert fields == ["name", "url", "agencies"]
    assert not Subscriber.objects.exists() and not AdminChange.objects.exists()
    with pytest.raises(InvalidInput) as caught:
        subscriber_add(
            name="B",
            url="https://127.0.0.1/in",
            agency_codes=[world.hoan_kiem.code],
            now=T,
            who=ADMIN,
        )
    assert caught.value.problems()[0].code == "webhook_refused_address"
    with pytest.raises(InvalidInput) as caught:
        subscriber_add(
            name="N" * 201,
            url="https://hooks.example.vn/" + "x" * 300,
            agency_codes=[world.hoan_kiem.code],
            now=T,
            who=ADMIN,
        )
    assert [p.details["field"] for p in caught.value.problems()] == ["name", "url"]
    assert not Subscriber.objects.exists()


def test_a_name_resolving_to_a_private_address_is_not_called(
    world, receiver, monkeypatch, settings
):
    add(world, receiver)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    Subscriber.objects.update(url="http://hooks.example.vn/in")
    monkeypatch.setattr(
        services.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.0.0.7", 80))]
    )
    dossier_receive(intake=intake(world), actor=world.lan, now=T)
    outbox_deliver(now=T, worker="w")
    (message,) = webhooks()
    assert message.sent_at is None
    assert "resolves to a private address (10.0.0.7)" in message.last_error
    assert receiver.got == []


def test_the_command_adds_lists_rotates_and_disables(world, receiver, capsys, caplog):
    call_command(
        "webhook", "add", "--name", "Cổng tỉnh", "--url", receiver.url,
        "--agency", world.hoan_kiem.code, "--agency", world.centre.code,
    )  # fmt: skip
    out = capsys.readouterr().out
    subscriber = Subscriber.objects.get()
    secret = SubscriberSecret.objects.get().secret
    assert out.strip() == f"id={subscriber.pk} secret={secret}"
    call_command("webhook", "rotate", str(subscriber.pk))
    new = capsys.readouterr().out.strip().removeprefix("secret=")
    assert new != secret and SubscriberSecret.objects.filter(secret=new).exists()
    call_command("webhook", "list")
    listing = capsys.readouterr().out
    assert "Cổng tỉnh" in listing and "active" in listing
    assert listing.count(" live from ") == 2
    assert secret not in listing and new not in listing  # fingerprints only
    call_command("webhook", "disable", str(subscriber.pk))
    assert not Subscriber.objects.get().active

    # Each change is in the administrative log's chain; the secrets never are.
    rows = list(AdminChange.objects.order_by("seq"))
    assert [(r.model, r.kind) for r in rows] == [
        ("webhooks.subscriber", "add"),
        ("webhooks.subscribersecret", "add"),
        ("webhooks.subscribersecret", "change"),
        ("webhooks.subscribersecret", "add"),
        ("webhooks.subscriber", "change"),
    ]
    assert rows[0].source == "webhook add"
    assert all(
        secret not in json.dumps(r.changes) and new not in json.dumps(r.changes) for r in rows
    )
    assert rows[1].changes["secret"] == "changed"
    assert audit.verify().problems == []

    with caplog.at_level(logging.WARNING), pytest.raises(CommandError) as caught:
        call_command("webhook", "add", "--name", "X", "--url", "ftp://x", "--agency", "NO")
    problem = json.loads(str(caught.value))
    assert problem["code"] == "invalid"
    assert [e["field"] for e in problem["errors"]] == ["url", "agencies"]
    assert Subscriber.objects.count() == 1
    assert "webhook add refused: invalid" in caplog.text


def test_the_competent_agencys_subscriber_hears_of_a_dossier_received_elsewhere(
    world, receiver, clock
):
    """Received at the city centre for the Department of Justice: the Department's subscriber
    hears of its reception, then of the supplement asked for while the Department holds it."""
    add(world, receiver, world.justice)
    d = dossier_receive(intake=intake(world, world.record), actor=world.ha, now=T)
    assert d.received_place == world.centre and d.competent_agency == world.justice
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.ha, now=at("2026-11-25 08:45"))
    d = dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.minh,
        now=at("2026-11-25 09:00"),
        missing=["Bản sao căn cước"],
    )
    said = [json.loads(m.body)["dossier"] for m in webhooks()]
    assert [(x["previous_status"], x["status"]) for x in said] == [(None, 2), (2, 4), (4, 5)]
    assert [x["agency"] for x in said] == [
        world.centre.code,
        world.justice.code,
        world.justice.code,
    ]


def test_a_change_that_loses_writes_no_delivery(world, receiver, clock):
    add(world, receiver)
    stale = dossier_receive(intake=intake(world), actor=world.lan, now=T)
    dossier_act(dossier=stale, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    assert len(webhooks()) == 2
    with pytest.raises(ConflictError):  # someone else changed it first
        dossier_act(
            dossier=stale, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:01")
        )
    assert len(webhooks()) == 2
