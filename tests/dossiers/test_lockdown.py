"""`motcua audit lockdown` on PostgreSQL: the application's role may read and append the event
log, the hand-over rows, the read log, the feedback items' log, the payment callbacks and the
liên thông message log (every table an app declares append-only), never change or remove a row
of them."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from motcua.adminlog.services import Change, Who, admin_changes_record
from motcua.api.services import Call, call_record
from motcua.citizens.models import Citizen
from motcua.core.exchange import MalformedMessage
from motcua.core.lifecycle import Action
from motcua.dossiers import audit
from motcua.dossiers.lockdown import append_only_models
from motcua.dossiers.models import DossierStep
from motcua.dossiers.services import dossier_act, dossier_receive, dossier_view_personal_data
from motcua.exchange.services import exchange_receive
from motcua.feedback import services as feedback_services
from motcua.feedback.models import FeedbackEvent
from motcua.payments.models import PaymentNotice
from motcua.payments.providers import sandbox_charge, sandbox_decide
from motcua.payments.services import payment_callback, payment_start
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.feedback.test_services import filing


@pytest.fixture
def roles(world):
    """A non-superuser application role with every right on every table, as when it owns
    them (tests run as the superuser `postgres`); created in the test's transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("roles, grants and triggers are PostgreSQL's")
    app, owner = f"motcua_app_{os.getpid()}", f"motcua_owner_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {app} NOLOGIN NOSUPERUSER")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {app}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {app}")
    return app, owner


def refused(sql: str) -> str:
    """Run a statement that must fail; its error's text (the transaction goes on)."""
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    return str(info.value)


TABLES = [m._meta.db_table for m in append_only_models()]


def test_every_app_declares_its_append_only_tables():
    """The registry (each AppConfig's `append_only`) finds the logs of every app."""
    assert sorted(TABLES) == [
        "adminlog_adminchange",
        "api_apicall",
        "dossiers_dossieraccess",
        "dossiers_dossierevent",
        "dossiers_dossierstep",
        "exchange_logentry",
        "feedback_feedbackevent",
        "payments_paymentnotice",
    ]


def feedback_and_payment(world, when: str) -> None:
    """The feedback and payment write paths: an item filed and answered, a fee paid online
    (its callback recorded)."""
    world.birth.versions.update(fee=8000, fee_rule={"per": "copy"})
    item = feedback_services.feedback_file(filing=filing(), now=at(when), contact_verified=True)
    feedback_services.feedback_answer(
        item_id=item.pk, actor=world.nam, answer="Đã trả lời.", expected_version=0, now=at(when)
    )
    d = dossier_receive(
        intake=intake(world, world.birth, copies=1, citizen_id=None), actor=world.lan, now=at(when)
    )
    citizen = Citizen.objects.create(email="an@example.vn", full_name="An", created_at=at(when))
    checkout = payment_start(
        dossier=d, citizen_id=citizen.pk, payer_name="An", payer_email="", now=at(when)
    )
    fields = dict(
        parse_qsl(
            urlsplit(sandbox_decide(sandbox_charge(checkout.payment.reference), pay=True)).query
        )
    )
    payment_callback(fields=fields, now=at(when))


def test_the_app_role_appends_but_never_updates_or_deletes(world, roles):
    app, owner = roles
    earlier = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    call_command("audit", "lockdown", "--app-role", app, "--owner-role", owner, stdout=None)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app}")
    # The application's normal write path: a reception, a hand-over, a read.
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:00"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:30"))
    dossier_view_personal_data(dossier=d, actor=world.son, now=at("2026-11-25 10:00"))
    assert DossierStep.objects.filter(dossier=d).count() == 1
    feedback_and_payment(world, "2026-11-25 10:30")
    assert FeedbackEvent.objects.count() == 2 and PaymentNotice.objects.count() == 1
    # An administrative change, recorded in its chain (whose head the app still moves).
    change = Change(
        kind="change",
        model="auth.group",
        object_id="1",
        object_repr="Một cửa",
        changes={"name": ["A", "B"]},
    )
    admin_changes_record(who=Who(source="admin"), changes=[change], now=at("2026-11-25 11:00"))
    # A message from another installation, refused: its row in the message log.
    with pytest.raises(MalformedMessage):
        exchange_receive(raw=b"{}", now=at("2026-11-25 11:30"))
    # A call to the API, recorded in its chain (whose head the app moves too).
    call_record(
        call=Call(client_id=None, client_name="", method="GET", path="/api/v1/", status=401),
        now=at("2026-11-25 11:30"),
    )
    for table in TABLES:  # each holds rows, so a refusal is not an empty table's no-op
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] > 0, table
    for table in TABLES:
        assert "permission denied" in refused(f"UPDATE {table} SET id = id")
        assert "permission denied" in refused(f"DELETE FROM {table}")
        assert "permission denied" in refused(f"TRUNCATE {table}")
        # Nor can it take the lock off: the table and its trigger are the owner's.
        assert "must be owner" in refused(f"DROP TRIGGER {table}_append_only ON {table}")
        assert "must be owner" in refused(f"ALTER TABLE {table} OWNER TO {app}")
        assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "permission denied" in refused(
        f"DELETE FROM dossiers_dossierevent WHERE dossier_id = {earlier.pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    # Even a superuser meets the trigger (it would have to drop it first, on purpose).
    for table in TABLES:
        assert "append-only" in refused(f"UPDATE {table} SET id = id")
        assert "append-only" in refused(f"DELETE FROM {table}")
    # Migrations keep working, run as the owner or a superuser (docs/audit.md): a column
    # added with a default (AddField) rewrites no row, so no trigger fires.
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {owner}")
        cursor.execute("ALTER TABLE dossiers_dossierevent ADD COLUMN later integer DEFAULT 0")
        cursor.execute("ALTER TABLE dossiers_dossierevent DROP COLUMN later")
        cursor.execute("RESET ROLE")
    assert audit.verify().problems == []


def test_lockdown_can_be_run_again_and_refuses_bad_role_names(world, roles):
    app, owner = roles
    call_command("audit", "lockdown", "--app-role", app, "--owner-role", owner, stdout=None)
    call_command("audit", "lockdown", "--app-role", app, "--owner-role", owner, stdout=None)
    with pytest.raises(ValueError, match="không hợp lệ"):
        call_command("audit", "lockdown", "--app-role", "x; DROP TABLE y", stdout=None)
    with pytest.raises(ValueError, match="phải khác"):
        call_command("audit", "lockdown", "--app-role", app, "--owner-role", app, stdout=None)
