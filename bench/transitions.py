"""Throughput of the dossier write path, measured against raw SQL on the same PostgreSQL.

    .venv/bin/python bench/transitions.py [--dossiers N] [--database-url URL]

Drops and recreates its own database (default `motcua_bench`), migrates it, builds the test
world (tests/factories.py) and drives `dossier_receive` / `dossier_act` through whole
procedures on a simulated office-hours clock. The baseline is the same database, the same
driver and the same connection parameters doing the smallest honest equivalent of one
action in raw SQL: a compare-and-set UPDATE plus one hash-chained event INSERT, committed.
The last line printed is `ratio=<service actions/s ÷ baseline transactions/s>`.
The database is left in place for inspection; the next run recreates it.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# bench/calendar.py has the standard library's name, which `holidays` imports: run as a
# script (or as a client process), this folder must not come first on the import path.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"
START = datetime(2026, 11, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a Monday
STEP_SECONDS = 90  # simulated office time between two actions
NAMES = [
    "nguyễn văn an",
    "trần thị bình",
    "lê hoàng cường",
    "phạm thu dung",
    "hoàng minh em",
    "vũ thị giang",
    "đặng quốc huy",
    "bùi ngọc khánh",
]


# ---------------------------------------------------------------------------------------------
# Database set-up (before Django is configured)


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise SystemExit(f"--database-url must be a postgres:// URL, not {url!r}")
        dbname = unquote(parts.path.lstrip("/"))
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", dbname):
            raise SystemExit(f"refusing to drop a database named {dbname!r}")
        if dbname in ("postgres", "template0", "template1"):
            raise SystemExit(f"refusing to drop the {dbname!r} database")
        return cls(
            url=url,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=dbname,
        )

    def connect_kwargs(self, dbname: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "dbname": dbname,
        }
        if self.password:
            kwargs["password"] = self.password
        return kwargs


def recreate_database(target: Target) -> None:
    """DROP (forcing out stale sessions) and CREATE the bench database via the `postgres` db."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(**target.connect_kwargs("postgres"), autocommit=True) as conn:
        name = sql.Identifier(target.dbname)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


# ---------------------------------------------------------------------------------------------
# Measuring helpers


_TABLE = re.compile(r'(?:^\s*UPDATE|\bINTO|\bFROM)\s+"?(\w+)')


@dataclass
class QueryStats:
    """Counts and times every statement Django sends (BEGIN/COMMIT are not statements)."""

    total: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    tables: dict[str, list[float]] = field(default_factory=dict)  # "VERB table" -> [n, s]
    commits: int = 0
    commit_seconds: float = 0.0
    syncs: int = 0
    sync_seconds: float = 0.0  # waiting for the results of pipelined statements

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.total += 1
            self.seconds += elapsed
            verb = sql.lstrip().split(None, 1)[0].upper()
            self.kinds[verb] += 1
            match = _TABLE.search(sql) if verb in ("SELECT", "INSERT", "UPDATE") else None
            key = f"{verb} {match.group(1)}" if match else verb
            slot = self.tables.setdefault(key, [0, 0.0])
            slot[0] += 1
            slot[1] += elapsed


def time_commits(connection, stats: QueryStats) -> Callable[[], None]:
    """Time Django's COMMITs (they bypass execute_wrapper) and the end of each psycopg
    pipeline, where the results of the statements sent in it are awaited (sending them is
    what execute_wrapper sees). Returns the undo function."""
    import psycopg

    original = connection._commit
    pipeline_exit = psycopg.Pipeline.__exit__

    def timed() -> None:
        started = time.perf_counter()
        try:
            original()
        finally:
            stats.commits += 1
            stats.commit_seconds += time.perf_counter() - started

    def timed_exit(self, *exc):
        started = time.perf_counter()
        try:
            return pipeline_exit(self, *exc)
        finally:
            stats.syncs += 1
            stats.sync_seconds += time.perf_counter() - started

    connection._commit = timed
    psycopg.Pipeline.__exit__ = timed_exit

    def undo() -> None:
        del connection._commit
        psycopg.Pipeline.__exit__ = pipeline_exit

    return undo


@dataclass
class PerAction:
    count: int = 0
    seconds: float = 0.0
    queries: int = 0


@dataclass
class RunResult:
    dossiers: int = 0
    actions: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only: Python, Django, the driver
    by_action: dict[str, PerAction] = field(default_factory=dict)
    by_procedure: Counter[str] = field(default_factory=Counter)
    supplemented: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None


# ---------------------------------------------------------------------------------------------
# The service-layer workload


class SimClock:
    """Office time that advances a little before every action (weekends and holidays skipped)."""

    def __init__(self, calendar, start: datetime, step_seconds: int) -> None:
        self.calendar = calendar
        self.now = start
        self.step = step_seconds

    def tick(self) -> datetime:
        self.now = self.calendar.add_working_seconds(self.now, self.step)
        return self.now


