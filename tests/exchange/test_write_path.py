"""The two additions to the dossiers' write path: a step that ends on another installation
(EXCHANGE_RESULT, with that installation's times), and a dossier received for a step handed
over with the deadline the other installation set."""

from __future__ import annotations

import pytest

from motcua.core.errors import GuardError, PermissionDenied
from motcua.core.exchange import RemoteResult, RemoteTimes
from motcua.core.lifecycle import Action, Status
from motcua.dossiers import audit
from motcua.dossiers.selectors import dossier_steps
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.organization.selectors import Actor
from tests.conftest import at
from tests.exchange.common import checked_intake, checked_procedure


def handed_over(world):
    procedure = checked_procedure()
    d = dossier_receive(
        intake=checked_intake(procedure), actor=world.lan, now=at("2026-12-07 08:30")
    )
    return dossier_act(
        dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-07 09:00")
    )


def result(started: str, ended: str) -> RemoteResult:
    return RemoteResult(
        times=RemoteTimes(at(started), at(ended)),
        installation="tu-phap",
        outcome="done",
        remote_code="H26.32-261207-0001",
        reference="123/PLLTP",
    )


@pytest.mark.parametrize(
    ("ended", "outcome"),
    [
        ("2026-12-08 15:00", "early"),  # due Wednesday 09:00
        ("2026-12-09 08:30", "on_time"),
        ("2026-12-09 10:00", "late"),
    ],
)
def test_the_step_ends_with_the_other_installations_times_and_is_judged_by_our_due(
    world, ended, outcome
):
    d = handed_over(world)
    assert d.current_agency == world.justice
    assert d.step_due_at == at("2026-12-09 09:00")
    d = dossier_act(
        dossier=d,
        action=Action.EXCHANGE_RESULT,
        actor=Actor.system(),
        now=at("2026-12-09 11:00"),
        remote=result("2026-12-07 10:00", ended),
    )
    step = dossier_steps(d)[1]
    assert (step.agency_id, step.started_at, step.ended_at) == (
        world.justice.pk,
        at("2026-12-07 10:00"),
        at(ended),
    )
    assert step.outcome == outcome
    assert d.step_index == 2 and d.current_agency == world.hoan_kiem
    assert d.step_started_at == at("2026-12-09 11:00")
    assert d.status == Status.PROCESSING
    event = d.events.order_by("-seq").first()
    assert event.payload["exchange"]["reference"] == "123/PLLTP"
    assert audit.verify().problems == []


def test_only_the_system_takes_a_result_and_never_at_the_last_step(world):
    d = handed_over(world)
    with pytest.raises(PermissionDenied):
        dossier_act(
            dossier=d,
            action=Action.EXCHANGE_RESULT,
            actor=world.minh,
            now=at("2026-12-08 09:00"),
            remote=result("2026-12-07 10:00", "2026-12-08 08:00"),
        )
    d = dossier_act(
        dossier=d,
        action=Action.EXCHANGE_RESULT,
        actor=Actor.system(),
        now=at("2026-12-08 09:00"),
        remote=result("2026-12-07 10:00", "2026-12-08 08:00"),
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-12-08 10:00"))
    with pytest.raises(GuardError):
        dossier_act(
            dossier=d,
            action=Action.EXCHANGE_RESULT,
            actor=Actor.system(),
            now=at("2026-12-08 11:00"),
            remote=result("2026-12-08 10:00", "2026-12-08 10:30"),
        )


def test_a_dossier_received_for_another_installation_keeps_its_deadline(world):
    procedure = checked_procedure()
    d = dossier_receive(
        intake=checked_intake(procedure, deadline=at("2026-12-09 09:00")),
        actor=world.lan,
        now=at("2026-12-07 10:00"),
    )
    assert d.due_at == at("2026-12-09 09:00")
    plain = dossier_receive(
        intake=checked_intake(procedure), actor=world.lan, now=at("2026-12-07 10:00")
    )
    assert plain.due_at == at("2026-12-14 10:00")  # the procedure's five working days
