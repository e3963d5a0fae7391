"""A citizen books a counter slot and pays a dossier's fee in the sandbox, in a real browser
on a 360 px phone, by keyboard where it matters; every page checked with axe-core."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from motcua.appointments.models import Booking, Window
from motcua.citizens.models import Citizen
from motcua.dossiers.services import dossier_receive
from motcua.notify.services import outbox_deliver
from motcua.payments.models import Payment
from tests.browser.pages import NARROW, assert_accessible, citizen_signin, no_sideways_scroll
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-rat-kho-doan-2026"


def check(page, name: str) -> None:
    assert page.get_attribute("html", "lang") == "vi"
    assert_accessible(page, name)
    no_sideways_scroll(page)


def test_a_citizen_books_a_slot_and_pays_in_the_sandbox(
    browser, live_server, clock, world, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.birth.versions.update(fee=8000, fee_rule={"per": "copy"})
    # Thursdays at Hoàn Kiếm: 08:00–09:00, two places (the clock starts Wed 25/11 08:30).
    Window.objects.create(branch=world.hoan_kiem, weekday=3, start=time(8), end=time(9), capacity=2)
    an = Citizen.objects.create(
        email="an@example.vn",
        password=make_password(PASSWORD),
        full_name="Nguyễn Văn An",
        created_at=timezone.now(),
    )
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        citizen_signin(page, "an@example.vn", PASSWORD)

        page.goto("/lich-hen/")
        check(page, "appointments")
        page.get_by_role("link", name="Đặt lịch hẹn nộp hồ sơ").click()
        check(page, "book")
        page.get_by_label("Thủ tục").select_option("1.001193")
        page.get_by_label("Nơi nộp hồ sơ").select_option(str(world.hoan_kiem.pk))
        page.get_by_label("Ngày").fill("2026-11-26")
        page.get_by_label("Ngày").press("Enter")
        slot = page.get_by_role("radio", name=re.compile("08:00–09:00"))
        expect(slot).to_be_visible()
        check(page, "book-slots")
        # By keyboard: the slot with Space, the booking with Enter on its button.
        slot.focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Đặt lịch").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Phiếu hẹn nộp hồ sơ")
        expect(page.locator("#ticket")).to_have_text("0800-01")
        expect(page.locator("svg.qr-code")).to_be_visible()
        check(page, "ticket")
        assert Booking.objects.get().citizen_id == an.pk

        # The desk receives the dossier for An's account; An pays its fee online.
        dossier = dossier_receive(
            intake=intake(world, world.birth, copies=2, citizen_id=an.pk),
            actor=world.lan,
            now=timezone.now(),
        )
        page.goto(f"/thanh-toan/ho-so/{dossier.pk}/")
        expect(page.get_by_text("16.000 đồng")).to_be_visible()
        check(page, "pay")
        page.get_by_role("button", name="Thanh toán trực tuyến").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cổng thanh toán thử nghiệm")
        check(page, "sandbox")
        page.get_by_role("button", name="Thanh toán", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Đã thanh toán xong")
        check(page, "paid")
        page.get_by_role("link", name="Xem biên lai điện tử").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Biên lai thu phí, lệ phí điện tử"
        )
        check(page, "receipt")
        payment = Payment.objects.get()
        assert (payment.state, payment.amount) == ("paid", 16_000)
        outbox_deliver(now=timezone.now())
        assert [m.to for m in mail.outbox if payment.receipt_number in m.subject] == [
            ["an@example.vn"]
        ]
    finally:
        context.close()


def test_the_fee_of_a_procedure_is_counted_on_its_page_by_keyboard(browser, live_server, world):
    from motcua.catalog.services import catalog_import, default_catalog_dir

    catalog_import(paths=[default_catalog_dir() / "2.000815.toml"])
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/thu-tuc/2.000815/")
        check(page, "procedure-fee")
        page.get_by_label("Số bản").fill("2")
        page.get_by_label("Số trang mỗi bản").fill("0")
        page.get_by_label("Số trang mỗi bản").press("Enter")
        expect(page.locator(".field.invalid")).to_contain_text("từ 1 đến 2000")
        check(page, "procedure-fee-error")
        page.get_by_label("Số trang mỗi bản").fill("10")
        page.get_by_label("Số trang mỗi bản").press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Số tiền phải nộp: 24.000 đồng")
        check(page, "procedure-fee-counted")
    finally:
        context.close()
