"""Buck-passing and silence found on histories made through the write path (issue 10)."""

from __future__ import annotations

import pytest

from motcua.core.lifecycle import Action
from motcua.core.signals import Flag
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.oversight import selectors
from tests.conftest import at
from tests.dossiers.test_services import forward, intake


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


@pytest.fixture
def birth(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    return forward(d, world.lan, "2026-11-25 08:45")


def flags_of(world, when):
    found = selectors.early_warning_list(agencies=[world.hoan_kiem.pk], now=at(when))
    return {f.dossier.pk: f.signals.flags for f in found.flagged}, found


@pytest.mark.django_db
def test_a_dossier_sent_back_and_forth_is_flagged_with_the_people_involved(world, birth):
    d = birth
    for minute in (0, 20):  # proposed and sent up, sent back by the chairman: twice
        d = act(d, Action.PROPOSE, world.duc, f"2026-11-25 09:{minute:02d}")
        d = forward(d, world.duc, f"2026-11-25 09:{minute + 5:02d}")
        d = act(d, Action.SEND_BACK, world.long, f"2026-11-25 09:{minute + 10:02d}", note="Sai")
    flags, found = flags_of(world, "2026-11-25 10:00")
    assert flags[d.pk] >= {Flag.SENT_BACK, Flag.BOUNCED}
    assert Flag.IDLE not in flags[d.pk]
    people = {p for s in found.flagged[0].signals.signals for p in s.people}
    assert {world.duc.user_id, world.long.user_id} & people
    assert found.warnings.by_unit  # grouped for the supervisor


@pytest.mark.django_db
def test_silence_at_a_step_is_flagged_after_two_working_days_not_before(world, birth):
    # Forwarded Wed 25 Nov 08:45; nothing since. Thu 26 16:00: 15 h 15 working; Fri 27
    # 10:00: more than 16 working hours.
    flags, _ = flags_of(world, "2026-11-26 16:00")
    assert birth.pk not in flags
    flags, _ = flags_of(world, "2026-11-27 10:00")
    assert flags[birth.pk] == {Flag.IDLE}


@pytest.mark.django_db
def test_a_dossier_handled_in_order_is_not_flagged(world, birth):
    d = act(birth, Action.PROPOSE, world.duc, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 09:05")
    flags, found = flags_of(world, "2026-11-25 10:00")
    assert d.pk not in flags and found.looked_at == 1


@pytest.mark.django_db
def test_another_agencys_dossiers_are_not_looked_at(world, birth):
    found = selectors.early_warning_list(agencies=[world.ba_dinh.pk], now=at("2026-12-25 10:00"))
    assert found.looked_at == 0 and not found.flagged
