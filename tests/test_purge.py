"""Issue 11: `motcua purge` deletes or pseudonymises personal data past its period, and after
it `audit verify` still passes and the oversight tallies are what they were."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
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


def test_the_scans_files_go_and_their_hashes_stay(world, django_capture_on_commit_callbacks):
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
    from motcua.dossiers.models import DossierResult

    scan, copy = DossierScan.objects.get(), DossierResult.objects.get()
    assert default_storage.exists(scan.file.name) and default_storage.exists(copy.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        purge(now=LATER, apply=True, only={Record.DOSSIER})
    assert not default_storage.exists(scan.file.name)
    assert not default_storage.exists(copy.file.name)
    # The rows and their hashes stay; their file names say the files are gone.
    assert DossierScan.objects.values_list("sha256", "file").get() == (scan.sha256, "")
    assert DossierResult.objects.values_list("sha256", "file").get() == (copy.sha256, "")
    assert audit.verify().problems == []


def test_a_file_purged_is_said_gone_not_a_server_error(
    world, client, django_capture_on_commit_callbacks
):
    from motcua.dossiers.models import DossierResult, DossierScan

    d = returned(world)
    scan = DossierScan.objects.create(
        dossier=d,
        document=d.documents.first(),
        file="scans/x.png",
        sha256="0" * 64,
        size=1,
        content_type="image/png",
        uploaded_at=at("2026-11-25 08:30"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        purge(now=LATER, apply=True, only={Record.DOSSIER})
    client.force_login(get_user_model().objects.get(username="lan"))
    for url in (f"/can-bo/ho-so/{d.pk}/ket-qua/", f"/can-bo/ho-so/{d.pk}/ban-quet/{scan.pk}/"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "hết thời hạn lưu giữ" in page.content.decode(), url
    assert DossierResult.objects.get().file == ""


def test_ratings_addresses_bookings_and_payments_go_after_their_periods(world):
    from datetime import date, time

    from motcua.appointments.models import Booking
    from motcua.citizens.models import Citizen
    from motcua.feedback.models import Rating
    from motcua.payments.models import Payment
    from tests.feedback.test_services import rate

    d = returned(world)
    rate(d, address="203.0.113.7")  # 2026-11-26 09:00
    an = Citizen.objects.create(
        email="an@example.vn", full_name="Nguyễn Văn An", created_at=at("2026-11-01 08:00")
    )
    Booking.objects.create(
        citizen=an, procedure=world.birth, branch=world.hoan_kiem, day=date(2026, 11, 30),
        start=time(8), end=time(9), ticket="0800-01", key="k" * 32,
        created_at=at("2026-11-27 10:00"),
    )  # fmt: skip
    Payment.objects.create(
        dossier=d, reference="P-1", method="desk", state="paid", amount_due=16_000,
        amount=16_000, receipt_key="r" * 32, payer_name="Trần Văn Bình",
        payer_email="binh@example.vn", citizen=an, created_at=at("2026-11-25 09:35"),
        paid_at=at("2026-11-25 09:35"),
    )  # fmt: skip
    kinds = {Record.RATING_ADDRESS, Record.BOOKING, Record.PAYMENT}

    def counts(when):
        return {
            line.rule.record: line.count for line in purge(now=at(when), apply=False, only=kinds)
        }

    # A year after the rating its address is due; the booking's day is a year old only
    # from the next local day; the payment, an accounting record, stays ten years.
    assert counts("2027-11-26 08:59") == {k: 0 for k in kinds}
    assert counts("2027-11-30 09:00") == {
        Record.RATING_ADDRESS: 1,
        Record.BOOKING: 0,
        Record.PAYMENT: 0,
    }
    assert counts("2027-12-01 00:30") == {
        Record.RATING_ADDRESS: 1,
        Record.BOOKING: 1,
        Record.PAYMENT: 0,
    }
    purge(now=LATER, apply=True, only=kinds)
    assert Rating.objects.get().address is None
    assert Rating.objects.get().comment == "Cán bộ nhiệt tình"  # the rating itself stays
    assert not Booking.objects.exists()
    paid = Payment.objects.get()
    assert (paid.payer_name, paid.payer_email, paid.citizen_id) == (PSEUDONYM, "", None)
    assert (paid.amount, paid.reference) == (16_000, "P-1")
    assert counts("2037-01-01 09:00") == {k: 0 for k in kinds}