class Workload:
    """Whole procedures for numbered dossiers, as generators yielding after each service call."""

    def __init__(self, world, clock: SimClock) -> None:
        from motcua.dossiers.services import Applicant, Intake

        self.w = world
        self.clock = clock
        self.Applicant = Applicant
        self.Intake = Intake
        self.documents = {
            proc.code: [d.pk for d in proc.versions.get().documents.all()]
            for proc in (world.birth, world.chain)
        }

    @staticmethod
    def kind(i: int) -> tuple[str, bool]:
        """Half same-day birth registrations, half inter-agency chains; every 10th supplemented
        (the procedure alternates per ten, so both kinds get supplement requests)."""
        code = "1.001193" if (i + i // 10) % 2 == 0 else "3.000722"
        return code, i % 10 == 0

    @classmethod
    def actions(cls, i: int) -> int:
        """Service calls in dossier i's journey (see `journey`)."""
        code, supplement = cls.kind(i)
        return (7 if code == "1.001193" else 5) + 2 * supplement

    def intake(self, i: int, code: str, tag: str):
        applicant = self.Applicant(
            name=f"{NAMES[i % len(NAMES)]}  {tag}{i}",
            id_number=f"0012030{i % 100_000:05d}",
            address="12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
            phone="0912345678",
            email=f"cong.dan.{tag}{i}@example.vn",
        )
        return self.Intake(
            procedure_code=code,
            applicant=applicant,
            documents=self.documents[code],
            request="Đăng ký khai sinh cho con",
        )

    def journey(self, i: int, tag: str) -> Iterator[str]:
        """One dossier from the desk to the end of what its procedure allows in build_world."""
        from motcua.core.lifecycle import Action
        from motcua.dossiers.services import Handover, Papers, dossier_act, dossier_receive
        from tests.scanfiles import PDF, upload

        w, clock = self.w, self.clock
        code, supplement = self.kind(i)

        def act(dossier, action: Action, actor, **kw):
            return dossier_act(dossier=dossier, action=action, actor=actor, now=clock.tick(), **kw)

        d = dossier_receive(intake=self.intake(i, code, tag), actor=w.lan, now=clock.tick())
        yield "receive"
        d = act(d, Action.FORWARD, w.lan)  # desk -> commune specialist
        yield "forward"
        if supplement:
            d = act(d, Action.REQUEST_SUPPLEMENT, w.duc, missing=["Giấy chứng sinh bản chính"])
            yield "request_supplement"
            d = act(d, Action.SUPPLEMENT, w.lan, papers=Papers(others=["Giấy chứng sinh"]))
            yield "supplement"
        if code == "1.001193":
            d = act(d, Action.PROPOSE, w.duc)
            yield "propose"
            d = act(d, Action.FORWARD, w.duc)  # specialist -> head of the commune
            yield "forward"
            d = act(d, Action.APPROVE, w.long)
            yield "approve"
            d = act(d, Action.MARK_READY, w.long)
            yield "mark_ready"
            handover = Handover(
                "desk", f"{i}/TLKS", "applicant", id_number=d.applicant_id_number, confirmed=True
            )
            # Every result is handed over with its electronic copy (the citizen's download).
            copy = upload(PDF, f"{i}-{tag}-ket-qua.pdf")
            d = act(d, Action.RETURN_RESULT, w.lan, handover=handover, result=copy)
            yield "return_result"
        else:
            d = act(d, Action.FORWARD, w.duc)  # commune -> commune police
            yield "forward"
            d = act(d, Action.FORWARD, w.tam)  # commune police -> social insurance
            yield "forward"
            # Social insurance has no leader in build_world: the chain ends at the proposal.
            d = act(d, Action.PROPOSE, w.bao)
            yield "propose"


def planned_actions(dossiers: int) -> int:
    return sum(Workload.actions(i) for i in range(dossiers))


class Scheduler:
    """Keeps `window` dossiers open and advances them round-robin, one service call at a time,
    as a desk and its back offices would; `run(limit)` stops after `limit` calls so the
    baseline can be interleaved in blocks."""

    def __init__(
        self,
        workload: Workload,
        first: int,
        count: int,
        *,
        tag: str,
        window: int,
        stats: QueryStats | None = None,
    ) -> None:
        self.workload = workload
        self.tag = tag
        self.stats = stats
        self.result = RunResult(dossiers=count, first_at=workload.clock.now)
        self.pending = iter(range(first, first + count))
        self.active: deque[Iterator[str]] = deque()
        for _ in range(window):
            self._admit()

    @property
    def done(self) -> bool:
        return not self.active

    def _admit(self) -> None:
        i = next(self.pending, None)
        if i is None:
            return
        code, supplement = self.workload.kind(i)
        self.result.by_procedure[code] += 1
        self.result.supplemented += supplement
        self.active.append(self.workload.journey(i, self.tag))

    def run(self, limit: int | None = None) -> int:
        """Advance until `limit` successful calls (or the end); return how many were made."""
        from motcua.core.errors import DomainError

        result, stats, active = self.result, self.stats, self.active
        perf = time.perf_counter
        made = 0
        cpu = time.process_time()
        started = perf()
        while active and (limit is None or made < limit):
            journey = active.popleft()
            queries_before = stats.total if stats else 0
            t0 = perf()
            try:
                action = next(journey)
            except StopIteration:
                self._admit()
                continue
            except DomainError as exc:
                result.failed += 1
                if len(result.errors) < 5:
                    result.errors.append(f"{type(exc).__name__}: {exc.message} {exc.details}")
                self._admit()
                continue
            elapsed = perf() - t0
            per = result.by_action.setdefault(action, PerAction())
            per.count += 1
            per.seconds += elapsed
            per.queries += (stats.total if stats else 0) - queries_before
            result.actions += 1
            made += 1
            active.append(journey)
        result.seconds += perf() - started
        result.cpu_seconds += time.process_time() - cpu
        result.last_at = self.workload.clock.now
        return made


# ---------------------------------------------------------------------------------------------
# The raw-SQL baseline


BASELINE_DDL = """
DROP TABLE IF EXISTS bench_baseline_event;
DROP TABLE IF EXISTS bench_baseline;
CREATE TABLE bench_baseline (
    id bigint PRIMARY KEY,
    status smallint NOT NULL,
    version integer NOT NULL
);
-- Same columns, types, checks, indexes and (dossier, seq) uniqueness as the real event table.
CREATE TABLE bench_baseline_event (LIKE dossiers_dossierevent INCLUDING ALL);
"""
# The dossier foreign key, deferred like Django's, if the real event table has one (the
# baseline checks its row's reference only when the service does).
BASELINE_FOREIGN_KEY = """
ALTER TABLE bench_baseline_event ADD FOREIGN KEY (dossier_id) REFERENCES bench_baseline (id)
    DEFERRABLE INITIALLY DEFERRED
"""
EVENT_FOREIGN_KEYS = (
    "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
    " AND conrelid = 'dossiers_dossierevent'::regclass"
    " AND confrelid = 'dossiers_dossier'::regclass"
)

BASELINE_UPDATE = (
    "UPDATE bench_baseline SET version = version + 1, status = %s WHERE id = %s AND version = %s"
)
BASELINE_INSERT = (
    "INSERT INTO bench_baseline_event (dossier_id, seq, action, from_status, to_status, "
    "actor_id, actor_role, agency_id, unit_id, at, payload, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


@dataclass
class BaselineResult:
    transactions: int = 0
    seconds: float = 0.0
    commit_seconds: float = 0.0
    cpu_seconds: float = 0.0


class Baseline:
    """Per action, in one transaction: CAS the row's version, append a hashed event, COMMIT."""

    def __init__(self, conn, rows: int, *, first: int = 1, create: bool = True) -> None:
        from psycopg.types.json import Jsonb

        self.conn = conn
        self.Jsonb = Jsonb
        self.rows = rows
        self.first = first
        ids = range(first, first + rows)
        self.version = dict.fromkeys(ids, 0)
        self.head = dict.fromkeys(ids, "0" * 64)
        self.cursor = 0
        self.at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        if create:
            self.prepare(conn, first + rows - 1)

    @staticmethod
    def prepare(conn, rows: int) -> None:
        """Create the baseline's tables with rows 1..rows (several clients share them)."""
        with conn.cursor() as cur:
            cur.execute(BASELINE_DDL)
            cur.execute(EVENT_FOREIGN_KEYS)
            if cur.fetchone()[0]:
                cur.execute(BASELINE_FOREIGN_KEY)
            cur.execute(
                "INSERT INTO bench_baseline (id, status, version) "
                "SELECT g, 2, 0 FROM generate_series(1, %s) g",
                [rows],
            )
        conn.commit()

    def action(self) -> float:
        """One transaction; returns the seconds spent in COMMIT."""
        dossier = self.first + self.cursor % self.rows
        self.cursor += 1
        expected = self.version[dossier]
        seq = expected + 1
        self.at += timedelta(seconds=STEP_SECONDS)
        payload = {
            "note": "",
            "step": {"index": seq % 4, "name": "Thẩm định", "agency": 5, "unit": 14},
            "clock": {"kind": "start", "at": self.at.isoformat(), "working_seconds": 86400},
            "due_at": (self.at + timedelta(days=3)).isoformat(),
        }
        body = {
            "dossier": dossier,
            "seq": seq,
            "action": "forward",
            "from": 4,
            "to": 4,
            "actor": None,
            "role": "specialist",
            "agency": None,
            "unit": None,
            "at": self.at.isoformat(),
            "payload": payload,
        }
        prev = self.head[dossier]
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((prev + canonical).encode()).hexdigest()
        with self.conn.cursor() as cur:
            cur.execute(BASELINE_UPDATE, [4, dossier, expected])
            if cur.rowcount != 1:
                raise RuntimeError(f"baseline compare-and-set lost on row {dossier}")
            cur.execute(
                BASELINE_INSERT,
                [
                    dossier,
                    seq,
                    "forward",
                    4,
                    4,
                    None,
                    "specialist",
                    None,
                    None,
                    self.at,
                    self.Jsonb(payload),
                    prev,
                    digest,
                ],
            )
        started = time.perf_counter()
        self.conn.commit()
        commit = time.perf_counter() - started
        self.version[dossier] = seq
        self.head[dossier] = digest
        return commit

    def run(self, transactions: int) -> BaselineResult:
        result = BaselineResult(transactions=transactions)
        cpu = time.process_time()
        started = time.perf_counter()
        for _ in range(transactions):
            result.commit_seconds += self.action()
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = time.process_time() - cpu
        return result


# ---------------------------------------------------------------------------------------------
# The database server's own cost: time and WAL per transaction (pg_stat_statements)


PGSS_HINT = (
    "pg_stat_statements is not loaded: run `ALTER SYSTEM SET shared_preload_libraries = "
    "'pg_stat_statements'` as a superuser and restart PostgreSQL "
    "(pg_ctlcluster --skip-systemctl-redirect 15 main restart)"
)


@dataclass
class ServerCost:
    """What the server spent on one side's statements: execution and planning time, WAL."""

    ms: float = 0.0
    wal_bytes: int = 0
    calls: int = 0

    def add(self, other: ServerCost) -> None:
        self.ms += other.ms
        self.wal_bytes += other.wal_bytes
        self.calls += other.calls


class ServerMeter:
    """Snapshots of pg_stat_statements for the bench database, from a connection of its own.

    Only one side (service or baseline) runs between two snapshots, so the difference is that
    side's server cost. Both sides' connections set `pg_stat_statements.track_planning`, so
    planning counts too (parsing is not tracked by PostgreSQL, on either side). WAL comes from
    the same statistics, so other databases on the server do not count.
    """

    QUERY = (
        "SELECT coalesce(sum(total_exec_time + total_plan_time), 0), coalesce(sum(wal_bytes), 0),"
        " coalesce(sum(calls), 0) FROM pg_stat_statements"
        " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND query NOT LIKE '%%pg_stat_statements%%'"
    )

    def __init__(self, target: Target) -> None:
        import psycopg

        self.available = False
        self.why = ""
        self.conn = psycopg.connect(**target.connect_kwargs(target.dbname), autocommit=True)
        loaded = self.conn.execute("SHOW shared_preload_libraries").fetchone()[0]
        if "pg_stat_statements" not in loaded:
            self.why = PGSS_HINT
            return
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.conn.execute("SELECT pg_stat_statements_reset()")
        self.available = True

    @staticmethod
    def track_planning(conn) -> None:
        """Count planning time on this connection's statements (a superuser setting)."""
        with conn.cursor() as cur:
            cur.execute("SET pg_stat_statements.track_planning = on")

    def snapshot(self) -> ServerCost:
        if not self.available:
            return ServerCost()
        ms, wal, calls = self.conn.execute(self.QUERY).fetchone()
        return ServerCost(ms=float(ms), wal_bytes=int(wal), calls=int(calls))

    def since(self, before: ServerCost) -> ServerCost:
        now = self.snapshot()
        return ServerCost(
            ms=now.ms - before.ms,
            wal_bytes=now.wal_bytes - before.wal_bytes,
            calls=now.calls - before.calls,
        )

    def statements(self) -> list[tuple[str, int, float, int]]:
        """The service's statements since the reset, grouped by kind and table: (what,
        calls, execution + planning ms, WAL bytes), most costly first."""
        rows = self.conn.execute(
            "SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls,"
            " total_exec_time + total_plan_time, wal_bytes FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND query NOT LIKE '%%pg_stat_statements%%' AND query NOT LIKE '%%bench_baseline%%'"
        ).fetchall()
        groups: dict[str, list[float]] = {}
        for query, calls, ms, wal in rows:
            if query in ("BEGIN", "COMMIT"):
                continue  # both sides' under one text; counted per side in the totals
            slot = groups.setdefault(_statement_kind(query), [0, 0.0, 0])
            slot[0] += calls
            slot[1] += float(ms)
            slot[2] += int(wal)
        ranked = sorted(groups.items(), key=lambda kv: -kv[1][1])
        return [(what, int(c), ms, int(w)) for what, (c, ms, w) in ranked]

    def close(self) -> None:
        self.conn.close()


_TABLE_IN = re.compile(r'(?:UPDATE|INTO|FROM ONLY|FROM)\s+"?(?:public"?\."?)?(\w+)')


def _statement_kind(query: str) -> str:
    """ "INSERT dossiers_dossierevent", "compare-and-set", "foreign key check auth_user"."""
    if query.startswith("WITH cas AS"):
        return "compare-and-set dossiers_dossier"
    match = _TABLE_IN.search(query)
    table = match.group(1) if match else ""
    verb = query.split(None, 1)[0].upper() if query else "?"
    if query.startswith("SELECT") and "FOR KEY SHARE" in query:
        return f"foreign key check {table}"
    return f"{verb} {table}".strip()


def server_lines(service: ServerCost, actions: int, base: ServerCost, txs: int) -> list[str]:
    """The report's server section."""
    a, t = actions or 1, txs or 1
    return [
        "database server (pg_stat_statements: execution + planning time, WAL, per transaction)",
        f"  service         {service.ms / a:.3f} ms, {service.wal_bytes / a:,.0f} WAL bytes, "
        f"{service.calls / a:.1f} statements per action (BEGIN and COMMIT included)",
        f"  baseline        {base.ms / t:.3f} ms, {base.wal_bytes / t:,.0f} WAL bytes, "
        f"{base.calls / t:.1f} statements per transaction",
        f"  WAL ratio       {(base.wal_bytes / t) / (service.wal_bytes / a):.3f} "
        "(baseline WAL per transaction ÷ service WAL per action)"
        if service.wal_bytes
        else "  WAL ratio       -",
    ]


def db_ratio(service: ServerCost, actions: int, base: ServerCost, txs: int) -> str:
    """Baseline server time per transaction ÷ service server time per action."""
    if not (service.ms and actions and txs):
        return "nan"
    return f"{(base.ms / txs) / (service.ms / actions):.3f}"


# ---------------------------------------------------------------------------------------------
# pgbench (a reference point only; not part of the ratio)


def run_pgbench(target: Target, seconds: int) -> str:
    binary = shutil.which("pgbench")
    if binary is None:
        return "skipped: no pgbench binary on PATH (Debian: postgresql-contrib / postgresql-client)"
    if seconds <= 0:
        return "skipped: --pgbench-seconds 0"
    env = {
        **os.environ,
        "PGHOST": target.host,
        "PGPORT": str(target.port),
        "PGUSER": target.user,
    }
    if target.password:
        env["PGPASSWORD"] = target.password
    init = subprocess.run(
        [binary, "-i", "-q", "-s", "1", target.dbname],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        return f"skipped: pgbench -i failed: {init.stderr.strip()[-300:]}"
    bench = subprocess.run(
        [binary, "-N", "-n", "-c", "1", "-j", "1", "-T", str(seconds), target.dbname],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", bench.stdout)
    if bench.returncode != 0 or match is None:
        return f"failed: {(bench.stderr or bench.stdout).strip()[-300:]}"
    latency = re.search(r"latency average = ([\d.]+) ms", bench.stdout)
    lat = f", latency {latency.group(1)} ms" if latency else ""
    return f"{float(match.group(1)):.1f} tx/s (simple-update -N, 1 client, {seconds} s{lat})"


# ---------------------------------------------------------------------------------------------
# Report


def ms(seconds: float, n: int) -> str:
    return f"{1000 * seconds / n:.2f} ms" if n else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=300, help="dossiers measured (300)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"({DEFAULT_URL})")
    parser.add_argument("--warmup", type=int, default=10, help="dossiers not counted (10)")
    parser.add_argument("--window", type=int, default=20, help="dossiers open at once (20)")
    parser.add_argument(
        "--block",
        type=int,
        default=100,
        help="service calls per block; each block is followed by as many baseline "
        "transactions, so both sides see the same machine load (100)",
    )
    parser.add_argument(
        "--pgbench-seconds", type=int, default=5, help="pgbench -N duration, 0 to skip (5)"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="separate processes acting at once, each with its own dossiers (1); with more "
        "than one, the service and the baseline run in alternating phases of all clients",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="phases of each side with --clients (3)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="after the measurement, cProfile N more dossiers and print the top functions",
    )
    args = parser.parse_args(argv)
    if args.dossiers < 1 or args.block < 1:
        parser.error("--dossiers and --block must be at least 1")

    target = Target.parse(args.database_url)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    recreate_database(target)

    os.environ["DATABASE_URL"] = target.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from motcua.dossiers import services
    from motcua.organization.models import Agency, Staff
    from motcua.organization.selectors import calendar_for
    from tests.factories import build_world

    call_command("migrate", verbosity=0, interactive=False)
    t_migrate = time.perf_counter() - t0
    world = build_world()
    t_world = time.perf_counter() - t0 - t_migrate

    with connection.cursor() as cur:
        cur.execute(
            "SELECT current_setting('server_version'), current_setting('fsync'), "
            "current_setting('synchronous_commit')"
        )
        server_version, fsync, sync_commit = cur.fetchone()

    if args.clients > 1:
        connection.close()  # the clients open their own
        return run_clients(args, target, server_version, load_before)

    clock = SimClock(calendar_for(world.hoan_kiem), START, STEP_SECONDS)
    workload = Workload(world, clock)

    # Baseline: a second connection with exactly Django's connection parameters (driver,
    # client-side binding cursor, adapters, no prepared statements). Only one of the two
    # connections works at any moment.
    raw = psycopg.connect(**connection.get_connection_params())
    raw.autocommit = False
    baseline = Baseline(raw, rows=args.dossiers)

    # Warm-up: imports, caches (calendar, holidays), the server's caches; nothing counted.
    warm = Scheduler(workload, 0, args.warmup, tag="w", window=args.window)
    warm.run()
    baseline.run(200)

    meter = ServerMeter(target)
    if meter.available:
        ServerMeter.track_planning(connection)
        ServerMeter.track_planning(raw)
    service_cost, base_cost = ServerCost(), ServerCost()

    stats = QueryStats()
    service = Scheduler(workload, 0, args.dossiers, tag="m", window=args.window, stats=stats)
    base = BaselineResult()
    blocks: list[float] = []  # per-block ratio, to show how steady the machine was
    undo = time_commits(connection, stats)
    try:
        while not service.done:
            spent = service.result.seconds
            mark = meter.snapshot()
            with connection.execute_wrapper(stats):
                made = service.run(args.block)
            service_cost.add(meter.since(mark))
            spent = service.result.seconds - spent
            if not made:
                continue
            mark = meter.snapshot()
            block = baseline.run(made)
            base_cost.add(meter.since(mark))
            base.transactions += block.transactions
            base.seconds += block.seconds
            base.commit_seconds += block.commit_seconds
            base.cpu_seconds += block.cpu_seconds
            blocks.append((made / spent) / (block.transactions / block.seconds))
    finally:
        undo()
    raw.close()
    result = service.result
    load_after = os.getloadavg()

    # Read before pgbench runs in the same database and adds its statements to the view.
    statements = meter.statements()[:14] if meter.available else []
    pgbench = run_pgbench(target, args.pgbench_seconds)

    rate = result.actions / result.seconds if result.seconds else 0.0
    base_rate = base.transactions / base.seconds if base.seconds else float("inf")
    n = result.actions or 1
    python_seconds = result.seconds - stats.seconds - stats.sync_seconds - stats.commit_seconds
    blocks.sort()

    out = [
        "motcua transition benchmark",
        f"  database        {target.host}:{target.port}/{target.dbname} (PostgreSQL "
        f"{server_version}, fsync={fsync}, synchronous_commit={sync_commit})",
        f"  code under test {services.__file__}",
        f"  machine         {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (other work on the machine skews both sides)",
        f"  world           build_world(): {Agency.objects.count()} agencies, "
        f"{Staff.objects.count()} staff, 3 procedures "
        f"(migrate {t_migrate:.1f} s, world {t_world:.1f} s)",
        f"  simulated time  {result.first_at:%a %d/%m/%Y %H:%M} -> "
        f"{result.last_at:%a %d/%m/%Y %H:%M} Asia/Ho_Chi_Minh ({STEP_SECONDS} s of office "
        f"time per action, {args.window} dossiers open at once)",
        f"  warm-up         {warm.result.dossiers} dossiers, {warm.result.actions} actions "
        "and 200 baseline transactions (not counted)",
        "",
        "service layer (dossier_receive / dossier_act, one transaction per action)",
    ]
    mix = ", ".join(f"{c} x {code}" for code, c in sorted(result.by_procedure.items()))
    out.append(f"  dossiers        {result.dossiers} ({mix}; {result.supplemented} supplemented)")
    out.append(
        f"  actions         {result.actions} ({result.failed} failed; "
        f"{planned_actions(args.dossiers)} planned)"
    )
    out += [f"    ! {err}" for err in result.errors]
    out.append(f"  wall time       {result.seconds:.3f} s")
    out.append(f"  throughput      {rate:.1f} actions/s ({ms(result.seconds, n)} per action)")
    kinds = ", ".join(f"{k} {v / n:.1f}" for k, v in stats.kinds.most_common())
    out.append(
        f"  Django queries  {stats.total / n:.1f} per action ({kinds or 'none'}) "
        f"+ BEGIN/COMMIT; {stats.total} in all (the write path's own statements, prepared on "
        "its own cursor, are not among them: see the database server section)"
    )
    out.append(
        f"  time split      Django's statements {ms(stats.seconds, n)}, pipeline results "
        f"{ms(stats.sync_seconds, n)}, COMMIT {ms(stats.commit_seconds, n)}, Python "
        f"{ms(python_seconds, n)} per action ({stats.syncs} pipelines, {stats.commits} commits)"
    )
    out.append(
        f"  client CPU      {ms(result.cpu_seconds, n)} per action in this process (Python, "
        "Django, psycopg; steadier than wall time on a busy machine)"
    )
    out.append("  by action          count  ms/action  queries/action")
    for name, per in sorted(result.by_action.items(), key=lambda kv: -kv[1].seconds):
        out.append(
            f"    {name:<18} {per.count:>5}  {1000 * per.seconds / per.count:>9.2f}  "
            f"{per.queries / per.count:>14.1f}"
        )
    out += [
        "",
        "baseline (raw psycopg, Django's connection params: CAS UPDATE + event INSERT + COMMIT)",
        f"  transactions    {base.transactions} (interleaved: after every block of "
        f"{args.block} service calls, as many baseline transactions)",
        f"  wall time       {base.seconds:.3f} s",
        f"  throughput      {base_rate:.1f} tx/s ({ms(base.seconds, base.transactions)} per tx, "
        f"of which COMMIT {ms(base.commit_seconds, base.transactions)}; client CPU "
        f"{ms(base.cpu_seconds, base.transactions)})",
        f"  pgbench         {pgbench}",
        "",
        f"per-block ratio   min {blocks[0]:.3f}, median {blocks[len(blocks) // 2]:.3f}, "
        f"max {blocks[-1]:.3f} over {len(blocks)} blocks"
        if blocks
        else "per-block ratio   -",
    ]
    out.append("")
    if meter.available:
        out += server_lines(service_cost, result.actions, base_cost, base.transactions)
        out.append(
            "  service statements                       per action  ms each  ms/action  WAL/action"
        )
        for what, calls, spent, wal in statements:
            out.append(
                f"    {what:<40} {calls / n:>10.2f}  {spent / calls:>7.3f}  {spent / n:>9.3f}"
                f"  {wal / n:>10,.0f}"
            )
    else:
        out.append(f"database server: skipped; {meter.why}")
    meter.close()
    print("\n".join(out), flush=True)

    if args.profile:
        profile_run(workload, args.profile, args.window)

    print(f"db_ratio={db_ratio(service_cost, result.actions, base_cost, base.transactions)}")
    print(f"ratio={rate / base_rate:.3f}")
    return 1 if result.failed else 0


# ---------------------------------------------------------------------------------------------
# Several clients: separate processes, as application servers sharing one database


def load_world():
    """The personas and procedures `build_world()` created, read back in another process."""
    from dataclasses import fields as dataclass_fields

    from motcua.catalog.models import Procedure
    from motcua.core.lifecycle import Role
    from motcua.organization.models import Agency, Staff, WorkCalendarConfig
    from motcua.organization.selectors import Actor
    from tests.factories import World

    agencies = {
        "centre": "H26.1",
        "justice": "H26.32",
        "social": "H26.42",
        "hoan_kiem": "H26.100",
        "ba_dinh": "H26.101",
        "police_hk": "H26.41.001",
    }
    procedures = {"birth": "1.001193", "chain": "3.000722", "record": "3.000333"}
    values: dict[str, Any] = {"calendar": WorkCalendarConfig.objects.get(name="Hà Nội")}
    values |= {name: Agency.objects.get(code=code) for name, code in agencies.items()}
    values |= {name: Procedure.objects.get(code=code) for name, code in procedures.items()}
    for f in dataclass_fields(World):
        if f.name not in values:
            staff = Staff.objects.select_related("user", "agency", "unit").get(
                user__username=f.name
            )
            values[f.name] = Actor(
                role=Role(staff.role),
                user_id=staff.user_id,
                name=staff.user.get_full_name(),
                agency=staff.agency,
                unit=staff.unit,
            )
    return World(**values)


def client_main(url: str, index: int, batches: list[int], window: int, barrier, results) -> None:
    """One client process: per round, its batch of dossiers, then as many baseline
    transactions; every phase starts and ends at the barrier all clients share."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import psycopg
    from django.db import connection

    from motcua.organization.selectors import calendar_for

    world = load_world()
    # Each client starts its simulated days a month after the previous one's: the clients
    # stand for different desks, and one desk's receptions take its day's code counter one
    # at a time (held to the commit, so that the numbering has no gaps), which several
    # processes hammering one desk on one day would measure instead of everything else.
    clock = SimClock(
        calendar_for(world.hoan_kiem), START + timedelta(days=28 * index), STEP_SECONDS
    )
    workload = Workload(world, clock)
    raw = psycopg.connect(**connection.get_connection_params())
    raw.autocommit = False
    per_client = sum(batches)
    baseline = Baseline(raw, rows=per_client, first=1 + index * per_client, create=False)
    with connection.cursor():
        pass  # connect before the first phase
    ServerMeter.track_planning(connection)
    ServerMeter.track_planning(raw)
    tag = f"c{index}-"
    Scheduler(workload, 0, 3, tag=tag + "w", window=window).run()  # warm-up, not counted
    baseline.run(20)
    first = 0
    report = []
    for batch in batches:
        barrier.wait()
        scheduler = Scheduler(workload, first, batch, tag=tag, window=window)
        scheduler.run()
        first += batch
        barrier.wait()
        baseline.run(scheduler.result.actions)
        barrier.wait()
        report.append((scheduler.result.actions, scheduler.result.failed, scheduler.result.errors))
    raw.close()
    results.put((index, report))


def run_clients(args, target: Target, server_version: str, load_before) -> int:
    """--clients N: N processes at once, the service and the baseline in alternating phases."""
    import multiprocessing

    import psycopg

    clients, rounds = args.clients, args.rounds
    per_client = max(1, args.dossiers // clients)
    batches = [per_client // rounds + (1 if r < per_client % rounds else 0) for r in range(rounds)]
    with psycopg.connect(**target.connect_kwargs(target.dbname)) as conn:
        Baseline.prepare(conn, per_client * clients)
    meter = ServerMeter(target)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(clients + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=client_main,
            args=(target.url, i, batches, args.window, barrier, results),
            daemon=True,
        )
        for i in range(clients)
    ]
    for proc in procs:
        proc.start()
    service_s = base_s = 0.0
    service_cost, base_cost = ServerCost(), ServerCost()
    phases: list[tuple[float, float]] = []
    for _ in range(rounds):
        barrier.wait()
        mark, t0 = meter.snapshot(), time.perf_counter()
        barrier.wait()
        t1 = time.perf_counter()
        service_cost.add(meter.since(mark))
        mark = meter.snapshot()
        barrier.wait()
        t2 = time.perf_counter()
        base_cost.add(meter.since(mark))
        service_s += t1 - t0
        base_s += t2 - t1
        phases.append((t1 - t0, t2 - t1))
    reports = dict(results.get(timeout=600) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
    meter.close()
    per_round = [sum(reports[i][r][0] for i in reports) for r in range(rounds)]
    actions = sum(per_round)
    failed = sum(reports[i][r][1] for i in reports for r in range(rounds))
    errors = [e for i in reports for r in range(rounds) for e in reports[i][r][2]][:5]
    rate = actions / service_s
    base_rate = actions / base_s
    load_after = os.getloadavg()
    out = [
        f"motcua transition benchmark, {clients} clients (separate processes)",
        f"  database        {target.host}:{target.port}/{target.dbname} "
        f"(PostgreSQL {server_version})",
        f"  machine         {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after",
        f"  work            {per_client} dossiers per client in {rounds} rounds; each round "
        "all clients run their batch, then all run as many baseline transactions",
        f"  service         {actions} actions ({failed} failed) in {service_s:.3f} s: "
        f"{rate:.1f} actions/s",
        f"  baseline        {actions} transactions in {base_s:.3f} s: {base_rate:.1f} tx/s",
        "  per-round ratio "
        + ", ".join(
            f"{(n / s) / (n / b):.3f}" for n, (s, b) in zip(per_round, phases, strict=True)
        ),
    ]
    out += [f"    ! {err}" for err in errors]
    out.append("")
    if meter.available:
        out += server_lines(service_cost, actions, base_cost, actions)
    else:
        out.append(f"database server: skipped; {meter.why}")
    print("\n".join(out), flush=True)
    print(f"db_ratio={db_ratio(service_cost, actions, base_cost, actions)}")
    print(f"ratio={rate / base_rate:.3f}")
    return 1 if failed else 0


def profile_run(workload: Workload, dossiers: int, window: int) -> None:
    """cProfile more dossiers (after the measurement, so it does not disturb it)."""
    profiler = cProfile.Profile()
    scheduler = Scheduler(workload, 100_000, dossiers, tag="p", window=window)
    profiler.enable()
    scheduler.run()
    profiler.disable()
    if os.environ.get("BENCH_PROFILE_DUMP"):
        profiler.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
    buffer = io.StringIO()
    report = pstats.Stats(profiler, stream=buffer)
    report.sort_stats("cumulative").print_stats(r"motcua/|django/db/models/(base|query)\.py", 40)
    report.sort_stats("tottime").print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "20")))
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    print("")
    print(
        f"profile: {scheduler.result.dossiers} more dossiers, {scheduler.result.actions} "
        "actions under cProfile (times inflated by the profiler)"
    )
    print("\n".join(lines))
    print("", flush=True)


if __name__ == "__main__":
    sys.exit(main())
