"""Issue 12's whole path: a dossier filed on the national portal (its simulator) arrives
through /api/v1, is accepted at the commune's desk, has its middle step done by an agency on
another installation (liên thông) and returned, is decided and handed over; the portal,
which failed twice, then holds every status of it in order, each exactly once. The wait on
the portal and the messages' time in flight are integration time, never the agencies'."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from motcua.api.selectors import national_by_ref
from motcua.api.services import client_create
from motcua.core.lifecycle import Action
from motcua.dossiers import audit
from motcua.dossiers.selectors import dossier_public, dossier_steps
from motcua.dossiers.services import Handover, dossier_act
from motcua.exchange.selectors import exchange_integration_seconds
from motcua.national.selectors import integration_seconds
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from motcua.simulator.services import (
    Applicant,
    Filing,
    PaperIn,
    received_records,
    simulator_control,
    simulator_submit,
)
from tests.conftest import at
from tests.exchange.common import checked_procedure
from tests.exchange.test_messages import post, result_wire
from tests.national.conftest import BASE, portal, wire  # noqa: F401 (fixtures)
from tests.oversight.histories import _settle

pytestmark = pytest.mark.django_db
REF = "000.00.00.G22-261207-0001"
CITIZEN = Applicant("Nguyễn Văn An", "001203012345", "12 Hàng Bạc", "0912345678", "an@x.vn")


@pytest.fixture
def api_key(world):
    with time_machine.travel(at("2026-12-04 08:00"), tick=False):
        issued = client_create(
            name="Cổng Dịch vụ công quốc gia",
            agency_codes=[world.hoan_kiem.code],
            operations=["national.submit"],
            requests_per_minute=1000,
            now=at("2026-12-04 08:00"),
        )
    return issued.key


@pytest.mark.usefixtures("portal")
def test_a_portal_dossier_goes_to_another_installation_and_is_synced_back_once_in_order(
    world, peer, api_key, client
):
    procedure = checked_procedure()
    simulator_control(fail_next=2)
    papers = procedure.versions.get().documents.order_by("order")
    filing = Filing(
        portal_ref=REF,
        procedure_code=procedure.code,
        agency_code=world.hoan_kiem.code,
        submitted_at=at("2026-12-07 08:00"),  # Monday; the portal hands it over at 10:00
        applicant=CITIZEN,
        papers=[PaperIn(p.name, required_id=p.pk) for p in papers],
        fees=[],
        paid_online=0,
    )
    with time_machine.travel(at("2026-12-07 10:00"), tick=False):
        (sent,) = simulator_submit(
            filing, api_key=api_key, now=at("2026-12-07 10:00"), site_url=BASE
        )
    assert sent.status_code == 201, sent.answer
    d = dossier_public(national_by_ref(REF))
    assert d.submitted_at == at("2026-12-07 08:00")  # the portal's timestamp starts the clock
    d = dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-12-07 10:30"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-07 10:40"))
    # The step is at the Department of Justice, on installation B: a signed request is queued.
    assert d.current_agency_id == world.justice.pk
    request = OutboxMessage.objects.get(channel="exchange")
    OutboxMessage.objects.filter(pk=request.pk).update(sent_at=at("2026-12-07 11:00"))  # B got it
    _envelope, result = result_wire(
        peer,
        d,
        started_at=at("2026-12-07 11:00").isoformat(),
        ended_at=at("2026-12-08 09:00").isoformat(),
    )
    answer = post(client, result, "2026-12-09 10:59")
    assert answer.status_code == 200, answer.content
    d.refresh_from_db()
    assert (d.step_index, d.current_agency_id) == (2, world.hoan_kiem.pk)
    d = _settle(world, d, appraised="2026-12-09 14:00", approved="2026-12-09 15:00")
    d = dossier_act(
        dossier=d,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-12-09 16:00"),
        handover=Handover(
            "desk", "15/PLLTP", "applicant", id_number=CITIZEN.id_number, confirmed=True
        ),
    )
    # B's step is judged with B's times, against the due date A gave it.
    step = dossier_steps(d)[1]
    assert (step.agency_id, step.started_at, step.ended_at) == (
        world.justice.pk,
        at("2026-12-07 11:00"),
        at("2026-12-08 09:00"),
    )
    # The portal's two hours, and the messages' time in flight, are integration time.
    assert integration_seconds([d.pk])[d.pk] == 2 * 3600
    assert exchange_integration_seconds(d.pk) > 0

    # The worker's passes: the portal fails twice (each try followed by its backoff), then
    # takes everything; later passes send nothing again.
    t = at("2026-12-09 16:05")
    for minutes in (0, 1, 2, 6, 30, 120):
        outbox_deliver(now=t + timedelta(minutes=minutes))
    received = received_records(portal_ref=REF)
    assert [r.status for r in received] == [1, 2, 4, 9, 10]
    assert [r.seq for r in received] == sorted({r.seq for r in received})
    assert all(r.deliveries == 1 for r in received)
    assert {r.record["MaHoSo"] for r in received[1:]} == {d.code}
    assert received[-1].record["MaKetQua"] == "15/PLLTP"
    assert audit.verify().problems == []
