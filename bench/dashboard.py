"""Benchmark: the city dashboard and the yearly 766 ranking from the tally rows, against a
straightforward GROUP BY over the raw tables, on millions of generated dossiers.

1. Drops and recreates its own database (`motcua_dashbench` by default), migrates, loads the
   demo's organisation, catalog and calendars (`motcua demo --dossiers 50`).
2. Generates a year (2026) of dossiers with their event histories and writes the rows of
   dossiers_dossier, dossiers_dossierstep, dossiers_dossierevent, dossiers_dossierresult and
   feedback_rating with COPY, in the shapes the write path gives them (the "set", "clock" and
   "step" payloads, the clock ledger). The events' hash chains are NOT computed: `motcua
   audit verify` would report every chain broken; the projection is what the events say.
3. Computes the tally rows with the core (`contributions`, `step_contribution`) while
   generating, sums them in SQL and writes oversight_agencytally / oversight_steptally
   (`--check`: equal to `tallies_rebuild()`'s, row for row).
4. Times, in the same run, the dashboard (figures per agency for 2026, the city's monthly
   trend) and the yearly ranking from the tally rows, and the same figures by a GROUP BY
   over the raw tables; the last line is `ratio=<raw ms ÷ dashboard ms>`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
# bench/calendar.py would shadow the standard library's calendar module.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_dashbench"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026
Y0 = datetime(YEAR, 1, 1, tzinfo=TZ)
END = datetime(YEAR + 1, 1, 1, tzinfo=TZ)  # histories stop here: what is open stays open
CHUNK = 4000  # dossiers per COPY round trip
# Procedure code -> share of the dossiers (certifications and civil status dominate).
WEIGHTS = {
    "2.000815": 24, "2.000635": 9, "1.001193": 10, "1.000656": 4, "1.000894": 4,
    "1.004222": 12, "1.001612": 4, "3.000722": 3, "2.002913": 1, "LOCAL.GPXD": 3,
    "1.012753": 5, "1.013831": 7, "3.000333": 6, "LOCAL.DKDN": 4, "LOCAL.GPLX": 4,
}  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thu", "Quang", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Linh", "Long"]


# ---------------------------------------------------------------------------------------------
# Database set-up


def recreate(url: str) -> None:
    from bench.transitions import Target, recreate_database

    recreate_database(Target.parse(url))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def raw_connection():
    import psycopg
    from django.db import connection

    conn = psycopg.connect(**connection.get_connection_params())
    conn.autocommit = True
    return conn


LOADED = [
    "dossiers_dossier",
    "dossiers_dossierstep",
    "dossiers_dossierevent",
    "dossiers_dossierresult",
    "feedback_rating",
]


def drop_indexes(conn) -> tuple[list[str], list[str]]:
    """Drop the loaded tables' indexes and constraints (but the primary keys) for the load;
    what recreates them afterwards: (CREATE INDEX statements, ADD CONSTRAINT statements)."""
    cons = conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.conindid
        FROM pg_constraint c
        WHERE c.contype IN ('f', 'u')
          AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))
        """,
        [LOADED, LOADED],
    ).fetchall()
    owned = {indid for *_rest, indid in cons if indid}
    idx = conn.execute(
        """
        SELECT i.indexrelid, pg_get_indexdef(i.indexrelid), i.indexrelid::regclass::text
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
        """,
        [LOADED],
    ).fetchall()
    creates = [d for oid, d, _n in idx if oid not in owned]
    adds = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, _i in cons]
    for t, n, _d, _i in sorted(cons, key=lambda c: c[2].startswith("UNIQUE")):
        conn.execute(f'ALTER TABLE {t} DROP CONSTRAINT "{n}"')
    for oid, _d, name in idx:
        if oid not in owned:
            conn.execute(f"DROP INDEX {name}")
    # Unique constraints before the foreign keys that may rely on them.
    adds.sort(key=lambda s: "FOREIGN KEY" in s)
    return creates, adds


# ---------------------------------------------------------------------------------------------
# The world: the demo's organisation and catalog, resolved once


@dataclass
class Proc:
    id: int
    code: str
    version_id: int
    commune_level: bool
    competent_id: int | None  # a fixed agency, for department-level procedures
    start_args: dict[str, Any]  # the clock's START (working_seconds or same_day)
    names: list[str]
    roles: list[str]
    allot: list[int]  # working seconds per step
    signs: list[bool]


@dataclass
class World:
    procs: list[Proc]
    weights: list[int]
    communes: list[int]
    centre: int
    codes: dict[int, str]
    desk: dict[int, int]  # place -> desk officer's user id
    # (procedure, competent agency) -> [(agency, unit, [holder ids], role)] per step
    routes: dict[tuple[int, int], list[tuple[int, int, list[int], str]]] = field(
        default_factory=dict
    )


def load_world() -> World:
    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure
    from motcua.core.routing import LimitUnit, allotment_seconds, signs, statutory_budget
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import resolve_step
    from motcua.dossiers.services import dossier_plan_of
    from motcua.organization.models import Agency, Staff
    from motcua.organization.selectors import calendar_for

    User = get_user_model()
    rng = random.Random(1)
    centre = Agency.objects.get(code="H26.1")
    calendar = calendar_for(centre)
    communes = list(Agency.objects.filter(kind=Agency.Kind.COMMUNE).order_by("pk"))
    agencies = {a.pk: a for a in Agency.objects.all()}
    staff: dict[int, list[tuple[str, int]]] = {}
    desk: dict[int, int] = {}
    for s in Staff.objects.order_by("pk"):
        staff.setdefault(s.unit_id, []).append((s.role, s.user_id))
        if s.role == "desk":
            desk.setdefault(s.agency_id, s.user_id)
    procs, weights = [], []
    for p in Procedure.objects.order_by("pk"):
        v = p.versions.order_by("-effective_from").first()
        if v is None or p.code not in WEIGHTS:
            continue
        plan = dossier_plan_of(v)
        commune_level = v.competent == "commune"
        procs.append(
            Proc(
                id=p.pk,
                code=p.code,
                version_id=v.pk,
                commune_level=commune_level,
                competent_id=None if commune_level else Agency.objects.get(code=v.competent).pk,
                start_args=statutory_budget(v.time_limit, LimitUnit(v.time_limit_unit), calendar),
                names=[s.name for s in plan],
                roles=[s.role.value for s in plan],
                allot=[allotment_seconds(s, calendar) for s in plan],
                signs=[signs(plan, i) for i in range(len(plan))],
            )
        )
        weights.append(WEIGHTS[p.code])
    world = World(
        procs, weights, [c.pk for c in communes], centre.pk,
        {pk: a.code for pk, a in agencies.items()}, desk,
    )  # fmt: skip
    for proc in procs:
        v_plan = dossier_plan_of(Procedure.objects.get(pk=proc.id).versions.get(pk=proc.version_id))
        targets = world.communes if proc.commune_level else [proc.competent_id]
        for competent in targets:
            place = competent if proc.commune_level else centre.pk
            stand_in = Dossier(
                receiving_agency=agencies[place],
                competent_agency=agencies[competent],
                received_place=agencies[place],
            )
            route = []
            for i, step in enumerate(v_plan):
                agency, unit = resolve_step(stand_in, step)
                role = "desk" if i == 0 else step.role.value
                people = [u for r, u in staff.get(unit.pk, []) if r == role]
                if not people:
                    # The demo staffs three communes; the others get one person per post.
                    user, _new = User.objects.get_or_create(
                        username=f"bench.{agency.code}.{unit.code}.{role}"[:150],
                        defaults={"first_name": rng.choice(GIVEN), "last_name": rng.choice(FAMILY)},
                    )
                    Staff.objects.get_or_create(
                        user=user, defaults={"agency": agency, "unit": unit, "role": role}
                    )
                    staff.setdefault(unit.pk, []).append((role, user.pk))
                    people = [user.pk]
                    if role == "desk":
                        desk.setdefault(agency.pk, user.pk)
                if i == 0:
                    people = [desk[place]]
                route.append((agency.pk, unit.pk, people, step.role.value))
            world.routes[(proc.id, competent)] = route
    return world


