"""The admin of webhook subscribers: a new one's first secret and a rotation's new one are shown
once, in a message; pages afterwards show fingerprints only; every change is in the log."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from motcua.adminlog.models import AdminChange
from motcua.adminlog.services import Who
from motcua.webhooks.models import Subscriber, SubscriberSecret
from motcua.webhooks.services import subscriber_add
from tests.adminlog.forms import admin_form
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def quantri(client, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    user = get_user_model().objects.create_superuser("quantri", password="x-quantri-2026")
    client.force_login(user)
    return user


def test_a_subscriber_added_in_the_admin_gets_a_secret_shown_once(world, client, quantri):
    url = "/admin/webhooks/subscriber/add/"
    data = admin_form(client, url)
    data.update(name=["Cổng tỉnh"], url=["https://hooks.example.vn/in"], active=["on"])
    data["agencies"] = [str(world.hoan_kiem.pk)]
    answer = client.post(url, data, follow=True)
    assert answer.status_code == 200
    secret = SubscriberSecret.objects.get().secret
    assert secret in answer.content.decode()  # the message, once
    subscriber = Subscriber.objects.get()
    page = client.get(f"/admin/webhooks/subscriber/{subscriber.pk}/change/").content.decode()
    assert secret not in page
    assert client.get("/admin/webhooks/subscriber/").content.decode().count(secret) == 0
    rows = AdminChange.objects.filter(model__startswith="webhooks.")
    assert {r.model for r in rows} == {"webhooks.subscriber", "webhooks.subscribersecret"}
    assert all(secret not in str(r.changes) for r in rows)


def test_the_admin_refuses_a_private_address(world, client, quantri):
    url = "/admin/webhooks/subscriber/add/"
    data = admin_form(client, url)
    data.update(name=["Nội bộ"], url=["https://192.168.1.10/in"], active=["on"])
    data["agencies"] = [str(world.hoan_kiem.pk)]
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert "mạng riêng" in answer.content.decode()
    assert not Subscriber.objects.exists()


def test_the_rotate_action_shows_the_new_secret_once(world, client, quantri):
    subscriber, first = subscriber_add(
        name="A",
        url="https://hooks.example.vn/in",
        agency_codes=[world.hoan_kiem.code],
        now=at("2026-11-25 08:00"),
        who=Who(source="test"),
    )
    answer = client.post(
        "/admin/webhooks/subscriber/",
        {"action": "rotate", "_selected_action": [str(subscriber.pk)]},
        follow=True,
    )
    new = SubscriberSecret.objects.exclude(secret=first).get().secret
    assert new in answer.content.decode() and first not in answer.content.decode()
    assert SubscriberSecret.objects.get(secret=first).retire_at is not None
