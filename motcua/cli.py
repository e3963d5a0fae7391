"""The `motcua` console command: Django management commands under one name.

`motcua catalog import`, `motcua audit verify`, `motcua calendar due ...` are management
commands with sub-commands, so this is a thin wrapper around Django's own dispatcher.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command: `motcua demo`, `motcua worker`, `motcua catalog import`, ..."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["demo"]:
        _ensure_demo_secret()
    execute_from_command_line(["motcua", *args])


def _ensure_demo_secret() -> None:
    """The demo generates its own secret and audit keys once (settings read var/secret_key
    and var/audit_key)."""
    import secrets
    from pathlib import Path

    var = Path(os.environ.get("MOTCUA_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    key = var / "secret_key"
    if not key.exists():
        var.mkdir(parents=True, exist_ok=True)
        key.write_text(secrets.token_urlsafe(64))
        key.chmod(0o600)
    audit = var / "audit_key"  # the demo's audit key, likewise (settings.AUDIT_KEY)
    if not audit.exists():
        var.mkdir(parents=True, exist_ok=True)
        audit.write_text(secrets.token_urlsafe(48))
        audit.chmod(0o600)


if __name__ == "__main__":
    main()
