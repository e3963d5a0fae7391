"""`motcua demo` builds a deployment every page has something to show for."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import models
from django.test import override_settings

from motcua.core.lifecycle import Role, Status
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierDocument, DossierScan, DossierStep
from motcua.organization.models import Agency, Staff

_DEPLOYED_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
STAFF_ROLES = {r.value for r in Role} - {Role.CITIZEN.value, Role.SYSTEM.value}


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    """Loaded once for the module (it takes a few seconds), removed afterwards; its scans go
    to a directory of its own."""
    from django.core.cache import cache

    from motcua.caching import Family

    # What an earlier module's test cached (an agency looked up by its code, whose row that
    # test's rollback removed) must not stand for the demo's.
    cache.clear()
    Family.drop_local_copies()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media):
        out = io.StringIO()
        call_command("demo", dossiers=150, no_serve=True, stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_it_creates_the_city_its_communes_and_an_account_for_every_role(demo):
    assert Agency.objects.filter(kind=Agency.Kind.COMMUNE).count() == 126
    assert set(Staff.objects.values_list("role", flat=True)) == STAFF_ROLES
    assert "mật khẩu chung" in demo
    for username in Staff.objects.values_list("user__username", flat=True):
        assert f"  {username} " in demo


@pytest.mark.django_db
def test_every_agency_that_holds_a_step_has_a_head_to_sign_its_apologies(demo):
    holding = set(DossierStep.objects.values_list("agency_id", flat=True))
    headed = set(Staff.objects.filter(role=Role.AGENCY_LEADER).values_list("agency_id", flat=True))
    assert holding
    assert holding <= headed, Agency.objects.filter(pk__in=holding - headed)


@pytest.mark.django_db
def test_the_history_has_every_kind_of_dossier_and_an_intact_audit_chain(demo):
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.REFUSED, Status.PROCESSING, Status.RETURNED} <= statuses
    assert Dossier.objects.exclude(overdue_at=None).exists()  # some late
    assert Dossier.objects.filter(supplement_requests__gt=0).exists()  # some paused
    # Every chain, every projection rebuilt from its events, every number of every day.
    assert [str(p) for p in audit.verify().problems] == []


@pytest.mark.django_db
def test_every_dossier_is_played_to_the_end_none_left_half_way(demo):
    """A path the rules refuse half-way leaves a dossier the demo does not count (and that
    then sits late forever): the demo's own figure is every dossier there is, besides the
    three the national portal's simulator filed, which wait for the desk on purpose."""
    created = int(re.search(r"Đã tạo (\d+) hồ sơ", demo).group(1))
    assert "đã nộp 3 hồ sơ" in demo
    assert created == Dossier.objects.count() - 3 == 150


@pytest.mark.django_db
def test_every_late_dossier_has_an_apology_the_head_of_its_agency_can_sign(demo):
    """Late dossiers whose clock runs all have form 04: drafted (late ones included) and
    waiting in the head's queue, where the head may sign it, or signed already. (With the
    module's 150 dossiers there may be no draft left waiting: the worker's own tests show
    an overdue dossier getting one.)"""
    from django.utils import timezone

    from motcua.core.lifecycle import Action
    from motcua.dossiers.models import ApologyLetter
    from motcua.dossiers.selectors import apologies_to_sign, dossier_allowed_actions
    from motcua.organization.selectors import staff_actor

    now = timezone.now()
    late = Dossier.objects.filter(status__in=[2, 4, 6], original_due_at__lt=now)
    assert late.exists()
    assert not late.filter(apology="none").exists()
    drafts = ApologyLetter.objects.filter(dossier__in=late, approved_at=None)
    for letter in drafts.select_related("dossier"):
        head = Staff.objects.filter(agency_id=letter.agency_id, role=Role.AGENCY_LEADER).first()
        actor = staff_actor(head.user_id)
        assert letter in apologies_to_sign(actor=actor)
        allowed = dossier_allowed_actions(letter.dossier, actor, now)
        assert Action.APPROVE_APOLOGY in allowed, letter.dossier.code


@pytest.mark.django_db
def test_the_demo_digitises_some_papers_not_all_and_records_how_results_went(demo, demo_media):
    papers = DossierDocument.objects.filter(dossier__received_at__isnull=False)
    scanned = papers.filter(scans__isnull=False).distinct().count()
    assert 0 < scanned < papers.count()
    for scan in DossierScan.objects.all()[:20]:
        assert (demo_media / scan.file.name).stat().st_size == scan.size
    returned = Dossier.objects.filter(status=Status.RETURNED)
    assert returned.exists()
    assert not returned.filter(result_number="").exists()
    assert not returned.filter(delivery="desk", collector_name="").exists()
    assert not returned.filter(delivery="post", post_tracking="").exists()


@pytest.mark.django_db
def test_the_demo_has_ratings_some_entered_at_a_desk_and_all_of_returned_dossiers(demo):
    from motcua.feedback.models import Rating

    ratings = Rating.objects.all()
    assert ratings.count() > 3
    assert 0 < ratings.filter(at_desk=True).count() < ratings.count()
    assert not ratings.exclude(dossier__status=Status.RETURNED).exists()
    assert not ratings.filter(created_at__lt=models.F("returned_at")).exists()
    assert re.search(r"Đã tạo \d+ đánh giá \(\d+ nhập tại quầy\)", demo)


