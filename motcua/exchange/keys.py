"""This installation's signing keys, in files outside the database (as the audit anchor's,
motcua/dossiers/audit.py): `keyring.json` lists them (id, public half, when made and retired)
and the current one's private key is `<key id>.pem`, created 0600; a retired key's private
file is deleted, its public half kept in the keyring for the peers during the grace period.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings

from motcua.core import exchange as core
from motcua.core.errors import ValidationError, _


def _dir() -> Path:
    return Path(settings.EXCHANGE_KEY_DIR)


def _ring_file() -> Path:
    return _dir() / "keyring.json"


def _read() -> list[dict[str, Any]]:
    path = _ring_file()
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    return list(data["keys"])


def _write(entries: list[dict[str, Any]]) -> None:
    path = _ring_file()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"keys": entries}, indent=2) + "\n")
    tmp.replace(path)


def _own(entry: dict[str, Any]) -> core.OwnKey:
    retired = entry.get("retired_at")
    return core.OwnKey(
        key_id=entry["key_id"],
        created_at=datetime.fromisoformat(entry["created_at"]),
        retired_at=datetime.fromisoformat(retired) if retired else None,
    )


def keyring() -> list[core.OwnKey]:
    """Our keys, oldest first."""
    return [_own(e) for e in _read()]


def _new_key(now: datetime) -> dict[str, Any]:
    """A fresh key: its private file written 0600 (never readable by others, even briefly)."""
    private = Ed25519PrivateKey.generate()
    public = core.raw_public(private)
    key_id = core.key_id_of(public)
    _dir().mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(_dir() / f"{key_id}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return {
        "key_id": key_id,
        "public_key": core.encode_public(public),
        "created_at": now.isoformat(),
        "retired_at": None,
    }


def keys_generate(*, now: datetime) -> core.OwnKey:
    """The first key; refused when there is one already (rotate it instead)."""
    if _read():
        raise ValidationError(
            _("Đã có khóa ký liên thông; dùng “motcua exchange rotate” để thay khóa."), field="key"
        )
    entry = _new_key(now)
    _write([entry])
    return _own(entry)


def keys_rotate(*, now: datetime) -> core.OwnKey:
    """A new current key; the old one retired now, its private file deleted."""
    entries = _read()
    old = core.current_key([_own(e) for e in entries])
    entry = _new_key(now)
    for e in entries:
        if e["key_id"] == old.key_id:
            e["retired_at"] = now.isoformat()
    _write([*entries, entry])
    (_dir() / f"{old.key_id}.pem").unlink(missing_ok=True)
    return _own(entry)


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The current key's id and private key."""
    current = core.current_key(keyring())
    key = load_pem_private_key((_dir() / f"{current.key_id}.pem").read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{current.key_id}.pem không phải khóa Ed25519.")
    return current.key_id, key


def keys_export(*, now: datetime) -> list[dict[str, Any]]:
    """Our public keys a peer should hold now, with their validity, for its administrator."""
    public = {e["key_id"]: e["public_key"] for e in _read()}
    grace = timedelta(days=settings.EXCHANGE_KEY_GRACE_DAYS)
    return [
        {
            "installation": settings.INSTALLATION_ID,
            "key_id": k.key_id,
            "public_key": public[k.key_id],
            "valid_from": k.valid_from.isoformat(),
            "valid_until": k.valid_until.isoformat() if k.valid_until else None,
        }
        for k in core.exported(keyring(), now=now, grace=grace)
    ]
