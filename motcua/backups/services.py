"""`motcua backup` and `motcua restore`: a consistent dump with its manifest, and a restore
that checks the dump whole before it touches the live database (docs/operations.md).

SQLite: the online backup API copies the file inside one read transaction, in which the audit
anchor is also taken; a restore copies the dump beside the live file, checks it, and renames it
over the live file once no other process has it open. PostgreSQL: `pg_dump --format=custom`
under a snapshot exported by the transaction that reads the manifest, and `pg_restore --clean
--if-exists --no-owner --single-transaction`, so a failed restore changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from motcua.core import backups as rules
from motcua.dossiers import audit


class BackupError(Exception):
    """The backup or the restore was refused or failed; the message says why, for the operator."""


@dataclass
class Restored:
    """What a restore brought back, and what the checks after it found."""

    vendor: str
    taken_at: str
    tables: dict[str, rules.Table]
    dossiers: int
    events: int
    problems: list[str] = field(default_factory=list)


def manifest_path(path: Path) -> Path:
    """The manifest written beside a dump."""
    return path.with_name(path.name + ".manifest.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _vendor(conn: BaseDatabaseWrapper) -> str:
    if conn.vendor not in rules.VENDORS:
        raise BackupError(f"Không sao lưu được cơ sở dữ liệu {conn.vendor}.")
    return conn.vendor


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code has on disk."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# ---------------------------------------------------------------------------------------------
# Reading tables


def _sqlite_tables(db: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """(table, ORDER BY clause) of every table of an SQLite file."""
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    for name in names:
        columns = db.execute(f'PRAGMA table_info("{name}")').fetchall()
        keys = [f'"{c[1]}"' for c in sorted(columns, key=lambda c: c[5]) if c[5]]
        yield name, ", ".join(keys or [str(i + 1) for i in range(len(columns))])


def sqlite_sums(db: sqlite3.Connection, *, digests: bool = True) -> dict[str, rules.Table]:
    """Each table's row count (and digest) of an SQLite file, read on a plain connection."""
    sums = {}
    for name, order in _sqlite_tables(db):
        if digests:
            rows = db.execute(f'SELECT * FROM "{name}" ORDER BY {order}')  # noqa: S608
            sums[name] = rules.table_digest(rows)
        else:
            count = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            sums[name] = rules.Table(count, "")
    return sums


def postgres_sums(*, digests: bool = True) -> dict[str, rules.Table]:
    """Each table's row count (and digest) on the PostgreSQL connection, in its snapshot."""
    sums = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            if not digests:
                cursor.execute(f"SELECT count(*) FROM {quote(name)}")  # noqa: S608
                sums[name] = rules.Table(cursor.fetchone()[0], "")
                continue
            key = connection.introspection.get_primary_key_column(cursor, name)
            width = len(connection.introspection.get_table_description(cursor, name))
            order = quote(key) if key else ", ".join(str(i + 1) for i in range(width))
            cursor.execute(f"SELECT * FROM {quote(name)} ORDER BY {order}")  # noqa: S608
            sums[name] = rules.table_digest(_rows(cursor))
    return sums


