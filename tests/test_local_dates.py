"""Every calendar date the system derives is the centre's local date (Asia/Ho_Chi_Minh), never
the UTC date nor the process's active time zone: between 00:00 and 07:00 in Hà Nội the UTC
date is still yesterday's. Each test runs its server side with UTC active, as a worker or a
server started with another zone would."""

from __future__ import annotations

from datetime import UTC, date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion, RequiredDocument, StepTemplate
from motcua.catalog.selectors import catalog_cache_clear
from motcua.core.calendar import DEFAULT_TZ, local_date
from motcua.dossiers.services import Intake, dossier_receive
from motcua.paperwork import rendering
from tests.conftest import at
from tests.dossiers.test_services import PERSON, intake

# 00:10 on Thursday 26/11 in Hà Nội is 17:10 on Wednesday 25/11 in UTC.
JUST_AFTER_MIDNIGHT = at("2026-11-26 00:10")


@pytest.fixture(autouse=True)
def _utc_active():
    with timezone.override(UTC):
        yield


@pytest.fixture
def new_version(world):
    """Version 2 of the chained procedure, in force from Thursday 26/11, with a new form."""
    version = ProcedureVersion.objects.create(
        procedure=world.chain,
        version=2,
        effective_from=date(2026, 11, 26),
        competent="commune",
        time_limit=3,
        time_limit_unit="working_days",
        fee=0,
    )
    for i, name in enumerate(["Tờ khai liên thông (mẫu 2026)", "Giấy chứng sinh"]):
        RequiredDocument.objects.create(version=version, order=i, name=name)
    for step in world.chain.versions.get(version=1).steps.all():
        StepTemplate.objects.create(
            version=version,
            order=step.order,
            name=step.name,
            agency_ref=step.agency_ref,
            unit_code=step.unit_code,
            role=step.role,
            allotment=step.allotment,
        )
    catalog_cache_clear()
    return version


def docs(version):
    return [d.pk for d in version.documents.all()]


def chained(world, version):
    return Intake(procedure_code=world.chain.code, applicant=PERSON, documents=docs(version))


def test_at_0010_local_on_its_first_day_the_new_version_is_chosen(world, new_version):
    d = dossier_receive(
        intake=chained(world, new_version),
        actor=world.lan,
        now=JUST_AFTER_MIDNIGHT.astimezone(UTC),
    )
    assert d.procedure_version == new_version
    old = world.chain.versions.get(version=1)
    before = dossier_receive(
        intake=chained(world, old), actor=world.lan, now=at("2026-11-25 23:50")
    )
    assert before.procedure_version == old


def test_the_days_code_is_the_local_day(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-26 06:30"))
    assert d.code == "H26.100-261126-0001"


def test_the_reception_page_offers_the_papers_of_the_version_in_force_today(
    world, new_version, client
):
    client.force_login(get_user_model().objects.get(pk=world.lan.user_id))

    def offered(moment):
        with time_machine.travel(moment, tick=False):
            page = client.get("/can-bo/tiep-nhan/", {"procedure": world.chain.code})
        assert page.status_code == 200
        return page.content.decode()

    the_day_before = offered(at("2026-11-25 23:50"))
    assert "Tờ khai liên thông" in the_day_before
    assert "mẫu 2026" not in the_day_before  # not yet in force
    assert "Tờ khai liên thông (mẫu 2026)" in offered(JUST_AFTER_MIDNIGHT)


def test_forms_write_the_local_date(world):
    early = at("2026-12-01 06:30")  # 23:30 on 30/11 in UTC
    assert rendering.vn_date(early) == "ngày 01 tháng 12 năm 2026"
    assert rendering.vn_short(early) == "01/12/2026"
    assert rendering.vn_time(early) == "06 giờ 30 phút, ngày 01 tháng 12 năm 2026"


def test_the_ledger_period_is_made_of_local_days(world, client):
    early = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-12-01 06:30"))
    late = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-30 23:30"))
    client.force_login(get_user_model().objects.get(pk=world.lan.user_id))
    december = client.get("/mau/so-theo-doi/", {"from": "2026-12-01", "to": "2026-12-01"})
    november = client.get("/mau/so-theo-doi/", {"from": "2026-11-30", "to": "2026-11-30"})
    assert december.status_code == november.status_code == 200
    assert early.code in december.content.decode()
    assert late.code not in december.content.decode()
    assert late.code in november.content.decode()
    assert early.code not in november.content.decode()


def test_the_ledger_defaults_to_the_local_month(world, client):
    """At 06:30 on 1 December in Hà Nội it is still November in UTC."""
    client.force_login(get_user_model().objects.get(pk=world.lan.user_id))
    with time_machine.travel(at("2026-12-01 06:30"), tick=False):
        page = client.get("/mau/so-theo-doi/")
    assert "Từ ngày 01/12/2026 đến ngày 31/12/2026" in page.content.decode()


def test_a_moment_typed_in_a_form_is_local_time():
    from motcua.fields import LocalDateTimeField

    field = LocalDateTimeField(earliest=at("2026-01-01 00:00"), latest=at("2027-01-01 00:00"))
    assert field.clean("2026-12-01T09:00") == at("2026-12-01 09:00")


def test_the_demo_plays_each_dossier_with_the_version_in_force_on_its_local_day(world, new_version):
    from motcua.dossiers.demo import generate_demo_dossiers
    from motcua.dossiers.models import Dossier

    generate_demo_dossiers(count=120, now=at("2026-12-04 10:00"))
    chained = Dossier.objects.filter(procedure_version__procedure=world.chain)
    # The seeded history has dossiers of both versions (the old code played none at all).
    assert set(chained.values_list("procedure_version__version", flat=True)) == {1, 2}
    for d in chained.select_related("procedure_version"):
        in_force = 2 if local_date(d.submitted_at, DEFAULT_TZ) >= date(2026, 11, 26) else 1
        assert d.procedure_version.version == in_force, d.submitted_at
        offered = set(d.procedure_version.documents.values_list("pk", flat=True))
        assert (
            set(d.documents.exclude(required=None).values_list("required_id", flat=True)) <= offered
        )
