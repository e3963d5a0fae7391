"""`motcua worker` killed with SIGKILL mid-batch, then started again (PostgreSQL: the worker
is a real process on the test database, its mail real files).

Every message is delivered; one the worker had sent but not yet recorded when it died goes out
a second time, once its lease has run out, under the same Message-ID; one it had claimed but
not sent goes out once. A kill wherever the worker happens to be costs at most one more.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from motcua.notify.models import OutboxMessage
from motcua.notify.services import message_id, outbox_message, outbox_queue

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent.parent
MESSAGES = 30
LEASE = 600
# Only a guard against a worker that never gets there; never reached when it works.
HANG = 120


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("a second process shares the test database only on PostgreSQL")


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(tmp_path, *args, hold=""):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MOTCUA_ENV": "test",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "tests.notify.mailfiles.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "OUTBOX_LEASE_SECONDS": str(LEASE),
        "MOTCUA_TEST_MAIL_HOLD": hold,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_when_held(worker, mail):
    """Watch for the backend's `held` file (the worker stopped where the test asked), then
    kill the worker with SIGKILL."""
    held = mail / "held"
    deadline = time.monotonic() + HANG
    try:
        while not held.exists():
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker never reached the point asked"
            time.sleep(0.02)  # polling the folder, not waiting for the worker to finish
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL
    held.unlink()


def kill_after(worker, mail, count):
    """Watch the mail folder until `count` messages are there, then kill the worker with
    SIGKILL, wherever it is."""
    deadline = time.monotonic() + HANG
    try:
        while len(list(mail.glob("*.eml"))) < count:
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker never sent that many"
            time.sleep(0.005)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL


def delivered(mail):
    """The Message-ID of every message the relay took, one per file."""
    return [email.message_from_bytes(p.read_bytes())["Message-ID"] for p in mail.glob("*.eml")]


def test_a_worker_killed_mid_batch_sends_at_most_one_duplicate_per_message_in_flight(tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir()
    queued = timezone.now() - timedelta(minutes=1)
    outbox_queue(
        [
            outbox_message(
                recipient=f"cong.dan{i}@example.vn",
                template="dossiers/email",
                context={"action": "receive", "name": f"Công dân {i}", "code": f"X-{i:04d}"},
                dossier_id=None,
                dedupe_key=f"kill:{i}",
                now=queued,
            )
            for i in range(MESSAGES)
        ]
    )
    messages = list(OutboxMessage.objects.order_by("available_at", "id"))
    pending = OutboxMessage.objects.filter(sent_at=None)

    # Killed right after sending its 10th message, before recording it sent.
    kill_when_held(start_worker(tmp_path, hold="after:10"), mail)
    assert len(delivered(mail)) == 10
    assert pending.count() == MESSAGES - 9
    in_flight = OutboxMessage.objects.get(pk=messages[9].pk)
    assert in_flight.sent_at is None and in_flight.claimed_at is not None

    # Started again and killed right before sending its 8th: the 10th, still leased, is left.
    kill_when_held(start_worker(tmp_path, hold="before:8"), mail)
    assert len(delivered(mail)) == 17
    assert pending.count() == MESSAGES - 16
    assert pending.exclude(claimed_at=None).count() == 2

    # Started again with the plain file backend and killed wherever it is once three more
    # messages have gone out (sending, recording, or between two).
    kill_after(start_worker(tmp_path), mail, 17 + 3)
    recorded = MESSAGES - pending.count()
    assert recorded < MESSAGES - 2  # killed mid-batch: more were waiting

    # A pass after every lease ran out delivers the rest, the claimed messages among them.
    later = (timezone.now() + timedelta(seconds=LEASE + 60)).isoformat()
    worker = start_worker(tmp_path, "--once", "--now", later)
    out, err = worker.communicate(timeout=HANG)
    assert worker.returncode == 0, err.decode()
    assert f"đã gửi={MESSAGES - recorded}" in out.decode()

    assert pending.count() == 0
    copies = Counter(delivered(mail))
    assert set(copies) == {message_id(m) for m in messages}  # every message, under its own ID
    assert max(copies.values()) == 2
    twice = {key for key, n in copies.items() if n > 1}
    # The one sent but not recorded, and perhaps the one the last kill caught in between.
    assert message_id(in_flight) in twice and len(twice) <= 2
    assert sum(copies.values()) - len(copies) <= 3  # at most one per worker killed
