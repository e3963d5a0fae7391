"""Stopping `motcua demo` with SIGTERM or SIGINT stops its worker too: a real process, run as
a service manager or a terminal would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    """MOTCUA_TEST_DEMO_PORT when set (a shared machine's own port), else a free one."""
    if os.environ.get("MOTCUA_TEST_DEMO_PORT"):
        return int(os.environ["MOTCUA_TEST_DEMO_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet waited for, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def var(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-var")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_stops_its_worker(var, stop):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'demo.sqlite3'}",
        "MOTCUA_VAR_DIR": str(var),
        "MOTCUA_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    demo = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "demo", "--dossiers", "5", "--port", str(_port())],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    workers: list[int] = []
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # until the server says where it listens
            if line.startswith("motcua: http"):
                break
        else:
            pytest.fail(f"the demo ended before serving (exit {demo.wait()})")
        workers = _children(demo.pid)
        assert len(workers) == 1
        demo.send_signal(stop)
        demo.wait(timeout=60)
        assert [pid for pid in workers if _alive(pid)] == []
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if demo.poll() is None:
            demo.kill()
            demo.wait()