def _rows(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while batch := cursor.fetchmany(2000):
        yield from batch


def _applied(rows: Any) -> list[list[str]]:
    return sorted([str(app), str(name)] for app, name in rows)


def _heads(anchor: dict[str, Any]) -> dict[int, int]:
    return {int(pk): int(seq) for pk, _code, seq, _head in anchor["chains"]}


# ---------------------------------------------------------------------------------------------
# PostgreSQL tools


def pg_env() -> dict[str, str]:
    """The connection's parameters as libpq's environment: the password never on a command
    line (where `ps` shows it)."""
    params = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if params.get(key):
            env[var] = str(params[key])
    env["PGDATABASE"] = str(params["NAME"])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    for option, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if params.get("OPTIONS", {}).get(option):
            env[var] = str(params["OPTIONS"][option])
    return env


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore, refused when missing or older than the server."""
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"Không tìm thấy {name}: cài gói postgresql-client cùng phiên bản với máy chủ "
            "(Debian: apt-get install postgresql-client) hoặc thêm nó vào PATH."
        )
    out = subprocess.run(  # noqa: S603 - a fixed tool found on PATH
        [tool, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"\)\s+(\d+)", out)
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    if match is None or int(match[1]) < server:
        raise BackupError(
            f"{name} {match[1] if match else '?'} cũ hơn máy chủ PostgreSQL {server}: "
            f"cài postgresql-client-{server}."
        )
    return tool


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - pg_dump / pg_restore with our own arguments
        cmd, env=pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-3:]
        raise BackupError(f"{what} thất bại: " + " / ".join(detail))


# ---------------------------------------------------------------------------------------------
# Backup


def backup_create(*, path: Path) -> dict[str, Any]:
    """Dump the database to `path` and write its manifest beside it; return the manifest.

    The dump is written under a temporary name and renamed when whole; the manifest comes
    last, so an interrupted backup never looks like a finished one.
    """
    vendor = _vendor(connection)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)  # personal data: readable by the service user only
    try:
        manifest = _sqlite_backup(partial) if vendor == "sqlite" else _postgres_backup(partial)
        _fsync(partial)
        manifest["dump"] = {"size": partial.stat().st_size, "sha256": _sha256(partial)}
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    where = manifest_path(path)
    where.touch(mode=0o600)
    where.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return manifest


def _manifest(vendor: str, anchor: dict[str, Any]) -> dict[str, Any]:
    return {"format": rules.FORMAT, "vendor": vendor, "at": anchor["at"], "anchor": anchor}


def _sqlite_backup(partial: Path) -> dict[str, Any]:
    connection.ensure_connection()
    live = connection.connection
    # One read transaction (not Django's atomic, which takes the write lock on SQLite): the
    # anchor and the copy see the same moment, while the app goes on writing.
    live.execute("BEGIN")
    try:
        anchor = audit.make_anchor(timezone.now())
        copy = sqlite3.connect(partial)
        try:
            live.backup(copy)
        finally:
            copy.close()
    finally:
        live.execute("COMMIT")
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        manifest = _manifest("sqlite", anchor)
        manifest["migrations"] = _applied(copy.execute("SELECT app, name FROM django_migrations"))
        manifest["tables"] = {n: vars(t) for n, t in sqlite_sums(copy).items()}
    finally:
        copy.close()
    return manifest


def _postgres_backup(partial: Path) -> dict[str, Any]:
    pg_dump = pg_tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        # The manifest is read in the very snapshot pg_dump dumps.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"],
            "pg_dump",
        )
        anchor = audit.make_anchor(timezone.now())
        manifest = _manifest("postgresql", anchor)
        cursor.execute("SELECT app, name FROM django_migrations")
        manifest["migrations"] = _applied(cursor.fetchall())
        manifest["tables"] = {n: vars(t) for n, t in postgres_sums().items()}
    return manifest


# ---------------------------------------------------------------------------------------------
# Restore


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest beside `path`, checked against the dump: shape, schema, size, SHA-256."""
    where = manifest_path(path)
    try:
        manifest: dict[str, Any] = json.loads(where.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được bản kê {where}: {exc}") from None
    problems = rules.shape_problems(manifest)
    if not problems:
        problems = rules.schema_problems(map(tuple, manifest["migrations"]), known_migrations())
    if problems:
        raise BackupError(f"Không khôi phục từ {path}: " + "; ".join(problems) + ".")
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"Bản sao lưu là của {manifest['vendor']}, cơ sở dữ liệu đích là {connection.vendor}."
        )
    if not path.is_file():
        raise BackupError(f"Không có tệp sao lưu {path}.")
    if (
        path.stat().st_size != manifest["dump"]["size"]
        or _sha256(path) != manifest["dump"]["sha256"]
    ):
        raise BackupError(
            f"Tệp sao lưu {path} bị cắt cụt hoặc hỏng (kích thước hoặc SHA-256 khác bản kê): "
            "không khôi phục."
        )
    return manifest


def _newer(manifest: dict[str, Any], live: dict[str, rules.Table], heads: dict[int, int]) -> None:
    problems = rules.newer_problems(
        backup_tables=rules.tables_of(manifest),
        live_tables=live,
        backup_heads=_heads(manifest["anchor"]),
        live_heads=heads,
    )
    if problems:
        raise BackupError(
            "Cơ sở dữ liệu đích có dữ liệu mới hơn bản sao lưu ("
            + "; ".join(problems[:5])
            + (f"; … {len(problems) - 5} khác" if len(problems) > 5 else "")
            + "): khôi phục sẽ làm mất chúng. Sao lưu nó trước, rồi chạy lại với --force."
        )


def _live_heads() -> dict[int, int]:
    """Each live dossier's event count, or nothing when the database has no tables yet."""
    if "dossiers_dossier" not in connection.introspection.table_names():
        return {}
    return _heads({"chains": [[pk, None, seq, None] for pk, seq in _dossier_versions()]})


def _dossier_versions() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, version FROM dossiers_dossier")
        return [(int(pk), int(v)) for pk, v in cursor.fetchall()]


def backup_restore(*, path: Path, force: bool = False) -> Restored:
    """Replace the database with the backup at `path`, after checking the backup whole."""
    vendor = _vendor(connection)
    manifest = read_manifest(path)
    if vendor == "sqlite":
        _sqlite_restore(path, manifest, force=force)
    else:
        _postgres_restore(path, manifest, force=force)
    connection.close()
    return _after(manifest)


def _after(manifest: dict[str, Any]) -> Restored:
    """Check what came back: every table's rows, then the audit against the backup's anchor.

    SQLite's rows were checked on the very file renamed into place, before the rename: read
    again now, they would also count what a worker wrote since, between two of its passes.
    """
    tables = rules.tables_of(manifest)
    problems = []
    if connection.vendor == "postgresql":
        problems = rules.restored_problems(tables, postgres_sums())
    anchor = manifest["anchor"]
    problems += [str(p) for p in audit.signature_problems(anchor)]
    problems += [str(p) for p in audit.verify(anchor).problems]
    return Restored(
        vendor=manifest["vendor"],
        taken_at=manifest["at"],
        tables=tables,
        dossiers=int(anchor["dossiers"]),
        events=int(anchor["events"]),
        problems=problems,
    )


def sqlite_holders(path: Path) -> list[int]:
    """The other processes that have the database file (or its WAL) open, from /proc."""
    names = {str(path.resolve()), f"{path.resolve()}-wal"}
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (proc / "fd").iterdir()):
                pids.append(int(proc.name))
        except OSError:  # gone, or not ours to look at
            continue
    return sorted(pids)


