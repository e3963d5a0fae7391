"""`motcua audit`: prove that the record is what happened.

`verify` checks, dossier by dossier, that each event's keyed hash links to the one before it,
that the projection (the dossier row and its hand-over rows) is what its events rebuild, that
every dossier has events and every event a dossier, and that no code drawn from a day's
counter is missing. `anchor` exports a signed digest of every chain head and of the read log,
to be published or archived outside the database; `verify --anchor FILE` then proves that
nothing anchored has changed since. docs/audit.md explains what each check catches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef

from motcua.adminlog.selectors import admin_chain_head, admin_chain_report, admin_change_hash
from motcua.api.selectors import call_chain_report
from motcua.core import codes
from motcua.dossiers.events import AUDITED, GENESIS, canonical_json, event_hash, plain
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierAccess,
    DossierDocument,
    DossierEvent,
    DossierResult,
    DossierScan,
    DossierStep,
)
from motcua.exchange.selectors import verify_log

ANCHOR_FORMAT = "motcua-audit-anchor/1"
BATCH = 1000


@dataclass(frozen=True)
class Problem:
    """One thing wrong: which dossier (code, or #id), which event if any, and what."""

    label: str
    message: str
    seq: int | None = None

    def __str__(self) -> str:
        where = f"{self.label} sự kiện {self.seq}" if self.seq is not None else self.label
        return f"{where}: {self.message}"


# ---------------------------------------------------------------------------------------------
# Rebuilding the projection from the events


# A hand-over row as form 06 keeps it, in this order (DossierStep's columns).
STEP_COLUMNS = (
    "index",
    "name",
    "agency_id",
    "unit_id",
    "holder_id",
    "started_at",
    "due_at",
    "ended_at",
    "paused_seconds",
    "outcome",
    "note",
)


@dataclass
class Rebuilt:
    """What a dossier's events say its projection is."""

    status: int | None = None
    version: int = 0
    chain_head: str = GENESIS
    fields: dict[str, Any] = field(default_factory=dict)
    steps: list[tuple[Any, ...]] = field(default_factory=list)
    # Papers received: (event seq, catalog paper, name, copies, original, scan's sha256).
    papers: list[tuple[Any, ...]] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)  # seqs whose payload is not as written


def _fold_set(state: Rebuilt, event: dict[str, Any], value: Any) -> None:
    if not isinstance(value, dict):
        raise TypeError("set")
    state.fields.update(value)


def _fold_step(state: Rebuilt, event: dict[str, Any], value: Any) -> None:
    """A hand-over ended with this event: its row, from the event (ended then, unless it says
    when it ended elsewhere; the event's note)."""
    if not isinstance(value, dict):
        raise TypeError("step")
    row = {
        **value,
        "agency_id": value.get("agency"),
        "unit_id": value.get("unit"),
        "holder_id": value.get("holder"),
        "ended_at": value.get("ended_at", plain(event["at"])),
        "note": event["payload"].get("note", ""),
    }
    state.steps.append(tuple(row.get(c) for c in STEP_COLUMNS))


def _fold_papers(state: Rebuilt, event: dict[str, Any], value: Any) -> None:
    """Papers received with this event (reception, a supplement), each with its scan's hash."""
    if not isinstance(value, list):
        raise TypeError("papers")
    for entry in value:
        state.papers.append(
            (
                event["seq"],
                entry.get("required"),
                entry["name"],
                entry["copies"],
                entry["original"],
                entry.get("scan"),
            )
        )


# Payload key -> how it changes the rebuilt projection. A handler that records something new
# the projection keeps (papers brought, a result's delivery) adds its fold here.
FOLDS: dict[str, Callable[[Rebuilt, dict[str, Any], Any], None]] = {
    "set": _fold_set,
    "step": _fold_step,
    "papers": _fold_papers,
}


def rebuild(events: Iterable[dict[str, Any]]) -> Rebuilt:
    """The projection a dossier's events (in seq order, as `_EVENT_COLUMNS` reads them) make."""
    state = Rebuilt()
    for event in events:
        state.status = event["to_status"]
        state.version = event["seq"]
        state.chain_head = event["hash"]
        payload = event["payload"]
        if not isinstance(payload, dict):
            state.unreadable.append(event["seq"])
            continue
        for key, value in payload.items():
            fold = FOLDS.get(key)
            if fold is None:
                continue
            try:
                fold(state, event, value)
            except (TypeError, ValueError, AttributeError):
                state.unreadable.append(event["seq"])
    return state


