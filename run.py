#!/usr/bin/env python3
"""Bootstrap and run motcua with nothing but Python 3.11 and pip.

    python3 run.py demo    install into .venv, load the demo data, serve http://127.0.0.1:8000
    python3 run.py test    install into .venv, run the whole test suite (SQLite, then PostgreSQL)

The test run uses PostgreSQL at 127.0.0.1:5432 when it answers (DATABASE_URL overrides the
address); with CI=true it is required.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".motcua-install"
PG_URL = "postgres://postgres@127.0.0.1:5432/motcua"


def ensure_venv() -> None:
    """Create .venv and install the project into it, again whenever pyproject.toml changes."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"motcua needs Python 3.11 (this is {sys.version.split()[0]}).")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("Tạo môi trường ảo .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("Cài đặt các gói phụ thuộc (lần đầu mất vài phút) …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, "-e", f"{ROOT}[divisions,test]"])
    STAMP.write_text(digest)


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    """Run a command; stop with its exit code when it fails."""
    code = subprocess.call(cmd, cwd=ROOT, env=env)  # noqa: S603 - our own commands
    if code != 0:
        sys.exit(code)


def postgres_reachable(url: str) -> bool:
    """Whether something answers on the PostgreSQL port of the URL."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 2):
            return True
    except OSError:
        return False


def install_browser() -> None:
    """Install chromium and axe-core for tests/browser; without them those tests skip (CI: fail)."""
    needed = [Path("/usr/bin/chromium"), ROOT / "node_modules" / "axe-core"]
    if all(p.exists() for p in needed) and shutil.which("pdftotext"):
        return
    print("Cài đặt chromium và axe-core cho kiểm thử trình duyệt …", flush=True)
    script = str(ROOT / "scripts" / "install-browser")
    try:
        failed = subprocess.call(["bash", script], cwd=ROOT) != 0  # noqa: S603, S607 - our script
    except OSError:  # no bash here
        failed = True
    if not failed:
        return
    if os.environ.get("CI") == "true":
        sys.exit("scripts/install-browser failed; the browser tests are required in CI.")
    print("Cảnh báo: không cài được trình duyệt; bỏ qua các kiểm thử trình duyệt.", flush=True)


def test(extra: list[str]) -> None:
    """Lint, type-check, check migrations, then the whole suite on SQLite and on PostgreSQL."""
    env = {**os.environ, "MOTCUA_ENV": "test"}
    env.pop("DATABASE_URL", None)
    install_browser()
    run([str(BIN / "ruff"), "check", "motcua", "tests", "bench", "run.py"], env)
    run([str(BIN / "mypy")], env)  # the package, strict, as [tool.mypy] says
    # Against a throwaway database: the check also compares the migration history, and a
    # fresh clone has no var/ yet.
    check = [str(PYTHON), "-m", "motcua.cli", "makemigrations", "--check", "--dry-run", "-v0"]
    run(check, {**env, "DATABASE_URL": "sqlite://:memory:"})
    print("== Bộ kiểm thử trên SQLite", flush=True)
    run([str(PYTHON), "-m", "pytest", *extra], env)
    pg_url = os.environ.get("DATABASE_URL", PG_URL)
    if not postgres_reachable(pg_url):
        if os.environ.get("CI") == "true":
            sys.exit(f"PostgreSQL is required in CI but does not answer at {pg_url}.")
        print(f"== PostgreSQL không phản hồi ở {pg_url}: bỏ qua lượt chạy PostgreSQL.")
        return
    # The browser tests drive pages, not SQL: one database is enough for them.
    print("== Bộ kiểm thử trên PostgreSQL", flush=True)
    run([str(PYTHON), "-m", "pytest", "-m", "not browser", *extra], {**env, "DATABASE_URL": pg_url})


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test"):
        sys.exit(__doc__)
    command, extra = sys.argv[1], sys.argv[2:]
    ensure_venv()
    if command == "test":
        test(extra)
    else:
        os.execv(str(PYTHON), [str(PYTHON), "-m", "motcua.cli", "demo", *extra])  # noqa: S606


if __name__ == "__main__":
    main()
