"""Reception by keyboard alone, as at a queue of 80 citizens a day: the keys are counted.

Search, ↓, Enter opens the procedure with the name field focused; the name, Tab, the ID
number; Tab to "Đủ tất cả giấy tờ", Space, Enter receives. Every key is counted, the
characters typed included, and the count is printed (the lead reports it).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible

pytestmark = pytest.mark.browser

# Measured at 9 keys besides the text typed (20 + 13 + 12 characters): a bound with no slack
# for a new input in the way.
MAX_NAVIGATION_KEYS = 9


class Keyboard:
    """The page's keyboard, counting every key pressed (a typed character is one key)."""

    def __init__(self, page: Any) -> None:
        self.page, self.typed, self.navigation = page, 0, 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
        self.navigation += times


def focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.id"))


def test_a_reception_takes_a_handful_of_keys(world, person):
    lan = person("lan")
    lan.goto("/can-bo/tiep-nhan/")
    keys = Keyboard(lan)
    assert focused(lan) == "proc-q"
    keys.type("lien thong khai sinh")
    expect(lan.locator("#proc-results").get_by_role("link")).to_have_count(1)
    keys.press("ArrowDown")
    with lan.expect_navigation():
        keys.press("Enter")
    expect(lan.get_by_role("heading", level=2)).to_contain_text("3.000722")
    assert focused(lan) == "id_name"
    keys.type("Trần Văn Bình")
    keys.press("Tab")
    keys.type("001203012345")
    while focused(lan) != "id_all_papers" and keys.navigation < 30:
        keys.press("Tab")
    keys.press("Space")
    papers = lan.get_by_role("group", name="Thành phần hồ sơ đã nộp").get_by_role("checkbox")
    for box in papers.all():
        expect(box).to_be_checked()
    with lan.expect_navigation():
        keys.press("Enter")
    expect(lan).to_have_url(re.compile(r"/mau/\d+/01/$"))
    expect(lan.locator("article.sheet")).to_contain_text("Trần Văn Bình")
    print(
        f"\nreception by keyboard: {keys.navigation} keys besides the text, "
        f"{keys.navigation + keys.typed} in all ({keys.typed} characters typed)"
    )
    assert keys.navigation <= MAX_NAVIGATION_KEYS


def test_every_error_is_listed_at_the_top_and_each_link_reaches_its_field(world, person):
    lan = person("lan")
    lan.goto("/can-bo/tiep-nhan/?procedure=3.000722")
    lan.get_by_label("Số định danh cá nhân").fill("12")
    lan.get_by_role("button", name="Tiếp nhận và in giấy hẹn (Mẫu 01)").click()
    summary = lan.locator("#reception-error")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    expect(lan.get_by_label("Họ và tên *", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(lan.get_by_label("Số định danh cá nhân")).to_have_attribute("aria-invalid", "true")
    assert_accessible(lan, "reception-errors")
    links.first.click()
    expect(lan).to_have_url(re.compile("#id_name$"))
    # Unticking one paper unticks "Đủ tất cả giấy tờ".
    lan.get_by_label("Đủ tất cả giấy tờ").check()
    papers = lan.get_by_role("group", name="Thành phần hồ sơ đã nộp").get_by_role("checkbox")
    papers.nth(1).uncheck()
    expect(lan.get_by_label("Đủ tất cả giấy tờ")).not_to_be_checked()
