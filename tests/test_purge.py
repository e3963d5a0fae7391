"""Issue 11: `motcua purge` deletes or pseudonymises personal data past its period, and after
it `audit verify` still passes and the oversight tallies are what they were."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from motcua.citizens.models import Challenge
from motcua.core.retention import PSEUDONYM, Record
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierAccess
from motcua.dossiers.services import dossier_receive, dossier_view_personal_data
from motcua.notify.models import OutboxMessage
from motcua.oversight.models import AgencyTally, DossierTally, StepTally
from motcua.oversight.services import tallies_rebuild
from motcua.purge import purge
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.feedback.test_services import returned

pytestmark = pytest.mark.django_db
LATER = at("2037-01-01 09:00")  # past every default period of what is made on 2026-11-25


def tallies():
    return [
        sorted(tuple(v for k, v in row.items() if k != "id") for row in model.objects.values())
        for model in (AgencyTally, DossierTally, StepTally)
    ]


@pytest.fixture
def lived(world):
    done = returned(world)
    still_open = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:00"))
    dossier_view_personal_data(dossier=still_open, actor=world.son, now=at("2026-11-25 10:00"))
    Challenge.objects.create(
        purpose="signup",
        kind="email",
        address="an@example.vn",
        code_hash="x" * 64,
        created_at=at("2026-11-25 09:00"),
        expires_at=at("2026-11-25 09:15"),
    )
    session = SessionStore()
    session["x"] = 1
    session.create()
    Session.objects.filter(pk=session.session_key).update(expire_date=at("2026-11-26 09:00"))
    OutboxMessage.objects.update(sent_at=at("2026-11-25 12:00"))
    tallies_rebuild()
    return done, still_open


def test_a_dry_run_changes_nothing(lived):
    done, _open = lived
    before = (
        Dossier.objects.get(pk=done.pk).applicant_name,
        Challenge.objects.count(),
        Session.objects.count(),
        OutboxMessage.objects.count(),
        DossierAccess.objects.count(),
    )
    counts = {line.rule.record: line.count for line in purge(now=LATER, apply=False)}
    assert counts[Record.DOSSIER] == 1 and counts[Record.SIGNUP_CODE] == 1
    assert counts[Record.SESSION] == 1 and counts[Record.READ_LOG] == 1
    assert counts[Record.OUTBOX] == OutboxMessage.objects.count() > 0
    after = (
        Dossier.objects.get(pk=done.pk).applicant_name,
        Challenge.objects.count(),
        Session.objects.count(),
        OutboxMessage.objects.count(),
        DossierAccess.objects.count(),
    )
    assert after == before


def test_after_purge_verify_passes_and_the_tallies_are_unchanged(lived):
    done, still_open = lived
    assert audit.verify().problems == []
    figures = tallies()
    assert figures[0], "the tallies hold rows to compare"
    purge(now=LATER, apply=True)
    d = Dossier.objects.get(pk=done.pk)
    assert d.applicant_name == PSEUDONYM
    assert (d.applicant_id_number, d.applicant_phone, d.search_numbers) == ("", "", "")
    assert d.code == done.code and d.status == done.status  # the record stays
    kept = Dossier.objects.get(pk=still_open.pk)
    assert kept.applicant_name == still_open.applicant_name  # not finished: not due
    assert not Challenge.objects.exists() and not Session.objects.exists()
    assert not OutboxMessage.objects.exists() and not DossierAccess.objects.exists()
    assert audit.verify().problems == []
    assert tallies() == figures
    tallies_rebuild()  # and rebuilt from the events, the same figures
    assert tallies() == figures


def test_nothing_is_due_before_its_period(lived):
    done, _open = lived
    lines = purge(now=at("2026-12-01 09:00"), apply=True)
    counts = {line.rule.record: line.count for line in lines}
    assert counts[Record.DOSSIER] == 0 and counts[Record.READ_LOG] == 0
    assert Dossier.objects.get(pk=done.pk).applicant_name == done.applicant_name


def test_a_second_purge_finds_nothing_more(lived):
    purge(now=LATER, apply=True)
    assert all(line.count == 0 for line in purge(now=LATER, apply=True))


def test_the_periods_come_from_the_settings(lived, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "dossier": 20 * 365}
    counts = {line.rule.record: line.count for line in purge(now=LATER, apply=False)}
    assert counts[Record.DOSSIER] == 0


def test_the_command_is_a_dry_run_unless_told(lived):
    out = StringIO()
    call_command("purge", "--now", "2037-01-01T09:00", "--only", "dossier", stdout=out)
    assert "dossier: sẽ ẩn danh 1 hồ sơ đã kết thúc (giữ 3650 ngày)" in out.getvalue()
    assert "Chạy thử" in out.getvalue()
    assert Dossier.objects.filter(applicant_name=PSEUDONYM).count() == 0
    out = StringIO()
    call_command("purge", "--now", "2037-01-01T09:00", "--only", "dossier", "--apply", stdout=out)
    assert "dossier: đã ẩn danh 1 hồ sơ đã kết thúc" in out.getvalue()
    assert Dossier.objects.filter(applicant_name=PSEUDONYM).count() == 1
    assert timezone.now() - Dossier.objects.get(applicant_name=PSEUDONYM).finished_at > timedelta(0)


def test_the_scans_files_go_and_their_hashes_stay(world):
    from django.core.files.storage import default_storage

    from motcua.core.lifecycle import Action
    from motcua.dossiers.models import DossierScan
    from motcua.dossiers.services import Handover
    from tests import scanfiles
    from tests.feedback.test_services import act, forward

    paper = world.birth.versions.get().documents.first()
    d = dossier_receive(
        intake=intake(world, world.birth),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        scans={paper.pk: scanfiles.upload(scanfiles.PNG, "cccd.png")},
    )
    d = forward(d, world.lan, "2026-11-25 08:45")
    d = act(d, Action.PROPOSE, world.duc, "2026-11-25 10:00")
    d = forward(d, world.duc, "2026-11-25 10:05")
    d = act(d, Action.APPROVE, world.long, "2026-11-25 11:00")
    d = act(
        d,
        Action.MARK_READY,
        world.long,
        "2026-11-25 11:05",
        result=scanfiles.upload(scanfiles.PDF, "kq.pdf"),
    )
    act(
        d,
        Action.RETURN_RESULT,
        world.lan,
        "2026-11-25 14:00",
        handover=Handover("post", "12/QĐ-UBND", tracking="EB123456789VN", confirmed=True),
    )
    scan = DossierScan.objects.get()
    assert default_storage.exists(scan.file.name)
    purge(now=LATER, apply=True, only={Record.DOSSIER})
    assert not default_storage.exists(scan.file.name)
    assert DossierScan.objects.get().sha256 == scan.sha256
    assert audit.verify().problems == []
