"""The public address (SITE_URL): required in production, checked everywhere, and, unset,
the address `motcua serve` and the demo actually serve on, on every form's QR code and link."""

from __future__ import annotations

import io
import runpy

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client

from motcua.paperwork import rendering
from tests.conftest import at
from tests.dossiers.test_services import intake

STRONG_KEY = "k" * 64


def load_settings(monkeypatch, **env):
    """Run motcua/settings.py afresh with this environment (the loaded settings stay)."""
    for name in ("SITE_URL", "MOTCUA_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    env.setdefault("MOTCUA_AUDIT_KEY", STRONG_KEY)  # production requires one too
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import motcua.settings

    return runpy.run_path(motcua.settings.__file__)


@pytest.mark.parametrize("debug", ["false", "true"])
def test_production_refuses_to_start_without_site_url(monkeypatch, debug):
    with pytest.raises(ImproperlyConfigured, match="SITE_URL must be set in production"):
        load_settings(monkeypatch, MOTCUA_ENV="production", SECRET_KEY=STRONG_KEY, DEBUG=debug)


@pytest.mark.parametrize(
    "value",
    [
        "http://motcua.hanoi.gov.vn",  # the link carries the tracking secret
        "https://127.0.0.1:8000",
        "https://localhost",
        "https://0.0.0.0",
    ],
)
def test_production_wants_the_public_https_address(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="public https address"):
        load_settings(monkeypatch, MOTCUA_ENV="production", SECRET_KEY=STRONG_KEY, SITE_URL=value)


def test_production_starts_with_a_public_https_address(monkeypatch):
    loaded = load_settings(
        monkeypatch,
        MOTCUA_ENV="production",
        SECRET_KEY=STRONG_KEY,
        SITE_URL="https://motcua.hanoi.gov.vn/",
    )
    assert loaded["SITE_URL"] == "https://motcua.hanoi.gov.vn"
    assert loaded["SITE_URL_IS_DEFAULT"] is False


@pytest.mark.parametrize(
    "value",
    [
        "motcua.hanoi.gov.vn",
        "ftp://motcua.hanoi.gov.vn",
        "https://motcua.hanoi.gov.vn/tra-cuu/",
        "https://motcua.hanoi.gov.vn/?a=1",
        "https://user:pw@motcua.hanoi.gov.vn",
        "https://motcua.hanoi.gov.vn:99999",
        "https://",
    ],
)
def test_a_malformed_site_url_is_refused_everywhere(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="must be an address like"):
        load_settings(monkeypatch, SITE_URL=value)


def test_outside_production_an_unset_site_url_is_a_default_to_replace(monkeypatch):
    loaded = load_settings(monkeypatch, MOTCUA_ENV="development")
    assert (loaded["SITE_URL"], loaded["SITE_URL_IS_DEFAULT"]) == ("http://127.0.0.1:8000", True)


def test_the_public_address_is_an_allowed_host_unless_they_are_listed(monkeypatch):
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    loaded = load_settings(monkeypatch, SITE_URL="https://motcua.hanoi.gov.vn")
    assert "motcua.hanoi.gov.vn" in loaded["ALLOWED_HOSTS"]
    listed = load_settings(
        monkeypatch, SITE_URL="https://motcua.hanoi.gov.vn", ALLOWED_HOSTS="a.gov.vn"
    )
    assert listed["ALLOWED_HOSTS"] == ["a.gov.vn"]


def form_01_from(app_client, world):
    d = intake_dossier(world)
    app_client.force_login(get_user_model().objects.get(pk=world.lan.user_id))
    page = app_client.get(f"/mau/{d.pk}/01/")
    assert page.status_code == 200
    return d, page.content.decode()


def intake_dossier(world):
    from motcua.dossiers.services import dossier_receive

    return dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))


class FakeWaitress:
    """Stands in for waitress.serve: records where it would listen and, while "serving",
    reads form 01 through the application as a browser would."""

    def __init__(self, world, address="127.0.0.1:8103"):
        self.world, self.address, self.calls, self.form = world, address, [], None

    def __call__(self, application, *, host, port, threads, ident, **proxy):
        self.calls.append((host, port))
        self.form = form_01_from(Client(HTTP_HOST=self.address), self.world)


