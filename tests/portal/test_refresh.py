"""The tracking page's right refresh answered in front of Django (motcua/portal/refresh.py):
through the WSGI application as a server calls it, with Django's handler behind it."""

from __future__ import annotations

import pytest
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from motcua.portal.refresh import TrackingRefresh
from tests.conftest import at
from tests.portal.test_track import URL, draft_apology, other_secret, receive

UNKNOWN = "H26.100-261125-0099"


class Served:
    """What the server got back: status, headers, body; and whether Django answered."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, django: bool):
        self.status, self.headers, self.body, self.django = status, headers, body, django
        self.code = int(status.split()[0])
        self.text = body.decode()

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)


class Server:
    """The layer in front of Django's own WSGI handler, called as a WSGI server calls it."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.calls = 0

        def django(environ, start_response):
            self.calls += 1
            return self.django(environ, start_response)

        self.app = TrackingRefresh(django)

    def get(self, data: dict[str, str], path: str = URL, **extra: str) -> Served:
        environ = RequestFactory().get(path, data, **extra).environ
        return self.call(environ)

    def call(self, environ) -> Served:
        got: list = []
        before = self.calls
        body = b"".join(
            self.app(environ, lambda status, headers, *a: got.extend([status, headers]))
        )
        return Served(got[0], list(got[1]), body, self.calls > before)

    def headers_learned(self) -> int:
        return len(self.app.headers)

    def track(self, d, secret: str | None = None, **extra: str) -> Served:
        return self.get({"code": d.code, "secret": secret or d.tracking_secret}, **extra)


@pytest.fixture
def server():
    # As Django's test client does: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Server()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def current(server: Server, d) -> list[Served]:
    """Three refreshes: Django answers the first two (the stamp made, the page kept under it)
    and the layer learns the headers; the third is the layer's."""
    return [server.track(d) for _ in range(3)]


def test_a_right_refresh_is_answered_before_django_with_djangos_headers_and_page(
    world, server, django_assert_num_queries, caplog
):
    d = receive(world)
    first, second, third = current(server, d)
    assert (first.django, second.django, third.django) == (True, True, False)
    caplog.clear()
    with django_assert_num_queries(0), caplog.at_level("INFO", logger="motcua.request"):
        again = server.track(d)
    (logged,) = [r for r in caplog.records if r.name == "motcua.request"]
    assert (logged.path, logged.view, logged.status) == ("/tra-cuu/", "portal:track", 200)
    assert not again.django
    assert again.code == 200 and again.body == second.body
    assert f'<span class="code">{d.code}</span>' in again.text

    # Django's headers, but the request's own id (operations.middleware, logged too).
    def but_the_id(answer):
        return sorted((n, v) for n, v in answer.headers if n != "X-Request-ID")

    assert but_the_id(again) == but_the_id(second)
    headers = {n.lower(): v for n, v in again.headers}
    assert headers["x-request-id"] != dict(second.headers)["X-Request-ID"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "no-store" in headers["cache-control"] and "private" in headers["cache-control"]
    assert headers["content-language"] == "vi"
    assert headers["content-length"] == str(len(again.body))
    assert "set-cookie" not in headers and "Cookie" not in headers.get("vary", "")
    assert "csrfmiddlewaretoken" not in again.text


def test_only_the_dossiers_page_teaches_the_headers_never_the_empty_forms(world, server):
    d = receive(world)
    assert server.get({}).code == 200  # the empty form: no secret on it, no no-store
    server.get({"code": d.code, "secret": other_secret(d.tracking_secret)})  # a 404
    assert server.headers_learned() == 0
    page = current(server, d)[-1]
    assert not page.django and "no-store" in (page.header("Cache-Control") or "")


def test_a_refresh_after_an_action_shows_the_new_status(world, server):
    d = receive(world)
    before = current(server, d)[-1]
    assert not before.django and "Thư xin lỗi" not in before.text

    d = draft_apology(world, d)
    from motcua.core.lifecycle import Action
    from motcua.dossiers.services import dossier_act

    dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    after = server.track(d)
    assert after.django and after.code == 200
    assert "Thư xin lỗi" in after.text


def test_the_visitors_own_input_and_language_are_on_the_page(world, server):
    d = receive(world)
    code, secret = d.code.lower(), d.tracking_secret.lower()
    for _ in range(3):
        page = server.get({"code": code, "secret": secret})
    assert not page.django
    assert f'value="{code}"' in page.text and f'value="{secret}"' in page.text
    assert f'name="next" type="hidden" value="/tra-cuu/?code={code}&amp;secret={secret}"' in (
        page.text
    )

    english = [server.track(d, HTTP_COOKIE="django_language=en") for _ in range(3)][-1]
    assert not english.django
    assert english.header("Content-Language") == "en"
    assert "Trạng thái" not in english.text and "Trạng thái" in page.text


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=abc"},
        {"HTTP_HOST": "evil.example"},
        {"HTTP_USER_AGENT": "x\x00y"},
        {"REMOTE_ADDR": "not an address"},
    ],
    ids=["session", "messages", "host", "nul", "address"],
)
def test_what_the_layer_is_not_sure_of_goes_to_django(world, server, extra):
    d = receive(world)
    current(server, d)
    r = server.track(d, **extra)
    assert r.django
    if "HTTP_COOKIE" in extra:
        assert r.code == 200
    else:
        assert r.code == 400  # Django's own refusal: a bad host, a NUL, not an address


