"""The desk's newer pages in a real browser, signed in as the desk officer of Hoàn Kiếm (Lan):
the day's appointments, feedback (the list and one item), ratings, the online queue and one
online dossier; each with no serious or critical axe-core violation, on a desktop and on a
360 px phone without sideways scrolling."""

from __future__ import annotations

from datetime import date, time

import pytest
from playwright.sync_api import expect

from motcua.appointments.models import Window
from motcua.appointments.services import booking_check_in, booking_make
from motcua.citizens.models import Citizen
from motcua.core.lifecycle import Action
from motcua.dossiers.services import dossier_receive
from motcua.feedback import services as feedback_services
from tests.browser.conftest import DESKTOP
from tests.browser.pages import axe
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.feedback.test_services import filing

pytestmark = pytest.mark.browser
NARROW = {"width": 360, "height": 740}


def desk_day(world):
    """Two bookings at Hoàn Kiếm today (one arrived), a feedback item for the ward, an online
    dossier waiting in the queue."""
    Window.objects.create(
        branch=world.hoan_kiem, weekday=2, start=time(14), end=time(15), capacity=2
    )
    for n, name in enumerate(["Nguyễn Văn An", "Trần Thị Bình"]):
        citizen = Citizen.objects.create(
            email=f"c{n}@example.vn",
            full_name=name,
            password="!",
            created_at=at("2026-11-01 08:00"),
        )
        booking = booking_make(
            citizen=citizen,
            procedure_code="1.001193",
            branch_id=world.hoan_kiem.pk,
            day=date(2026, 11, 25),
            start=time(14),
            now=at("2026-11-24 10:00"),
        )
    booking_check_in(booking=booking, actor=world.lan, now=at("2026-11-25 08:20"))
    item = feedback_services.feedback_file(
        filing=filing(procedure_code="1.001193", place_id=world.hoan_kiem.pk),
        now=at("2026-11-25 08:00"),
        contact_verified=True,
    )
    online = dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-25 08:00"),
        outcome=Action.SUBMIT,
    )
    return item, online


def check(page, name: str, viewport: dict[str, int], problems: list[str]) -> None:
    """What is wrong with the page, added to `problems` (every page is seen before failing)."""
    assert page.get_attribute("html", "lang") == "vi"
    found = axe(page)
    if found:
        problems.append(f"accessibility violations on the {name} page ({page.url}): {found}")
    if viewport is NARROW:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            wide = page.evaluate(WIDEST)
            problems.append(f"the {name} page is {width}px wide at 360 px: {wide}")


# The elements that reach past the viewport's right edge, to say what makes a page too wide.
WIDEST = """() => [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
              + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "360px"])
def test_the_desks_newer_pages_are_accessible(world, person, viewport):
    item, online = desk_day(world)
    page = person("lan", viewport)
    problems: list[str] = []

    page.goto("/can-bo/lich-hen/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lịch hẹn")
    expect(page.locator("main")).to_contain_text("Trần Thị Bình")
    check(page, "appointments", viewport, problems)

    page.goto("/can-bo/phan-anh/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phản ánh, kiến nghị")
    check(page, "feedback list", viewport, problems)
    page.get_by_role("link", name=item.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(item.code)
    check(page, "feedback item", viewport, problems)

    page.goto("/can-bo/danh-gia/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đánh giá")
    check(page, "ratings", viewport, problems)

    page.goto("/can-bo/truc-tuyen/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("trực tuyến")
    check(page, "online queue", viewport, problems)
    page.get_by_role("link", name="Kiểm tra hồ sơ").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith(f"/can-bo/ho-so/{online.pk}/")
    check(page, "online dossier", viewport, problems)
    assert problems == []
