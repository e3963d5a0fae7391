"""Staff sign-in as an adversary sees it: the admin's door, other people's lockouts,
spraying, guesses sent at once.

Personas (tests/conftest.py): Lan signs in at her counter PC, 10.26.1.15; Mallory guesses
from elsewhere. Passwords are 'x-' + username twice."""

from __future__ import annotations

import re
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client

from motcua.desk.models import SignInAttempt
from tests.conftest import at
from tests.second_factor import code_from_secret

LAN_PC = "10.26.1.15"
MALLORY = "198.51.100.7"
SIGNIN = "/can-bo/dang-nhap/"


@pytest.fixture(autouse=True)
def _clock():
    """A minute into a 15-minute window: the limits' fixed windows never end mid-test."""
    with time_machine.travel(at("2026-11-25 09:01"), tick=True):
        yield


def post(client, username, password, address):
    return client.post(SIGNIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return client.get("/can-bo/").status_code == 200


@pytest.fixture
def admin_user(world):
    user = get_user_model().objects.get(username="lan")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_the_admins_login_page_sends_to_the_staff_sign_in_keeping_next(world, client):
    response = client.get("/admin/login/?next=/admin/organization/agency/")
    assert response.status_code == 302
    assert response["Location"] == f"{SIGNIN}?next=/admin/organization/agency/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_passwords_posted_to_the_admin_are_never_checked(admin_user, client):
    for attempt in range(25):
        response = client.post("/admin/login/", {"username": "lan", "password": f"sai-{attempt}"})
        assert response.status_code == 302
    response = client.post("/admin/login/", {"username": "lan", "password": "x-lanlan"})
    assert response["Location"].startswith(SIGNIN)
    assert not SignInAttempt.objects.exists()
    assert client.get("/admin/").status_code == 302  # not signed in by the admin's door


def test_a_superuser_locked_at_the_staff_sign_in_cannot_go_through_the_admin(admin_user, client):
    for attempt in range(5):
        post(client, "lan", f"sai-{attempt}", MALLORY)
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "lan", "password": "x-lanlan"},
        REMOTE_ADDR=MALLORY,
        follow=True,
    )
    assert client.get("/admin/").status_code == 302
    assert not signed_in(client)
    assert "tạm khóa" not in locked.content.decode()  # the admin's POST reached no check
    refused = client.post(
        f"{SIGNIN}?next=/admin/", {"username": "lan", "password": "x-lanlan"}, REMOTE_ADDR=MALLORY
    )
    assert refused.status_code == 403
    assert "tạm khóa" in refused.content.decode()


def test_a_superuser_signs_in_to_the_admin_through_the_staff_sign_in(admin_user, client):
    response = client.post(
        f"{SIGNIN}?next=/admin/", {"username": "lan", "password": "x-lanlan"}, REMOTE_ADDR=LAN_PC
    )
    assert response["Location"] == "/can-bo/xac-thuc-hai-lop/"  # an administrator: two factors
    assert client.get("/admin/").status_code == 302
    secret = re.search(
        r'<code id="secret">([A-Z2-7 ]+)</code>', client.get(response["Location"]).content.decode()
    )[1]
    done = client.post(response["Location"], {"code": code_from_secret(secret)}, REMOTE_ADDR=LAN_PC)
    assert 'href="/admin/"' in done.content.decode()
    assert client.get("/admin/").status_code == 200


def test_someone_elses_lockout_does_not_keep_the_officer_out(world):
    lan, mallory = Client(), Client()
    assert post(lan, "lan", "x-lanlan", LAN_PC).status_code == 302  # her PC, signed in before
    lan.post("/can-bo/dang-xuat/")
    statuses = [post(mallory, "lan", f"sai-{n}", MALLORY).status_code for n in range(8)]
    assert statuses == [400, 400, 400, 400, 403, 403, 403, 403]
    assert post(mallory, "lan", "x-lanlan", MALLORY).status_code == 403  # held there
    assert post(lan, "lan", "x-lanlan", LAN_PC).status_code == 302
    assert signed_in(lan)


def test_many_addresses_guessing_one_account_meet_its_ceiling_but_not_her_pc(world, settings):
    settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT = 12
    lan = Client()
    assert post(lan, "lan", "x-lanlan", LAN_PC).status_code == 302
    lan.post("/can-bo/dang-xuat/")
    botnet = Client()
    for n in range(12):  # 3 each from 4 addresses: no pair reaches its 5
        assert post(botnet, "lan", f"sai-{n}", f"198.51.100.{n % 4}").status_code == 400
    refused = post(botnet, "lan", "x-lanlan", "198.51.100.99")  # a fresh address: held
    assert refused.status_code == 403
    assert "từ nơi khác" in refused.content.decode()
    checked = SignInAttempt.objects.count()
    assert post(lan, "lan", "x-lanlan", LAN_PC).status_code == 302
    assert SignInAttempt.objects.count() == checked + 1


def test_one_address_trying_many_accounts_is_held_whatever_account_it_names(world, settings):
    settings.SIGNIN_MAX_FAILURES_PER_SOURCE = 6
    client = Client()
    for n, username in enumerate(["lan", "duc", "son", "long", "ha", "minh"]):
        assert post(client, username, f"sai-{n}", MALLORY).status_code == 400
    refused = post(client, "nam", "x-namnam", MALLORY)
    assert refused.status_code == 403
    assert "Máy này" in refused.content.decode()
    assert post(Client(), "nam", "x-namnam", LAN_PC).status_code == 302  # elsewhere: fine


def test_the_right_password_starts_the_pair_again(world):
    client = Client()
    for n in range(4):
        post(client, "lan", f"sai-{n}", LAN_PC)
    assert post(client, "lan", "x-lanlan", LAN_PC).status_code == 302
    client.post("/can-bo/dang-xuat/")
    statuses = [post(client, "lan", f"sai-{n}", LAN_PC).status_code for n in range(5)]
    assert statuses == [400, 400, 400, 400, 403]


def test_a_locked_pair_checks_no_password(world):
    client = Client()
    for n in range(5):
        post(client, "lan", f"sai-{n}", MALLORY)
    checked = SignInAttempt.objects.count()
    for n in range(10):
        assert post(client, "lan", f"sai-more-{n}", MALLORY).status_code == 403
    assert SignInAttempt.objects.count() == checked == 5


@pytest.mark.django_db(transaction=True)
def test_guesses_sent_at_once_check_no_more_passwords_than_the_limit(world):
    """Real parallel connections (PostgreSQL): 16 wrong passwords at once, 5 checked."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def guess(n: int) -> None:
        try:
            barrier.wait()
            statuses.append(post(Client(), "lan", f"sai-{n}", MALLORY).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 16
    assert SignInAttempt.objects.filter(username="lan").count() == 5
    # The 11 never checked are refused as locked; of the 5 checked, the last is told it is
    # locked, and so may be an earlier one that finished after the 5th was counted.
    assert statuses.count(403) >= 12 and set(statuses) <= {400, 403}