def test_a_post_an_extra_parameter_or_another_path_goes_to_django(world, server):
    d = receive(world)
    current(server, d)
    assert server.get({"code": d.code, "secret": d.tracking_secret, "x": "1"}).django
    environ = RequestFactory().post(URL, {"code": d.code, "secret": d.tracking_secret}).environ
    assert server.call(environ).django
    assert server.get({}, path="/").django


def test_wrong_tries_go_to_django_and_are_counted_once_right_refreshes_never(world, server, limits):
    d = receive(world)
    current(server, d)
    wrong = other_secret(d.tracking_secret)
    assert [(r.code, r.django) for r in (server.track(d, wrong) for _ in range(2))] == [
        (404, True),
        (404, True),
    ]
    # Two wrong tries of three allowed: the right refreshes in between counted nothing.
    for _ in range(5):
        right = server.track(d)
        assert (right.code, right.django) == (200, False)
    assert server.track(d, wrong).code == 404
    refused = server.track(d)
    assert refused.django and refused.code == 429
    assert "Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần." in refused.text
    assert refused.header("Retry-After") == str(15 * 60 - 30)
    other = server.track(d, REMOTE_ADDR="198.51.100.7")
    assert other.code == 200


def test_a_missing_code_goes_to_django_like_a_wrong_secret(world, server):
    d = receive(world)
    current(server, d)
    wrong = other_secret(d.tracking_secret)
    existing = server.track(d, wrong)
    missing = server.get({"code": UNKNOWN, "secret": wrong})
    assert (existing.code, existing.django) == (missing.code, missing.django) == (404, True)


def test_without_a_shared_cache_django_answers_every_refresh(world, server, settings):
    settings.TRACKING_REFRESH_FROM_CACHE = False
    d = receive(world)
    assert all(r.django and r.code == 200 for r in current(server, d))


@pytest.fixture
def limits(settings):
    settings.TRACKING_MAX_FAILURES_PER_SOURCE_CODE = 3
    settings.TRACKING_MAX_FAILURES_PER_SOURCE = 6
    settings.TRACKING_MAX_FAILURES_PER_CODE = 8
    settings.TRACKING_WINDOW_MINUTES = 15
    settings.TRACKING_CODE_WINDOW_MINUTES = 60
    with time_machine.travel(at("2026-11-26 09:00:30"), tick=False):
        yield settings
