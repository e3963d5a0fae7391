"""The second factor as an adversary tries it: URLs typed past the code, a code replayed,
codes guessed, a recovery code used twice, a password-only session.

Personas: Long (chairman of Phường Hoàn Kiếm, a head of agency: must use a second factor),
Lan (desk officer: may choose one). Passwords are 'x-' + username twice."""

from __future__ import annotations

import re
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client
from django.test.client import ClientMixin
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.desk.models import SignInAttempt
from tests.conftest import at
from tests.second_factor import code_for, code_from_secret, unused_code

SIGNIN = "/can-bo/dang-nhap/"
ENROL = "/can-bo/xac-thuc-hai-lop/"
VERIFY = "/can-bo/dang-nhap/ma-xac-thuc/"
PC = "10.26.1.20"


@pytest.fixture(autouse=True)
def _clock():
    """A minute into a 15-minute window: the limits' fixed windows never end mid-test."""
    with time_machine.travel(at("2026-11-25 09:01"), tick=True):
        yield


def password(client, username, target=""):
    return client.post(
        SIGNIN + target,
        {"username": username, "password": f"x-{username}{username}"},
        REMOTE_ADDR=PC,
    )


def code(client, url, value):
    return client.post(url, {"code": value}, REMOTE_ADDR=PC)


def enrol(client, username="long") -> list[str]:
    """Password, then the enrolment page's secret typed into an app: the recovery codes."""
    assert password(client, username)["Location"] == ENROL
    page = client.get(ENROL).content.decode()
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page)[1]
    done = code(client, ENROL, code_from_secret(secret))
    assert done.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())


def signed_in(client) -> bool:
    return client.get("/can-bo/").status_code == 200


def test_a_head_gets_only_the_enrolment_page_after_the_password(world):
    client = Client()
    assert password(client, "long")["Location"] == ENROL
    for url in ["/can-bo/", "/can-bo/dieu-hanh/", "/can-bo/giam-sat/", "/admin/", VERIFY]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].split("?")[0] in {SIGNIN, "/admin/login/", ENROL}, url
    page = client.get(ENROL)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert not signed_in(client)


def test_enrolment_shows_ten_recovery_codes_once_and_signs_in(world):
    client = Client()
    codes = enrol(client)
    assert len(codes) == len(set(codes)) == 10
    assert signed_in(client)
    assert client.get("/can-bo/dieu-hanh/").status_code == 200
    again = client.get(ENROL).content.decode()  # a new secret waiting, not the codes again
    assert not any(c in again for c in codes)


def test_a_wrong_enrolment_code_is_refused_and_counted(world):
    client = Client()
    password(client, "long")
    client.get(ENROL)
    assert code(client, ENROL, "000000").status_code == 400
    assert not TOTPDevice.objects.filter(user__username="long", confirmed=True).exists()
    assert SignInAttempt.objects.filter(username="long", succeeded=False).count() == 1
    assert not signed_in(client)


def test_after_enrolment_the_password_leads_to_the_code_and_a_replay_is_refused(world):
    enrol(Client())
    device = TOTPDevice.objects.get(user__username="long")
    used = code_for(device.bin_key)  # the code that confirmed the enrolment
    client = Client()
    assert password(client, "long")["Location"] == VERIFY
    assert not signed_in(client)
    replay = code(client, VERIFY, used)
    assert replay.status_code == 400
    assert "không đúng hoặc đã được dùng" in replay.content.decode()
    assert code(client, VERIFY, code_for(device.bin_key, steps_ahead=1))["Location"] == "/can-bo/"
    assert signed_in(client)
    other = Client()
    password(other, "long")
    assert code(other, VERIFY, code_for(device.bin_key, steps_ahead=1)).status_code == 400


def test_a_recovery_code_works_once(world):
    codes = enrol(Client())
    first, second = Client(), Client()
    password(first, "long")
    assert code(first, VERIFY, codes[0].upper())["Location"] == "/can-bo/"
    password(second, "long")
    assert code(second, VERIFY, codes[0]).status_code == 400
    assert not signed_in(second)
    assert StaticToken.objects.filter(device__user__username="long").count() == 9


