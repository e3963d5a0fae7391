"""What an action asks the database on every call is asked on the prepared cursor: the same
answers as the ORM's, and on PostgreSQL a statement planned once per connection."""

from __future__ import annotations

from django.db import connection

from motcua.core.lifecycle import Action
from motcua.dossiers.selectors import result_copy_on_file
from motcua.dossiers.services import dossier_act, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.scanfiles import PDF, upload


def ready_with_copy(world):
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
    return dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 11:05"),
        result=upload(PDF, "kq.pdf"),
    )


def test_it_says_whether_the_result_copy_is_on_file(world):
    fresh = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    done = ready_with_copy(world)
    assert result_copy_on_file(done) is True
    assert result_copy_on_file(fresh) is False


def test_it_asks_postgresql_through_a_prepared_statement(world):
    done = ready_with_copy(world)
    assert result_copy_on_file(done) is True
    if connection.vendor != "postgresql":
        return  # other databases get Django's cursor: nothing is prepared there
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE statement LIKE %s AND statement LIKE %s",
            ["%dossiers_dossierresult%", "%LIMIT%"],
        )
        assert cursor.fetchone()[0] == 1
