"""`motcua exchange`: keys made and exported, a peer registered from its export, an agency
mapped to it, and the message log checked with a nonzero exit on a break."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.core.exchange import MalformedMessage
from motcua.exchange.models import Installation, LogEntry, PeerKey, RemoteAgency
from motcua.exchange.services import exchange_receive
from tests.conftest import at


def run(*args: str) -> str:
    out = StringIO()
    call_command("exchange", *args, stdout=out)
    return out.getvalue()


def test_an_administrator_sets_up_both_sides_with_the_command(db, settings, tmp_path):
    settings.INSTALLATION_ID = "h26-tuphap"
    settings.EXCHANGE_KEY_DIR = tmp_path / "keys"
    key_id = run("keygen").strip()
    with pytest.raises(CommandError, match="rotate"):
        run("keygen")
    exported = json.loads(run("export-key"))
    assert [(e["installation"], e["key_id"], e["valid_until"]) for e in exported] == [
        ("h26-tuphap", key_id, None)
    ]
    # The same export, registered on the other side (here the same database, for the test).
    run("peer", "add", "h26-tuphap", "--name", "Hệ thống Sở Tư pháp", "--url", "https://b.vn")
    path = tmp_path / "b.keys.json"
    path.write_text(json.dumps(exported))
    run("peer", "key", str(path))
    run("agency", "add", "h26.32", "--peer", "h26-tuphap", "--procedure", "3.000333")
    assert Installation.objects.get().base_url == "https://b.vn"
    assert PeerKey.objects.get().key_id == key_id
    assert RemoteAgency.objects.get().agency_code == "H26.32"
    with pytest.raises(CommandError):
        run("agency", "add", "H26.33", "--peer", "ke-la")
    # A second export after a rotation updates the old key's validity on the peer.
    new_id = run("rotate").strip()
    path.write_text(run("export-key"))
    run("peer", "key", str(path))
    keys = dict(PeerKey.objects.values_list("key_id", "valid_until"))
    assert set(keys) == {key_id, new_id} and keys[new_id] is None and keys[key_id] is not None


def test_verify_log_fails_on_a_tampered_row(db, settings):
    settings.INSTALLATION_ID = "h26-tuphap"
    with pytest.raises(MalformedMessage):  # a refusal, logged
        exchange_receive(raw=b"{}", now=at("2026-12-07 09:00"))
    assert "1 dòng, 0 lỗi" in run("verify-log")
    LogEntry.objects.update(message="{} ")
    with pytest.raises(CommandError):
        run("verify-log")