def test_wrong_codes_count_toward_the_lockout(world):
    enrol(Client())
    client = Client()
    password(client, "long")
    statuses = [code(client, VERIFY, f"{n:06d}").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 400, 403]
    assert code(client, VERIFY, unused_code("long")).status_code == 403
    assert not signed_in(client)
    assert password(Client(), "long").status_code == 403  # the same pair: held


def test_the_code_page_needs_a_password_given_in_this_session_minutes_ago(world, settings):
    enrol(Client())
    assert Client().get(VERIFY)["Location"] == SIGNIN
    client = Client()
    password(client, "long")
    settings.SIGNIN_PENDING_MINUTES = 0
    assert code(client, VERIFY, unused_code("long"))["Location"] == SIGNIN
    assert not signed_in(client)


def test_a_password_only_session_of_a_head_is_ended(world):
    client = Client()
    ClientMixin.force_login(client, get_user_model().objects.get(username="long"))
    response = client.get("/can-bo/dieu-hanh/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGNIN)
    assert "_auth_user_id" not in client.session
    assert not signed_in(client)


def test_a_desk_officer_signs_in_with_the_password_and_may_choose_a_second_factor(world):
    client = Client()
    assert password(client, "lan")["Location"] == "/can-bo/"
    page = client.get(ENROL).content.decode()
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page)[1]
    assert code(client, ENROL, code_from_secret(secret)).status_code == 200
    assert signed_in(client)
    later = Client()
    assert password(later, "lan")["Location"] == VERIFY  # chosen once, asked every time
    assert code(later, VERIFY, unused_code("lan"))["Location"] == "/can-bo/"


def test_the_next_page_is_kept_through_the_second_factor(world):
    enrol(Client())
    client = Client()
    assert password(client, "long", "?next=/can-bo/dieu-hanh/")["Location"] == VERIFY
    assert code(client, VERIFY, unused_code("long"))["Location"] == "/can-bo/dieu-hanh/"


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_signs_in_once(world):
    """Real parallel connections (PostgreSQL): the device's row lock lets one take it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")
    enrol(Client())
    clients = [Client(), Client(), Client(), Client()]
    for client in clients:
        password(client, "long")
    value = unused_code("long")
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client: Client) -> None:
        try:
            barrier.wait()
            statuses.append(code(client, VERIFY, value).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 400, 400, 400]


def test_an_administrator_resets_a_lost_phone_and_it_is_recorded(world):
    from django.contrib.admin.models import LogEntry

    enrol(Client())
    root = get_user_model().objects.create_superuser(username="quyen", password=None)
    admin = Client()
    admin.force_login(root)
    long = get_user_model().objects.get(username="long")
    response = admin.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [long.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=long).exists()
    assert not StaticToken.objects.filter(device__user=long).exists()
    entry = LogEntry.objects.get(object_id=str(long.pk))
    assert entry.user == root
    assert "xác thực hai lớp" in entry.get_change_message()
    # The record is the administrative chain, not Django's editable log.
    from motcua.adminlog.models import AdminChange

    changes = AdminChange.objects.filter(model="auth.user", object_id=str(long.pk))
    assert [c.user_id for c in changes if "second_factor" in c.changes] == [root.pk]
    assert password(Client(), "long")["Location"] == ENROL  # enrols again


def test_a_desk_officer_cannot_reset_anyones_second_factor(world):
    enrol(Client())
    lan = Client()
    lan.force_login(get_user_model().objects.get(username="lan"))
    long = get_user_model().objects.get(username="long")
    lan.post("/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [long.pk]})
    assert TOTPDevice.objects.filter(user=long, confirmed=True).exists()


def test_a_heads_password_in_a_browser_signed_in_as_someone_else_signs_them_out(world):
    client = Client()
    assert password(client, "lan")["Location"] == "/can-bo/"
    assert password(client, "long")["Location"] == ENROL
    assert not signed_in(client)  # neither Lan any more nor Long yet
