"""A citizen finds a procedure by an accent-less query, fills its e-form with an upload and
submits it; the desk accepts it from the online queue. Pages checked with axe-core, on a
360 px phone for the citizen."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.citizens.models import Citizen
from motcua.dossiers.models import Dossier
from tests import scanfiles
from tests.browser.pages import NARROW, assert_accessible, citizen_signin
from tests.online.test_online import FIELDS

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-rat-kho-doan-2026"


@pytest.fixture
def citizen_an(db):
    from django.contrib.auth.hashers import make_password

    return Citizen.objects.create(
        email="an@example.vn",
        password=make_password(PASSWORD),
        full_name="Nguyễn Văn An",
        id_number="001203004567",
        created_at=timezone.now(),
    )


def test_a_citizen_submits_online_and_the_desk_accepts(
    browser, live_server, clock, world, citizen_an, tmp_path
):
    from motcua.catalog.selectors import catalog_cache_clear
    from motcua.organization.models import Division

    version = world.birth.versions.get()
    version.form_fields = FIELDS
    version.online_level = "toàn trình"
    version.save()
    catalog_cache_clear()
    hanoi = Division.objects.create(code="01", name="Thành phố Hà Nội", kind="thành phố")
    Division.objects.create(code="00070", name="Phường Hoàn Kiếm", kind="phường", parent=hanoi)
    scan = tmp_path / "giay-chung-sinh.png"
    scan.write_bytes(scanfiles.PNG)

    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        citizen_signin(page, "an@example.vn", PASSWORD)
        page.goto("/thu-tuc/?q=dang+ky+khai+sinh")
        page.locator(".catalog-list > li").first.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
        page.get_by_role("link", name="Nộp trực tuyến").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
        assert_accessible(page, "start")
        page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
        expect(page.get_by_label("Họ, chữ đệm và tên người yêu cầu")).to_be_visible()
        assert page.get_attribute("html", "lang") == "vi"
        expect(page.get_by_label("Họ, chữ đệm và tên người yêu cầu")).to_have_value("Nguyễn Văn An")
        assert_accessible(page, "e-form")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        page.get_by_label("Nơi cư trú: tỉnh, thành phố").select_option("01")
        page.get_by_label("Nơi cư trú: xã, phường").select_option("00070")
        page.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Nguyễn Minh Khang")
        page.get_by_label("Ngày sinh của trẻ").fill("2026-11-20")
        uploads = page.locator("input[type=file]")
        for index in range(uploads.count()):
            uploads.nth(index).set_input_files(str(scan))
        page.get_by_label("Nơi nhận hồ sơ").select_option(label="UBND Phường Hoàn Kiếm")
        page.get_by_role("button", name="Nộp hồ sơ").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
        assert_accessible(page, "submitted")
    finally:
        context.close()

    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.channel, dossier.citizen_id) == (1, 2, citizen_an.pk)
    from tests.browser.pages import signin

    staff = browser.new_context(base_url=live_server.url, locale="vi-VN")
    staff.set_default_timeout(10_000)
    officer = staff.new_page()
    try:
        from django.contrib.auth.models import User

        signin(officer, User.objects.get(pk=world.lan.user_id).username)
        officer.goto("/can-bo/truc-tuyen/")
        expect(officer.get_by_role("table")).to_contain_text("Nguyễn Văn An")
        officer.get_by_role("link", name="Kiểm tra hồ sơ").click()
        officer.get_by_role("button", name=re.compile("^Tiếp nhận")).first.click()
        dossier.refresh_from_db()
        expect(officer.locator("h1")).to_contain_text(dossier.code or "H26.100-")
    finally:
        staff.close()
    dossier.refresh_from_db()
    assert dossier.status == 2 and dossier.code
