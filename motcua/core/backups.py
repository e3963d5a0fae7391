"""What a backup's manifest says, and whether a restore from it may go ahead.

A backup is a dump (an SQLite copy or a `pg_dump --format=custom` archive) with a manifest
beside it: the format, the vendor, the applied migrations, each table's row count and digest,
the dump's own size and SHA-256, and the audit anchor taken in the same snapshot. These rules
are plain values in, plain values out; the database and the files are `motcua.backups`'.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

FORMAT = "motcua-backup/1"
VENDORS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Table:
    """One table as a backup or a live database has it: how many rows, and their digest."""

    rows: int
    digest: str


def _plain(value: Any) -> Any:
    """A column value as the same text whichever driver read it (bytes as hex, times ISO)."""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | timedelta):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def table_digest(rows: Iterable[tuple[Any, ...]]) -> Table:
    """The row count and a SHA-256 over the rows, read in a fixed order (the caller's)."""
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        line = json.dumps([_plain(v) for v in row], ensure_ascii=False, default=str)
        digest.update(line.encode())
        digest.update(b"\n")
        count += 1
    return Table(rows=count, digest=digest.hexdigest())


def shape_problems(manifest: Any) -> list[str]:
    """What makes a file read as a manifest not one this code can restore from."""
    if not isinstance(manifest, dict):
        return ["không phải bản kê của bản sao lưu"]
    if manifest.get("format") != FORMAT:
        return [f"định dạng {manifest.get('format')!r}, mã nguồn này đọc {FORMAT}"]
    problems = []
    if manifest.get("vendor") not in VENDORS:
        problems.append(f"hệ quản trị không rõ: {manifest.get('vendor')!r}")
    dump = manifest.get("dump")
    if not (
        isinstance(dump, dict)
        and isinstance(dump.get("size"), int)
        and isinstance(dump.get("sha256"), str)
    ):
        problems.append("thiếu kích thước hoặc SHA-256 của tệp sao lưu")
    migrations = manifest.get("migrations")
    if not (
        isinstance(migrations, list)
        and all(
            isinstance(m, list) and len(m) == 2 and all(isinstance(p, str) for p in m)
            for m in migrations
        )
    ):
        problems.append("thiếu danh sách migration")
    tables = manifest.get("tables")
    if not (
        isinstance(tables, dict)
        and all(
            isinstance(t, dict)
            and isinstance(t.get("rows"), int)
            and isinstance(t.get("digest"), str)
            for t in tables.values()
        )
    ):
        problems.append("thiếu số dòng của các bảng")
    if not isinstance(manifest.get("anchor"), dict):
        problems.append("thiếu mốc neo nhật ký")
    return problems


def tables_of(manifest: Mapping[str, Any]) -> dict[str, Table]:
    """The manifest's tables as values."""
    return {name: Table(t["rows"], t["digest"]) for name, t in manifest["tables"].items()}


def schema_problems(
    backup: Iterable[tuple[str, str]], known: Iterable[tuple[str, str]]
) -> list[str]:
    """A backup taken by newer code (a migration this code does not have) is refused: its
    tables would not be the ones the code reads. An older one is fine (`migrate` after)."""
    unknown = sorted(set(map(tuple, backup)) - set(map(tuple, known)))
    return [f"bản sao lưu có migration mới hơn mã nguồn: {app}.{name}" for app, name in unknown]


def newer_problems(
    *,
    backup_tables: Mapping[str, Table],
    live_tables: Mapping[str, Table],
    backup_heads: Mapping[int, int],
    live_heads: Mapping[int, int],
) -> list[str]:
    """What the live database holds that the backup does not: restoring would lose it.

    Heads are each dossier's event count (its chain's seq). A dossier missing from the backup
    or further along live, or a table with more rows live than in the backup, is newer data.
    Rows deleted or changed since the backup are what a restore is for: not newer.
    """
    problems = []
    ahead = [pk for pk, seq in live_heads.items() if seq > backup_heads.get(pk, 0)]
    if ahead:
        problems.append(f"{len(ahead)} hồ sơ có sự kiện mới hơn bản sao lưu")
    for name, live in sorted(live_tables.items()):
        had = backup_tables.get(name, Table(0, "")).rows
        if live.rows > had:
            problems.append(f"bảng {name} có {live.rows} dòng, bản sao lưu có {had}")
    return problems


def restored_problems(
    manifest_tables: Mapping[str, Table], restored: Mapping[str, Table]
) -> list[str]:
    """Every table of the manifest back with the same rows (count and digest)."""
    problems = []
    for name, want in sorted(manifest_tables.items()):
        have = restored.get(name)
        if have is None:
            problems.append(f"bảng {name} không có sau khi khôi phục")
        elif have.rows != want.rows:
            problems.append(f"bảng {name}: {have.rows} dòng, bản sao lưu có {want.rows}")
        elif have.digest != want.digest:
            problems.append(f"bảng {name}: các dòng khác bản sao lưu")
    return problems
