"""A dossier filed through the portal simulator, accepted at the desk, processed and returned,
is synced back to the portal with every status in order, exactly once, although the portal
failed twice (issue 12). tests/exchange/test_with_the_portal.py takes the same path through
a step done on another installation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from motcua.api.selectors import national_by_ref
from motcua.api.services import client_create
from motcua.core.lifecycle import Action
from motcua.dossiers.selectors import dossier_public
from motcua.dossiers.services import Handover, dossier_act
from motcua.national.models import NationalSync
from motcua.notify.services import outbox_deliver
from motcua.simulator.services import (
    Applicant,
    FeeIn,
    Filing,
    PaperIn,
    received_records,
    simulator_control,
    simulator_submit,
)
from tests.conftest import at
from tests.national.conftest import BASE
from tests.oversight.histories import _settle

pytestmark = pytest.mark.django_db
REF = "000.00.00.G22-261201-0001"
CITIZEN = Applicant("Nguyễn Văn An", "001203012345", "12 Hàng Bạc", "0912345678", "an@x.vn")


def _filing(world, *, filed: str) -> Filing:
    papers = world.birth.versions.get().documents.order_by("order")
    return Filing(
        portal_ref=REF,
        procedure_code=world.birth.code,
        agency_code=world.hoan_kiem.code,
        submitted_at=at(filed),
        applicant=CITIZEN,
        papers=[PaperIn(p.name, required_id=p.pk) for p in papers],
        fees=[FeeIn("Lệ phí đăng ký khai sinh", 0)],
        paid_online=0,
    )


@pytest.fixture
def api_key(world):
    """The national portal's key at this installation, for Phường Hoàn Kiếm."""
    with time_machine.travel(at("2026-11-30 08:00"), tick=False):
        issued = client_create(
            name="Cổng Dịch vụ công quốc gia",
            agency_codes=[world.hoan_kiem.code],
            operations=["national.submit"],
            requests_per_minute=1000,
            now=at("2026-11-30 08:00"),
        )
    return issued.key


def test_a_portal_dossier_is_synced_back_in_order_once_after_two_failures(world, portal, api_key):
    simulator_control(fail_next=2)
    # Filed on the portal at 07:55, delivered at 08:00, and delivered again (a portal retry).
    with time_machine.travel(at("2026-12-01 08:00"), tick=False):
        sent = simulator_submit(
            _filing(world, filed="2026-12-01 07:55"),
            api_key=api_key,
            now=at("2026-12-01 08:00"),
            site_url=BASE,
            times=2,
        )
    # The same key again: the endpoint replays its first answer; one dossier.
    assert [s.status_code for s in sent] == [201, 201], sent[0].answer
    pk = national_by_ref(REF)
    assert pk is not None and sent[0].answer == sent[1].answer
    d = dossier_public(pk)
    d = dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-12-01 08:30"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-01 08:40"))
    d = _settle(world, d, appraised="2026-12-01 09:00", approved="2026-12-01 09:30")
    d = dossier_act(
        dossier=d,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-12-01 10:00"),
        handover=Handover(
            "desk", "12/QĐ-UBND", "applicant", id_number=CITIZEN.id_number, confirmed=True
        ),
    )
    # The worker's passes: two failures, each followed by its backoff, then everything.
    t = at("2026-12-01 10:05")
    outbox_deliver(now=t)
    outbox_deliver(now=t + timedelta(minutes=1))  # inside the backoff: nothing is tried
    outbox_deliver(now=t + timedelta(minutes=2))
    assert received_records(portal_ref=REF) == []
    outbox_deliver(now=t + timedelta(minutes=6))
    outbox_deliver(now=t + timedelta(minutes=30))  # nothing left: nothing sent twice
    received = received_records(portal_ref=REF)
    assert [r.status for r in received] == [1, 2, 4, 9, 10]
    assert [r.seq for r in received] == sorted({r.seq for r in received})
    assert all(r.deliveries == 1 for r in received)
    assert all(r.record["MaHoSoQG"] == REF for r in received)
    # The code is given at the desk's acceptance: the filing's own record has none yet.
    assert received[0].record["MaHoSo"] is None
    assert {r.record["MaHoSo"] for r in received[1:]} == {d.code}
    assert received[-1].record["MaKetQua"] == "12/QĐ-UBND"
    assert received[-1].record["TaiKhoanDuocXacThucVoiVNeID"] == 1
    assert received[-1].record["KenhThucHien"] == 2
    assert NationalSync.objects.get(dossier_id=pk, status=1).attempts == 3
    assert NationalSync.objects.filter(dossier_id=pk, acknowledged_at=None).count() == 0
