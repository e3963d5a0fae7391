"""The dead-letter screen: only an administrator with the second factor opens it or acts on
it; a replay goes out on the next pass, a discard never does, neither applies twice; each is
a POST with CSRF, atomic, and recorded in the administrative log's chain."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.client import ClientMixin
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.adminlog.models import AdminChange
from motcua.core.lifecycle import Role
from motcua.desk.middleware import NOT_REQUIRED, SECOND_FACTOR
from motcua.dossiers import audit
from motcua.notify import services
from motcua.notify.models import OutboxMessage
from motcua.notify.services import MAX_ATTEMPTS, outbox_deliver, outbox_message, outbox_queue
from tests.factories import _person

pytestmark = pytest.mark.django_db
URL = "/can-bo/tich-hop/"


class Far:
    """A channel's receiver, down until brought up."""

    def __init__(self) -> None:
        self.up = False
        self.got: list[int] = []

    def __call__(self, message: OutboxMessage) -> None:
        if not self.up:
            raise ConnectionError("HTTP 503 from hooks.example.vn")
        self.got.append(message.pk)


@pytest.fixture
def far(monkeypatch):
    found = Far()
    monkeypatch.setattr(services, "_SENDERS", {"webhook": found})
    return found


@pytest.fixture
def quantri(world):
    return _person("quantri", "Phạm Văn Quang", world.centre, "mot-cua", Role.ADMIN)


def signed_in(client: Client, username: str) -> Client:
    client.force_login(get_user_model().objects.get(username=username))
    return client


def dead(count: int, channel: str = "webhook") -> list[OutboxMessage]:
    """`count` messages queued days ago and tried, a day apart, until given up."""
    start = timezone.now() - timedelta(days=MAX_ATTEMPTS + 1)
    outbox_queue(
        [
            outbox_message(
                recipient=f"https://hooks.example.vn/in/token-{i}",
                template="",
                context={},
                dossier_id=None,
                dedupe_key=f"{channel}:{i}",
                now=start,
                channel=channel,
            )
            for i in range(count)
        ]
    )
    when = start
    for _ in range(MAX_ATTEMPTS):
        outbox_deliver(now=when, worker="w")
        when += timedelta(days=1)
    found = list(OutboxMessage.objects.filter(channel=channel).order_by("pk"))
    assert all(m.failed_at is not None for m in found)
    return found


def state(m: OutboxMessage) -> tuple:
    m.refresh_from_db()
    return (m.attempts, m.failed_at, m.available_at, m.discarded_at, m.sent_at)


def test_the_administrator_sees_counts_and_the_dead_letters(world, quantri, client, far):
    (m,) = dead(1)
    page = signed_in(client, "quantri").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tích hợp: tin gửi lỗi" in html
    assert f'id="message-{m.pk}"' in html
    assert "https://hooks.example.vn/…" in html and "token-0" not in html  # shown safely
    assert "HTTP 503 from hooks.example.vn" in html
    local = timezone.localtime(m.failed_at).strftime("%H:%M %d/%m/%Y")
    assert local in html
    name, counts = page.context["counts"][-1]
    assert (name, counts.channel, counts.given_up) == (
        "Webhook (hệ thống đăng ký nhận tin)",
        "webhook",
        1,
    )
    assert "<th scope=\"row\">Thư điện tử</th>" in html  # in words, not codes
    assert signed_in(client, "quantri").get(URL, {"channel": "email"}).context["rows"] == []
    assert client.get(URL, {"channel": "nope"}).status_code == 400


