"""Migrations that change what earlier dossiers mean are tried on an earlier dossier."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.core.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import Applicant, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import intake

BEFORE = [("dossiers", "0002_clock_apology_and_desk")]


def latest() -> list[tuple[str, str]]:
    """Every app's newest migration: going back to BEFORE also unapplied the migrations of the
    apps that depend on dossiers (feedback, online …), and the tests after this one need their
    tables."""
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_dossiers_received_before_the_counter_record_become_searchable_by_number(world):
    person = Applicant(name="Trần Văn Bình", id_number="001203012345", phone="0912.345.678")
    d = dossier_receive(
        intake=intake(world, applicant=person),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        outcome=Action.RECEIVE,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldDossier = old.get_model("dossiers", "Dossier")
        OldDocument = old.get_model("dossiers", "DossierDocument")
        assert OldDocument.objects.filter(dossier_id=d.pk).update(digitised=True) == 2
        assert OldDossier.objects.filter(pk=d.pk).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest())
    d = Dossier.objects.get(pk=d.pk)
    assert d.search_numbers == " 001203012345 0912345678 "
    papers = DossierDocument.objects.filter(dossier=d)
    assert {p.received_at for p in papers} == {d.submitted_at}
    assert not papers.filter(scans__isnull=False).exists()
