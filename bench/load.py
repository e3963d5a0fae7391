"""A bounded load test on loopback: officers acting, citizens tracking, the worker running.

    .venv/bin/python bench/load.py [--minutes 10] [--officers 3] [--citizens 12]

1. Recreates its own PostgreSQL database (`motcua_load` unless --database-url), loads the demo
   (`motcua demo --dossiers 300 --no-serve`) with its own MOTCUA_VAR_DIR.
2. Serves it with gunicorn (4 sync workers, DEBUG off, persistent connections, the cache on
   Redis database 8 as deployed with several processes) and runs `motcua worker` beside it.
3. For --minutes, from threads in this process (keep-alive off, like a browser to gunicorn's
   sync workers):
   - each officer, a different commune's desk officer, signed in, repeats: the inbox; a
     reception through the page's own form (a procedure of the commune, the applicant, every
     paper ticked, "receive"); form 01; the dossier page; the hand-over to the next step
     through the page's own action form;
   - each citizen repeats: the tracking page of a dossier through its receipt's QR link.
4. Samples the memory (RSS) of gunicorn's processes and the worker every 10 s.

Prints per page: requests, errors, p50 and p99 in ms; the memory at the start, the end and its
highest; the worker's passes. Exit status 1 when any request failed (an answer other than the
expected one, or none), so "0 errors" is checked, not assumed.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench/calendar.py has the standard library's name (see bench/tracking.py).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from http.cookiejar import CookieJar  # noqa: E402

ROOT = BENCH.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_load"
PASSWORD = "motcua-demo-2026"  # the demo's (motcua.organization.demo.DEMO_PASSWORD)


class Forms(html.parser.HTMLParser):
    """The page's POST forms: action, and the values a browser would send by default."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []
        self.links: list[str] = []
        self._select: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append({"action": a.get("action", ""), "fields": [], "boxes": []})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        fields: list[tuple[str, str]] = form["fields"]  # type: ignore[assignment]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                form["boxes"].append((a["name"], a.get("value", "on"), "checked" in a))  # type: ignore[union-attr]
            elif kind not in ("submit", "button", "file"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._selected = a["name"], False
        elif tag == "option" and self._select is not None:
            if not self._selected and ("selected" in a or a.get("value")):
                fields[:] = [f for f in fields if f[0] != self._select]
                fields.append((self._select, a.get("value", "")))
                self._selected = "selected" in a
        elif tag == "textarea" and a.get("name"):
            fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def parse(body: bytes) -> Forms:
    p = Forms()
    p.feed(body.decode("utf-8", "replace"))
    return p


class Client:
    """One browser: its cookies, the CSRF token, every request timed into `stats`."""

    def __init__(self, base: str, stats: Stats) -> None:
        self.base, self.stats = base, stats
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(
        self, page: str, path: str, data: list[tuple[str, str]] | None = None, expect=(200,)
    ) -> tuple[int, bytes, str]:
        body = None
        headers = {"Referer": self.base + "/"}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        t0 = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as r:
                status, content, location = r.status, r.read(), r.headers.get("Location", "")
        except urllib.error.HTTPError as e:
            status, content, location = e.code, e.read(), e.headers.get("Location", "")
        except OSError as e:
            self.stats.add(page, (time.perf_counter() - t0) * 1000, f"{type(e).__name__}")
            raise Broken(page) from e
        ms = (time.perf_counter() - t0) * 1000
        ok = status in expect
        self.stats.add(page, ms, None if ok else f"{status} {path}")
        if not ok:
            raise Broken(page)
        return status, content, location


class Broken(Exception):
    """A request failed (counted); the loop starts its round again."""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, page: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.times[page].append(ms)
            if error:
                self.errors[page].append(error)


def officer(base: str, username: str, procedure: str, stats: Stats, stop: threading.Event) -> None:
    c = Client(base, stats)
    c.request("sign-in", "/can-bo/dang-nhap/")
    c.request(
        "sign-in",
        "/can-bo/dang-nhap/",
        [("csrfmiddlewaretoken", c.csrf()), ("username", username), ("password", PASSWORD)],
        expect=(302,),
    )
    rng = random.Random(username)
    while not stop.is_set():
        try:
            c.request("inbox", "/can-bo/")
            _s, page, _l = c.request(
                "reception (page)", f"/can-bo/tiep-nhan/?procedure={procedure}"
            )
            form = next(
                f for f in parse(page).forms if "tiep-nhan" in str(f["action"]) or not f["action"]
            )
            data = [(k, v) for k, v in form["fields"] if k != "csrfmiddlewaretoken"]  # type: ignore[union-attr]
            filled = {
                "name": f"Nguyễn Văn Tải {rng.randrange(10**6)}",
                "id_number": f"001{rng.randrange(10**9):09d}",
            }
            data = [(k, filled.get(k, v)) for k, v in data]
            data += [(k, v) for k, v, _checked in form["boxes"] if k == "documents"]  # type: ignore[union-attr]
            data += [
                ("delivery", "desk"),
                ("outcome", "receive"),
                ("csrfmiddlewaretoken", c.csrf()),
            ]
            _s, _b, location = c.request(
                "reception (receive)", "/can-bo/tiep-nhan/", data, expect=(302,)
            )
            c.request("form 01", location)
            pk = location.strip("/").split("/")[1]
            # The worker may change the dossier between the page and the click (its due-soon
            # warning, then a draft apology for a same-day dossier): the page answers 409 and
            # the officer reloads it, up to twice.
            for attempt in (1, 2, 3):
                _s, page, _l = c.request("dossier page", f"/can-bo/ho-so/{pk}/")
                forms = parse(page).forms
                forward = next((f for f in forms if ("action", "forward") in f["fields"]), None)  # type: ignore[operator]
                if forward is None:
                    stats.add("forward", 0.0, f"no forward action on dossier {pk}")
                    break
                data = [(k, v) for k, v in forward["fields"] if k != "csrfmiddlewaretoken"]  # type: ignore[union-attr]
                data.append(("csrfmiddlewaretoken", c.csrf()))
                expect = (302,) if attempt == 3 else (302, 409)
                status, _b, _l = c.request("forward", str(forward["action"]), data, expect=expect)
                if status == 302:
                    break
                stats.add("(409, reloaded)", 0.0, None)
        except Broken:
            continue


def citizen(base: str, links: list[str], stats: Stats, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    c = Client(base, stats)
    while not stop.is_set():
        try:
            c.request("tracking", rng.choice(links))
        except Broken:
            continue


def setup(url: str, var: Path, dossiers: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The demo in its own database; (desk officer, procedure) pairs and tracking links."""
    sys.path.insert(0, str(ROOT))
    from bench.transitions import Target, recreate_database

    recreate_database(Target.parse(url))
    env = {**os.environ, "DATABASE_URL": url, "MOTCUA_VAR_DIR": str(var), "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [str(PYTHON), "-m", "motcua.cli", "demo", "--dossiers", str(dossiers), "--no-serve"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    os.environ.update(
        DATABASE_URL=url, MOTCUA_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="motcua.settings"
    )
    import django

    django.setup()
    from motcua.catalog.models import Procedure
    from motcua.core.lifecycle import Role
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import tracking_url
    from motcua.organization.models import Staff

    desks = []
    commune_level = list(
        Procedure.objects.filter(code__in=("2.000815", "1.001193", "2.000635")).values_list(
            "code", flat=True
        )
    )
    posts = Staff.objects.filter(role=Role.DESK, agency__kind="commune").select_related("user")
    for post in posts.order_by("pk"):
        desks.append((post.user.username, commune_level[len(desks) % len(commune_level)]))
    links = [
        urllib.parse.urlsplit(tracking_url(d)).path
        + "?"
        + urllib.parse.urlsplit(tracking_url(d)).query
        for d in Dossier.objects.exclude(code=None).order_by("-pk")[:200]
    ]
    return desks, links


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [pid, *(int(x) for x in out.split())]


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--officers", type=int, default=3, help="(3, the demo's staffed communes)")
    parser.add_argument("--citizens", type=int, default=12)
    parser.add_argument("--dossiers", type=int, default=300, help="the demo's history (300)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's (4)")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="motcua-load-"))
    t0 = time.perf_counter()
    desks, links = setup(args.database_url, var, args.dossiers)
    if not desks or not links:
        print(f"the demo has {len(desks)} communes' desk officers and {len(links)} tracking links")
        return 1
    if len(desks) < args.officers:
        print(
            f"the demo staffs {len(desks)} communes' desks: {len(desks)} officers, "
            f"not {args.officers}"
        )
        args.officers = len(desks)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "MOTCUA_VAR_DIR": str(var),
        "CACHE_URL": "redis://127.0.0.1:6379/8",
        "DB_CONN_MAX_AGE": "600",
        "SITE_URL": base,
        "LOG_LEVEL": "WARNING",
        "WORKER_INTERVAL_SECONDS": "10",
    }
    subprocess.run(["redis-cli", "-n", "8", "flushdb"], capture_output=True)
    log = (var / "server.log").open("wb")
    server = subprocess.Popen(
        [str(GUNICORN), "motcua.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "120"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(
        [str(PYTHON), "-m", "motcua.cli", "worker"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    stats = Stats()
    stop = threading.Event()
    memory: list[tuple[float, int, int]] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/tra-cuu/", timeout=5).read()
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("gunicorn did not start; see", var / "server.log")
                    return 1
                time.sleep(0.5)
        print(
            f"motcua load test: {args.officers} officers, {args.citizens} citizens, "
            f"{args.minutes:g} min, gunicorn {args.workers} workers + the worker "
            f"(set-up {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.2f})",
            flush=True,
        )
        threads = [
            threading.Thread(target=officer, args=(base, u, p, stats, stop), daemon=True)
            for u, p in desks[: args.officers]
        ] + [
            threading.Thread(target=citizen, args=(base, links, stats, stop, n), daemon=True)
            for n in range(args.citizens)
        ]
        for t in threads:
            t.start()
        start = time.monotonic()
        end = start + args.minutes * 60
        while time.monotonic() < end:
            memory.append(
                (
                    time.monotonic() - start,
                    rss_kb(children(server.pid)),
                    rss_kb([worker.pid]),
                )
            )
            if server.poll() is not None or worker.poll() is not None:
                print("a server process stopped; see", var / "server.log")
                break
            stop.wait(min(10, max(0.0, end - time.monotonic())))
        stop.set()
        for t in threads:
            t.join(timeout=90)
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        for p in (server, worker):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in (server, worker):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    total = sum(len(v) for v in stats.times.values())
    errors = sum(len(v) for v in stats.errors.values())
    print(f"  {total:,} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s), {errors} errors")
    print(f"  {'page':<22}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for page, xs in stats.times.items():
        print(
            f"  {page:<22}{len(xs):>10,}{len(stats.errors[page]):>8}"
            f"{statistics.median(xs):>9.1f}{pct(xs, 0.99):>9.1f}"
        )
    for page, errs in stats.errors.items():
        for e in sorted(set(errs))[:5]:
            print(f"  ! {page}: {e}")
    if memory:
        web = [m[1] for m in memory]
        wk = [m[2] for m in memory]
        print(
            f"  memory (RSS)  gunicorn: {web[0] / 1024:.0f} MB at the start, "
            f"{web[-1] / 1024:.0f} MB at the end, {max(web) / 1024:.0f} MB at most; "
            f"the worker: {wk[0] / 1024:.0f} / {wk[-1] / 1024:.0f} / {max(wk) / 1024:.0f} MB"
        )
        half = len(web) // 2
        if half:
            print(
                f"  memory trend  gunicorn's second half averaged "
                f"{statistics.mean(web[half:]) / statistics.mean(web[:half]):.3f}× its first half"
            )
    print(f"errors={errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
