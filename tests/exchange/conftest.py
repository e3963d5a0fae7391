"""Installation A is this process ("xa-hk", Phường Hoàn Kiếm's); its peer B ("tu-phap", where
the Department of Justice works) is played here by a key of the test's own, or, in
test_two_installations.py, by a second process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from motcua.core import exchange as core
from motcua.exchange import keys
from motcua.exchange.services import installation_add, peer_key_add, remote_agency_add

PEER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PEER_KEY_ID = core.key_id_of(core.raw_public(PEER_KEY))


@pytest.fixture
def us(settings, tmp_path):
    """Installation A's id and a fresh signing key of its own."""
    settings.INSTALLATION_ID = "xa-hk"
    settings.EXCHANGE_KEY_DIR = tmp_path / "keys"
    keys.keys_generate(now=datetime.fromisoformat("2026-01-01T00:00:00+07:00"))
    return settings.INSTALLATION_ID


@dataclass
class Peer:
    code: str
    key: Ed25519PrivateKey
    key_id: str

    def envelope(self, **fields: object) -> core.Envelope:
        values: dict[str, object] = {
            "sender": self.code,
            "recipient": "xa-hk",
            "type": core.STEP_RESULT,
            "dossier": "",
            "step": 1,
            "key": self.key_id,
            "body": {},
        }
        values.update(fields)
        return core.new_envelope(**values)  # type: ignore[arg-type]

    def wire(self, envelope: core.Envelope, key: Ed25519PrivateKey | None = None) -> dict:
        return {"message": envelope.as_json(), "signature": core.sign(key or self.key, envelope)}


@pytest.fixture
def peer(us, world):
    """B: registered with its key (valid from 2026), hosting the Department of Justice."""
    installation_add(code="tu-phap", name="Hệ thống Sở Tư pháp", base_url="http://b.invalid")
    peer_key_add(
        installation="tu-phap",
        key_id=PEER_KEY_ID,
        public_key=core.encode_public(core.raw_public(PEER_KEY)),
        valid_from=datetime.fromisoformat("2026-01-01T00:00:00+07:00"),
        valid_until=None,
    )
    remote_agency_add(agency_code="H26.32", installation="tu-phap", procedure_code="3.000333")
    return Peer("tu-phap", PEER_KEY, PEER_KEY_ID)
