"""The `motcua` console commands: `calendar due`, `audit verify` and `audit anchor`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.core.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.services import Applicant, Intake, dossier_act, dossier_receive
from tests.conftest import at

ROOT = Path(__file__).resolve().parent.parent
TET_2026 = ["--start", "2026-02-12T10:00"]


def due(*args: str) -> list[str]:
    out = StringIO()
    call_command("calendar", "due", *args, stdout=out)
    return out.getvalue().splitlines()


def test_calendar_due_skips_tet_and_explains_it(db):
    lines = due(*TET_2026, "--working-days", "3")

    assert lines[0] == "2026-02-24T10:00:00+07:00"
    explanation = "\n".join(lines[1:])
    assert "Nhận hồ sơ lúc 10:00 Thứ Năm 12/02/2026." in explanation
    assert "16/02–20/02/2026 (Tết Nguyên Đán)" in explanation
    assert "Hẹn trả kết quả: 10:00 Thứ Ba 24/02/2026" in explanation


def test_calendar_due_counts_working_hours(db):
    lines = due(*TET_2026, "--working-hours", "8")

    assert lines[0] == "2026-02-13T10:00:00+07:00"
    assert "Tết" not in "\n".join(lines)  # Friday 13/02 comes before the holiday


def test_calendar_due_uses_a_named_calendar(world):
    lines = due(*TET_2026, "--working-days", "3", "--calendar", "Hà Nội")

    assert lines[0] == "2026-02-24T10:00:00+07:00"
    with pytest.raises(CommandError, match="Không có lịch làm việc tên “Hải Phòng”"):
        due(*TET_2026, "--working-days", "3", "--calendar", "Hải Phòng")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--start", "12/02/2026 10:00", "--working-days", "3"],
            "không đúng dạng YYYY-MM-DDTHH:MM",
        ),
        (["--start", "2150-02-12T10:00", "--working-days", "3"], "nằm ngoài phạm vi lịch"),
        ([*TET_2026, "--working-days", "ba"], "--working-days phải là một số"),
        ([*TET_2026, "--working-hours", "-1"], "--working-hours không được âm"),
    ],
)
def test_calendar_due_refuses_bad_input_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        due(*args)


def test_the_motcua_command_works_without_a_migrated_database(tmp_path):
    # A fresh var directory: an empty SQLite file, so the national default calendar is used.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MOTCUA_VAR_DIR"] = str(tmp_path)
    args = [*TET_2026, "--working-days", "3"]

    result = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "calendar", "due", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-02-24T10:00:00+07:00"
    assert any("Tết Nguyên Đán" in line for line in lines[1:])


def test_audit_verify_passes_on_a_clean_chain_and_fails_after_tampering(world):
    version = world.record.versions.get()
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.record.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.ha,
        now=at("2026-11-25 09:30"),
    )
    dossier_act(dossier=d, action=Action.FORWARD, actor=world.ha, now=at("2026-11-25 10:00"))
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == (
        "Toàn vẹn: 1 hồ sơ, 2 sự kiện, 1 bước bàn giao, 0 lượt truy cập, 0 thay đổi quản trị, "
        "0 lần gọi API, không có sai lệch."
    )

    event = DossierEvent.objects.get(dossier=d, seq=1)
    DossierEvent.objects.filter(pk=event.pk).update(payload={**event.payload, "v": 2})
    err = StringIO()
    with pytest.raises(CommandError, match="Phát hiện 1 sai lệch trong 1 hồ sơ, 2 sự kiện"):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"{d.code} sự kiện 1: nội dung sự kiện đã bị thay đổi" in err.getvalue()


def test_audit_anchor_then_verify_against_it_finds_a_cut_tail(world, tmp_path):
    version = world.record.versions.get()
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.record.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.ha,
        now=at("2026-11-25 09:30"),
    )
    dossier_act(dossier=d, action=Action.FORWARD, actor=world.ha, now=at("2026-11-25 10:00"))
    anchor = tmp_path / "anchor.json"
    call_command("audit", "anchor", "--out", str(anchor), stderr=StringIO())
    out = StringIO()
    call_command("audit", "verify", "--anchor", str(anchor), stdout=out)
    assert "đối chiếu mốc neo lúc" in out.getvalue()
    assert "không có sai lệch" in out.getvalue()

    # The last event deleted and the row put back as it was before it: only the anchor knows.
    first = DossierEvent.objects.get(dossier=d, seq=1)
    DossierEvent.objects.filter(dossier=d, seq=2).delete()
    before = Dossier.objects.get(pk=d.pk)
    for name, value in first.payload["set"].items():
        field = Dossier._meta.get_field(name.removesuffix("_id"))
        setattr(before, field.attname, field.to_python(value) if value is not None else None)
    before.status, before.version, before.chain_head = first.to_status, 1, first.hash
    before.save()
    DossierStep.objects.filter(dossier=d).delete()
    call_command("audit", "verify", stdout=StringIO())  # the chain alone sees nothing
    err = StringIO()
    with pytest.raises(CommandError, match="Phát hiện 1 sai lệch"):
        call_command("audit", "verify", "--anchor", str(anchor), stdout=StringIO(), stderr=err)
    assert f"{d.code} sự kiện 2: sự kiện số 2 đã neo không còn (cắt đuôi chuỗi?)" in err.getvalue()


def test_audit_verify_refuses_a_file_that_is_not_an_anchor(db, tmp_path):
    bogus = tmp_path / "anchor.json"
    for text in ['{"format": "other"}', "[]", '{"format": "motcua-audit-anchor/1"}', "{"]:
        bogus.write_text(text)
        with pytest.raises(CommandError, match=r"không phải mốc neo|Không đọc được"):
            call_command("audit", "verify", "--anchor", str(bogus))
    with pytest.raises(CommandError, match="Không đọc được mốc neo"):
        call_command("audit", "verify", "--anchor", str(tmp_path / "missing.json"))


def test_audit_verify_exits_nonzero_on_a_problem(tmp_path):
    """Through the console script: a problem is a nonzero exit, for cron and CI."""
    env = {**os.environ, "MOTCUA_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    subprocess.run(
        [sys.executable, "-m", "motcua.cli", "migrate", "-v0"], env=env, check=True, cwd=ROOT
    )
    ok = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr
    with sqlite3.connect(tmp_path / "motcua.sqlite3") as db:
        db.execute(
            "INSERT INTO dossiers_dailysequence (agency_code, day, last) "
            "VALUES ('H26.100', '2026-11-25', 1)"
        )
    bad = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode != 0
    assert "H26.100-261125-0001: mã đã cấp nhưng không còn hồ sơ (bị xóa?)" in bad.stderr


@pytest.mark.parametrize(
    ("audit_key", "refused"),
    [(None, "MOTCUA_AUDIT_KEY"), ("short", "too weak"), ("k" * 40, None)],
    ids=["missing", "weak", "set"],
)
def test_production_requires_a_strong_audit_key(tmp_path, audit_key, refused):
    env = {
        **os.environ,
        "MOTCUA_ENV": "production",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "s" * 60,
        "SITE_URL": "https://motcua.hanoi.gov.vn",
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
    }
    env.pop("MOTCUA_AUDIT_KEY", None)
    if audit_key is not None:
        env["MOTCUA_AUDIT_KEY"] = audit_key
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(len(settings.AUDIT_KEY))"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if refused:
        assert result.returncode != 0 and refused in result.stderr
    else:
        assert result.returncode == 0 and result.stdout.strip() == "40", result.stderr
