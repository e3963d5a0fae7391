"""A citizen follows their own dossier in a real browser, on a 360 px phone: signs in, opens
it from "Hồ sơ đã nộp", answers the request for papers with a file (a disguised one first),
and once the result is ready downloads its electronic copy. Every page checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import expect

from motcua.citizens.models import Citizen
from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierScan
from motcua.dossiers.services import dossier_act, dossier_receive
from tests import scanfiles
from tests.browser.pages import NARROW, assert_accessible, citizen_signin, no_sideways_scroll
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-rat-kho-doan-2026"
INTERNAL = ("Chuyển bước tiếp theo", "Tiếp nhận hồ sơ", "→", "giờ làm việc")


def test_a_citizen_answers_the_supplement_and_downloads_the_result(
    world, browser, live_server, clock, tmp_path
):
    an = Citizen.objects.create(
        email="an@example.vn", password=make_password(PASSWORD), created_at=timezone.now()
    )
    d = dossier_receive(
        intake=intake(world, world.birth, citizen_id=an.pk), actor=world.lan, now=timezone.now()
    )
    d = dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.lan,
        now=timezone.now(),
        missing=["Bản sao giấy chứng nhận kết hôn"],
    )
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        citizen_signin(page, "an@example.vn", PASSWORD)
        page.get_by_role("link", name="Hồ sơ đã nộp").click()
        assert page.get_attribute("html", "lang") == "vi"
        assert_accessible(page, "my dossiers")
        no_sideways_scroll(page)
        page.get_by_role("link", name="Đăng ký khai sinh").click()
        expect(page.locator(".todo")).to_contain_text("Gửi các giấy tờ còn thiếu")
        main = page.locator("main").inner_text()
        for jargon in INTERNAL:
            assert jargon not in main
        assert_accessible(page, "my dossier")
        no_sideways_scroll(page)

        # A program renamed .pdf first: refused beside its field, nothing stored.
        fake = tmp_path / "ket-hon.pdf"
        fake.write_bytes(scanfiles.EXE)
        page.get_by_label("Bản sao giấy chứng nhận kết hôn").set_input_files(str(fake))
        page.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
        expect(page.locator(".field.invalid")).to_contain_text("không phải bản quét PDF")
        assert not DossierScan.objects.exists()
        assert_accessible(page, "my dossier with an error")
        real = tmp_path / "ket-hon.png"
        real.write_bytes(scanfiles.PNG)
        # By keyboard: the file is chosen, then the button reached and pressed.
        page.get_by_label("Bản sao giấy chứng nhận kết hôn").set_input_files(str(real))
        page.get_by_role("button", name="Gửi giấy tờ bổ sung").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text("Đã gửi giấy tờ bổ sung")
        expect(page.locator(".story")).to_contain_text("Cơ quan đã nhận giấy tờ bổ sung.")
        assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING
        assert DossierScan.objects.filter(dossier=d).count() == 1

        # The commune decides; the result is marked ready with its electronic copy.
        d = Dossier.objects.get(pk=d.pk)
        for action, actor in (
            (Action.FORWARD, world.lan),
            (Action.PROPOSE, world.duc),
            (Action.FORWARD, world.duc),
            (Action.APPROVE, world.long),
        ):
            d = dossier_act(dossier=d, action=action, actor=actor, now=timezone.now())
        dossier_act(
            dossier=d,
            action=Action.MARK_READY,
            actor=world.long,
            now=timezone.now(),
            result=scanfiles.upload(scanfiles.PDF, "giay-khai-sinh.pdf"),
        )
        page.reload()
        expect(page.locator(".todo")).to_contain_text("Đến nhận kết quả")
        assert_accessible(page, "my dossier with its result")
        no_sideways_scroll(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải kết quả (PDF)").click()
        saved = tmp_path / "kq.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes() == scanfiles.PDF
        assert re.fullmatch(r"ket-qua-.+\.pdf", download.value.suggested_filename)
    finally:
        context.close()