_MISSING = object()


def projection_problems(
    label: str,
    row: dict[str, Any],
    steps: list[tuple[Any, ...]],
    state: Rebuilt,
    papers: list[tuple[Any, ...]] | None = None,
) -> list[Problem]:
    """Where the stored projection differs from what its events rebuild."""
    problems = [
        Problem(label, "nội dung sự kiện không đúng dạng, không dựng lại được", seq)
        for seq in state.unreadable
    ]
    for name, want in (
        ("status", state.status),
        ("version", state.version),
        ("chain_head", state.chain_head),
    ):
        if row[name] != want:
            problems.append(Problem(label, _mismatch(name, row[name], want)))
    for name in AUDITED:
        want = state.fields.get(name, _MISSING)
        if want is _MISSING:
            problems.append(Problem(label, f"không có sự kiện nào ghi {name}"))
        elif plain(row[name]) != want:
            problems.append(Problem(label, _mismatch(name, plain(row[name]), want)))
    have = Counter(tuple(plain(v) for v in s) for s in steps)
    rebuilt = Counter(state.steps)
    for step in sorted(rebuilt - have, key=repr):
        problems.append(Problem(label, f"bước bàn giao {step[0]} ({step[1]}) bị xóa hoặc sửa"))
    for step in sorted(have - rebuilt, key=repr):
        problems.append(
            Problem(label, f"bước bàn giao {step[0]} ({step[1]}) không khớp sự kiện nào")
        )
    if papers is not None:
        stored, recorded = Counter(papers), Counter(state.papers)
        for paper in sorted(recorded - stored, key=repr):
            problems.append(
                Problem(label, f"giấy tờ “{paper[2]}” (sự kiện số {paper[0]}) bị xóa hoặc sửa")
            )
        for paper in sorted(stored - recorded, key=repr):
            problems.append(
                Problem(
                    label, f"giấy tờ “{paper[2]}” (sự kiện số {paper[0]}) không khớp sự kiện nào"
                )
            )
    return problems


def _mismatch(name: str, have: Any, want: Any) -> str:
    return f"{name} là {have!r} nhưng các sự kiện cho {want!r} (sửa không qua sự kiện)"


# ---------------------------------------------------------------------------------------------
# Verification


_EVENT_COLUMNS = (
    "dossier_id",
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "agency_id",
    "unit_id",
    "at",
    "payload",
    "prev_hash",
    "hash",
)
_DOSSIER_COLUMNS = ("id", "code", "status", "version", "chain_head", *AUDITED)


def body_of(event: dict[str, Any]) -> dict[str, Any]:
    """The fields an event's hash covers (events.event_body, from a row read as values)."""
    return {
        "dossier": event["dossier_id"],
        "seq": event["seq"],
        "action": event["action"],
        "from": event["from_status"],
        "to": event["to_status"],
        "actor": event["actor_id"],
        "role": event["actor_role"],
        "agency": event["agency_id"],
        "unit": event["unit_id"],
        "at": event["at"].astimezone(UTC).isoformat(),
        "payload": event["payload"],
    }


def chain_problems(label: str, events: list[dict[str, Any]]) -> list[Problem]:
    """Every break in one dossier's chain: a seq missing, a link wrong, a hash not the key's."""
    problems = []
    prev, expected = GENESIS, 1
    for event in events:
        seq = event["seq"]
        if seq != expected:
            problems.append(Problem(label, f"thiếu sự kiện số {expected}", seq))
        if event["prev_hash"] != prev:
            problems.append(Problem(label, "liên kết với sự kiện trước bị sai", seq))
        if not hmac.compare_digest(event["hash"], event_hash(event["prev_hash"], body_of(event))):
            problems.append(Problem(label, "nội dung sự kiện đã bị thay đổi", seq))
        prev, expected = event["hash"], seq + 1
    return problems


@dataclass
class Report:
    """What `verify` found, and how much it looked at."""

    problems: list[Problem] = field(default_factory=list)
    dossiers: int = 0
    events: int = 0
    steps: int = 0
    accesses: int = 0
    admin_changes: int = 0
    api_calls: int = 0


