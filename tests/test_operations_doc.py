"""docs/operations.md lists every environment variable motcua/settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"(?:env_\w+|os\.environ\.get)\(\s*\"([A-Z][A-Z0-9_]+)\"")


def test_every_setting_read_from_the_environment_is_documented():
    names = set(READ.findall((ROOT / "motcua" / "settings.py").read_text()))
    assert len(names) > 60  # the pattern still finds them
    doc = (ROOT / "docs" / "operations.md").read_text()
    assert sorted(name for name in names if f"`{name}`" not in doc) == []
