"""Buck-passing and silence found on histories made through the write path (issue 10)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User

from motcua.core.errors import NotFound, ValidationError
from motcua.core.indicators import Period
from motcua.core.lifecycle import Action, Role
from motcua.core.signals import Flag
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from motcua.oversight import selectors, warnings
from motcua.oversight.models import AgencyTally, UnitWarning
from tests.conftest import at
from tests.dossiers.test_services import forward, intake
from tests.factories import _person


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


def day_rows(agency, procedure, first, days, **counts):
    """One AgencyTally day row per day from `first`, with these counters on each."""
    for k in range(days):
        AgencyTally.objects.create(
            grain="d", day=first + timedelta(days=k), agency=agency, procedure=procedure, **counts
        )


@pytest.fixture
def rising(world):
    """Hoàn Kiếm: 40 dossiers received and finished on time in each of the three earlier
    30-day periods; in the last 30 days (to 2 Dec), 40 received, 20 finished late: the
    overdue rate rose from 0 to 50%. Ba Đình stays as it was."""
    today = date(2026, 12, 3)
    current, past = warnings.periods(today)
    assert current == Period(date(2026, 11, 3), date(2026, 12, 2))
    for agency in (world.hoan_kiem, world.ba_dinh):
        for p in past:
            day_rows(agency, world.birth, p.first, 20, received=2, finished=2, on_time=2)
    day_rows(world.ba_dinh, world.birth, current.first, 20, received=2, finished=2, on_time=2)
    day_rows(world.hoan_kiem, world.birth, current.first, 20, received=2, finished=2, on_time=1,
             late=1, late_agency=1)  # fmt: skip
    supervisor = _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    for actor in (supervisor, world.long, world.mai):
        User.objects.filter(pk=actor.user_id).update(email=f"{actor.user_id}@example.vn")
    return supervisor


MOMENT = "2026-12-03 07:30"


@pytest.mark.django_db
def test_a_rising_overdue_rate_is_raised_once_and_told_to_the_supervising_level(world, rising):
    done = warnings.warnings_raise(now=at(MOMENT))
    assert done.ran and done.warnings == 1
    w = UnitWarning.objects.get()
    assert (w.agency_id, w.kind, w.severity) == (world.hoan_kiem.pk, "overdue_rising", "alert")
    assert (w.current, w.baseline) == ("1/2", "0")
    # The oversight office and Hoàn Kiếm's head, not Ba Đình's desk officer.
    told = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert told == {f"{rising.user_id}@example.vn", f"{world.long.user_id}@example.vn"}
    message = OutboxMessage.objects.first()
    assert message.template == "oversight/warning"
    # The same day again, and the next day: nothing new is raised or sent.
    assert not warnings.warnings_raise(now=at("2026-12-03 15:00")).ran
    assert warnings.warnings_raise(now=at("2026-12-04 07:30")).warnings == 0
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_what_was_done_is_recorded_by_those_in_scope_only(world, rising):
    warnings.warnings_raise(now=at(MOMENT))
    w = UnitWarning.objects.get()
    with pytest.raises(NotFound):  # Ba Đình's desk officer: not theirs to see
        warnings.warning_handle(actor=world.mai, pk=w.pk, action_taken="Đã xem", now=at(MOMENT))
    with pytest.raises(ValidationError):
        warnings.warning_handle(actor=rising, pk=w.pk, action_taken="  ", now=at(MOMENT))
    warnings.warning_handle(
        actor=rising, pk=w.pk, action_taken="Đã làm việc với Chủ tịch phường", now=at(MOMENT)
    )
    w.refresh_from_db()
    assert (w.handled_by_id, w.action_taken) == (rising.user_id, "Đã làm việc với Chủ tịch phường")
    with pytest.raises(ValidationError):  # recorded once
        warnings.warning_handle(actor=world.long, pk=w.pk, action_taken="Lại", now=at(MOMENT))


@pytest.mark.django_db
def test_the_warnings_page_shows_them_to_the_office_and_hides_them_from_others(
    world, rising, client
):
    warnings.warnings_raise(now=at(MOMENT))
    client.force_login(User.objects.get(pk=rising.user_id))
    page = client.get("/can-bo/giam-sat/canh-bao/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tỷ lệ hồ sơ quá hạn kỳ này là" in text and "UBND Phường Hoàn Kiếm" in text
    w = UnitWarning.objects.get()
    answer = client.post(f"/can-bo/giam-sat/canh-bao/{w.pk}/", {"action_taken": ""})
    assert answer.status_code == 400
    answer = client.post(f"/can-bo/giam-sat/canh-bao/{w.pk}/", {"action_taken": "Đã đôn đốc"})
    assert answer.status_code == 302
    assert UnitWarning.objects.get().action_taken == "Đã đôn đốc"
    client.force_login(User.objects.get(pk=world.duc.user_id))  # a specialist
    assert client.get("/can-bo/giam-sat/canh-bao/").status_code == 404
