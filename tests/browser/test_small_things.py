"""Small things a user notices on a phone: the dossier page fits a 360 px screen, and dossier
codes stay whole and tall enough to tap."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

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


def test_the_ledger_takes_dd_mm_yyyy_and_its_long_pdf_says_it_is_being_made(world, person):
    lan = person("lan")
    lan.goto("/mau/so-theo-doi/")
    lan.get_by_label("Từ ngày").fill("01/11/2026")
    lan.get_by_label("đến ngày").fill("30/11/2026")
    lan.get_by_role("button", name="Xem").click()
    expect(lan.locator(".doc-subtitle")).to_have_text("Từ ngày 01/11/2026 đến ngày 30/11/2026")
    expect(lan.get_by_label("Từ ngày")).to_have_value("01/11/2026")
    assert_accessible(lan, "ledger")
    # The PDF is not fetched: the click goes no further than the link's own handler, so the
    # page that waits for it can be read.
    lan.evaluate("window.addEventListener('click', (e) => e.preventDefault())")
    link = lan.locator("a[data-long-export]")
    link.click()
    expect(link).to_have_text("Đang tạo tệp PDF…")
    expect(link).to_have_attribute("aria-busy", "true")
    expect(lan.get_by_role("status")).to_contain_text("Đang tạo tệp PDF cả kỳ")
