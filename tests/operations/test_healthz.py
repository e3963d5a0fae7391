"""/healthz: the database answers and a worker beat recently -> 200; otherwise 503. No sign-in,
no personal data."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from motcua.operations.models import WorkerBeat
from motcua.operations.services import worker_beat_record
from tests.conftest import at


@pytest.mark.django_db
def test_it_is_healthy_when_a_worker_beat_recently():
    worker_beat_record(worker="may-1:10", now=timezone.now() - timedelta(seconds=12))
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["worker"]["status"] == "ok"
    assert 11 <= body["worker"]["lag_seconds"] < 60
    assert body["worker"]["last_beat"].startswith(str(timezone.now().year))
    assert answer["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_it_reads_the_newest_beat_of_several_workers():
    worker_beat_record(worker="may-1:10", now=timezone.now() - timedelta(hours=2))
    worker_beat_record(worker="may-2:11", now=timezone.now() - timedelta(seconds=5))
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_it_fails_when_the_heartbeat_is_too_old(settings):
    settings.WORKER_MAX_LAG_SECONDS = 120
    worker_beat_record(worker="may-1:10", now=timezone.now() - timedelta(seconds=200))
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "fail" and body["database"] == "ok"
    assert body["worker"]["status"] == "fail" and body["worker"]["lag_seconds"] >= 200


@pytest.mark.django_db
def test_it_fails_when_no_worker_ever_ran():
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["worker"] == {"status": "fail", "last_beat": None, "lag_seconds": None}


@pytest.mark.django_db
def test_it_fails_when_the_database_does_not_answer():
    worker_beat_record(worker="may-1:10", now=timezone.now())
    with mock.patch(
        "motcua.operations.selectors.connection.cursor", side_effect=DatabaseError("down")
    ):
        answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "fail"


def test_it_is_no_page_for_a_form(client, db):
    assert client.post("/healthz").status_code == 405


def test_the_worker_beats_at_the_real_time_after_each_pass(world):
    """Even a rehearsal at a simulated moment (--now) beats now: the worker is alive now."""
    before = timezone.now()
    call_command("worker", "--once", "--now", "2026-11-25T10:00", stdout=StringIO())
    beat = WorkerBeat.objects.get()
    assert beat.beat_at >= before
    with time_machine.travel(at("2027-01-04 09:00"), tick=False):
        call_command("worker", "--once", stdout=StringIO())
    assert WorkerBeat.objects.get().beat_at == at("2027-01-04 09:00")  # the same row, renewed
