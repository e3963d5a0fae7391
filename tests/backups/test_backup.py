"""`motcua backup` and `motcua restore` on the test database's own vendor (SQLite, and
PostgreSQL in the suite's second run): a round trip through a history played by the write
path, and the backups a restore must refuse without touching the live database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from motcua.backups import services
from motcua.backups.services import BackupError, backup_create, backup_restore, manifest_path
from motcua.core.lifecycle import Action
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierAccess, DossierStep
from motcua.dossiers.services import (
    Papers,
    dossier_act,
    dossier_receive,
    dossier_view_personal_data,
)
from tests.conftest import at
from tests.dossiers.test_services import forward, intake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(transactional_db, tmp_path):
    """The database a restore replaces. On PostgreSQL the test database itself; on SQLite a
    file (the test database lives in memory), migrated like it, in place of it for the test."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    memory = connections["default"]
    wrapper = memory.__class__({**memory.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = wrapper
    yield
    wrapper.close()
    connections["default"] = memory


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


@pytest.fixture
def history(live, world):
    """A few dossiers received and acted on, and the personal data of each read once."""
    w = world
    chain = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-25 09:00"))
    chain = forward(chain, w.lan, "2026-11-25 09:30")
    chain = act(chain, Action.REQUEST_SUPPLEMENT, w.duc, "2026-11-25 10:00", missing=["Giấy"])
    chain = act(chain, Action.SUPPLEMENT, w.lan, "2026-11-26 10:00", papers=Papers(others=["Giấy"]))
    chain = forward(chain, w.duc, "2026-11-26 15:00")
    birth = dossier_receive(intake=intake(w, w.birth), actor=w.lan, now=at("2026-11-25 08:30"))
    birth = forward(birth, w.lan, "2026-11-25 08:45")
    birth = act(birth, Action.PROPOSE, w.duc, "2026-11-25 10:00")
    fresh = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-26 08:00"))
    for d in (chain, birth, fresh):
        dossier_view_personal_data(
            dossier=d, actor=w.son, now=at("2026-11-26 16:00"), address="10.0.0.7"
        )
    assert audit.verify().problems == []
    return [chain, birth, fresh]


def sums():
    """Every table's row count and digest, as the live database has them now."""
    if connection.vendor == "sqlite":
        db = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            return services.sqlite_sums(db)
        finally:
            db.close()
    return services.postgres_sums()


def backup(tmp_path) -> Path:
    path = tmp_path / "backups" / "motcua.dump"
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    assert out.getvalue().startswith(f"Đã sao lưu {connection.vendor} vào {path}")
    return path


def test_it_brings_back_every_row_changed_or_deleted_since(history, tmp_path):
    before = sums()
    path = backup(tmp_path)
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["vendor"] == connection.vendor
    assert {t: (s["rows"], s["digest"]) for t, s in manifest["tables"].items()} == {
        t: (s.rows, s.digest) for t, s in before.items()
    }
    assert manifest["tables"]["dossiers_dossier"]["rows"] == 3
    assert ["dossiers", "0001_initial"] in manifest["migrations"]
    chain, birth, _fresh = history
    DossierStep.objects.filter(dossier_id=chain.pk).delete()
    Dossier.objects.filter(pk=birth.pk).update(applicant_name="Ai đó")
    DossierAccess.objects.filter(dossier_id=birth.pk).delete()
    assert sums() != before
    assert audit.verify(manifest["anchor"]).problems != []

    out = StringIO()
    call_command("restore", str(path), stdout=out)

    assert sums() == before
    assert audit.verify(manifest["anchor"]).problems == []
    assert (
        audit.make_anchor(at("2026-11-27 08:00"))["chains_digest"]
        == manifest["anchor"]["chains_digest"]
    )
    assert "3 hồ sơ, 9 sự kiện" in out.getvalue()
    assert "nhật ký toàn vẹn và khớp mốc neo" in out.getvalue()


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def garbage_with_a_matching_manifest(path: Path) -> None:
    """A forged manifest that vouches for a file that is no database dump at all."""
    path.write_bytes(b"PGDMP not really" * 1000)
    where = manifest_path(path)
    manifest = json.loads(where.read_text())
    manifest["dump"] = {"size": path.stat().st_size, "sha256": services._sha256(path)}
    where.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (truncate, "bị cắt cụt hoặc hỏng"),
        (flip_a_byte, "bị cắt cụt hoặc hỏng"),
        (garbage_with_a_matching_manifest, "không dùng được|pg_restore --list"),
        (lambda p: manifest_path(p).write_text("{"), "Không đọc được bản kê"),
        (lambda p: manifest_path(p).unlink(), "Không đọc được bản kê"),
    ],
)
def test_a_spoilt_backup_is_refused_and_the_live_database_left_as_it_was(
    history, tmp_path, spoil, message
):
    path = backup(tmp_path)
    DossierStep.objects.filter(dossier_id=history[0].pk).delete()
    before = sums()
    spoil(path)

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path))

    assert sums() == before