def _sqlite_restore(path: Path, manifest: dict[str, Any], *, force: bool) -> None:
    target = Path(connection.settings_dict["NAME"])
    if not target.parent.is_dir() or str(target).startswith(("file:", ":memory:")):
        raise BackupError(f"Cơ sở dữ liệu đích {target} không phải một tệp.")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restore", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        _sqlite_stage(path, temp, manifest)
        if target.exists():
            if not force:
                live_db = sqlite3.connect(target)
                try:
                    live = sqlite_sums(live_db, digests=False)
                finally:
                    live_db.close()
                _newer(manifest, live, _live_heads() if live else {})
            connection.close()
            _sqlite_swap(temp, target)
        else:
            os.replace(temp, target)
        _fsync(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def _sqlite_stage(path: Path, temp: Path, manifest: dict[str, Any]) -> None:
    """Copy the dump to `temp` and check it: intact, and the very rows of the manifest."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        staged = sqlite3.connect(temp, isolation_level=None)
        try:
            source.backup(staged)
            ok = staged.execute("PRAGMA integrity_check").fetchone()[0]
            problems = [] if ok == "ok" else [f"integrity_check: {ok}"]
            problems += rules.restored_problems(rules.tables_of(manifest), sqlite_sums(staged))
            staged.execute("PRAGMA journal_mode=DELETE")
        finally:
            source.close()
            staged.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems:
        raise BackupError(f"Tệp sao lưu {path} không dùng được: " + "; ".join(problems) + ".")
    _fsync(temp)


def _sqlite_swap(temp: Path, target: Path) -> None:
    """Rename `temp` over `target` while holding it exclusively, once nobody else has it open:
    a process still holding the old file would go on writing into a deleted file, and its WAL
    would be replayed into the new one."""
    holders = sqlite_holders(target)
    if holders:
        raise BackupError(
            f"{target} đang được dùng (tiến trình {', '.join(map(str, holders))}): dừng máy chủ "
            "web và worker trước khi khôi phục."
        )
    lock = sqlite3.connect(target, timeout=5, isolation_level=None)
    try:
        # Leaving WAL needs every other connection closed: a second check, and no -wal left.
        mode = lock.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if mode != "delete":
            raise BackupError(f"{target} đang được dùng: dừng máy chủ web và worker trước.")
        lock.execute("BEGIN EXCLUSIVE")
        os.replace(temp, target)
    except sqlite3.OperationalError as exc:
        raise BackupError(f"{target} đang được dùng ({exc}): dừng máy chủ web và worker.") from None
    finally:
        lock.close()
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)


def _postgres_restore(path: Path, manifest: dict[str, Any], *, force: bool) -> None:
    pg_restore = pg_tool("pg_restore")
    _run([pg_restore, "--list", str(path)], f"Đọc {path} (pg_restore --list)")
    if not force:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            others = [row[0] for row in cursor.fetchall()]
        if others:
            raise BackupError(
                f"Cơ sở dữ liệu {connection.settings_dict['NAME']} đang có {len(others)} kết nối "
                "khác: dừng máy chủ web và worker, hoặc chạy lại với --force."
            )
        _newer(manifest, postgres_sums(digests=False), _live_heads())
    connection.close()  # no lock of ours in pg_restore's way
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        "pg_restore",
    )