# ---------------------------------------------------------------------------------------------
# Generation


def iso(t: datetime | None) -> str:
    """A moment as COPY text (and as `plain` writes it in events: UTC)."""
    return "\\N" if t is None else t.astimezone(UTC).isoformat()


def plain(v: Any) -> Any:
    return v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v


def copy_text(v: Any) -> str:
    if v is None:
        return "\\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, datetime):
        return v.astimezone(UTC).isoformat()
    return str(v)


def jtext(value: Any) -> str:
    """JSON for a jsonb column in COPY text format (backslashes doubled)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("\\", "\\\\")


class Cut(Exception):
    """The next event would fall after the end of the year: the history stops here."""


DOSSIER_COLUMNS = (
    "id, code, tracking_secret, channel, status, applicant_name, applicant_id_number, "
    "applicant_kind, applicant_address, applicant_phone, applicant_email, representative_name, "
    "representative_id_number, authorisation, request, copies, delivery, search_name, "
    "search_numbers, step_index, step_count, submitted_at, received_at, due_at, "
    "original_due_at, step_due_at, step_started_at, step_paused_seconds, finished_at, "
    "returned_at, warned_at, overdue_at, clock, supplement_requests, proposed, approved, "
    "signed_step, apology, version, chain_head, idempotency_key, created_at, "
    "competent_agency_id, current_agency_id, current_holder_id, current_unit_id, "
    "procedure_version_id, proposed_by_id, received_place_id, receiving_agency_id, collector, "
    "collector_authorisation, collector_id_number, collector_name, post_tracking, "
    "result_number, citizen_id"
)
STEP_COLUMNS = (
    "dossier_id, index, name, agency_id, unit_id, holder_id, started_at, due_at, ended_at, "
    "paused_seconds, outcome, note"
)
EVENT_COLUMNS = (
    "dossier_id, seq, action, from_status, to_status, actor_id, actor_role, agency_id, unit_id, "
    "at, payload, prev_hash, hash"
)
RESULT_COLUMNS = (
    "dossier_id, file, sha256, size, content_type, original_name, attached_at, attached_by_id, "
    "event_seq"
)
RATING_COLUMNS = (
    "dossier_id, agency_id, place_id, returned_by_id, conduct, punctuality, guidance, "
    "simplicity, comment, channel, at_desk, desk_user_id, citizen_id, address, returned_at, "
    "created_at"
)


class History:
    """One dossier played forward: the projection (`p`), its events, steps and clock."""

    def __init__(self, gen: Generator, pk: int) -> None:
        self.gen, self.pk = gen, pk
        self.p: dict[str, Any] = {}
        self.status: int | None = None
        self.version = 0
        self.events: list[str] = []
        self.steps: list[str] = []
        self.step_records: list[Any] = []
        self.clock: list[dict[str, Any]] = []
        self.result: tuple[datetime, int, int] | None = None  # attached at, by, seq
        self.rating: tuple[datetime, list[int], bool, datetime, int] | None = None
        self.last_at: datetime | None = None

    def emit(
        self,
        action: str,
        at: datetime,
        actor: tuple[int | None, str, int | None, int | None],
        to_status: int,
        changes: dict[str, Any],
        extra: dict[str, Any] | None = None,
        clock: list[dict[str, Any]] | None = None,
    ) -> None:
        """Record one event (unless it falls after the year) and apply it to the projection."""
        if self.last_at is not None and at < self.last_at:
            at = self.last_at  # a signature drawn before the previous event: at the same time
        if at >= END:
            raise Cut
        self.last_at = at
        payload: dict[str, Any] = dict(extra or {})
        if self.version == 0:
            self.p.update(changes)
            payload["set"] = {k: plain(v) for k, v in self.p.items()}
        else:
            self.p.update(changes)
            payload["set"] = {k: plain(v) for k, v in changes.items()}
        if clock:
            self.clock.extend(clock)
            payload["clock"] = clock[-1]
            if self.p.get("due_at") is not None:
                payload["due_at"] = self.p["due_at"].astimezone(TZ).isoformat()
        from_status = self.status
        self.status = to_status
        self.version += 1
        user, role, agency, unit = actor
        self.events.append(
            "\t".join(
                (
                    str(self.pk),
                    str(self.version),
                    action,
                    copy_text(from_status),
                    str(to_status),
                    copy_text(user),
                    role,
                    copy_text(agency),
                    copy_text(unit),
                    iso(at),
                    jtext(payload),
                    self.gen.fake_hash(self.pk, self.version - 1),
                    self.gen.fake_hash(self.pk, self.version),
                )
            )
        )


class Generator:
    """Plays dossiers forward with random but realistic timings, and sums their tallies."""

    def __init__(self, world: World, seed: int, worker: int, workers: int) -> None:
        from motcua.organization.selectors import calendar_for_id

        self.w = world
        self.rng = random.Random(seed * 1009 + worker)
        self.worker, self.workers = worker, workers
        self.cal = calendar_for_id(world.centre)
        self.year_seconds = self.cal.working_seconds_between(Y0, END)
        self.counters: dict[tuple[int, date], int] = {}
        self.names = [(n := f"{f} {m} {g}", fold(n)) for f in FAMILY for m in MIDDLE for g in GIVEN]
        self.agency: dict[tuple[Any, ...], list[int]] = {}
        self.step: dict[tuple[Any, ...], list[int]] = {}
        self.tally_seconds = 0.0
        self.cum = list(_accumulate(world.weights))

    @staticmethod
    def fake_hash(pk: int, seq: int) -> str:
        # Not the HMAC chain: a placeholder of the same length (see the module docstring).
        return "0" * 64 if seq == 0 else f"{pk:032x}{seq:032x}"

    def later(self, t: datetime, seconds: float) -> datetime:
        return self.cal.add_working_seconds(t, max(60, int(seconds)))

    # -- one dossier -----------------------------------------------------------------------

    def dossier(self, pk: int, out: dict[str, list[str]]) -> None:
        rng, w = self.rng, self.w
        proc = w.procs[_pick(self.cum, rng.random() * self.cum[-1])]
        competent = rng.choice(w.communes) if proc.commune_level else proc.competent_id
        assert competent is not None
        place = competent if proc.commune_level else w.centre
        route = w.routes[(proc.id, competent)]
        desk = (w.desk[place], "desk", place, route[0][1])
        received = self.later(Y0, rng.random() * self.year_seconds)
        received = received.replace(microsecond=0)
        online = rng.random() < 0.38
        submitted = received - timedelta(seconds=rng.randint(600, 4 * 3600)) if online else received
        name, folded = rng.choice(self.names)
        h = History(self, pk)
        refused = not online and rng.random() < 0.015
        base = {
            "code": None, "procedure_version_id": proc.version_id, "citizen_id": None,
            "received_place_id": place, "receiving_agency_id": place,
            "competent_agency_id": competent, "current_agency_id": place,
            "current_unit_id": route[0][1], "current_holder_id": None, "step_index": 0,
            "step_count": len(route), "step_started_at": None, "step_due_at": None,
            "step_paused_seconds": 0, "received_at": None, "due_at": None,
            "original_due_at": None, "finished_at": None, "returned_at": None,
            "warned_at": None, "overdue_at": None, "supplement_requests": 0,
            "proposed": False, "proposed_by_id": None, "approved": False, "signed_step": None,
            "apology": "none", "delivery": rng.choice(("desk", "desk", "post", "electronic")),
            "result_number": "", "collector": "", "collector_name": "",
            "collector_id_number": "", "collector_authorisation": "", "post_tracking": "",
        }  # fmt: skip
        intro = {"procedure": proc.code, "v": 1}
        try:
            if refused:
                base["finished_at"] = received
                h.emit(
                    "refuse", received, desk, 3, base, {**intro, "reason": "Không thuộc thẩm quyền"}
                )
            else:
                if online:
                    h.emit("submit", submitted, (None, "citizen", None, None), 1, base, intro)
                    self.play(h, proc, route, desk, received, submitted, online, {})
                else:
                    self.play(h, proc, route, desk, received, submitted, online, dict(base, **{}))
        except Cut:
            pass
        self.write(h, proc, place, competent, online, submitted, name, folded, out)

    def play(self, h, proc, route, desk, received, submitted, online, base) -> None:
        """Reception, the steps (forwarded, proposed, signed, sometimes sent back, paused for
        a supplement or stopped), the result ready and returned, perhaps rated."""
        from motcua.core.blame import step_outcome
        from motcua.core.clock import used_working_seconds

        rng, cal = self.rng, self.cal
        start = {"kind": "start", "at": submitted.astimezone(TZ).isoformat()}
        if "working_seconds" in proc.start_args:
            start["working_seconds"] = proc.start_args["working_seconds"]
        else:
            start["same_day"] = True
        state = self.due([start])
        code = self.code(desk[2], received)
        step_due = self.later(received, proc.allot[0])
        changes = {
            "code": code, "received_at": received, "due_at": state.due_at,
            "original_due_at": state.original_due_at, "step_started_at": received,
            "step_due_at": step_due, "current_holder_id": desk[0],
        }  # fmt: skip
        base.update(changes)
        h.emit(
            "receive",
            received,
            desk,
            2,
            base,
            {"procedure": proc.code, "v": 1, "code": code} if not online else {"code": code},
            [start],
        )
        # The dossier's fate, decided up front.
        stop_at = rng.randrange(1, len(route)) if rng.random() < 0.012 else None
        supplement_at = rng.randrange(1, len(route)) if rng.random() < 0.08 else None
        twice = supplement_at is not None and rng.random() < 0.12
        back_at = rng.randrange(2, len(route)) if len(route) > 2 and rng.random() < 0.04 else None
        slow = rng.random() < 0.12  # this dossier's agencies overrun their allotments
        i, t, holder = 0, received, desk[0]
        started, due, paused = received, step_due, 0
        sent_back = False
        while True:
            agency, unit, _people, role = route[i]
            actor = (holder, role, agency, unit)
            factor = (
                rng.uniform(0.9, 2.6) if slow and rng.random() < 0.6 else rng.uniform(0.08, 0.9)
            )
            if i == 0:
                factor = rng.uniform(0.02, 0.5)
            work = proc.allot[i] * factor
            if supplement_at == i:
                asked = self.later(started, work * rng.uniform(0.1, 0.6))
                for n in range(2 if twice else 1):
                    entry = {
                        "kind": "pause",
                        "at": asked.astimezone(TZ).isoformat(),
                        "reason": "chờ công dân bổ sung",
                    }
                    h.emit(
                        "request_supplement", asked, actor, 5,
                        {"supplement_requests": h.p["supplement_requests"] + 1},
                        {"missing": ["Bản sao giấy tờ tùy thân còn hiệu lực"]}, [entry],
                    )  # fmt: skip
                    back = self.later(asked, rng.uniform(0.5, 12) * 8 * 3600)
                    if rng.random() < 0.03 and n == 0:
                        back = END  # never came back this year
                    resumed = _resume(cal, due, asked, back)
                    due, paused = resumed.due_at, paused + resumed.paused_seconds
                    entry = {"kind": "resume", "at": back.astimezone(TZ).isoformat()}
                    state = self.due([*h.clock, entry])
                    h.emit(
                        "supplement", back, desk, 4,
                        {"step_due_at": due, "step_paused_seconds": paused, "due_at": state.due_at,
                         "original_due_at": state.original_due_at},
                        None, [entry],
                    )  # fmt: skip
                    asked = self.later(back, 3600 * rng.uniform(1, 8))
                t = self.later(asked, work * 0.5)
            else:
                t = self.later(started, work)
            if stop_at == i:
                used = used_working_seconds(cal, _entries(h.clock), at=t)
                verdict = step_outcome(ended_at=t, due_at=due, tz=TZ)
                entry = {"kind": "stop", "at": t.astimezone(TZ).isoformat()}
                payload: dict[str, Any] = {"note": "Công dân rút hồ sơ", "used_seconds": used}
                if "working_seconds" in start:
                    payload["allotted_seconds"] = start["working_seconds"]
                step = self.close(
                    h, proc, i, route[i], holder, started, due, t, paused, verdict, payload
                )
                h.emit(
                    "stop", t, desk, 8,
                    {"finished_at": t, "step_due_at": None, "step_started_at": None,
                     "step_paused_seconds": 0},
                    payload, [entry],
                )  # fmt: skip
                self.keep_step(h, step)
                return
            last = i == len(route) - 1
            if proc.signs[i]:
                signing = t - timedelta(seconds=rng.randint(60, 900))
                signing = max(signing, started)
                h.emit("approve", signing, actor, 4 if i else h.status,
                       {"approved": True, "proposed": False, "signed_step": i})  # fmt: skip
            elif not last and proc.signs[i + 1] and i > 0:
                h.emit("propose", max(started, t - timedelta(seconds=rng.randint(60, 900))), actor,
                       4, {"proposed": True, "proposed_by_id": holder})  # fmt: skip
            verdict = step_outcome(ended_at=t, due_at=due, tz=TZ)
            if back_at == i and not sent_back:
                sent_back = True
                payload = {"note": "Hồ sơ cần xác minh lại"}
                step = self.close(
                    h, proc, i, route[i], holder, started, due, t, paused, verdict, payload
                )
                j = i - 1
                nxt = route[j]
                new_due = self.later(t, proc.allot[j])
                h.emit(
                    "send_back", t, actor, 4,
                    {"step_index": j, "current_agency_id": nxt[0], "current_unit_id": nxt[1],
                     "current_holder_id": None, "step_due_at": new_due, "step_started_at": t,
                     "step_paused_seconds": 0},
                    payload,
                )  # fmt: skip
                self.keep_step(h, step)
                i, holder, started, due, paused = j, rng.choice(nxt[2]), t, new_due, 0
                continue
            if last:
                entry = {"kind": "stop", "at": t.astimezone(TZ).isoformat()}
                payload = {}
                if rng.random() < 0.9:
                    payload["result_copy"] = {"sha256": f"{h.pk:064x}", "size": 48213}
                step = self.close(
                    h, proc, i, route[i], holder, started, due, t, paused, verdict, payload
                )
                h.emit(
                    "mark_ready", t, actor, 9,
                    {"finished_at": t, "step_due_at": None, "step_started_at": None,
                     "step_paused_seconds": 0, "current_agency_id": desk[2],
                     "current_unit_id": None, "current_holder_id": None},
                    payload, [entry],
                )  # fmt: skip
                self.keep_step(h, step)
                if "result_copy" in payload:
                    h.result = (t, holder, h.version)
                self.give_back(h, t, desk)
                return
            j = i + 1
            nxt = route[j]
            to = rng.choice(nxt[2])
            new_due = self.later(t, proc.allot[j])
            payload = {"to_user": to}
            step = self.close(
                h, proc, i, route[i], holder, started, due, t, paused, verdict, payload
            )
            h.emit(
                "forward", t, actor, 4,
                {"step_index": j, "current_agency_id": nxt[0], "current_unit_id": nxt[1],
                 "current_holder_id": to, "step_due_at": new_due, "step_started_at": t,
                 "step_paused_seconds": 0},
                payload,
            )  # fmt: skip
            self.keep_step(h, step)
            i, holder, started, due, paused = j, to, t, new_due, 0

    def give_back(self, h: History, ready: datetime, desk) -> None:
        rng = self.rng
        t = self.later(ready, rng.uniform(0.05, 3) * 8 * 3600)
        payload: dict[str, Any] = {}
        if h.result is None:
            payload["result_copy"] = {"sha256": f"{h.pk:064x}", "size": 48213}
        number = f"{h.pk % 9999}/KQ"
        payload.update(delivery=h.p["delivery"], result_number=number)
        h.emit(
            "return_result", t, desk, 10,
            {"returned_at": t, "result_number": number, "collector": "applicant",
             "collector_name": "", "collector_id_number": ""},
            payload,
        )  # fmt: skip
        if h.result is None:
            h.result = (t, desk[0], h.version)
        if rng.random() < 0.2:
            rated = t + timedelta(seconds=rng.randint(300, 5 * 86400))
            if rated < END:
                dislike = rng.random() < 0.08
                scores = [rng.randint(1, 2) if dislike else rng.randint(4, 5) for _ in range(4)]
                h.rating = (rated, scores, rng.random() < 0.25, t, desk[0])

    def close(self, h, proc, i, where, holder, started, due, ended, paused, verdict, payload):
        """The hand-over that ends: its payload "step" (as `_finished` writes it) and row."""
        from motcua.core.indicators import StepRecord

        agency, unit, _people, _role = where
        held = self.cal.working_seconds_between(started, ended)
        payload["step"] = {
            "index": i, "name": proc.names[i], "agency": agency, "unit": unit,
            "outcome": verdict, "used_seconds": max(0, held - paused),
            "allotted_seconds": proc.allot[i], "holder": holder, "started_at": plain(started),
            "due_at": plain(due), "paused_seconds": paused,
        }  # fmt: skip
        note = payload.get("note", "")
        row = "\t".join(
            (
                str(h.pk), str(i), proc.names[i], str(agency), str(unit), str(holder),
                iso(started), iso(due), iso(ended), str(paused), verdict, note,
            )
        )  # fmt: skip
        return row, StepRecord(i, agency, unit, holder, started, due, ended, paused, verdict)

    @staticmethod
    def keep_step(h: History, step) -> None:
        h.steps.append(step[0])
        h.step_records.append(step[1])

    def due(self, clock: list[dict[str, Any]]):
        from motcua.core.clock import compute

        return compute(self.cal, _entries(clock))

    def code(self, place: int, received: datetime) -> str:
        day = received.astimezone(TZ).date()
        n = self.counters.get((place, day), 0)
        self.counters[(place, day)] = n + 1
        # Workers number alternately, so that codes never collide across processes.
        return f"{self.w.codes[place]}-{day:%y%m%d}-{n * self.workers + self.worker + 1:04d}"

    # -- rows ------------------------------------------------------------------------------

    def write(self, h: History, proc, place, competent, online, submitted, name, folded, out):
        p = h.p
        pk = h.pk
        idn = f"{(pk * 7919) % 10**12:012d}"
        row = (
            pk, p.get("code"), f"{(pk * 2654435761) % 36**12:012x}"[:12], 2 if online else 1,
            h.status, name, idn, "personal", "Hà Nội", "", "", "", "", "", "", 1,
            p["delivery"], folded, f" {idn} ", p["step_index"], p["step_count"],
            submitted, p["received_at"], p["due_at"], p["original_due_at"], p["step_due_at"],
            p["step_started_at"], p["step_paused_seconds"], p["finished_at"], p["returned_at"],
            None, None, None, p["supplement_requests"], p["proposed"], p["approved"],
            p["signed_step"], p["apology"], h.version, self.fake_hash(pk, h.version), None,
            submitted, competent, p["current_agency_id"], p["current_holder_id"],
            p["current_unit_id"], proc.version_id, p["proposed_by_id"], place, place,
            p["collector"], "", p["collector_id_number"], p["collector_name"], "",
            p["result_number"], None,
        )  # fmt: skip
        cells = [copy_text(v) for v in row]
        cells[32] = jtext(h.clock)
        out["dossier"].append("\t".join(cells))
        out["step"].extend(h.steps)
        out["event"].extend(h.events)
        if h.result is not None:
            at, by, seq = h.result
            out["result"].append(
                f"{pk}\tresults/{pk}.pdf\t{pk:064x}\t48213\tapplication/pdf\t\t{iso(at)}\t{by}\t{seq}"
            )
        rating = h.rating
        if rating is not None:
            at, s, at_desk, returned, by = rating
            out["rating"].append(
                "\t".join(
                    (
                        str(pk),
                        str(competent),
                        str(place),
                        str(by),
                        *map(str, s),
                        "",
                        "tracking",
                        "t" if at_desk else "f",
                        str(by) if at_desk else "\\N",
                        "\\N",
                        "\\N",
                        iso(returned),
                        iso(at),
                    )
                )
            )
        if p["received_at"] is not None:
            t0 = time.perf_counter()
            self.count(h, proc, competent, online, rating)
            self.tally_seconds += time.perf_counter() - t0

    def count(self, h: History, proc, competent, online, rating) -> None:
        """The dossier's contributions (the core's), summed by row key, day and month."""
        from motcua.core.indicators import (
            STEP_FIELDS,
            TALLY_FIELDS,
            DossierRecord,
            RatingRecord,
            contributions,
            step_contribution,
        )

        p = h.p
        record = DossierRecord(
            received_at=p["received_at"],
            clock=_entries(h.clock),
            finished_at=p["finished_at"],
            supplement_requests=p["supplement_requests"],
            online=online,
            electronic_result=h.result is not None,
            rating=RatingRecord(at=rating[0], points=sum(rating[1]), at_desk=rating[2])
            if rating
            else None,
        )
        for day, tally in contributions(self.cal, record).items():
            values = [getattr(tally, f) for f in TALLY_FIELDS]
            for grain, when in (("d", day), ("m", day.replace(day=1))):
                _add(self.agency, (grain, when, competent, proc.id), values)
        for step in h.step_records:
            day, st = step_contribution(self.cal, step)
            values = [getattr(st, f) for f in STEP_FIELDS]
            key = (step.agency, step.unit, step.holder or 0, proc.id, step.index)
            for grain, when in (("d", day), ("m", day.replace(day=1))):
                _add(self.step, (grain, when, *key), values)


def _accumulate(xs: list[int]) -> list[int]:
    out, s = [], 0
    for x in xs:
        s += x
        out.append(s)
    return out


def _pick(cum: list[int], x: float) -> int:
    for i, c in enumerate(cum):
        if x < c:
            return i
    return len(cum) - 1


def _add(into: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], values: list[int]) -> None:
    row = into.get(key)
    if row is None:
        into[key] = list(values)
    else:
        for n, v in enumerate(values):
            row[n] += v


def _entries(clock: list[dict[str, Any]]):
    from motcua.core.clock import ClockEntry, ClockKind

    return tuple(
        ClockEntry(
            kind=ClockKind(e["kind"]),
            at=datetime.fromisoformat(e["at"]),
            working_seconds=e.get("working_seconds"),
            same_day=e.get("same_day", False),
            reason=e.get("reason", ""),
        )
        for e in clock
    )


def _resume(cal, due: datetime, paused_at: datetime, resumed_at: datetime):
    from motcua.core.routing import resume_step

    return resume_step(cal, due_at=due, paused_at=paused_at, resumed_at=resumed_at)


def fold(name: str) -> str:
    from motcua.core.text import fold as core_fold

    return core_fold(name)


# ---------------------------------------------------------------------------------------------
# Workers: each generates a range of dossier ids and COPYs its rows; tallies go to staging


def worker_main(
    url: str, world: World, first: int, count: int, seed: int, index: int, workers: int, q
) -> None:
    setup_django(url)
    from motcua.core.indicators import STEP_FIELDS, TALLY_FIELDS

    conn = raw_connection()
    gen = Generator(world, seed, index, workers)
    copies = {
        "dossier": f"COPY dossiers_dossier ({DOSSIER_COLUMNS}) FROM STDIN",
        "step": f"COPY dossiers_dossierstep ({STEP_COLUMNS}) FROM STDIN",
        "event": f"COPY dossiers_dossierevent ({EVENT_COLUMNS}) FROM STDIN",
        "result": f"COPY dossiers_dossierresult ({RESULT_COLUMNS}) FROM STDIN",
        "rating": f"COPY feedback_rating ({RATING_COLUMNS}) FROM STDIN",
    }
    counts = dict.fromkeys(copies, 0)
    t_copy = 0.0
    cpu0 = time.process_time()
    for lo in range(first, first + count, CHUNK):
        out: dict[str, list[str]] = {k: [] for k in copies}
        for pk in range(lo, min(lo + CHUNK, first + count)):
            gen.dossier(pk, out)
        t0 = time.perf_counter()
        with conn.transaction():
            cur = conn.cursor()
            for name, sql in copies.items():
                if out[name]:
                    counts[name] += len(out[name])
                    with cur.copy(sql) as cp:
                        cp.write("\n".join(out[name]) + "\n")
        t_copy += time.perf_counter() - t0
        done = min(lo + CHUNK, first + count) - first
        if done % (CHUNK * 50) == 0:
            print(f"  worker {index}: {done:,} of {count:,} dossiers", file=sys.stderr, flush=True)
    cpu = time.process_time() - cpu0
    t0 = time.perf_counter()
    a_cols = ", ".join(TALLY_FIELDS)
    s_cols = ", ".join(STEP_FIELDS)
    with conn.transaction():
        cur = conn.cursor()
        with cur.copy(
            f"COPY bench_agency_part (grain, day, agency_id, procedure_id, {a_cols}) FROM STDIN"
        ) as cp:
            for key, values in gen.agency.items():
                cp.write_row((*key, *values))
        with cur.copy(
            "COPY bench_step_part (grain, day, agency_id, unit_id, holder_id, procedure_id, "
            f"step_index, {s_cols}) FROM STDIN"
        ) as cp:
            for key, values in gen.step.items():
                cp.write_row((*key, *values))
    t_parts = time.perf_counter() - t0
    conn.close()
    q.put((index, counts, cpu, gen.tally_seconds, t_copy, t_parts))


# ---------------------------------------------------------------------------------------------
# Reads: the dashboard from the tally rows, and the raw GROUP BY


def dashboard_reader() -> tuple[str, Callable[[Any], Any], Callable[[Any], Any]]:
    """The lead's selectors when they exist on this branch; until then a plain reading of the
    tally rows the same way (whole months' rows plus the edge days', by agency)."""
    try:
        from motcua.oversight import selectors
    except ImportError:
        selectors = None
    if selectors is not None and all(
        hasattr(selectors, n) for n in ("figures_by", "monthly", "ranking")
    ):

        def dashboard(period):
            figures = selectors.figures_by(period=period)
            trend = selectors.monthly(first=period.first, last=period.last)
            return figures, trend

        def ranking(period):
            return selectors.ranking(period=period)

        return "motcua.oversight.selectors (figures_by, monthly, ranking)", dashboard, ranking
    return "the bench's own reading of the tally rows", own_dashboard, own_ranking


def own_figures(period) -> dict[int, Any]:
    from django.db.models import Q, Sum

    from motcua.core.indicators import TALLY_FIELDS, Figures, Tally, month_start
    from motcua.oversight.models import AgencyTally

    head, months, tail = period.months()
    inside = Q(pk__in=[])
    if months:
        inside |= Q(grain="m", day__gte=months[0], day__lte=months[-1])
    for days in (head, tail):
        if days:
            inside |= Q(grain="d", day__gte=days[0], day__lte=days[-1])
    start = month_start(period.first)
    before_q = Q(grain="m", day__lt=start) | Q(grain="d", day__gte=start, day__lt=period.first)
    sums = {f: Sum(f) for f in TALLY_FIELDS}
    inside_rows = {
        r["agency_id"]: Tally(**{f: r[f] or 0 for f in TALLY_FIELDS})
        for r in AgencyTally.objects.filter(inside).values("agency_id").annotate(**sums)
    }
    before = {
        r["agency_id"]: Tally(open_delta=r["o"] or 0, late_open_delta=r["l"] or 0)
        for r in AgencyTally.objects.filter(before_q)
        .values("agency_id")
        .annotate(o=Sum("open_delta"), l=Sum("late_open_delta"))
    }
    keys = set(inside_rows) | set(before)
    return {k: Figures.of(inside_rows.get(k, Tally()), before.get(k, Tally())) for k in keys}


def own_trend(period) -> list[Any]:
    from django.db.models import Sum

    from motcua.core.indicators import TALLY_FIELDS, Figures, Tally
    from motcua.oversight.models import AgencyTally

    sums = {
        r["day"]: Tally(**{f: r[f] or 0 for f in TALLY_FIELDS})
        for r in AgencyTally.objects.filter(grain="m", day__lte=period.last)
        .values("day")
        .annotate(**{f: Sum(f) for f in TALLY_FIELDS})
    }
    out, running = [], Tally()
    for month in sorted(sums):
        if month >= period.first:
            out.append((month, Figures.of(sums[month], running)))
        running.add(sums[month])
    return out


def own_dashboard(period):
    return own_figures(period), own_trend(period)


def own_ranking(period):
    from motcua.core.indicators import index, rank
    from motcua.organization.models import Agency

    figures = own_figures(period)
    kinds = dict(Agency.objects.filter(pk__in=list(figures)).values_list("pk", "kind"))
    out = []
    for commune in (False, True):
        members = {
            pk: index(f) for pk, f in figures.items() if (kinds.get(pk) == "commune") == commune
        }
        out.append(rank({pk: i.score for pk, i in members.items()}))
    return out


RAW_FIGURES = """
WITH steps AS (
    SELECT dossier_id,
           sum(paused_seconds) AS citizen_seconds,
           sum(extract(epoch FROM ended_at - started_at))::bigint AS held_seconds
    FROM dossiers_dossierstep
    GROUP BY dossier_id
), rated AS (
    SELECT r.agency_id, count(*) AS ratings, count(*) FILTER (WHERE r.at_desk) AS at_desk,
           sum(r.conduct + r.punctuality + r.guidance + r.simplicity) AS points,
           count(*) FILTER (
               WHERE r.conduct + r.punctuality + r.guidance + r.simplicity <= 8
           ) AS dislikes
    FROM feedback_rating r
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
    GROUP BY r.agency_id
), figures AS (
    SELECT coalesce(d.competent_agency_id, d.receiving_agency_id) AS agency_id,
        count(*) FILTER (WHERE d.received_at >= %(start)s) AS received,
        count(*) FILTER (WHERE d.received_at >= %(start)s AND d.channel = 2) AS received_online,
        count(*) FILTER (WHERE d.received_at < %(start)s
                         AND (d.finished_at IS NULL OR d.finished_at >= %(start)s)) AS carried,
        count(*) FILTER (WHERE d.finished_at >= %(start)s) AS finished,
        count(*) FILTER (WHERE d.finished_at >= %(start)s AND d.supplement_requests <= 1
                         AND (d.finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                           < (d.original_due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS early,
        count(*) FILTER (WHERE d.finished_at >= %(start)s AND d.supplement_requests <= 1
                         AND d.finished_at <= d.original_due_at
                         AND (d.finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                           >= (d.original_due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                        ) AS on_time,
        count(*) FILTER (WHERE d.finished_at >= %(start)s
                         AND (d.finished_at > d.original_due_at
                              OR d.supplement_requests > 1)) AS late,
        count(*) FILTER (WHERE d.finished_at IS NULL) AS open_end,
        count(*) FILTER (WHERE d.finished_at IS NULL
                         AND (d.original_due_at < %(end)s OR d.supplement_requests > 1)
                        ) AS late_open_end,
        coalesce(sum(s.held_seconds - s.citizen_seconds)
                 FILTER (WHERE d.finished_at >= %(start)s), 0) AS agency_seconds,
        coalesce(sum(s.citizen_seconds) FILTER (WHERE d.finished_at >= %(start)s), 0)
            AS citizen_seconds,
        count(x.id) FILTER (WHERE d.finished_at >= %(start)s) AS electronic_result
    FROM dossiers_dossier d
    LEFT JOIN steps s ON s.dossier_id = d.id
    LEFT JOIN dossiers_dossierresult x ON x.dossier_id = d.id
    WHERE d.received_at IS NOT NULL AND d.received_at < %(end)s
      AND (d.finished_at IS NULL OR d.finished_at >= %(start)s)
    GROUP BY 1
)
SELECT f.*, coalesce(r.ratings, 0), coalesce(r.at_desk, 0), coalesce(r.points, 0),
       coalesce(r.dislikes, 0)
FROM figures f LEFT JOIN rated r USING (agency_id)
ORDER BY f.agency_id
"""

RAW_TREND = """
WITH moves AS (
    SELECT date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS month,
           1 AS received, 0 AS finished
    FROM dossiers_dossier WHERE received_at IS NOT NULL
    UNION ALL
    SELECT date_trunc('month', finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh'), 0, 1
    FROM dossiers_dossier WHERE received_at IS NOT NULL AND finished_at IS NOT NULL
), months AS (
    SELECT month, sum(received) AS received, sum(finished) AS finished FROM moves GROUP BY 1
)
SELECT month, received, finished,
       sum(received - finished) OVER (ORDER BY month) AS open_end
FROM months
WHERE month >= %(start)s::timestamp AND month <= %(last)s::timestamp
ORDER BY 1
"""


def raw_read(conn, period) -> tuple[dict[int, Any], list[Any], Any]:
    """The same figures from the raw tables: a GROUP BY per agency, the city's months, and
    the ranking computed from those figures."""
    from motcua.core.indicators import Figures, Tally, index, rank
    from motcua.organization.models import Agency

    start = datetime.combine(period.first, datetime.min.time(), tzinfo=TZ)
    end = datetime.combine(period.last + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    rows = conn.execute(RAW_FIGURES, {"start": start, "end": end}).fetchall()
    figures = {}
    for r in rows:
        (agency, received, online, carried, finished, early, on_time, late, open_end,
         late_open, agency_s, citizen_s, electronic, ratings, at_desk, points,
         dislikes) = r  # fmt: skip
        t = Tally(
            received=received, received_online=online, finished=finished, early=early,
            on_time=on_time, late=late, agency_seconds=int(agency_s),
            citizen_seconds=int(citizen_s), electronic_result=electronic, ratings=ratings,
            ratings_at_desk=at_desk, rating_points=int(points), dislikes=dislikes,
        )  # fmt: skip
        figures[agency] = Figures(
            period=t, carried=carried, open_end=open_end, late_open_end=late_open
        )
    trend = conn.execute(
        RAW_TREND, {"start": period.first, "last": period.last.replace(day=1)}
    ).fetchall()
    kinds = dict(Agency.objects.filter(pk__in=list(figures)).values_list("pk", "kind"))
    ranked = []
    for commune in (False, True):
        members = {
            pk: index(f) for pk, f in figures.items() if (kinds.get(pk) == "commune") == commune
        }
        ranked.append(rank({pk: i.score for pk, i in members.items()}))
    return figures, trend, ranked


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of `repeat` runs in ms, and the last run's result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


# ---------------------------------------------------------------------------------------------
# --check: the bulk tallies equal tallies_rebuild()'s


def check_tallies(conn) -> list[str]:
    """Snapshot the bulk rows, rebuild through the ORM, compare both ways (rows whose
    counters are all 0 are left out on both sides: the ORM keeps a row whose deltas came to
    0 after it was created, a sum in one go never writes one)."""
    from motcua.core.indicators import STEP_FIELDS, TALLY_FIELDS
    from motcua.dossiers import records
    from motcua.oversight.services import tallies_rebuild

    a = ", ".join(TALLY_FIELDS)
    s = ", ".join(STEP_FIELDS)
    a_nz = " OR ".join(f"{f} <> 0" for f in TALLY_FIELDS)
    s_nz = " OR ".join(f"{f} <> 0" for f in STEP_FIELDS)
    tables = (
        ("oversight_agencytally", f"grain, day, agency_id, procedure_id, {a}", a_nz),
        (
            "oversight_steptally",
            f"grain, day, agency_id, unit_id, holder_id, procedure_id, step_index, {s}",
            s_nz,
        ),
    )
    for table, cols, nz in tables:
        conn.execute(f"DROP TABLE IF EXISTS bench_bulk_{table}")
        conn.execute(f"CREATE TABLE bench_bulk_{table} AS SELECT {cols} FROM {table} WHERE {nz}")
    t0 = time.perf_counter()
    tallies_rebuild()
    print(f"  tallies_rebuild()      {time.perf_counter() - t0:.1f} s (the ORM path)")
    problems = []
    for table, cols, nz in tables:
        for a_side, b_side in ((f"bench_bulk_{table}", table), (table, f"bench_bulk_{table}")):
            n = conn.execute(
                f"SELECT count(*) FROM (SELECT {cols} FROM {a_side} WHERE {nz} "
                f"EXCEPT ALL SELECT {cols} FROM {b_side} WHERE {nz}) x"
            ).fetchone()[0]
            if n:
                problems.append(f"{n} rows of {a_side} not in {b_side}")
        total = conn.execute(f"SELECT count(*) FROM bench_bulk_{table}").fetchone()[0]
        print(f"  {table:<22} {total} rows compared")
    # The projection is what the events say, for what oversight reads.
    ids = [r[0] for r in conn.execute("SELECT id FROM dossiers_dossier ORDER BY id").fetchall()]
    sample = ids[:: max(1, len(ids) // 3000)]
    proj = {f.id: f for f in records.facts_from_projection(sample)}
    ev = {f.id: f for f in records.facts_from_events(sample)}
    differ = [pk for pk in proj if proj[pk] != ev.get(pk)]
    print(f"  facts from projection = facts from events: {len(proj) - len(differ)}/{len(proj)}")
    if differ:
        problems.append(
            f"{len(differ)} dossiers' projection differs from their events: {differ[:5]}"
        )
    return problems


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=5_000_000, help="(5,000,000)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"({DEFAULT_URL})")
    parser.add_argument("--workers", type=int, default=2, help="generating processes (2)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each read (5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--check",
        action="store_true",
        help="also rebuild the tallies through the ORM (tallies_rebuild) and require equality; "
        "for small sizes",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the reads again on the database an earlier run generated, without "
        "generating (to measure on a quiet machine)",
    )
    args = parser.parse_args(argv)
    url = args.database_url
    load = os.getloadavg()
    if args.reuse:
        setup_django(url)
        conn = raw_connection()
        n = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]
        db_size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
        print(
            "motcua dashboard benchmark (reads only, on an earlier run's data)\n"
            f"  database        {url.rsplit('/', 1)[-1]}, {db_size}, {n:,} dossiers\n"
            f"  machine         {os.cpu_count()} CPUs, load average {load[0]:.2f} before",
            flush=True,
        )
        return measure(conn, args.repeat)
    t_start = time.perf_counter()
    recreate(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from motcua.core.indicators import STEP_FIELDS, TALLY_FIELDS

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", dossiers=50, no_serve=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    world = load_world()
    t_setup = time.perf_counter() - t_start
    conn = raw_connection()
    server = conn.execute("SHOW server_version").fetchone()[0]
    # The demo's own 50 dossiers (through the real write path) go, with what refers to them:
    # the year is the bench's alone. The rows appended under a dossier are named: the database
    # does not know they refer to it (models.py), so CASCADE would not reach them.
    conn.execute(
        "TRUNCATE dossiers_dossier, dossiers_dossierevent, dossiers_dossierstep,"
        " dossiers_dossierdocument, dossiers_dossierresult RESTART IDENTITY CASCADE"
    )
    for t in ("oversight_agencytally", "oversight_steptally", "oversight_dossiertally"):
        conn.execute(f"DELETE FROM {t}")
    first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM dossiers_dossier").fetchone()[0]
    creates, adds = drop_indexes(conn)
    conn.execute(
        "CREATE UNLOGGED TABLE bench_agency_part (LIKE oversight_agencytally INCLUDING DEFAULTS)"
    )
    conn.execute("ALTER TABLE bench_agency_part DROP COLUMN id")
    conn.execute(
        "CREATE UNLOGGED TABLE bench_step_part (LIKE oversight_steptally INCLUDING DEFAULTS)"
    )
    conn.execute("ALTER TABLE bench_step_part DROP COLUMN id")
    conn.close()
    connection.close()

    # Generate and load.
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    share = -(-args.dossiers // args.workers)
    procs = []
    for w in range(args.workers):
        lo = first_id + w * share
        n = max(0, min(share, args.dossiers - w * share))
        procs.append(
            ctx.Process(target=worker_main, args=(url, world, lo, n, args.seed, w, args.workers, q))
        )
    for p in procs:
        p.start()
    reports = []
    while len(reports) < len(procs):
        try:
            reports.append(q.get(timeout=5))
        except queue.Empty:
            if any(p.exitcode for p in procs):
                print("a worker failed", file=sys.stderr)
                return 1
    for p in procs:
        p.join()
        if p.exitcode:
            print(f"worker failed with {p.exitcode}")
            return 1
    t_generate = time.perf_counter() - t0
    conn = raw_connection()
    counts = {k: sum(r[1][k] for r in reports) for k in reports[0][1]}
    cpu = sum(r[2] for r in reports)
    tally_cpu = sum(r[3] for r in reports)
    copy_wait = sum(r[4] for r in reports)

    # Indexes, constraints, sequences.
    t0 = time.perf_counter()
    conn.execute("SET maintenance_work_mem = '512MB'")
    for sql in creates + adds:
        conn.execute(sql)
    last = first_id + args.dossiers - 1
    conn.execute(
        "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), %s)", [max(last, 1)]
    )
    t_index = time.perf_counter() - t0

    # Tallies: the workers' partial sums, summed.
    t0 = time.perf_counter()
    a = ", ".join(TALLY_FIELDS)
    s = ", ".join(STEP_FIELDS)
    a_sums = ", ".join(f"sum({f})" for f in TALLY_FIELDS)
    conn.execute(
        f"INSERT INTO oversight_agencytally (grain, day, agency_id, procedure_id, {a}) "
        f"SELECT grain, day, agency_id, procedure_id, {a_sums} "
        "FROM bench_agency_part GROUP BY 1, 2, 3, 4"
    )
    conn.execute(
        "INSERT INTO oversight_steptally (grain, day, agency_id, unit_id, holder_id, "
        f"procedure_id, step_index, {s}) SELECT grain, day, agency_id, unit_id, holder_id, "
        f"procedure_id, step_index, {', '.join(f'sum({f})' for f in STEP_FIELDS)} "
        "FROM bench_step_part GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )
    conn.execute("DROP TABLE bench_agency_part")
    conn.execute("DROP TABLE bench_step_part")
    t_tally_merge = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute("VACUUM ANALYZE")
    t_analyze = time.perf_counter() - t0
    sizes = dict(
        conn.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname = ANY(%s)",
            [[*LOADED, "oversight_agencytally", "oversight_steptally"]],
        ).fetchall()
    )
    rows = dict(
        conn.execute(
            "SELECT 'agency', count(*) FROM oversight_agencytally UNION ALL "
            "SELECT 'step', count(*) FROM oversight_steptally"
        ).fetchall()
    )
    db_size = conn.execute(
        "SELECT pg_size_pretty(pg_database_size(current_database()))"
    ).fetchone()[0]

    out = [
        "motcua dashboard benchmark",
        f"  database        {url.rsplit('/', 1)[-1]} (PostgreSQL {server}), {db_size}",
        f"  machine         {os.cpu_count()} CPUs, load average {load[0]:.2f} before",
        f"  set-up          {t_setup:.1f} s (migrate, demo organisation and catalog)",
        f"  generated       {args.dossiers:,} dossiers of {YEAR} in {t_generate:.1f} s by "
        f"{args.workers} processes ({cpu:.0f} s of their CPU, {copy_wait:.0f} s waiting on COPY)",
        "                  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
        "                  sizes: " + ", ".join(f"{k} {v}" for k, v in sorted(sizes.items())),
        "  event hashes    placeholders, NOT the HMAC chain: `audit verify` reports every "
        "chain broken; projections are what the events say",
        f"  indexes         {t_index:.1f} s to rebuild after the load; VACUUM ANALYZE "
        f"{t_analyze:.1f} s",
        f"  tallies         {tally_cpu:.1f} s of the workers' CPU in the core "
        f"(contributions, step_contribution), {t_tally_merge:.1f} s to sum in SQL: "
        f"{rows['agency']:,} agency rows, {rows['step']:,} step rows",
    ]
    print("\n".join(out), flush=True)

    if args.check:
        problems = check_tallies(conn)
        for p in problems:
            print(f"  ! {p}")
        print("  check           " + ("equal" if not problems else "DIFFERENT"), flush=True)
        if problems:
            return 1

    return measure(conn, args.repeat)


def measure(conn, repeat: int) -> int:
    """Time the dashboard and the ranking from the tally rows against the raw GROUP BY."""
    from motcua.core.indicators import Period

    period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    source, dashboard, ranking = dashboard_reader()
    dashboard(period)  # warm the connection and the caches, not counted
    dash_ms, (figures, trend) = timed(lambda: dashboard(period), repeat)
    rank_ms, ranked = timed(lambda: ranking(period), repeat)
    raw_ms, (raw_figures, raw_trend, _raw_ranked) = timed(
        lambda: raw_read(conn, period), max(1, min(repeat, 3))
    )
    agree = sum(
        1
        for k, f in figures.items()
        if k in raw_figures
        and (f.period.received, f.period.finished, f.open_end)
        == (
            raw_figures[k].period.received,
            raw_figures[k].period.finished,
            raw_figures[k].open_end,
        )
    )
    city = sum(f.period.received for f in figures.values())
    raw_plan = "\n".join(
        r[0]
        for r in conn.execute(
            "EXPLAIN " + RAW_FIGURES,
            {
                "start": datetime(YEAR, 1, 1, tzinfo=TZ),
                "end": END,
            },
        ).fetchall()
    )
    server_ms = dash_ms + rank_ms
    print(
        "\n".join(
            [
                f"  dashboard read  {source}",
                f"  (a) dashboard   {dash_ms:.1f} ms median of {repeat}: {len(figures)} "
                f"agencies' figures for {YEAR} and {len(trend)} months of the city's trend "
                f"({city:,} received)",
                f"  (b) ranking     {rank_ms:.1f} ms median of {repeat}: "
                f"{sum(len(g) for g in ranked)} agencies ranked (departments, communes)",
                f"  (c) raw GROUP BY {raw_ms:.1f} ms median of {max(1, min(repeat, 3))}: "
                f"{len(raw_figures)} agencies, {len(raw_trend)} months, ranked in Python",
                f"  agreement       received, finished and open at the end equal for {agree} "
                f"of {len(figures)} agencies (on time/late differ by design: the raw query "
                "compares columns, the core judges the clock ledger)",
                "  raw plan:",
                *("    " + line for line in raw_plan.splitlines()),
                f"dashboard_ms={server_ms:.1f}",
                f"ratio={raw_ms / server_ms:.1f}",
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
