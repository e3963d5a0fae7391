"""Installation B of the two-process test, driven from the test through its own environment
(MOTCUA_VAR_DIR, DATABASE_URL, MOTCUA_INSTALLATION_ID, MOTCUA_EXCHANGE_KEY_DIR):

    python -m tests.exchange.peer setup PEER_CODE PEER_URL PEER_KEYS_JSON  -> B's keys (JSON)
    python -m tests.exchange.peer finish ORIGIN_CODE   B's officers take the dossier to its result
    python -m tests.exchange.peer deliver              one pass of B's outbox
    python -m tests.exchange.peer state                what B holds (JSON)

Everything goes through B's services, as its officers and worker would.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from motcua.core.lifecycle import Action, Role  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.dossiers.services import dossier_act  # noqa: E402
from motcua.exchange import keys  # noqa: E402
from motcua.exchange.models import LogEntry, Received, Task  # noqa: E402
from motcua.exchange.selectors import verify_log  # noqa: E402
from motcua.exchange.services import installation_add, peer_key_add  # noqa: E402
from motcua.notify.models import OutboxMessage  # noqa: E402
from motcua.notify.services import outbox_deliver  # noqa: E402
from motcua.organization.models import Agency  # noqa: E402
from motcua.organization.selectors import staff_actor  # noqa: E402
from tests.factories import _person, build_world  # noqa: E402


def setup(peer_code: str, peer_url: str, peer_keys: str) -> None:
    """B's database (the test world, with a desk officer at the Department of Justice), its
    key, and A as its peer; prints B's public keys for A."""
    call_command("migrate", verbosity=0)
    world = build_world()
    _person("thu", "Vũ Thị Thu", world.justice, "mot-cua", Role.DESK)
    now = timezone.now()
    keys.keys_generate(now=now - timedelta(minutes=1))
    installation_add(code=peer_code, name="Hệ thống Phường Hoàn Kiếm", base_url=peer_url)
    for entry in json.loads(peer_keys):
        peer_key_add(
            installation=entry["installation"],
            key_id=entry["key_id"],
            public_key=entry["public_key"],
            valid_from=datetime.fromisoformat(entry["valid_from"]),
            valid_until=None,
        )
    print(json.dumps(keys.keys_export(now=now)))


def _actor(username: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    actor = staff_actor(get_user_model().objects.get(username=username).pk)
    assert actor is not None
    return actor


def finish(origin_code: str) -> None:
    """The desk forwards, the specialist proposes and forwards, the director signs and marks
    the result ready: the dossier's end sends the step.result back through the outbox."""
    task = Task.objects.get(origin_code=origin_code)
    d = Dossier.objects.get(pk=task.dossier_id)
    for username, action in [
        ("thu", Action.FORWARD),
        ("minh", Action.PROPOSE),
        ("minh", Action.FORWARD),
        ("nam", Action.APPROVE),
        ("nam", Action.MARK_READY),
    ]:
        d = dossier_act(dossier=d, action=action, actor=_actor(username), now=timezone.now())


def deliver() -> None:
    print(outbox_deliver(now=timezone.now()))


def state() -> None:
    dossiers = list(Dossier.objects.order_by("pk"))
    print(
        json.dumps(
            {
                "tasks": list(Task.objects.values_list("request_id", "origin_code", "result_id")),
                "dossiers": [
                    {
                        "code": d.code,
                        "status": d.status,
                        "received_at": d.received_at.isoformat() if d.received_at else None,
                        "finished_at": d.finished_at.isoformat() if d.finished_at else None,
                        "due_at": d.due_at.isoformat() if d.due_at else None,
                        "agency": Agency.objects.get(pk=d.received_place_id).code,
                    }
                    for d in dossiers
                ],
                "received": Received.objects.count(),
                "log": list(LogEntry.objects.order_by("seq").values_list("kind", "type")),
                "log_problems": verify_log().problems,
                "outbox": list(
                    OutboxMessage.objects.filter(channel="exchange").values_list(
                        "dedupe_key", "attempts", "sent_at"
                    )
                ),
            },
            default=str,
        )
    )


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"setup": setup, "finish": finish, "deliver": deliver, "state": state}[command](*args)
