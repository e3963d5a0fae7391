"""The Content Security Policy (settings.py) in a real browser: the main pages open with nothing
stopped (the directory's `policy_violations` fixture fails any test that meets a violation),
htmx still works under it, and an inline script or style is indeed stopped."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.core.lifecycle import Role
from motcua.dossiers.selectors import tracking_url
from motcua.dossiers.services import Applicant, dossier_receive
from tests.dossiers.test_services import intake
from tests.factories import _person

pytestmark = pytest.mark.browser


def test_the_main_pages_open_with_nothing_stopped(world, person, anonymous, policy_violations):
    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    applicant = Applicant(name="Trần Văn Bình", id_number="001203012345")
    dossier = dossier_receive(
        intake=intake(world, None, applicant=applicant), actor=world.lan, now=timezone.now()
    )
    lan = person("lan")
    expect(lan.get_by_role("heading", level=1)).to_be_visible()  # the inbox
    lan.goto("/can-bo/tiep-nhan/")
    # htmx under the policy: the procedure search answers as the officer types.
    lan.locator("#proc-q").fill("khai sinh")
    expect(lan.locator("#proc-results")).not_to_be_empty()
    lan.goto(f"/can-bo/ho-so/{dossier.pk}/")
    expect(lan.locator("main")).to_contain_text(dossier.code)
    supervisor = person("giamsat")
    supervisor.goto("/can-bo/giam-sat/")
    expect(supervisor.get_by_role("heading", level=1)).to_be_visible()

    link = tracking_url(dossier)
    anonymous.goto(link[link.index("/tra-cuu/") :])
    expect(anonymous.locator("#result-title")).to_contain_text(dossier.code)
    for address in ("/thu-tuc/", "/thong-ke/"):
        anonymous.goto(address)
        expect(anonymous.get_by_role("heading", level=1)).to_be_visible()
    # The language switch, moved out of an inline handler, still sends its form.
    anonymous.locator("#lang").select_option("en")
    expect(anonymous.locator("html")).to_have_attribute("lang", "en")
    assert policy_violations == []


def test_an_inline_script_or_style_is_stopped_and_seen(world, anonymous, policy_violations):
    """What the fixture watches for does happen: a script or a style attribute written into a
    page of the site is refused, and chromium says so."""
    anonymous.goto("/thu-tuc/")
    anonymous.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'document.body.dataset.ran = "yes"';
            document.body.append(s);
            document.querySelector('h1').setAttribute('style', 'color: red');
        }"""
    )
    expect(anonymous.locator("body")).not_to_have_attribute("data-ran", "yes")
    anonymous.wait_for_function("() => true")
    assert any("inline script" in line for line in policy_violations), policy_violations
    assert any("inline style" in line for line in policy_violations), policy_violations
    policy_violations.clear()  # seen on purpose
