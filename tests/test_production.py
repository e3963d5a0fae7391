"""MOTCUA_ENV=production with the documented variables (docs/operations.md, "Settings") passes
Django's deployment checklist without a warning, and refuses DEBUG."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment docs/operations.md asks of a production server."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MOTCUA_", "SECURE_", "DATABASE_URL", "CACHE_URL", "DEBUG"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_ENV="production",
        MOTCUA_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(64),
        MOTCUA_AUDIT_KEY=secrets.token_urlsafe(48),
        SITE_URL="https://motcua.hanoi.gov.vn",
        ALLOWED_HOSTS="motcua.hanoi.gov.vn",
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.hanoi.gov.vn",
        EMAIL_USE_TLS="true",
        METRICS_TOKEN=secrets.token_urlsafe(32),
    )
    env.update(extra)
    return env


def motcua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_production_passes_the_deployment_checklist_without_a_warning(tmp_path):
    result = motcua(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_the_checklist_does_warn_when_https_is_turned_off(tmp_path):
    """The test above can fail: the same check, HSTS and the redirect off, warns."""
    env = production_env(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false")
    result = motcua(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.mark.parametrize("debug", ["true", "1"])
def test_production_refuses_to_start_with_debug(tmp_path, debug):
    result = motcua(production_env(tmp_path, DEBUG=debug), "check")
    assert result.returncode != 0
    assert "DEBUG=true is refused in production" in result.stderr


def test_production_settings_are_the_secure_ones(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SECURE_PROXY_SSL_HEADER, s.SECURE_REFERRER_POLICY, s.SECURE_CROSS_ORIGIN_OPENER_POLICY)"
    )
    env = production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.split(" ", 7)[:7] == [
        "True",
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "True",
    ], result.stderr
    assert "('HTTP_X_FORWARDED_PROTO', 'https') same-origin same-origin" in result.stdout
    off = production_env(tmp_path, SECURE_HSTS_PRELOAD="false", SECURE_HSTS_INCLUDE_SUBDOMAINS="no")
    result = subprocess.run(
        [sys.executable, "-c", code], env=off, capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.split(" ", 7)[5:7] == ["False", "False"], result.stderr


def test_development_keeps_plain_http(settings):
    """The demo and the tests serve http on this machine: nothing redirects to https."""
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.SECURE_PROXY_SSL_HEADER is None


@pytest.mark.django_db
def test_plain_http_is_sent_to_https_but_the_health_check_is_answered(settings):
    """Behind the proxy: what it marks https is served, the rest redirected, except the probes
    that come over the internal network."""
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    plain = Client().get("/thu-tuc/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/thu-tuc/"
    secure = Client(HTTP_X_FORWARDED_PROTO="https").get("/thu-tuc/")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
    assert Client().get("/healthz").status_code in (200, 503)  # answered, not redirected


def test_production_has_no_portal_simulator(tmp_path):
    """The national portal's simulator is a test double: not installed, not routed."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/mo-phong/cong-dvcqg/dossiers/sync'); routed = True\n"
        "except Resolver404:\n    routed = False\n"
        "print('motcua.simulator' in settings.INSTALLED_APPS, settings.PORTAL_SIMULATOR, routed)"
    )
    result = _python(production_env(tmp_path), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False"]


def test_production_refuses_the_portal_simulator(tmp_path):
    result = motcua(production_env(tmp_path, MOTCUA_PORTAL_SIMULATOR="true"), "check")
    assert result.returncode != 0
    assert "MOTCUA_PORTAL_SIMULATOR is a test double" in result.stderr


def test_outside_production_the_simulator_is_there(tmp_path):
    """The first test can fail: the same question outside production says yes."""
    env = production_env(tmp_path, MOTCUA_ENV="development")
    code = "from django.conf import settings; print('motcua.simulator' in settings.INSTALLED_APPS)"
    assert _python(env, code).stdout.split() == ["True"]


def _python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
