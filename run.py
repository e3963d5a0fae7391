#!/usr/bin/env python3
"""Bootstrap and run motcua with nothing but Python 3.11 and pip.

    python3 run.py demo    install into .venv, load the demo data, serve http://127.0.0.1:8000
    python3 run.py test    install into .venv, lint, type-check, audit the locked dependencies
                           for known vulnerabilities, run the whole test suite (SQLite, then
                           PostgreSQL), then rehearse the production set-up on loopback
                           (scripts/rehearse-production: nginx, gunicorn, the worker)

The test run uses PostgreSQL at 127.0.0.1:5432 when it answers (DATABASE_URL overrides the
address); with CI=true it is required.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".motcua-install"
# Every package, direct and indirect, pinned with its hashes (docs/operations.md,
# "Dependencies"): lock.txt for production, lock-test.txt adds the test and divisions extras.
LOCK = ROOT / "requirements" / "lock-test.txt"
PG_URL = "postgres://postgres@127.0.0.1:5432/motcua"


def ensure_venv() -> None:
    """Create .venv and install the locked packages and the project into it, again whenever
    pyproject.toml or the lock changes."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"motcua needs Python 3.11 (this is {sys.version.split()[0]}).")
    digest = install_digest(ROOT / "pyproject.toml", LOCK)
    if STAMP.exists() and STAMP.read_text() == digest and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("Tạo môi trường ảo .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("Cài đặt các gói phụ thuộc (lần đầu mất vài phút) …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # Hash-checked: a package that is not the one locked stops the install.
    run([*pip, "--require-hashes", "-r", str(LOCK)])
    run([*pip, "--no-deps", "-e", str(ROOT)])
    STAMP.write_text(digest)


def install_digest(pyproject: Path, lock: Path) -> str:
    """What the install stamp records: a change to either file installs again."""
    return hashlib.sha256(pyproject.read_bytes() + b"\0" + lock.read_bytes()).hexdigest()


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


# Where pip-audit looks, in the order tried: OSV's API, then PyPI's JSON API per release.
AUDIT_SERVICES = {
    "osv": os.environ.get("MOTCUA_OSV_URL", "https://api.osv.dev"),
    "pypi": "https://pypi.org/pypi/<name>/<version>/json",
}


def vulnerability_verdict(service: str, report: dict[str, Any]) -> tuple[bool | None, str]:
    """pip-audit's JSON report read: (False, why) on a known vulnerability, (True, summary)
    when packages were audited and none has one, (None, why) when none could be audited."""
    deps = [d for d in report.get("dependencies", []) if isinstance(d, dict)]
    audited = [d for d in deps if "skip_reason" not in d]
    if not audited:
        return None, f"cannot reach {AUDIT_SERVICES[service]}"
    found = []
    for d in audited:
        for v in d.get("vulns", []):
            fixed = ", ".join(v.get("fix_versions") or ["?"])
            found.append(f"{d['name']} {d['version']} {v['id']} (fixed in {fixed})")
    if found:
        return False, f"vulnerability check: {len(found)} known: " + "; ".join(found)
    skipped = len(deps) - len(audited)
    tail = f", {skipped} not found there" if skipped else ""
    return True, f"vulnerability check: {len(audited)} packages, none vulnerable ({service}{tail})"


def audit_dependencies(env: dict[str, str]) -> None:
    """pip-audit the locked requirements; a known vulnerability fails the run, no reachable
    vulnerability database is said in one line and does not."""
    unreachable = []
    for service in AUDIT_SERVICES:
        cmd = [str(BIN / "pip-audit"), "--disable-pip", "--no-deps", "-r", str(LOCK), "-f", "json"]
        cmd += ["--progress-spinner", "off", "--timeout", "10", "-s", service]
        if service == "osv" and env.get("MOTCUA_OSV_URL"):  # a mirror of OSV's query API
            cmd += ["--osv-url", env["MOTCUA_OSV_URL"]]
        try:
            done = subprocess.run(  # noqa: S603 - our own tool
                cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=45, check=False
            )
            report = json.loads(done.stdout)
        except (subprocess.TimeoutExpired, ValueError):
            unreachable.append(AUDIT_SERVICES[service])
            continue
        verdict, line = vulnerability_verdict(service, report)
        if verdict is None:
            unreachable.append(AUDIT_SERVICES[service])
            continue
        print(line, flush=True)
        if not verdict:
            sys.exit(1)
        return
    print(f"vulnerability check: skipped, cannot reach {' nor '.join(unreachable)}", flush=True)


def test(extra: list[str]) -> None:
    """Lint, type-check, check migrations, then the whole suite on SQLite and on PostgreSQL."""
    env = {**os.environ, "MOTCUA_ENV": "test"}
    env.pop("DATABASE_URL", None)
    install_browser()
    run([str(BIN / "ruff"), "check", "motcua", "tests", "bench", "run.py"], env)
    run([str(BIN / "mypy")], env)  # the package, strict, as [tool.mypy] says
    audit_dependencies(env)
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
    if not extra:  # the whole run: the production set-up too (docs/operations.md)
        print("== Diễn tập triển khai: nginx, gunicorn, worker, PostgreSQL", flush=True)
        run([str(PYTHON), str(ROOT / "scripts" / "rehearse-production")])


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
