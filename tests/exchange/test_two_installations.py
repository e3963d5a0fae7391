"""Two installations on loopback in one test run: A is this process (its receiver served by
pytest-django's live server), B a second process (waitress on a free port, its own SQLite
database, keys and peers), started, killed and started again by the test.

A hands the Department of Justice's step to B while B is down (the outbox retries), B opens
its own dossier, is killed and restarted, its officers finish, and its result moves A's dossier
on with B's times; a replayed request and a stranger's message change nothing on B; both
message logs verify."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from motcua.core import exchange as core
from motcua.core.blame import step_outcome
from motcua.core.lifecycle import Action
from motcua.dossiers.selectors import dossier_steps
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.exchange import keys
from motcua.exchange.models import Handover, LogEntry, Wait
from motcua.exchange.selectors import exchange_integration_seconds, verify_log
from motcua.exchange.services import installation_add, peer_key_add, remote_agency_add
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from tests.conftest import VN
from tests.exchange.common import checked_intake, checked_procedure

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class InstallationB:
    """The second process: its environment, its commands, its server."""

    def __init__(self, var: Path, peer_url: str):
        self.var = var
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.peer_url = peer_url
        self.server: subprocess.Popen[bytes] | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'b.sqlite3'}",
            "MOTCUA_INSTALLATION_ID": "tu-phap",
            "MOTCUA_EXCHANGE_KEY_DIR": str(var / "keys"),
            "MOTCUA_MEDIA_ROOT": str(var / "media"),
            "PYTHONPATH": str(ROOT),
        }

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "-m", "tests.exchange.peer", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def state(self) -> dict:
        return json.loads(self.run("state"))

    def start(self) -> None:
        log = open(self.var / "server.log", "ab")  # noqa: SIM115
        self.server = subprocess.Popen(
            [PYTHON, "-m", "waitress", "--host=127.0.0.1", f"--port={self.port}",
             "motcua.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )  # fmt: skip
        # A bounded wait on a condition (the port answers), never a fixed sleep.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.server.poll() is None, (self.var / "server.log").read_text()[-3000:]
            try:
                requests.get(self.url + "/lien-thong/v1/messages", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("B did not start")

    def kill(self) -> None:
        assert self.server is not None
        self.server.kill()
        self.server.wait(timeout=30)
        self.server = None


@pytest.fixture
def b(tmp_path, live_server, us):
    var = tmp_path / "b"
    var.mkdir()
    b = InstallationB(var, live_server.url)
    ours = json.dumps(keys.keys_export(now=timezone.now()))
    exported = json.loads(b.run("setup", "xa-hk", live_server.url, ours))
    installation_add(code="tu-phap", name="Hệ thống Sở Tư pháp", base_url=b.url)
    for entry in exported:
        peer_key_add(
            installation=entry["installation"],
            key_id=entry["key_id"],
            public_key=entry["public_key"],
            valid_from=datetime.fromisoformat(entry["valid_from"]),
            valid_until=None,
        )
    remote_agency_add(agency_code="H26.32", installation="tu-phap", procedure_code="3.000333")
    yield b
    if b.server is not None:
        b.kill()


def deliver(minutes: int = 0) -> int:
    """One pass of A's outbox, `minutes` after now (a retry's backoff, without waiting it)."""
    return outbox_deliver(now=timezone.now() + timedelta(minutes=minutes))


def test_a_step_goes_to_b_and_comes_back_across_a_restart(transactional_db, world, b):
    now = timezone.now()
    d = dossier_receive(intake=checked_intake(checked_procedure()), actor=world.lan, now=now)
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=timezone.now())
    request = OutboxMessage.objects.get(channel="exchange")

    # B is down while A sends: the outbox keeps the message and tries again later.
    assert deliver() == 0
    request.refresh_from_db()
    assert request.attempts == 1 and request.sent_at is None and request.last_error
    b.start()
    assert deliver(minutes=3) == 1
    (task,) = b.state()["tasks"]
    assert task[:2] == [request.context["message"]["id"], d.code]
    assert LogEntry.objects.filter(kind="acknowledged").count() == 1

    # B tells A its dossier's code; then B is killed before the result leaves, and restarted.
    assert b.run("deliver") == "1"
    handover = Handover.objects.get()
    (opened,) = b.state()["dossiers"][-1:]
    assert handover.remote_code == opened["code"] and opened["agency"] == "H26.32"
    assert datetime.fromisoformat(opened["due_at"]) == d.step_due_at  # A's due, kept
    b.kill()
    b.run("finish", d.code)  # its officers work on; the server is down
    b.start()
    assert b.run("deliver") == "1"  # the result reaches A's receiver
    d.refresh_from_db()
    assert d.step_index == 2 and d.current_agency == world.hoan_kiem

    state = b.state()
    done = state["dossiers"][-1]
    step = dossier_steps(d)[1]
    assert step.agency == world.justice
    assert step.started_at == datetime.fromisoformat(done["received_at"])
    assert step.ended_at == datetime.fromisoformat(done["finished_at"])
    assert step.outcome == step_outcome(ended_at=step.ended_at, due_at=step.due_at, tz=VN)
    # In flight: from A's hand-over to B's reception, from B's end to A's receipt of it.
    handover.refresh_from_db()
    waits = list(Wait.objects.order_by("leg").values_list("leg", "started_at", "ended_at"))
    assert waits == [
        ("request", handover.handed_at, step.started_at),
        ("result", step.ended_at, handover.result_at),
    ]
    assert exchange_integration_seconds(d.pk) == sum(w.seconds for w in Wait.objects.all())
    assert len(dossier_steps(d)) == 3  # nothing applied twice

    # A replayed request: the same acknowledgement, nothing opened again on B.
    first_ack = json.loads(
        LogEntry.objects.get(
            kind="acknowledged", message_id=request.context["message"]["id"]
        ).message
    )
    again = requests.post(b.url + "/lien-thong/v1/messages", json=request.context, timeout=30)
    assert again.status_code == 200
    assert again.json()["message"] == first_ack
    # A stranger's message: refused, structured, logged, nothing stored.
    stranger = Ed25519PrivateKey.generate()
    envelope = core.new_envelope(
        sender="ke-la", recipient="tu-phap", type="step.request", dossier="X", step=1,
        now=timezone.now(), key="abc", body={},
    )  # fmt: skip
    refused = requests.post(
        b.url + "/lien-thong/v1/messages",
        json={"message": envelope.as_json(), "signature": core.sign(stranger, envelope)},
        timeout=30,
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "exchange_unknown_installation")

    after = b.state()
    assert len(after["tasks"]) == 1 and after["received"] == 1
    assert len(after["dossiers"]) == len(state["dossiers"])
    assert after["log_problems"] == []
    assert [k for k, _t in after["log"]] == [
        "received",
        "ack_sent",
        "sent",  # step.accepted
        "acknowledged",
        "sent",  # step.result
        "acknowledged",
        "received",  # the replay, answered as the first time
        "refused",
    ]
    assert verify_log().problems == []
    assert list(LogEntry.objects.order_by("seq").values_list("kind", flat=True)) == [
        "sent",
        "acknowledged",
        "received",
        "ack_sent",
        "received",
        "ack_sent",
    ]
