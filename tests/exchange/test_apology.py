"""The apology of a step held on another installation (DOMAIN §5 "Late dossiers"): the agency
that held it apologises where its head works, never here."""

from __future__ import annotations

import dataclasses

from motcua.core.lifecycle import Action
from motcua.dossiers.deadlines import process_deadlines
from motcua.dossiers.models import ApologyLetter, Dossier
from motcua.dossiers.services import dossier_act, dossier_receive
from tests.conftest import at
from tests.exchange.common import PERSON, checked_intake, checked_procedure

EMAIL = "binh@example.vn"


def handed_over(world) -> Dossier:
    """A's dossier, its middle step handed to the Department of Justice (on B) Monday 09:00,
    due there Wednesday 09:00; the applicant has an e-mail address."""
    applicant = dataclasses.replace(PERSON, email=EMAIL)
    d = dossier_receive(
        intake=checked_intake(checked_procedure(), applicant=applicant),
        actor=world.lan,
        now=at("2026-12-07 08:30"),
    )
    return dossier_act(
        dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-07 09:00")
    )


def test_the_worker_does_not_draft_for_an_agency_elsewhere_but_marks_it_overdue(world, peer):
    d = handed_over(world)
    # The step at B ran over (due Wednesday 09:00): here no letter is drafted for B's agency.
    report = process_deadlines(now=at("2026-12-10 09:00"))
    assert report.apologies == 0
    d.refresh_from_db()
    assert d.apology == "none" and not ApologyLetter.objects.exists()
    # Past the dossier's own appointment it is still marked overdue, at B's agency.
    assert d.due_at is not None
    report = process_deadlines(now=at("2026-12-15 10:00"))
    d.refresh_from_db()
    assert (report.overdue, report.apologies) == (1, 0)
    assert d.overdue_at == at("2026-12-15 10:00")
    assert d.current_agency_id == world.justice.pk
    assert not ApologyLetter.objects.exists()


def test_the_worker_still_drafts_for_an_agency_here(world, peer):
    d = dossier_receive(
        intake=checked_intake(world.chain), actor=world.lan, now=at("2026-12-07 08:30")
    )
    report = process_deadlines(now=at("2026-12-21 09:00"))
    assert report.apologies == 1
    assert ApologyLetter.objects.get(dossier=d).agency_id == d.current_agency_id
