"""Staff sessions on shared counter PCs: signed out when idle, everywhere at once on asking,
and no page kept by the browser or a proxy.

Personas: Lan (desk officer), Đức (specialist), An (a citizen with an account)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from motcua.citizens.models import Citizen
from tests.conftest import at

SIGNIN = "/can-bo/dang-nhap/"
START = at("2026-11-25 09:00")


def password(client, username):
    return client.post(SIGNIN, {"username": username, "password": f"x-{username}{username}"})


@pytest.fixture
def idle_30(settings):
    settings.STAFF_IDLE_MINUTES = 30


def test_an_idle_session_is_signed_out_and_comes_back_to_its_page(world, idle_30):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        password(client, "lan")
        assert client.get("/can-bo/tiep-nhan/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/can-bo/tiep-nhan/?procedure=1.001193", follow=True)
        assert (
            response.redirect_chain[-1][0]
            == f"{SIGNIN}?next=/can-bo/tiep-nhan/%3Fprocedure%3D1.001193"
        )
        assert "không thao tác trong 30 phút" in response.content.decode()
        assert client.get("/can-bo/").status_code == 302
        back = client.post(
            f"{SIGNIN}?next=/can-bo/tiep-nhan/%3Fprocedure%3D1.001193",
            {"username": "lan", "password": "x-lanlan"},
        )
        assert back["Location"] == "/can-bo/tiep-nhan/?procedure=1.001193"


def test_working_keeps_the_session(world, idle_30):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        password(client, "lan")
        for _ in range(6):  # three hours, a request every 29 minutes
            clock.shift(timedelta(minutes=29))
            assert client.get("/can-bo/").status_code == 200


def test_an_idle_post_is_not_replayed_after_the_sign_in(world, idle_30):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        password(client, "lan")
        clock.shift(timedelta(minutes=45))
        response = client.post("/can-bo/tiep-nhan/", {"procedure": "1.001193"})
        assert response["Location"] == f"{SIGNIN}?next=/can-bo/"


def test_signing_out_everywhere_ends_every_session_of_that_person_only(world):
    counter, phone, duc = Client(), Client(), Client()
    password(counter, "lan")
    password(phone, "lan")
    password(duc, "duc")
    response = counter.post("/can-bo/dang-xuat/moi-thiet-bi/", follow=True)
    assert "Đã đăng xuất khỏi mọi thiết bị." in response.content.decode()
    assert counter.get("/can-bo/").status_code == 302
    assert phone.get("/can-bo/").status_code == 302
    assert duc.get("/can-bo/").status_code == 200


def test_signing_out_everywhere_needs_a_post(world):
    client = Client()
    password(client, "lan")
    assert client.get("/can-bo/dang-xuat/moi-thiet-bi/").status_code == 405
    assert client.get("/can-bo/").status_code == 200


def _paths(patterns, prefix=""):
    """Every URL pattern's path, its parameters filled with a plausible value."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _paths(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            route = re.sub(r"<int:\w+>", "1", route)
            route = re.sub(r"<(?:str:|slug:|path:)?\w+>", "x", route)
            if not route.startswith("^"):  # the admin's regular expressions: its index only
                yield "/" + route


STAFF_PATHS = sorted(
    {p for p in _paths(get_resolver().url_patterns) if p.startswith(("/can-bo/", "/mau/"))}
)


def test_the_staff_paths_are_found():
    assert "/can-bo/" in STAFF_PATHS
    assert "/can-bo/giam-sat/" in STAFF_PATHS
    assert len(STAFF_PATHS) > 30


@pytest.mark.parametrize("who", ["lan", "long", None])
def test_every_staff_page_says_private_no_store(world, who):
    client = Client(raise_request_exception=False)
    if who is not None:
        client.force_login(get_user_model().objects.get(username=who))
    for path in STAFF_PATHS:
        response = client.get(path)
        control = response.get("Cache-Control", "")
        assert "no-store" in control and "private" in control, (path, response.status_code)
        assert "public" not in control, path


def test_a_public_page_shown_to_someone_signed_in_is_not_kept_either(world):
    client = Client()
    assert "no-store" not in Client().get("/thu-tuc/").get("Cache-Control", "")
    client.force_login(get_user_model().objects.get(username="lan"))
    assert "no-store" in client.get("/thu-tuc/")["Cache-Control"]


def test_a_citizens_pages_say_private_no_store(world, client):
    from motcua.citizens.session import CITIZEN_KEY

    citizen = Citizen.objects.create(
        email="an@example.vn", full_name="Trần Văn An", password="!", created_at=START
    )
    session = client.session
    session[CITIZEN_KEY] = citizen.pk
    session.save()
    for path in ["/tai-khoan/", "/tai-khoan/ho-so-da-nop/", "/thu-tuc/"]:
        assert "no-store" in client.get(path).get("Cache-Control", ""), path


def test_a_second_factor_reset_ends_the_persons_sessions(world):
    from motcua.desk.second_factor import second_factor_reset

    long = Client()
    long.force_login(get_user_model().objects.get(username="long"))
    assert long.get("/can-bo/").status_code == 200
    second_factor_reset(user=get_user_model().objects.get(username="long"), now=START)
    assert long.get("/can-bo/").status_code == 302