@pytest.mark.django_db
def test_the_demo_has_feedback_in_every_state_through_the_real_services(demo):
    from django.utils import timezone

    from motcua.core.feedback import Level, State
    from motcua.feedback.models import Feedback, FeedbackEvent, PendingFeedback

    now = timezone.now()
    items = Feedback.objects.all()
    open_in_time = items.filter(state=State.OPEN, handle_by__gt=now)
    assert open_in_time.exists()
    assert items.filter(events__kind="forward").exists()
    assert items.filter(state=State.OPEN).exclude(replied_at=None).exists()  # asked, replied
    assert items.filter(state=State.REFUSED).exists()
    answered = items.filter(state=State.ANSWERED)
    assert answered.filter(published_at=None).exists()
    published = answered.exclude(published_at=None)
    assert published.count() >= 3
    # Late ones were escalated, to the head and on to the oversight office; none in time was.
    late = items.filter(state=State.OPEN, handle_by__lte=now)
    assert late.filter(level=Level.HEAD).exists()
    assert late.filter(level=Level.OVERSIGHT).exists()
    assert not open_in_time.exclude(level=Level.AGENCY).exists()
    assert FeedbackEvent.objects.filter(kind="escalate").count() >= 3
    # Every item has its log from its filing; every address was verified, and two filings
    # whose address never was wait, routed nowhere.
    assert not items.exclude(events__kind="file").exists()
    assert not items.filter(contact_verified=False).exists()
    assert PendingFeedback.objects.filter(item=None).count() == 2
    # What the public list shows of them has nothing personal.
    for item in published:
        for private in (item.name, item.email, item.phone, item.code):
            if private:
                assert private not in item.public_question + item.public_answer


@pytest.mark.django_db
def test_the_published_answers_page_of_the_demo_lists_them(demo, client):
    from django.urls import reverse

    page = client.get(reverse("feedback:answers"))
    assert page.status_code == 200
    assert page.content.decode().count('<li class="card">') >= 3


@pytest.mark.django_db
def test_the_demo_has_citizen_accounts_and_the_first_wards_bookings(demo, settings):
    from django.conf import settings as configured
    from django.contrib.auth.hashers import check_password

    # The demo hashed with the deployment's hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = [*configured.PASSWORD_HASHERS, *_DEPLOYED_HASHERS]

    from motcua.appointments.models import Booking
    from motcua.citizens.models import Citizen
    from motcua.organization.demo import DEMO_PASSWORD

    citizens = list(Citizen.objects.filter(email__startswith="congdan"))
    assert len(citizens) == 3
    assert all(check_password(DEMO_PASSWORD, c.password) for c in citizens)
    booked = Booking.objects.filter(branch__code="H26.100")
    assert booked.count() >= 2
    assert {b.citizen_id for b in booked} <= {c.pk for c in citizens}
    assert re.search(r"Tạo 3 tài khoản công dân mẫu và [23] lịch hẹn", demo)
    assert "congdan1@example.vn" in demo


@pytest.mark.django_db
def test_the_demos_heads_sign_in_with_the_printed_second_factor(demo, client, settings):
    from tests.second_factor import code_from_secret

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # the demo's

    password = re.search(r"mật khẩu chung: (\S+)\)", demo)[1]
    secret = re.search(r"khóa TOTP chung cho ứng dụng xác thực ([A-Z2-7 ]+?),", demo)[1]
    recovery = re.search(r"mã dự phòng (\S+),", demo)[1]
    for username, factor in [("giamsat", code_from_secret(secret)), ("ttpvhcc.giamdoc", recovery)]:
        signin = client.post("/can-bo/dang-nhap/", {"username": username, "password": password})
        assert signin["Location"] == "/can-bo/dang-nhap/ma-xac-thuc/"
        assert client.post(signin["Location"], {"code": factor})["Location"] == "/can-bo/"
        assert client.get("/can-bo/").status_code == 200
        client.post("/can-bo/dang-xuat/")


@pytest.mark.django_db
def test_the_national_portal_simulator_files_a_few_dossiers_that_are_synced(demo):
    from django.conf import settings

    from motcua.api.selectors import national_by_ref
    from motcua.national.selectors import dossier_syncs
    from motcua.simulator.models import Submission

    filed = list(Submission.objects.all())
    assert len(filed) == 3 and {s.status_code for s in filed} == {201}
    for s in filed:
        d = Dossier.objects.get(pk=national_by_ref(s.portal_ref))
        assert (d.status, d.channel, d.received_place.code) == (Status.NEW, 2, "H26.100")
        # Filed while connected to the simulator: the first status waits for the worker.
        assert [(x.status, x.acknowledged_at) for x in dossier_syncs(d.pk)] == [(1, None)]
    assert "mo-phong/cong-dvcqg" in demo
    assert settings.NATIONAL_PORTAL_URL == ""  # the loading's connection was put back
