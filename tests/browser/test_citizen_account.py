"""A citizen opens an account in a real browser, by keyboard alone on a 360 px phone: sign up,
type the code from the e-mail, fill the profile, sign out, reset the password; every page
checked with axe-core and in Vietnamese."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from motcua.notify.services import outbox_deliver
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-rat-kho-doan-2026"


def mailed(pattern: str) -> str:
    outbox_deliver(now=timezone.now())
    return re.search(pattern, mail.outbox[-1].body)[0]


def test_a_citizen_opens_an_account_by_keyboard_on_a_phone(browser, live_server, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Tài khoản của tôi").click()
        expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
        assert page.get_attribute("html", "lang") == "vi"
        assert_accessible(page, "sign-in")
        no_sideways_scroll(page)
        page.get_by_role("link", name="Đăng ký", exact=True).click()
        assert_accessible(page, "sign-up")
        no_sideways_scroll(page)

        # By keyboard: focus the first field, then Tab through the form.
        page.get_by_label("Họ và tên").focus()
        page.keyboard.type("Nguyễn Thị Lan")
        page.keyboard.press("Tab")
        page.keyboard.type("lan@")  # malformed first
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        field = page.locator(".field.invalid")
        expect(field).to_contain_text("Địa chỉ thư điện tử không đúng")
        assert_accessible(page, "sign-up-error")

        page.get_by_label("Thư điện tử hoặc số điện thoại di động").fill("lan@example.vn")
        page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill(PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã xác minh")
        assert_accessible(page, "verify")
        no_sideways_scroll(page)
        page.get_by_label("Mã xác minh (6 chữ số)").fill("000000")
        page.get_by_label("Mã xác minh (6 chữ số)").press("Enter")
        code = mailed(r"\b\d{6}\b")
        if code != "000000":
            expect(page.locator(".field.invalid")).to_contain_text("Mã không đúng")
        page.get_by_label("Mã xác minh (6 chữ số)").fill(code)
        page.get_by_label("Mã xác minh (6 chữ số)").press("Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
        page.get_by_label("Số định danh cá nhân hoặc mã số doanh nghiệp").fill("001 203 012 345")
        page.get_by_label("Địa chỉ").fill("12 Hàng Bạc, Hoàn Kiếm")
        page.get_by_role("button", name="Lưu hồ sơ").click()
        expect(page.get_by_role("status")).to_contain_text("Đã lưu hồ sơ")
        expect(page.get_by_label("Số định danh cá nhân hoặc mã số doanh nghiệp")).to_have_value(
            "001203012345"
        )
        assert_accessible(page, "profile")
        no_sideways_scroll(page)
        page.get_by_role("button", name="Đăng xuất").click()

        page.get_by_role("link", name="Quên mật khẩu?").click()
        page.get_by_label("Thư điện tử hoặc số điện thoại di động").fill("lan@example.vn")
        page.get_by_role("button", name="Gửi đường dẫn").click()
        expect(page.get_by_role("status")).to_contain_text("Nếu l***@example.vn là địa chỉ")
        assert_accessible(page, "reset-sent")
        link = mailed(r"https?://\S+/tai-khoan/dat-lai-mat-khau/\S+/")
        path = link.split("/tai-khoan/", 1)[1]
        page.goto(f"/tai-khoan/{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu mới")
        assert "dat-mat-khau" in page.url  # the token left the address bar
        assert_accessible(page, "reset")
        new = "mot-mat-khau-moi-hoan-toan"
        page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill(new)
        page.get_by_label("Nhập lại mật khẩu").fill(new)
        page.get_by_role("button", name="Lưu mật khẩu mới").click()
        expect(page.get_by_role("status")).to_contain_text("Đã đặt mật khẩu mới")
        page.get_by_label("Thư điện tử hoặc số điện thoại di động").fill("lan@example.vn")
        page.get_by_label("Mật khẩu", exact=True).fill(new)
        page.get_by_label("Mật khẩu", exact=True).press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")

        page.goto(f"/tai-khoan/{path}")
        expect(page.get_by_role("alert")).to_contain_text("đã được dùng")
        assert_accessible(page, "reset-used")
        page.goto("/can-bo/")
        expect(page).to_have_url(re.compile(r"/can-bo/dang-nhap/"))
    finally:
        context.close()