def _batches() -> Iterator[list[dict[str, Any]]]:
    """Every dossier row, BATCH at a time in id order (keyset paging: no OFFSET)."""
    last = 0
    while True:
        rows = list(
            Dossier.objects.filter(pk__gt=last).order_by("pk").values(*_DOSSIER_COLUMNS)[:BATCH]
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def label_of(row: dict[str, Any]) -> str:
    return row["code"] or f"#{row['id']}"


def _papers_of(ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The papers stored for these dossiers, as `_fold_papers` rebuilds them."""
    scans = dict(
        DossierScan.objects.filter(dossier_id__in=ids).values_list("document_id", "sha256")
    )
    papers: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
    for pk, dossier_id, *paper in DossierDocument.objects.filter(dossier_id__in=ids).values_list(
        "pk", "dossier_id", "event_seq", "required_id", "name", "copies", "original"
    ):
        papers[dossier_id].append((*paper, scans.get(pk)))
    return papers


def verify(anchor: dict[str, Any] | None = None) -> Report:
    """Check every chain, every projection, the daily counters, and (given) an anchor."""
    report = Report()
    seen: set[int] = set()  # the anchored dossiers still there
    referred = _References()
    anchored = _anchored_positions(anchor)
    for rows in _batches():
        ids = [r["id"] for r in rows]
        events: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for event in (
            DossierEvent.objects.filter(dossier_id__in=ids)
            .order_by("dossier_id", "seq")
            .values(*_EVENT_COLUMNS)
            .iterator(chunk_size=5000)
        ):
            events[event["dossier_id"]].append(event)
            referred.add(DossierEvent, event)
        steps: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
        for step in DossierStep.objects.filter(dossier_id__in=ids).values_list(
            "dossier_id", *STEP_COLUMNS
        ):
            steps[step[0]].append(step[1:])
            referred.add(DossierStep, dict(zip(STEP_COLUMNS, step[1:], strict=True)))
        papers = _papers_of(ids)
        for row in rows:
            label = label_of(row)
            referred.add(Dossier, row)
            chain = events[row["id"]]
            report.dossiers += 1
            report.events += len(chain)
            report.steps += len(steps[row["id"]])
            want = anchored.get(row["id"])
            if want is not None:
                seen.add(row["id"])
                report.problems.extend(_against_anchor(label, chain, want))
            if not chain:
                report.problems.append(Problem(label, "hồ sơ không còn sự kiện nào"))
                continue
            report.problems.extend(chain_problems(label, chain))
            state = rebuild(chain)
            report.problems.extend(
                projection_problems(label, row, steps[row["id"]], state, papers[row["id"]])
            )
    report.problems.extend(_orphans())
    report.problems.extend(referred.dangling())
    report.problems.extend(_sequence_gaps())
    report.accesses = DossierAccess.objects.count()
    admin = admin_chain_report()
    report.admin_changes = admin.changes
    report.problems.extend(Problem("nhật ký quản trị", m, seq) for seq, m in admin.problems)
    # The message log of liên thông between installations (motcua.exchange), its own chain.
    messages = verify_log()
    report.problems.extend(Problem("nhật ký liên thông", m, seq) for seq, m in messages.problems)
    calls = call_chain_report()
    report.api_calls = calls.calls
    report.problems.extend(Problem("nhật ký gọi API", m, seq) for seq, m in calls.problems)
    if anchor is not None:
        report.problems.extend(_anchor_problems(anchor, seen=seen))
    return report


class _References:
    """The agencies, units, officers and accounts the record refers to, gathered on the way
    through it: the write path's tables do not make the database check these references
    (models.py says why), so verify checks that each still exists."""

    NAMES = {
        "organization.agency": "cơ quan",
        "organization.unit": "đơn vị",
        "citizens.citizen": "tài khoản công dân",
    }

    def __init__(self) -> None:
        self.ids: dict[type[Any], set[int]] = {}

    def add(self, model: type[Any], row: dict[str, Any]) -> None:
        for f in model._meta.concrete_fields:
            if f.related_model is Dossier:
                continue  # rows without their dossier are `_orphans`, found in one query each
            if f.is_relation and not f.db_constraint and row.get(f.attname) is not None:
                self.ids.setdefault(f.related_model, set()).add(row[f.attname])

    def dangling(self) -> list[Problem]:
        problems = []
        for model, ids in self.ids.items():
            wanted = sorted(ids)
            kept: set[int] = set()
            for i in range(0, len(wanted), BATCH):  # SQLite bounds a statement's parameters
                found = model._default_manager.filter(pk__in=wanted[i : i + BATCH])
                kept.update(found.values_list("pk", flat=True))
            what = self.NAMES.get(model._meta.label_lower, "cán bộ")
            problems += [
                Problem(f"{what} #{pk}", "hồ sơ còn ghi nhưng đã bị xóa khỏi danh mục")
                for pk in sorted(ids - kept)
            ]
        return problems


# The rows appended under a dossier whose reference to it the database does not check
# (models.py says why), and what each is called in a problem.
_UNDER_DOSSIER: list[tuple[type[Any], str]] = [
    (DossierEvent, "sự kiện"),
    (DossierStep, "bước xử lý"),
    (DossierDocument, "giấy tờ"),
    (DossierResult, "bản điện tử của kết quả"),
]


def _orphans() -> list[Problem]:
    """Events, hand-overs, papers and result copies whose dossier row is gone."""
    problems = []
    for model, what in _UNDER_DOSSIER:
        gone = (
            model._default_manager.filter(
                ~Exists(Dossier.objects.filter(pk=OuterRef("dossier_id")))
            )
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        problems += [Problem(f"#{pk}", f"có {what} nhưng hồ sơ đã bị xóa") for pk in sorted(gone)]
    return problems


def _sequence_gaps() -> list[Problem]:
    """Every number a day's counter gave out (1..last) must be a dossier's code, and no code
    may carry a number the counter never gave: a dossier deleted shows as a gap."""
    problems = []
    issued: dict[str, set[int]] = {}  # code prefix (agency and day) -> numbers in use
    for code in Dossier.objects.exclude(code=None).values_list("code", flat=True).iterator():
        prefix, _, number = (code or "").rpartition("-")
        if number.isdigit():
            issued.setdefault(prefix, set()).add(int(number))
    for agency_code, day, last in DailySequence.objects.order_by("agency_code", "day").values_list(
        "agency_code", "day", "last"
    ):
        prefix = codes.format_dossier_code(agency_code, day, 1).rpartition("-")[0]
        numbers = issued.pop(prefix, set())
        for n in range(1, last + 1):
            if n not in numbers:
                code = codes.format_dossier_code(agency_code, day, n)
                problems.append(Problem(code, "mã đã cấp nhưng không còn hồ sơ (bị xóa?)"))
        for n in sorted(x for x in numbers if x > last):
            code = codes.format_dossier_code(agency_code, day, n)
            problems.append(Problem(code, f"số {n} vượt bộ đếm trong ngày ({last})"))
    for prefix, numbers in sorted(issued.items()):
        problems.append(Problem(prefix, f"{len(numbers)} mã không có bộ đếm trong ngày"))
    return problems


# ---------------------------------------------------------------------------------------------
# The anchor


def access_digest(last_id: int) -> tuple[int, str]:
    """How many read-log rows there are up to `last_id`, and a sha256 over them in id order."""
    digest = hashlib.sha256()
    count = 0
    for row in (
        DossierAccess.objects.filter(pk__lte=last_id)
        .order_by("pk")
        .values_list("pk", "dossier_id", "user_id", "role", "at", "page", "address")
        .iterator(chunk_size=5000)
    ):
        digest.update(canonical_json([*row[:4], plain(row[4]), *row[5:]]).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def make_anchor(now: datetime) -> dict[str, Any]:
    """Every chain head (dossier id, code, seq, hash) and the read log's position, signed."""
    chains = [
        [pk, code, version, head]
        for pk, code, version, head in Dossier.objects.order_by("pk").values_list(
            "pk", "code", "version", "chain_head"
        )
    ]
    last_access = DossierAccess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    count, digest = access_digest(last_access)
    body: dict[str, Any] = {
        "format": ANCHOR_FORMAT,
        "at": now.astimezone(UTC).isoformat(),
        "dossiers": len(chains),
        "events": sum(c[2] for c in chains),
        "chains_digest": hashlib.sha256(canonical_json(chains).encode()).hexdigest(),
        "chains": chains,
        "reads": {"last_id": last_access, "count": count, "digest": digest},
        "admin": dict(zip(("seq", "hash"), admin_chain_head(), strict=True)),
    }
    return {**body, "signatures": sign(body)}


def sign(body: dict[str, Any]) -> dict[str, str]:
    """The anchor's HMAC under the audit key, and its Ed25519 signature when a key is set."""
    message = canonical_json(body).encode()
    signatures = {
        "hmac_sha256": hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()
    }
    private = _private_key()
    if private is not None:
        signatures["ed25519"] = base64.b64encode(private.sign(message)).decode()
    return signatures


def _private_key() -> Any:
    if not settings.AUDIT_SIGNING_KEY_FILE:
        return None
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(Path(settings.AUDIT_SIGNING_KEY_FILE).read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("MOTCUA_AUDIT_SIGNING_KEY_FILE không phải khóa Ed25519.")
    return key


def _public_key(path: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} không phải khóa công khai Ed25519.")
    return key


def signature_problems(anchor: dict[str, Any], public_key: str = "") -> list[Problem]:
    """The anchor's signatures: the Ed25519 one against the public key when one is given (or
    the signing key's own), else the HMAC under the audit key; at least one must check."""
    from cryptography.exceptions import InvalidSignature

    body = {k: v for k, v in anchor.items() if k != "signatures"}
    message = canonical_json(body).encode()
    signatures = anchor.get("signatures") or {}
    label = "mốc neo"
    path = public_key or settings.AUDIT_PUBLIC_KEY_FILE
    key = _public_key(path) if path else None
    if key is None and (private := _private_key()) is not None:
        key = private.public_key()
    if key is not None:
        try:
            key.verify(base64.b64decode(signatures.get("ed25519", "")), message)
        except (InvalidSignature, ValueError):
            return [Problem(label, "chữ ký Ed25519 không hợp lệ: mốc neo đã bị sửa hoặc giả")]
        return []
    mac = hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, str(signatures.get("hmac_sha256", ""))):
        return [Problem(label, "mã HMAC không hợp lệ: mốc neo đã bị sửa hoặc giả")]
    return []


def anchor_shape_ok(anchor: Any) -> bool:
    """Whether a file read as an anchor has the anchor's shape (checked before its signature)."""
    try:
        return (
            anchor["format"] == ANCHOR_FORMAT
            and isinstance(anchor["at"], str)
            and isinstance(anchor["chains_digest"], str)
            and isinstance(anchor["signatures"], dict)
            and all(
                isinstance(pk, int) and isinstance(seq, int) and isinstance(head, str)
                for pk, _code, seq, head in anchor["chains"]
            )
            and all(isinstance(anchor["reads"][k], int) for k in ("last_id", "count"))
            and isinstance(anchor["reads"]["digest"], str)
        )
    except (KeyError, TypeError, ValueError):
        return False


def _anchored_positions(anchor: dict[str, Any] | None) -> dict[int, tuple[int, str]]:
    if anchor is None:
        return {}
    return {int(pk): (int(seq), str(head)) for pk, _code, seq, head in anchor["chains"]}


def _against_anchor(
    label: str, chain: list[dict[str, Any]], want: tuple[int, str]
) -> list[Problem]:
    """The anchored head must still be on the chain, at its seq (events after it may follow)."""
    seq, head = want
    if seq == 0:
        return []
    at_seq = next((e for e in chain if e["seq"] == seq), None)
    if at_seq is None:
        return [Problem(label, f"sự kiện số {seq} đã neo không còn (cắt đuôi chuỗi?)", seq)]
    if at_seq["hash"] != head:
        return [Problem(label, "sự kiện đã neo bị thay thế (chuỗi bị băm lại)", seq)]
    return []


def _anchor_problems(anchor: dict[str, Any], *, seen: set[int]) -> list[Problem]:
    """What only the anchor can see: dossiers gone since, read-log rows gone or changed."""
    problems = []
    chains = anchor["chains"]
    if hashlib.sha256(canonical_json(chains).encode()).hexdigest() != anchor["chains_digest"]:
        problems.append(Problem("mốc neo", "danh sách chuỗi không khớp bản tóm tắt"))
    for pk, code, seq, _head in chains:
        if int(pk) not in seen:
            problems.append(Problem(code or f"#{pk}", f"hồ sơ đã neo ({seq} sự kiện) bị xóa"))
    reads = anchor["reads"]
    count, digest = access_digest(int(reads["last_id"]))
    if count != reads["count"]:
        problems.append(
            Problem("nhật ký truy cập", f"còn {count} dòng, khi neo có {reads['count']}")
        )
    elif digest != reads["digest"]:
        problems.append(Problem("nhật ký truy cập", "các dòng đã neo bị sửa"))
    # The administrative log's head when anchored (anchors made before it have none).
    admin = anchor.get("admin")
    if isinstance(admin, dict) and int(admin.get("seq", 0)) > 0:
        seq = int(admin["seq"])
        found = admin_change_hash(seq)
        if found is None:
            problems.append(Problem("nhật ký quản trị", f"thay đổi số {seq} đã neo không còn", seq))
        elif found != admin.get("hash"):
            problems.append(Problem("nhật ký quản trị", "thay đổi đã neo bị thay thế", seq))
    return problems
