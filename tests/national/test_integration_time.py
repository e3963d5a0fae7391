"""Integration time apart: a dossier filed on the national portal that reached this
installation late is, when that alone made it late, not the agency's delay (766 oversight)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from motcua.core.indicators import Period
from motcua.core.lifecycle import Action
from motcua.dossiers.services import Applicant, dossier_act, dossier_receive
from motcua.national import link
from motcua.national.selectors import integration_seconds, integration_waits
from motcua.organization.selectors import Actor
from motcua.oversight.selectors import figures_by
from motcua.oversight.services import tallies_refresh
from tests.conftest import at
from tests.dossiers.test_services import intake as online_intake
from tests.oversight.histories import _settle

pytestmark = pytest.mark.django_db
PERIOD = Period(date(2026, 12, 1), date(2026, 12, 31))


def _from_portal(world, *, filed: str, name: str):
    """A birth registration the citizen filed on the national portal at `filed` (NgayNopHoSo),
    lodged online at Hoàn Kiếm with its clock from then (DOMAIN §5: the online system's
    timestamp)."""
    intake = online_intake(
        world,
        world.birth,
        applicant=Applicant(name=name, id_number="001203012345"),
        channel=2,
        competent_agency_code=world.hoan_kiem.code,
    )
    actor = Actor(role=Actor.citizen().role, name=name, agency=world.hoan_kiem)
    return dossier_receive(intake=intake, actor=actor, now=at(filed), outcome=Action.SUBMIT)


def _late_by_an_hour(world, d):
    """Accepted at 16:40 on the day it was filed, settled the next morning: an hour after its
    same-day appointment (17:00)."""
    d = dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-12-01 16:40"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-01 16:45"))
    return _settle(world, d, appraised="2026-12-02 08:30", approved="2026-12-02 09:00")


@dataclass(frozen=True)
class TimedLink(link.NationalLink):
    """The portal's link with the two moments the wait is measured between."""

    submitted_at: datetime | None = None
    arrived_at: datetime | None = None


def _portal_link(arrivals):
    def national_link(dossier_id):
        arrived = arrivals.get(dossier_id)
        if arrived is None:
            return None
        return TimedLink(
            portal_ref=f"G22.QG-{dossier_id}",
            adapter_version="tt04-2025.1",
            vneid=True,
            paid_online=0,
            digitised=True,
            papers=(),
            fees=(),
            submitted_at=at("2026-12-01 08:00"),
            arrived_at=arrived,
        )

    return national_link


def test_a_dossier_late_only_by_the_portal_is_not_the_agencys_delay(world, monkeypatch):
    arrivals = {}
    monkeypatch.setattr(link, "national_link", _portal_link(arrivals))
    held_up = _from_portal(world, filed="2026-12-01 08:00", name="Trần Văn Chờ")
    # The portal handed it over at 16:30: seven and a half working hours after the filing.
    arrivals[held_up.pk] = at("2026-12-01 16:30")
    own_fault = _from_portal(world, filed="2026-12-01 08:00", name="Trần Văn Chậm")
    arrivals[own_fault.pk] = at("2026-12-01 08:05")  # here at once: the delay is the desk's
    _late_by_an_hour(world, held_up)
    _late_by_an_hour(world, own_fault)
    assert integration_seconds([held_up.pk, own_fault.pk]) == {
        held_up.pk: 7 * 3600 + 30 * 60,  # 08:00-16:30 without the lunch hour
        own_fault.pk: 300,
    }
    assert [w.kind for w in integration_waits(held_up.pk)] == ["portal"]
    tallies_refresh(now=at("2026-12-02 10:00"))
    figures = figures_by(period=PERIOD, agencies=[world.hoan_kiem.pk])[world.hoan_kiem.pk]
    p = figures.period
    assert (p.late, p.late_integration, p.late_agency) == (2, 1, 1)
    assert p.integration_seconds == 7 * 3600 + 30 * 60 + 300


def test_without_the_portal_link_every_late_dossier_is_the_agencys(world, monkeypatch):
    """The test above can fail: the same histories with no portal data count both late."""
    monkeypatch.setattr(link, "national_link", _portal_link({}))
    for name in ("Trần Văn Chờ", "Trần Văn Chậm"):
        _late_by_an_hour(world, _from_portal(world, filed="2026-12-01 08:00", name=name))
    tallies_refresh(now=at("2026-12-02 10:00"))
    p = figures_by(period=PERIOD, agencies=[world.hoan_kiem.pk])[world.hoan_kiem.pk].period
    assert (p.late, p.late_integration, p.late_agency) == (2, 0, 2)


def test_only_the_wait_inside_the_clock_counts(world, monkeypatch):
    """Lodged when it arrived (the clock starts then, as the inbound endpoint lodges today),
    the portal's delay is kept as a wait but is none of the dossier's clock: 0 seconds."""
    arrivals = {}
    monkeypatch.setattr(link, "national_link", _portal_link(arrivals))
    d = _from_portal(world, filed="2026-12-01 16:30", name="Trần Văn Đến")
    arrivals[d.pk] = at("2026-12-01 16:30")
    dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-12-01 16:40"))
    (wait,) = integration_waits(d.pk)
    assert (wait.started_at, wait.ended_at, wait.seconds) == (
        at("2026-12-01 08:00"),
        at("2026-12-01 16:30"),
        0,
    )
    assert integration_seconds([d.pk]) == {}


def test_time_in_flight_between_installations_counts_too(world, monkeypatch):
    """The exchange's waits (motcua.exchange) are integration time in the same figures."""
    from motcua.exchange.models import Wait

    monkeypatch.setattr(link, "national_link", _portal_link({}))
    d = _from_portal(world, filed="2026-12-01 08:00", name="Trần Văn Xa")
    Wait.objects.create(
        dossier_id=d.pk,
        step_index=1,
        leg="request",
        started_at=at("2026-12-01 08:00"),
        ended_at=at("2026-12-01 16:00"),
        seconds=7 * 3600,
    )
    _late_by_an_hour(world, d)
    tallies_refresh(now=at("2026-12-02 10:00"))
    p = figures_by(period=PERIOD, agencies=[world.hoan_kiem.pk])[world.hoan_kiem.pk].period
    assert (p.late, p.late_integration, p.integration_seconds) == (1, 1, 7 * 3600)