def test_the_list_costs_the_same_queries_for_many_messages(
    world, quantri, client, far, django_assert_max_num_queries
):
    dead(2)
    signed_in(client, "quantri")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    OutboxMessage.objects.all().delete()
    dead(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(URL)
    assert len(page.context["rows"]) == 20


@pytest.mark.parametrize("username", ["lan", "son", "long", "giamsat"])
def test_every_other_role_is_refused(world, client, far, username):
    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    (m,) = dead(1)
    before = state(m)
    signed_in(client, username)
    assert client.get(URL).status_code == 403
    for action in ("gui-lai", "bo-qua"):
        answer = client.post(f"{URL}{m.pk}/{action}/")
        assert answer.status_code == 403
        assert "Trang dành cho quản trị hệ thống." in answer.content.decode()
    assert client.post(f"{URL}gui-lai-ca-kenh/", {"channel": "webhook"}).status_code == 403
    assert state(m) == before
    assert not AdminChange.objects.exists()


def test_an_administrator_without_the_second_factor_is_refused(world, quantri, client, far):
    (m,) = dead(1)
    before = state(m)
    user = get_user_model().objects.get(username="quantri")
    ClientMixin.force_login(client, user)  # a password-only session
    answer = client.post(f"{URL}{m.pk}/gui-lai/")
    assert answer.status_code == 302 and "/can-bo/dang-nhap/" in answer["Location"]
    # A session marked as not needing it (made before the account became an administrator).
    ClientMixin.force_login(client, user)
    session = client.session
    session[SECOND_FACTOR] = NOT_REQUIRED
    session.save()
    answer = client.post(f"{URL}{m.pk}/gui-lai/")
    assert answer.status_code == 403
    assert "mã xác thực hai lớp" in answer.content.decode()
    assert state(m) == before and not AdminChange.objects.exists()


def test_a_replay_is_recorded_and_delivered_on_the_next_pass(world, quantri, client, far):
    m, other = dead(2)
    answer = signed_in(client, "quantri").post(f"{URL}{m.pk}/gui-lai/", {"channel": "webhook"})
    assert answer.status_code == 302 and answer["Location"] == f"{URL}?channel=webhook"
    page = client.get(answer["Location"])
    assert f"Đã đưa tin số {m.pk} vào hàng đợi để gửi lại." in page.content.decode()
    assert f'id="message-{m.pk}"' not in page.content.decode()
    assert f'id="message-{other.pk}"' in page.content.decode()
    row = AdminChange.objects.get()
    assert (row.model, row.object_id, row.kind, row.source) == (
        "notify.outboxmessage",
        str(m.pk),
        "change",
        "integrations",
    )
    assert row.changes["action"] == "replay"
    assert row.changes["attempts"] == [MAX_ATTEMPTS, 0]
    assert row.username == "quantri" and row.address == "127.0.0.1"
    assert audit.verify().problems == []
    far.up = True
    outbox_deliver(now=timezone.now(), worker="w")
    assert far.got == [m.pk]


def test_a_replay_of_a_replayed_message_is_refused(world, quantri, client, far, caplog):
    (m,) = dead(1)
    signed_in(client, "quantri").post(f"{URL}{m.pk}/gui-lai/")
    before = state(m)
    with caplog.at_level(logging.WARNING, logger="motcua.integrations"):
        answer = client.post(f"{URL}{m.pk}/gui-lai/")
    assert f"replay of {m.pk} by quantri refused: outbox_not_dead_letter" in caplog.text
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "Tin này đang chờ gửi, không còn nằm trong danh sách gửi lỗi." in html
    assert state(m) == before
    assert AdminChange.objects.count() == 1
    assert client.post(f"{URL}{m.pk + 99}/bo-qua/").status_code == 404


def test_a_discarded_message_is_kept_and_never_delivered(world, quantri, client, far):
    (m,) = dead(1)
    answer = signed_in(client, "quantri").post(f"{URL}{m.pk}/bo-qua/")
    assert answer.status_code == 302
    assert AdminChange.objects.get().changes["action"] == "discard"
    far.up = True
    for day in range(3):
        outbox_deliver(now=timezone.now() + timedelta(days=day), worker="w")
    assert far.got == []
    assert state(m)[3] is not None and OutboxMessage.objects.filter(pk=m.pk).exists()
    assert client.post(f"{URL}{m.pk}/gui-lai/").status_code == 409
    assert client.post(f"{URL}{m.pk}/bo-qua/").status_code == 409


def test_a_channels_dead_letters_are_replayed_together(world, quantri, client, far):
    messages = dead(3)
    answer = signed_in(client, "quantri").post(f"{URL}gui-lai-ca-kenh/", {"channel": "webhook"})
    assert answer.status_code == 302
    assert AdminChange.objects.count() == 3
    far.up = True
    outbox_deliver(now=timezone.now(), worker="w")
    assert sorted(far.got) == [m.pk for m in messages]
    assert client.post(f"{URL}gui-lai-ca-kenh/", {"channel": "nope"}).status_code == 400


def test_actions_need_a_post_with_the_csrf_token(world, quantri, far):
    (m,) = dead(1)
    strict = signed_in(Client(enforce_csrf_checks=True), "quantri")
    assert strict.get(f"{URL}{m.pk}/gui-lai/").status_code == 405
    assert strict.post(f"{URL}{m.pk}/gui-lai/").status_code == 403
    assert state(m)[1] is not None and not AdminChange.objects.exists()


def test_the_administrator_finds_the_screen_in_the_menu(world, quantri, client):
    assert 'href="/can-bo/tich-hop/"' in signed_in(client, "quantri").get(URL).content.decode()
    assert (
        'href="/can-bo/tich-hop/"' not in signed_in(client, "lan").get("/can-bo/").content.decode()
    )
