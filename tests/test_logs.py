"""Logs: one line per request, as JSON with LOG_FORMAT=json, with the request's id, its path
without the query string (ID numbers and tracking secrets never reach a log) and the account's
id, never a name."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from motcua.logs import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent
SECRET_QUERY = "/tra-cuu/?code=H26.100-261125-0001&secret=ABCD2345&id=001203012345"


def json_line(record: logging.LogRecord) -> dict[str, object]:
    RequestIdFilter().filter(record)
    return json.loads(FORMATTER.format(record))


FORMATTER = JsonFormatter(
    "%(levelname)s %(name)s %(message)s %(request_id)s",
    rename_fields={"levelname": "level", "name": "logger"},
    timestamp="time",
)


@pytest.fixture
def console():
    """What the configured console handler (settings.LOGGING) writes, as JSON lines."""
    (handler,) = [h for h in logging.getLogger().handlers if h.filters]
    stream = io.StringIO()
    # Swapped, not setStream(): that flushes the old stream, which may be a capture pytest
    # has already closed.
    old_stream, old_formatter = handler.stream, handler.formatter
    handler.stream = stream
    handler.setFormatter(FORMATTER)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.stream = old_stream
    handler.setFormatter(old_formatter)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "motcua.request"]


@pytest.mark.django_db
def test_each_request_is_one_line_without_its_query_string(console):
    answer = Client().get(SECRET_QUERY)
    (line,) = request_lines(console())
    assert line["method"] == "GET" and line["path"] == "/tra-cuu/"
    assert line["status"] == answer.status_code and line["view"] == "portal:track"
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == answer["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["logger"] == "motcua.request" and line["level"] == "INFO"
    text = json.dumps(line)
    assert "001203012345" not in text and "ABCD2345" not in text and "secret" not in text


def test_a_staff_request_logs_the_account_id_not_the_name(world, client, console):
    from django.contrib.auth import get_user_model

    lan = get_user_model().objects.get(pk=world.lan.user_id)
    client.force_login(lan)
    assert client.get("/can-bo/").status_code == 200
    (line,) = request_lines(console())
    assert line["user_id"] == lan.pk
    text = json.dumps(line)
    assert lan.username not in text and world.lan.name not in text


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_every_line_of_the_request_carries_it(console):
    answer = Client().get("/khong-co/", HTTP_X_REQUEST_ID="a1b2c3d4e5f6a7b8")
    assert answer["X-Request-ID"] == "a1b2c3d4e5f6a7b8"
    lines = console()
    assert {line["logger"] for line in lines} == {"motcua.request", "django.request"}
    assert {line["request_id"] for line in lines} == {"a1b2c3d4e5f6a7b8"}


@pytest.mark.django_db
def test_a_request_id_that_is_not_one_is_replaced():
    answer = Client().get("/thu-tuc/", HTTP_X_REQUEST_ID="x\ny")
    assert answer["X-Request-ID"] != "x\ny" and len(answer["X-Request-ID"]) == 32


def test_djangos_request_object_never_reaches_the_json_line(rf):
    """django.request attaches the request, whose text is the address with its query."""
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/tra-cuu/",), None
    )
    record.request = rf.get(SECRET_QUERY)
    record.status_code = 404
    line = json_line(record)
    assert "request" not in line and "ABCD2345" not in json.dumps(line)
    assert line["message"] == "Not Found: /tra-cuu/" and line["status_code"] == 404


@pytest.mark.parametrize(("env", "json_lines"), [("production", True), ("development", False)])
def test_production_logs_json_by_default(tmp_path, env, json_lines):
    code = (
        "import logging, django; django.setup(); "
        "logging.getLogger('motcua.x').warning('hello %s', 'world')"
    )
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "LOG_"))},
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "MOTCUA_ENV": env,
        "MOTCUA_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 64,
        "MOTCUA_AUDIT_KEY": "a" * 40,
        "SITE_URL": "https://motcua.hanoi.gov.vn",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, cwd=ROOT
    )
    last = result.stderr.strip().splitlines()[-1]
    if json_lines:
        line = json.loads(last)
        assert line["message"] == "hello world" and line["level"] == "WARNING"
        assert line["request_id"] == ""
        assert line["time"].endswith("+00:00") and line["time"][10] == "T"  # ISO 8601, UTC
    else:
        assert last.endswith("WARNING motcua.x hello world"), result.stderr


@pytest.mark.django_db
def test_a_citizens_request_logs_the_account_id_not_the_contact(client, console):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from motcua.citizens.models import Citizen
    from tests.citizens.test_accounts import sign_in

    lan = Citizen.objects.create(
        email="lan@example.vn",
        password=make_password("mat-khau-rat-dai-1"),
        created_at=timezone.now(),
    )
    assert sign_in(client, password="mat-khau-rat-dai-1").status_code == 302
    assert client.get("/tai-khoan/ho-so/").status_code == 200
    line = request_lines(console())[-1]
    assert line["path"] == "/tai-khoan/ho-so/" and line["citizen_id"] == lan.pk
    assert "user_id" not in line and "lan@example.vn" not in json.dumps(line)
