"""`motcua demo` builds a deployment every page has something to show for."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from motcua.core.lifecycle import Role, Status
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierStep
from motcua.organization.models import Agency, Staff

STAFF_ROLES = {r.value for r in Role} - {Role.CITIZEN.value, Role.SYSTEM.value}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module (it takes a few seconds), removed afterwards."""
    with django_db_blocker.unblock():
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
