"""docs/integration.md's worked example and verification snippet agree with the code."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from motcua.core.webhooks import StatusChange, body_of, delivery_id, sign, verify

DOC = (Path(__file__).resolve().parents[2] / "docs" / "integration.md").read_text()
SECRETS = ["whsec_new-EXAMPLE", "whsec_old-EXAMPLE"]


def section() -> str:
    return DOC.split("## Webhooks", 1)[1].split("\n## ", 1)[0]


def test_the_worked_example_is_what_the_code_sends():
    text = section().split("### A worked example", 1)[1]
    body, header = re.findall(r"```\n(.*?)\n```", text, flags=re.S)[:2]
    change = StatusChange(
        delivery_id=delivery_id("webhook:3:1042:5"),
        occurred_at=datetime(2026, 11, 25, 2, 15, tzinfo=UTC),
        code="H26.100-261125-0001",
        status=4,
        previous_status=2,
        seq=5,
        agency="H26.100",
    )
    assert body == body_of(change)
    assert header == sign(body.encode(), SECRETS, timestamp=1795572903)
    for secret in SECRETS:
        assert verify(header, body.encode(), [secret], now=1795572903 + 3) == 1795572903


def test_the_verification_snippet_accepts_the_example_and_refuses_a_change(monkeypatch):
    text = section()
    snippet = re.search(r"```python\n(.*?)\n```", text, flags=re.S)[1]
    space: dict[str, object] = {}
    exec(snippet, space)  # the receiver's code, as a receiver would paste it
    example = section().split("### A worked example", 1)[1]
    body, header = re.findall(r"```\n(.*?)\n```", example, flags=re.S)[:2]
    monkeypatch.setattr(space["time"], "time", lambda: 1795572903 + 10)
    check = space["verify"]
    assert check(header, body.encode(), ["whsec_old-EXAMPLE"])
    assert not check(header, body.encode() + b" ", ["whsec_old-EXAMPLE"])
    assert not check(header, body.encode(), ["whsec_other"])
    monkeypatch.setattr(space["time"], "time", lambda: 1795572903 + 301)
    assert not check(header, body.encode(), ["whsec_old-EXAMPLE"])
