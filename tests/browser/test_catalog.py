"""A citizen finds a procedure in a real browser: by an accent-less, misspelt query, on a desk
screen, on a 360 px phone, by keyboard alone and with JavaScript off; each page checked with
axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.catalog.services import catalog_import, default_catalog_dir
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(world):
    """The world's places and procedures, and the shipped catalog's other procedures."""
    taken = {world.birth.code, world.chain.code, world.record.code}
    catalog_import(
        paths=[p for p in sorted(default_catalog_dir().glob("*.toml")) if p.stem not in taken]
    )


def open_page(browser, live_server, viewport, *, javascript=True):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="vi-VN", java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, NARROW], ids=["desktop", "phone-360"]
)
def test_a_citizen_finds_birth_registration_by_keyboard(
    browser, live_server, clock, catalog, world, viewport
):
    context, page = open_page(browser, live_server, viewport)
    try:
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == "vi"
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
        page.get_by_role("navigation", name="Chính").get_by_role("link", name="Thủ tục").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")
        assert_accessible(page, "catalog")
        no_sideways_scroll(page, viewport["width"])

        page.get_by_label("Tên thủ tục hoặc mã thủ tục").fill("dang ki khai sin")
        page.keyboard.press("Enter")
        results = page.locator(".catalog-list > li")
        expect(results.first.get_by_role("heading")).to_have_text("Đăng ký khai sinh")
        expect(results.first).to_contain_text("Trong ngày làm việc")
        expect(results.first).to_contain_text("Chỉ nộp trực tiếp, bưu chính")  # the world's level
        assert "q=dang+ki+khai+sin" in page.url
        assert_accessible(page, "catalog-results")
        no_sideways_scroll(page, viewport["width"])

        results.first.get_by_role("link", name="Đăng ký khai sinh").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
        expect(page.get_by_role("heading", name="Giấy tờ cần chuẩn bị")).to_be_visible()
        expect(page.locator("main")).to_contain_text(world.centre.name)
        expect(page.locator("main")).to_contain_text("Gửi qua bưu chính")
        summary = page.locator("summary", has_text="xã, phường")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_contain_text(world.hoan_kiem.name)
        assert_accessible(page, "procedure")
        no_sideways_scroll(page, viewport["width"])
    finally:
        context.close()


def test_search_and_filters_work_without_javascript(browser, live_server, clock, catalog):
    context, page = open_page(browser, live_server, NARROW, javascript=False)
    try:
        page.goto("/thu-tuc/")
        page.get_by_label("Tên thủ tục hoặc mã thủ tục").fill("đăng kí kết hôn")
        page.get_by_label("Lĩnh vực").select_option("Hộ tịch")
        page.get_by_role("button", name="Tìm", exact=True).click()
        first = page.locator(".catalog-list > li").first
        expect(first.get_by_role("heading")).to_contain_text("kết hôn")
        expect(first).to_contain_text("Hộ tịch")
        no_sideways_scroll(page, NARROW["width"])
    finally:
        context.close()


def test_bad_input_and_an_unknown_code_say_what_is_wrong(browser, live_server, clock, catalog):
    context, page = open_page(browser, live_server, NARROW)
    try:
        page.goto("/thu-tuc/?q=" + "a" * 250)
        expect(page.locator(".field.invalid")).to_contain_text("Tối đa 200 ký tự")
        assert_accessible(page, "catalog-bad-query")
        page.goto("/thu-tuc/?level=galaxy")
        expect(page.locator(".field.invalid")).to_contain_text("Lựa chọn không hợp lệ")
        response = page.goto("/thu-tuc/9.999999/")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Không có thủ tục này")
        assert_accessible(page, "procedure-missing")
    finally:
        context.close()
