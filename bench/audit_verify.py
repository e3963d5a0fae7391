"""`motcua audit verify` and `audit anchor` at scale: how long a centre's whole record takes.

    .venv/bin/python bench/audit_verify.py [--events 100000] [--seed-dossiers 200] \
        [--database-url postgres://postgres@127.0.0.1:5432/motcua_bench_audit] [--rounds 3]

Drops and recreates its own database (it refuses `postgres` and `template*`), migrates, builds
`tests.factories.build_world()`, then plays `--seed-dossiers` dossiers through the real write
path (`dossier_receive`, `dossier_act`): half a same-day birth registration carried to the
result (7 events, 3 hand-overs), half the inter-agency procedure taken through a supplement
(5 events, 2 hand-overs); each is opened once (a read-log row). To reach `--events` it then
copies those dossiers under new codes on new days (with their counters), their events
re-chained under the audit key for the new dossier ids and codes, their hand-over rows and
reads, in bulk. Every copy is a dossier `audit verify` must find correct, and the first
verification must find no problem at all. It then times, best of `--rounds`: `verify()`,
`make_anchor()`, and `verify(anchor)`; the last lines give events verified per second.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

# bench/calendar.py has the standard library's name, which `holidays` needs: run as a script,
# this folder must not come first on the import path.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
ROOT = BENCH.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_audit"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", dbname) or dbname in (
        "postgres",
        "template0",
        "template1",
    ):
        raise SystemExit(f"refusing to drop a database named {dbname!r}")
    kwargs = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "dbname": "postgres",
    }
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    with psycopg.connect(**kwargs, autocommit=True) as conn:
        name = sql.Identifier(dbname)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def play_seed(world: Any, count: int) -> None:
    """Real dossiers through the write path, on working days from Monday 2 November 2026."""
    from motcua.core.lifecycle import Action
    from motcua.dossiers.services import (
        Applicant,
        Intake,
        dossier_act,
        dossier_receive,
        dossier_view_personal_data,
    )

    def intake(procedure: Any, i: int) -> Intake:
        docs = [d.pk for d in procedure.versions.get().documents.all()]
        person = Applicant(name=f"Người Thử {i}", id_number="001203012345")
        return Intake(procedure_code=procedure.code, applicant=person, documents=docs)

    day = date(2026, 11, 2)
    w = world
    for i in range(count):
        while day.weekday() >= 5:
            day += timedelta(days=1)

        def act(
            d: Any, action: Action, actor: Any, hour: int, minute: int, day: date = day, **kw: Any
        ) -> Any:
            return dossier_act(
                dossier=d, action=action, actor=actor, now=at(day, hour, minute), **kw
            )

        if i % 2 == 0:
            d = dossier_receive(intake=intake(w.birth, i), actor=w.lan, now=at(day, 8, 0))
            d = act(d, Action.FORWARD, w.lan, 8, 15)
            d = act(d, Action.PROPOSE, w.duc, 9, 0)
            d = act(d, Action.FORWARD, w.duc, 9, 5)
            d = act(d, Action.APPROVE, w.long, 10, 0)
            d = act(d, Action.MARK_READY, w.long, 10, 5)
            d = act(d, Action.RETURN_RESULT, w.lan, 14, 0, delivery="desk")
        else:
            d = dossier_receive(intake=intake(w.chain, i), actor=w.lan, now=at(day, 8, 30))
            d = act(d, Action.FORWARD, w.lan, 9, 0)
            d = act(d, Action.REQUEST_SUPPLEMENT, w.duc, 9, 30, missing=["Giấy chứng sinh"])
            d = act(d, Action.SUPPLEMENT, w.lan, 11, 0)
            d = act(d, Action.FORWARD, w.duc, 15, 0)
        dossier_view_personal_data(dossier=d, actor=w.son, now=at(day, 16, 0))
        if i % 20 == 19:
            day += timedelta(days=1)


def clone_to(target_events: int) -> int:
    """Copy the seed dossiers, re-chained, until the record holds `target_events` events."""
    from django.db import transaction

    from motcua.core import codes
    from motcua.dossiers.events import event_body, event_hash
    from motcua.dossiers.models import (
        DailySequence,
        Dossier,
        DossierAccess,
        DossierEvent,
        DossierStep,
    )

    seeds = list(Dossier.objects.order_by("pk"))
    events: dict[int, list[DossierEvent]] = {}
    for e in DossierEvent.objects.order_by("dossier_id", "seq"):
        events.setdefault(e.dossier_id, []).append(e)
    steps: dict[int, list[DossierStep]] = {}
    for s in DossierStep.objects.order_by("pk"):
        steps.setdefault(s.dossier_id, []).append(s)
    reads = {a.dossier_id: a for a in DossierAccess.objects.all()}
    total = DossierEvent.objects.count()
    day = date(2027, 1, 4)
    while total < target_events:
        with transaction.atomic():
            agency = seeds[0].receiving_agency.code
            clones = []
            for n, seed in enumerate(seeds, start=1):
                d = copy.copy(seed)
                d.pk = None
                d.code = codes.format_dossier_code(agency, day, n)
                d.idempotency_key = None
                clones.append(d)
            Dossier.objects.bulk_create(clones, batch_size=1000)
            DailySequence.objects.create(agency_code=agency, day=day, last=len(seeds))
            new_events, new_steps, new_reads = [], [], []
            for seed, d in zip(seeds, clones, strict=True):
                prev = "0" * 64
                for e in events[seed.pk]:
                    c = copy.copy(e)
                    c.pk, c.dossier_id = None, d.pk
                    c.payload = copy.deepcopy(e.payload)
                    if "code" in c.payload:
                        c.payload["code"] = d.code
                    if "code" in c.payload.get("set", {}):
                        c.payload["set"]["code"] = d.code
                    c.prev_hash = prev
                    c.hash = prev = event_hash(prev, event_body(c))
                    new_events.append(c)
                d.chain_head = prev
                for s in steps.get(seed.pk, []):
                    c = copy.copy(s)
                    c.pk, c.dossier_id = None, d.pk
                    new_steps.append(c)
                if seed.pk in reads:
                    c = copy.copy(reads[seed.pk])
                    c.pk, c.dossier_id = None, d.pk
                    new_reads.append(c)
            Dossier.objects.bulk_update(clones, ["chain_head"], batch_size=1000)
            DossierEvent.objects.bulk_create(new_events, batch_size=2000)
            DossierStep.objects.bulk_create(new_steps, batch_size=2000)
            DossierAccess.objects.bulk_create(new_reads, batch_size=2000)
            total += len(new_events)
        day += timedelta(days=1)
    return total


def best(rounds: int, work: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the record")
    parser.add_argument("--seed-dossiers", type=int, default=200, help="played for real (200)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"({DEFAULT_URL})")
    parser.add_argument("--rounds", type=int, default=3, help="timings kept at best of (3)")
    parser.add_argument("--profile", action="store_true", help="cProfile one verify() too")
    args = parser.parse_args(argv)

    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from motcua.dossiers import audit
    from motcua.dossiers.models import Dossier, DossierAccess, DossierStep
    from tests.factories import build_world

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    play_seed(build_world(), args.seed_dossiers)
    t_seed = time.perf_counter() - t0
    t0 = time.perf_counter()
    events = clone_to(args.events)
    t_clone = time.perf_counter() - t0
    dossiers, steps = Dossier.objects.count(), DossierStep.objects.count()
    reads = DossierAccess.objects.count()
    print(f"record: {dossiers} dossiers, {events} events, {steps} hand-overs, {reads} reads")
    print(f"setup: seed played in {t_seed:.1f} s, copies made in {t_clone:.1f} s")

    first = audit.verify()
    if first.problems:
        for p in first.problems[:20]:
            print("PROBLEM", p)
        raise SystemExit(f"{len(first.problems)} problems on an untouched record")
    t_verify, _ = best(args.rounds, audit.verify)
    t_anchor, anchor = best(args.rounds, lambda: audit.make_anchor(timezone.now()))
    t_anchored, report = best(args.rounds, lambda: audit.verify(anchor))
    assert not report.problems and not audit.signature_problems(anchor)
    size = len(json.dumps(anchor))
    print(f"verify:          {t_verify:.2f} s  ({events / t_verify:,.0f} events/s)")
    print(f"anchor:          {t_anchor:.2f} s  ({size / 1e6:.1f} MB of JSON)")
    print(f"verify --anchor: {t_anchored:.2f} s  ({events / t_anchored:,.0f} events/s)")
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(audit.verify)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
