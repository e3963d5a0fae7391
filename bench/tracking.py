"""The public tracking page under load, against a bare Django view on the same server.

    apt-get install wrk                          # Debian's wrk; gunicorn is a dependency
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_demo_x \\
    CACHE_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/tracking.py [--duration 10] [--rounds 3] [--port 8112]

The database must hold a demo (`motcua demo --dossiers 3000 --no-serve`). The benchmark picks
a real dossier being processed, serves the app with gunicorn (2 sync workers, the settings of
a deployment: DEBUG off, persistent database connections with `DB_CONN_MAX_AGE`, 600 s unless
set, the cache of `CACHE_URL`, which should be Redis as deployed: it warns otherwise) and, in
rounds, loads with `wrk` (50 connections, 2 threads) first the bare view
(/bench/bare/, `bench/tracking_server.py`: the same middleware, "ok"), then the tracking page
through the link of the receipt's QR code (GET with code and secret, the secret checked on
every request). Every answer must be a 200: a throttled or failed one stops the run.

Prints each round's requests/s and latency percentiles, then p99 per side (worst and median
round), the per-round ratios with their median and, as its last
line, `ratio=<tracking req/s ÷ bare req/s>` (each side's requests over its time, all rounds).
Without wrk, a Python load generator (threads, keep-alive off, like gunicorn's sync workers)
stands in, and the report says so: its figures are not comparable with wrk's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

# bench/calendar.py has the standard library's name: this folder must not be on the import
# path, before anything imports `calendar` (urllib.request does, through email).
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import urllib.request  # noqa: E402

ROOT = BENCH.parent


def pick_dossier() -> tuple[str, str]:
    """(code, path of the QR link) of a dossier being processed, with the most hand-overs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import tracking_url

    dossier = (
        Dossier.objects.filter(code__isnull=False, status=2)
        .annotate(n=Count("steps"))
        .order_by("-n", "pk")
        .first()
    ) or Dossier.objects.filter(code__isnull=False).order_by("pk").first()
    if dossier is None:
        sys.exit("No dossier with a code: load a demo first (motcua demo --no-serve).")
    url = tracking_url(dossier)
    return str(dossier.code), url[url.index("/tra-cuu/") :]


def serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        sys.exit("gunicorn is missing: python3 run.py test installs the dependencies")
    env = {**os.environ, "DEBUG": "0", "PYTHONPATH": str(ROOT)}
    env.setdefault("DB_CONN_MAX_AGE", "600")
    cmd = [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    cmd += ["--log-level", "warning", "--backlog", "2048", "bench.tracking_server:application"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("gunicorn did not answer")


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"wrk saw failed answers:\n{out}")
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    assert total, out
    scale = {"ms": 1e-3, "s": 1.0, "m": 60.0}[total[3]]
    found = {
        "requests": float(total[1]),
        "seconds": float(total[2]) * scale,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
    }
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert m, out
        found[f"p{pct}"] = float(m[1]) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m[2]]
    return found


def python_load(url: str, seconds: int, connections: int) -> dict[str, float]:
    """The stand-in for wrk: `connections` threads, one request at a time each."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def client() -> None:
        mine = []
        while (start := time.perf_counter()) < end:
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    r.read()
                    ok = r.status == 200
            except OSError:
                ok = False
            mine.append(time.perf_counter() - start)
            if not ok:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    if failures[0]:
        sys.exit(f"{failures[0]} failed answers")
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e3

    n = float(len(latencies))
    return {
        "requests": n,
        "seconds": took,
        "rps": n / took,
        **{f"p{p}": pct(p) for p in (50, 90, 99)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per side per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8112)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("warning: DATABASE_URL is not PostgreSQL, the production database", flush=True)
    if not os.environ.get("CACHE_URL", "").startswith(("redis://", "rediss://", "unix://")):
        # Without Redis each worker counts the tries in its own memory: not a deployment.
        print("warning: CACHE_URL is not Redis, the cache the workers share", flush=True)

    code, path = pick_dossier()
    load = wrk if shutil.which("wrk") else python_load
    label = "wrk" if load is wrk else "PYTHON LOAD GENERATOR (wrk missing: not comparable)"
    print(f"load: {label}, {args.connections} connections; gunicorn {args.workers} workers")
    print(f"dossier {code}: {path}")
    print(f"load averages at start: {os.getloadavg()}")
    server = serve(args.port, args.workers)
    try:
        base = f"http://127.0.0.1:{args.port}"
        page = urllib.request.urlopen(base + path, timeout=5).read().decode()
        if f'<span class="code">{code}</span>' not in page:
            sys.exit("the tracking page does not show the dossier")
        urls = {"bare": f"{base}/bench/bare/", "tracking": base + path}
        for url in urls.values():  # warm up: imports, connections, the kept result
            load(url, 2, args.connections)
        totals = {side: {"requests": 0.0, "seconds": 0.0} for side in urls}
        p99s: dict[str, list[float]] = {side: [] for side in urls}
        ratios: list[float] = []
        for n in range(1, args.rounds + 1):
            rates = {}
            for side, url in urls.items():
                r = load(url, args.duration, args.connections)
                totals[side]["requests"] += r["requests"]
                totals[side]["seconds"] += r["seconds"]
                p99s[side].append(r["p99"])
                rates[side] = r["rps"]
                print(
                    f"round {n} {side:8}: {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  "
                    f"p90 {r['p90']:6.1f} ms  p99 {r['p99']:6.1f} ms",
                    flush=True,
                )
            ratios.append(rates["tracking"] / rates["bare"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    rps = {side: t["requests"] / t["seconds"] for side, t in totals.items()}
    print(f"load averages at end: {os.getloadavg()}")
    for side in urls:
        worst = max(p99s[side])
        middle = statistics.median(p99s[side])
        print(
            f"{side}: {rps[side]:.0f} req/s, p99 {worst:.1f} ms (worst round), {middle:.1f} median"
        )
    each = ", ".join(f"{r:.3f}" for r in ratios)
    print(f"per-round ratios: {each}; median {statistics.median(ratios):.3f}")
    print(f"ratio={rps['tracking'] / rps['bare']:.3f}")


if __name__ == "__main__":
    main()