def test_the_demo_prints_and_uses_the_address_it_serves_on(world, settings, monkeypatch):
    import subprocess

    import waitress

    from motcua.dossiers.management.commands import demo

    settings.SITE_URL, settings.SITE_URL_IS_DEFAULT = "http://127.0.0.1:8000", True
    settings.ALLOWED_HOSTS_IS_DEFAULT = True
    fake = FakeWaitress(world, "motcua.local:8103")  # a browser sent to the printed address
    monkeypatch.setattr(waitress, "serve", fake)
    started = []

    class Worker:
        def __init__(self, args, env):
            started.append((args, env))

        def terminate(self):
            pass

        def wait(self, timeout):
            return 0

    monkeypatch.setattr(demo.subprocess, "Popen", Worker)
    assert demo.subprocess is subprocess
    out = io.StringIO()
    call_command("demo", host="motcua.local", port=8103, stdout=out)

    assert fake.calls == [("motcua.local", 8103)]
    text = out.getvalue()
    assert "Tra cứu hồ sơ: http://motcua.local:8103/tra-cuu/" in text
    assert "motcua: http://motcua.local:8103/" in text
    assert "8000" not in text
    # The worker, a process of its own, mails the same address.
    ((args, env),) = started
    assert args[-1] == "worker" and env["SITE_URL"] == "http://motcua.local:8103"
    # The QR code and the link on form 01, read while serving, point to the demo's address.
    d, html = fake.form
    url = f"http://motcua.local:8103/tra-cuu/?code={d.code}&secret={d.tracking_secret}"
    assert str(rendering.qr_svg(url)) in html
    assert "http://motcua.local:8103/tra-cuu/" in html
    assert "127.0.0.1:8000" not in html


def test_serve_keeps_a_site_url_that_is_set(world, settings, monkeypatch):
    import waitress

    settings.SITE_URL, settings.SITE_URL_IS_DEFAULT = "https://motcua.hanoi.gov.vn", False
    fake = FakeWaitress(world, "testserver")
    monkeypatch.setattr(waitress, "serve", fake)
    out = io.StringIO()
    call_command("serve", host="0.0.0.0", port=8103, stdout=out)
    text = out.getvalue()
    assert "Địa chỉ công khai (SITE_URL) trên biểu mẫu: https://motcua.hanoi.gov.vn/" in text
    assert "0.0.0.0" not in text  # the machine's own address is printed instead
    d, html = fake.form
    url = f"https://motcua.hanoi.gov.vn/tra-cuu/?code={d.code}&secret={d.tracking_secret}"
    assert str(rendering.qr_svg(url)) in html


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8103"),
        ("motcua.local", "http://motcua.local:8103"),
        ("::1", "http://[::1]:8103"),
    ],
)
def test_the_served_address_is_the_one_listened_on(host, expected):
    from motcua.portal.management.commands.serve import served_url

    assert served_url(host, 8103) == expected


def test_listening_everywhere_gives_this_machines_address():
    from urllib.parse import urlsplit

    from motcua.portal.management.commands.serve import served_url

    parts = urlsplit(served_url("0.0.0.0", 8103))
    assert parts.scheme == "http" and parts.port == 8103
    assert parts.hostname not in ("0.0.0.0", "")


@pytest.mark.parametrize(
    ("ssl_header", "client_header", "options"),
    [
        (None, "", {"clear_untrusted_proxy_headers": True}),
        (("HTTP_X_FORWARDED_PROTO", "https"), "", {"clear_untrusted_proxy_headers": False}),
        (None, "HTTP_X_FORWARDED_FOR", {"clear_untrusted_proxy_headers": False}),
    ],
    ids=["no-proxy", "https-from-proxy", "address-from-proxy"],
)
def test_serve_passes_the_proxys_headers_on_when_the_settings_read_them(
    db, settings, monkeypatch, ssl_header, client_header, options
):
    """Waitress drops X-Forwarded-* by default: behind nginx every request would look like
    plain http and be redirected to https, forever."""
    import waitress

    settings.SECURE_PROXY_SSL_HEADER, settings.TRUSTED_PROXY_HEADER = ssl_header, client_header
    seen = []
    monkeypatch.setattr(waitress, "serve", lambda application, **kwargs: seen.append(kwargs))
    call_command("serve", host="127.0.0.1", port=8103, stdout=io.StringIO())
    ((kwargs,),) = [seen]
    assert {k: v for k, v in kwargs.items() if k not in ("host", "port", "threads", "ident")} == (
        options
    )
