"""Withdrawal and stop end processing (NĐ 118 Điều 21, DOMAIN §5-§6): the open step closes
with its verdict (form 06), the agency's clock stops, the worker leaves the dossier alone, and
form 05 states where it stood. Each kind of state: running, paused, at a late step."""

from __future__ import annotations

import pytest

from motcua.core.lifecycle import Action, Status
from motcua.dossiers.deadlines import process_deadlines
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.organization.selectors import calendar_for
from tests.conftest import at
from tests.dossiers.test_services import forward, intake

H = 3600


def at_the_specialist(world):
    """The three-day chain, received Wed 25/11 08:30, at the commune specialist from 09:00
    ("Đăng ký khai sinh", 0.75 day allotted: due Wed 16:00)."""
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    return forward(d, world.lan, "2026-11-25 09:00")


def running(world):
    return at_the_specialist(world), "2026-11-25 10:00"


def paused(world):
    d = dossier_act(
        dossier=at_the_specialist(world),
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 10:00"),
        missing=["Giấy chứng sinh bản chính"],
    )
    return d, "2026-11-27 10:00"  # two working days waiting for the citizen


def late_step(world):
    return at_the_specialist(world), "2026-11-26 10:00"  # the step was due Wed 16:00


STATES = {
    # state: (build, status at stopping, step verdict, agency working seconds used)
    "running": (running, Status.PROCESSING, "on_time", int(1.5 * H)),
    "paused": (paused, Status.SUPPLEMENT, "on_time", int(1.5 * H)),
    "late step": (late_step, Status.PROCESSING, "late", int(9.5 * H)),
}
ENDINGS = {
    "withdraw": [Action.WITHDRAW],
    "stop": [Action.STOP],
    "withdraw, then stop": [Action.WITHDRAW, Action.STOP],
}


def end(world, d, actions, when):
    for action in actions:
        d = dossier_act(dossier=d, action=action, actor=world.lan, now=at(when), note="Xin rút.")
    return d


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_the_step_closes_with_its_verdict_and_the_clock_stops(world, state, ending):
    build, status, verdict, used = STATES[state]
    d, when = build(world)
    d = end(world, d, ENDINGS[ending], when)

    assert d.status == (Status.STOPPED if ending != "withdraw" else Status.WITHDRAWN)
    # The step: one row, ended now, judged, held by the specialist's unit.
    step = DossierStep.objects.get(dossier=d, index=1)
    assert step.ended_at == at(when) and step.outcome == verdict
    assert step.agency == world.hoan_kiem and step.name == "Đăng ký khai sinh"
    assert DossierStep.objects.filter(dossier=d).count() == 2  # reception, then this one
    assert d.step_due_at is None and d.step_started_at is None
    # The clock: stopped once, at the moment of the first ending; no pause left running.
    kinds = [e["kind"] for e in d.clock]
    assert kinds[-1] == "stop" and kinds.count("stop") == 1
    assert d.clock[-1]["at"] == at(when).isoformat()
    assert "pause" not in kinds or kinds[kinds.index("pause") + 1] == "resume"
    assert d.finished_at == at(when)
    # The event that ended it records the state then: the step, the time used, the allotment.
    first = DossierEvent.objects.get(dossier=d, action=ENDINGS[ending][0].value)
    assert first.from_status == status
    assert first.payload["step"]["outcome"] == verdict
    assert first.payload["step"]["allotted_seconds"] == 6 * H
    assert first.payload["used_seconds"] == used
    assert first.payload["allotted_seconds"] == 3 * 8 * H
    # Read again from the row: nothing left open.
    stored = Dossier.objects.get(pk=d.pk)
    assert stored.clock == d.clock and stored.step_due_at is None


def test_a_paused_step_counts_the_wait_as_the_citizens(world):
    d, when = paused(world)
    d = end(world, d, [Action.WITHDRAW], when)
    step = DossierStep.objects.get(dossier=d, index=1)
    cal = calendar_for(world.hoan_kiem)
    assert step.paused_seconds == cal.working_seconds_between(at("2026-11-25 10:00"), at(when))
    assert [e["kind"] for e in d.clock][-3:] == ["pause", "resume", "stop"]


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("action", [Action.WITHDRAW, Action.STOP])
def test_the_worker_no_longer_warns_marks_or_apologises(world, state, action):
    build = STATES[state][0]
    d, when = build(world)
    d = end(world, d, [action], when)
    for later in ("2026-11-27 16:00", "2026-12-01 09:00", "2026-12-20 09:00"):
        report = process_deadlines(now=at(later))
        assert (report.warned, report.overdue, report.apologies) == (0, 0, 0)
    d.refresh_from_db()
    assert d.warned_at is None and d.overdue_at is None and d.apology == "none"
    assert not DossierEvent.objects.filter(
        dossier=d, action__in=["warn", "mark_overdue", "draft_apology"]
    ).exists()


def test_the_desk_finds_a_withdrawal_waiting_for_its_stop_notice(world, client):
    """Withdrawn, the dossier has left every processing inbox; the receiving desk lists it
    until it issues form 05 (the stop), and no other desk does."""
    from django.contrib.auth import get_user_model

    d, when = running(world)
    d = end(world, d, [Action.WITHDRAW], when)
    users = get_user_model().objects
    client.force_login(users.get(username="lan"))
    html = client.get("/can-bo/").content.decode()
    assert d.code in html and "Chờ thông báo dừng giải quyết (mẫu 05)" in html
    for other in ("duc", "ha"):  # the unit that held it, another desk
        client.force_login(users.get(username=other))
        assert d.code not in client.get("/can-bo/").content.decode()
    d = end(world, d, [Action.STOP], "2026-11-25 11:00")
    client.force_login(users.get(username="lan"))
    assert d.code not in client.get("/can-bo/").content.decode()
