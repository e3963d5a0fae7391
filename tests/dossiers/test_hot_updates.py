"""A hand-over inside one agency rewrites the dossier's row in place on PostgreSQL (a HOT
update: no new entry in any of its indexes), the write path's largest database cost."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import intake


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("heap-only updates are PostgreSQL's")
    # An update is made in place only if the row's page has room for the new version: rows
    # left by earlier tests may have filled the page a new dossier lands on. Pages this test
    # fills keep half of them free (undone with the test's transaction), so what is measured
    # is whether an index must learn of the change, not how full a page happened to be.
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {Dossier._meta.db_table} SET (fillfactor = 50)")


def updates() -> tuple[int, int]:
    """Rows of the dossier table updated, and of those in place, in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relid = %s::regclass",
            [Dossier._meta.db_table],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


def counted(work):
    before = updates()
    result = work()
    after = updates()
    return result, (after[0] - before[0], after[1] - before[1])


def test_status_changes_inside_the_open_group_update_in_place(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    assert d.status == Status.RECEIVED
    d, (updated, in_place) = counted(
        lambda: dossier_act(
            dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 08:45")
        )
    )
    assert d.status == Status.PROCESSING  # received -> processing: both open
    assert updated >= 1
    assert in_place == updated
    d, (updated, in_place) = counted(
        lambda: dossier_act(
            dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 10:00")
        )
    )
    assert (updated, in_place) == (1, 1)


def test_leaving_the_open_group_moves_the_row_into_the_desks_index(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    for action, actor, when in [
        (Action.FORWARD, world.lan, "08:45"),
        (Action.PROPOSE, world.duc, "10:00"),
        (Action.FORWARD, world.duc, "10:05"),
        (Action.APPROVE, world.long, "11:00"),
    ]:
        d = dossier_act(dossier=d, action=action, actor=actor, now=at(f"2026-11-25 {when}"))
    d, (updated, in_place) = counted(
        lambda: dossier_act(
            dossier=d, action=Action.MARK_READY, actor=world.long, now=at("2026-11-25 11:05")
        )
    )
    assert d.status == Status.DONE
    assert updated == 1
    assert in_place == 0  # the flags changed: the partial indexes must learn of it
    assert Dossier.objects.filter(pk=d.pk, still_open=False, waits_at_desk=True).exists()


def test_the_row_every_action_rewrites_has_no_check_constraint(world):
    # PostgreSQL rebuilds each check's expression on every UPDATE: the dossier's numbers are
    # kept non-negative by the write path and by their validators instead (models.py).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'c' AND conrelid = %s::regclass",
            [Dossier._meta.db_table],
        )
        assert cursor.fetchall() == []
    for name in ["status", "version", "step_index", "supplement_requests", "copies"]:
        with pytest.raises(ValidationError):
            Dossier._meta.get_field(name).clean(-1, None)
