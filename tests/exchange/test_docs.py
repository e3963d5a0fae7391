"""docs/integration.md's worked example is a real signed envelope: its signature verifies with
the key it names, and the one-line canonical JSON shown is the bytes signed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from motcua.core import exchange as core

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def section() -> str:
    text = DOC.read_text()
    return text[text.index("## Between installations") :]


def test_the_worked_example_is_signed_by_the_key_it_names():
    text = section()
    wire = json.loads(re.search(r"```json\n(.*?)```", text, re.S)[1])
    public = core.decode_public(re.search(r"public key, base64:\n?`([^`]+)`", text)[1])
    envelope = core.parse_envelope(wire["message"])
    assert envelope.key == core.key_id_of(public)
    assert core.signature_ok(public, envelope, wire["signature"])
    (canonical,) = re.findall(r"```\n(\{.*?\})\n```", text)
    assert canonical.encode() == core.canonical_bytes(envelope.as_json())


def test_every_refusal_code_the_receiver_answers_is_documented():
    text = section()
    for error in (
        core.MalformedMessage,
        core.StaleMessage,
        core.UnknownInstallation,
        core.UnknownKey,
        core.KeyNotValid,
        core.BadSignature,
        core.NotAddressedToUs,
    ):
        assert f"`{error.code}`" in text