def test_a_backup_from_a_newer_schema_is_refused(history, tmp_path):
    path = backup(tmp_path)
    where = manifest_path(path)
    manifest = json.loads(where.read_text())
    manifest["migrations"].append(["dossiers", "9999_from_the_future"])
    where.write_text(json.dumps(manifest))

    with pytest.raises(
        BackupError, match=r"migration mới hơn mã nguồn: dossiers\.9999_from_the_future"
    ):
        backup_restore(path=path)


def test_restoring_over_newer_data_needs_force(history, world, tmp_path):
    path = backup(tmp_path)
    before = sums()
    later = act(history[2], Action.FORWARD, world.lan, "2026-11-26 09:00")
    newer = sums()

    with pytest.raises(BackupError, match="1 hồ sơ có sự kiện mới hơn bản sao lưu"):
        backup_restore(path=path)
    assert sums() == newer

    restored = backup_restore(path=path, force=True)

    assert restored.problems == []
    assert sums() == before
    assert Dossier.objects.get(pk=later.pk).version == history[2].version


def test_a_restore_into_an_empty_sqlite_file_needs_nothing_more(history, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL target is the test database itself")
    path = backup(tmp_path)
    before = sums()
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    target.unlink()
    Path(f"{target}-wal").unlink(missing_ok=True)
    Path(f"{target}-shm").unlink(missing_ok=True)

    assert backup_restore(path=path).problems == []
    assert sums() == before


def test_sqlite_restore_waits_for_every_other_process_to_let_go(history, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file swap")
    path = backup(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT count(*) FROM django_migrations'); print('ready', flush=True); "
            "sys.stdin.read()",
            connection.settings_dict["NAME"],
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "ready\n"
        with pytest.raises(BackupError, match=rf"đang được dùng \(tiến trình {holder.pid}\)"):
            backup_restore(path=path, force=True)
    finally:
        holder.communicate("")
    assert backup_restore(path=path).problems == []


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore")


def fake_tool(tmp_path, name, version):
    """A stand-in for a PostgreSQL tool that says its version and records how it was called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    tool.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "{name} (PostgreSQL) {version}"; exit 0; fi\n'
        f'echo "$@" > {tmp_path}/argv; echo "$PGPASSWORD" > {tmp_path}/password; exit 1\n'
    )
    tool.chmod(0o755)
    return bin_dir


def test_pg_dump_missing_or_older_than_the_server_is_refused_plainly(
    postgres_only, db, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(BackupError, match="Không tìm thấy pg_dump: cài gói postgresql-client"):
        backup_create(path=tmp_path / "x.dump")
    monkeypatch.setenv("PATH", str(fake_tool(tmp_path, "pg_dump", "9.6.24")))
    with pytest.raises(BackupError, match=r"pg_dump 9 cũ hơn máy chủ PostgreSQL 1\d"):
        backup_create(path=tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()


def test_the_password_goes_to_pg_dump_in_its_environment_not_its_arguments(
    postgres_only, db, tmp_path, monkeypatch
):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-pass")
    monkeypatch.setenv("PATH", str(fake_tool(tmp_path, "pg_dump", "99.0")))

    with pytest.raises(BackupError, match="pg_dump thất bại"):
        backup_create(path=tmp_path / "x.dump")

    assert "s3cret-pass" not in (tmp_path / "argv").read_text()
    assert "--format=custom" in (tmp_path / "argv").read_text()
    assert (tmp_path / "password").read_text() == "s3cret-pass\n"


def test_an_sqlite_backup_goes_ahead_while_the_app_writes_and_holds_what_was_committed(
    history, tmp_path
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's online backup")
    committed = sums()
    writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the app, in the middle of a write
    writer.execute("DELETE FROM dossiers_dossierstep")
    try:
        path = backup(tmp_path)
    finally:
        writer.execute("COMMIT")
        writer.close()

    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["tables"]["dossiers_dossierstep"] == vars(committed["dossiers_dossierstep"])
    assert manifest["tables"]["dossiers_dossierstep"]["rows"] > 0
    assert DossierStep.objects.count() == 0
    assert backup_restore(path=path).problems == []
    assert sums() == committed


def test_postgres_restore_refuses_while_another_session_is_connected_unless_forced(
    postgres_only, history, tmp_path
):
    import psycopg

    path = backup(tmp_path)
    before = sums()
    params = connection.settings_dict
    other = psycopg.connect(
        dbname=params["NAME"], host=params["HOST"], port=params["PORT"] or 5432, user=params["USER"]
    )
    try:
        with pytest.raises(BackupError, match="đang có 1 kết nối khác"):
            backup_restore(path=path)
        assert backup_restore(path=path, force=True).problems == []
    finally:
        other.close()
    assert sums() == before
