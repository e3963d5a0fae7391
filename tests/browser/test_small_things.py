"""Small things a user notices on a phone: the dossier page fits a 360 px screen, and dossier
codes stay whole and tall enough to tap."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.core.lifecycle import Action
from motcua.dossiers.services import Applicant, dossier_act, dossier_receive
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.browser


def test_the_dossier_page_fits_a_phone_and_codes_are_tap_targets(world, person):
    person_ = Applicant(name="Trần Văn Bình", id_number="001203012345")
    d = dossier_receive(
        intake=intake(world, applicant=person_), actor=world.lan, now=timezone.now()
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=timezone.now())
    for who in ("duc", "son"):  # with the actions of a specialist, and of a leader
        page = person(who, viewport=NARROW)
        page.goto(f"/can-bo/ho-so/{d.pk}/")
        no_sideways_scroll(page)
    assert_accessible(page, "dossier-phone")
    page.goto("/can-bo/")  # the unit's inbox
    no_sideways_scroll(page)
    code = page.locator("a.code").first
    box = code.bounding_box()
    assert box is not None
    assert box["height"] >= 24, box
    # Kept on one line: no break at the hyphen.
    assert code.evaluate("e => e.getClientRects().length") == 1
    assert code.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
