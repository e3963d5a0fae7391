"""A citizen opens the receipt's QR link in a real browser and switches the page to English:
the tracking page carries no CSRF token, and its language switch needs none."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers.selectors import tracking_url
from motcua.dossiers.services import Applicant, dossier_receive
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.browser


def test_the_qr_link_opens_the_dossier_and_the_language_switch_works_without_a_token(
    world, anonymous, live_server
):
    applicant = Applicant(name="Trần Văn Bình", id_number="001203012345")
    dossier = dossier_receive(
        intake=intake(world, None, applicant=applicant), actor=world.lan, now=timezone.now()
    )
    link = tracking_url(dossier)
    page = anonymous.goto(link[link.index("/tra-cuu/") :])
    expect(anonymous.locator("#result-title")).to_contain_text(dossier.code)
    expect(anonymous.locator("input[name=csrfmiddlewaretoken]")).to_have_count(0)
    assert anonymous.locator("body").get_attribute("hx-headers") is None
    assert page is not None and page.header_value("set-cookie") is None  # no token minted

    anonymous.locator("#lang").select_option("en")
    anonymous.wait_for_load_state()
    # Back on the same link, in English, the dossier still shown.
    expect(anonymous.locator("html")).to_have_attribute("lang", "en")
    expect(anonymous.locator("#result-title")).to_contain_text(dossier.code)
    assert "/tra-cuu/?code=" in anonymous.url
