"""A subscriber's outage end to end: its deliveries fail into dead letters, the administrator
sees them with their dossier's code, replays the channel once it is back, and the next pass
delivers them, signed; one queued for a subscriber disabled since fails with a reason."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from motcua.adminlog.services import Who
from motcua.core.lifecycle import Role
from motcua.core.webhooks import verify
from motcua.dossiers.services import dossier_receive
from motcua.notify.models import OutboxMessage
from motcua.notify.services import MAX_ATTEMPTS, outbox_deliver
from motcua.webhooks.services import subscriber_add, subscriber_disable
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.factories import _person
from tests.webhooks.receiver import serve

pytestmark = pytest.mark.django_db
T = at("2026-11-25 08:30")


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    found, server = serve()
    yield found
    server.shutdown()
    server.server_close()


def test_the_administrator_replays_a_subscribers_deliveries_after_its_outage(
    world, receiver, client
):
    _person("quantri", "Phạm Văn Quang", world.centre, "mot-cua", Role.ADMIN)
    client.force_login(get_user_model().objects.get(username="quantri"))
    with time_machine.travel(T, tick=True):
        _sub, secret = subscriber_add(
            name="Cổng tỉnh",
            url=receiver.url,
            agency_codes=[world.hoan_kiem.code],
            now=T,
            who=Who(source="test"),
        )
        d = dossier_receive(intake=intake(world), actor=world.lan, now=T)
        receiver.status = 503
        when = T
        for _ in range(MAX_ATTEMPTS):
            outbox_deliver(now=when, worker="w")
            when += timedelta(days=1)
        page = client.get("/can-bo/tich-hop/", {"channel": "webhook"})
        ((_name, row),) = page.context["rows"]
        assert (row.dossier_code, row.attempts) == (d.code, MAX_ATTEMPTS)
        assert row.error.startswith("HTTP 503 from 127.0.0.1:")

        receiver.status = 204
        client.post("/can-bo/tich-hop/gui-lai-ca-kenh/", {"channel": "webhook"})
        assert outbox_deliver(now=timezone.now(), worker="w") == 1
        last = receiver.got[-1]
        assert len(receiver.got) == MAX_ATTEMPTS + 1
        assert json.loads(last.body)["dossier"]["code"] == d.code
        now = int(timezone.now().timestamp())
        assert verify(last.headers["x-motcua-signature"], last.body, [secret], now=now)


def test_a_delivery_for_a_subscriber_disabled_since_fails_with_its_reason(world, receiver):
    sub, _secret = subscriber_add(
        name="Cổng tỉnh",
        url=receiver.url,
        agency_codes=[world.hoan_kiem.code],
        now=T,
        who=Who(source="test"),
    )
    dossier_receive(intake=intake(world), actor=world.lan, now=T)
    subscriber_disable(subscriber_id=sub.pk, now=T, who=Who(source="test"))
    outbox_deliver(now=T, worker="w")
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.sent_at is None and message.last_error == "subscriber disabled or removed"
    assert receiver.got == []
