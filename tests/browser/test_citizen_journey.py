"""The citizen's whole journey in one real browser (issue 9), on a 360 px phone, every citizen
page checked with axe-core: An finds birth registration by an accent-less query, books a
counter slot, fills in the draft tied to it with uploads and submits it online; the desk
accepts it from the online queue; An pays the fee in the sandbox, opens the tracking page
through the QR link of the receipt (form 01), answers the request for a paper on "Hồ sơ đã
nộp", downloads the electronic result, rates it and files a complaint the ward answers.

Only clicks and typing on the pages, for An as for the officers (who sign in on theirs); the
clock is moved between the steps. The fee is paid after the desk accepts: a fee is due once
the dossier is received (DOMAIN; motcua.core.payments.PAYABLE)."""

from __future__ import annotations

import re
from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import expect

from motcua.appointments.models import Booking, Window
from motcua.citizens.models import Citizen
from motcua.core.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierScan
from motcua.feedback.models import Feedback, Rating
from motcua.paperwork.rendering import qr_svg
from motcua.payments.models import Payment
from tests import scanfiles
from tests.browser.pages import (
    NARROW,
    act,
    assert_accessible,
    citizen_signin,
    done,
    no_sideways_scroll,
    open_from_inbox,
)
from tests.online.test_online import FIELDS

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-rat-kho-doan-2026"


def check(page, name: str) -> None:
    """A citizen's page: in Vietnamese, no serious accessibility fault, no sideways scroll."""
    assert page.get_attribute("html", "lang") == "vi"
    assert_accessible(page, name)
    no_sideways_scroll(page)


def open_my_dossier(page, *, check_list: bool = False) -> None:
    """From any page: the account, "Hồ sơ đã nộp", then the birth registration."""
    page.get_by_role("navigation", name="Chính").get_by_role(
        "link", name="Tài khoản của tôi"
    ).click()
    page.get_by_role("link", name="Hồ sơ đã nộp").click()
    if check_list:
        check(page, "my dossiers")
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")


@pytest.fixture
def online_birth(world):
    """Birth registration offered online (its e-form), with a fee; Hà Nội's wards; Hoàn Kiếm
    takes appointments on Thursdays 08:00–09:00; An's account."""
    from motcua.catalog.selectors import catalog_cache_clear
    from motcua.organization.models import Division

    world.birth.versions.update(
        form_fields=FIELDS, online_level="toàn trình", fee=8000, fee_rule={"per": "copy"}
    )
    catalog_cache_clear()
    hanoi = Division.objects.create(code="01", name="Thành phố Hà Nội", kind="thành phố")
    Division.objects.create(code="00070", name="Phường Hoàn Kiếm", kind="phường", parent=hanoi)
    Window.objects.create(branch=world.hoan_kiem, weekday=3, start=time(8), end=time(9), capacity=5)
    Citizen.objects.create(
        email="an@example.vn",
        password=make_password(PASSWORD),
        full_name="Nguyễn Văn An",
        id_number="001203004567",
        created_at=timezone.now(),
    )
    return world


def test_the_citizen_s_whole_journey(
    world, online_birth, browser, live_server, clock, person, tmp_path
):
    scan = tmp_path / "giay-chung-sinh.png"
    scan.write_bytes(scanfiles.PNG)
    context = browser.new_context(
        base_url=live_server.url, viewport=NARROW, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    an = context.new_page()
    try:
        # --- Step 1: An signs in and finds the procedure by an accent-less query. ----------
        citizen_signin(an, "an@example.vn", PASSWORD)
        check(an, "my account")
        an.get_by_role("navigation", name="Chính").get_by_role("link", name="Thủ tục").click()
        check(an, "catalog")
        search = an.get_by_label("Tên thủ tục hoặc mã thủ tục")
        search.fill("dang ky khai sinh")
        search.press("Enter")
        first = an.locator(".catalog-list > li").first
        expect(first.get_by_role("heading")).to_have_text("Đăng ký khai sinh")
        check(an, "catalog results")
        first.get_by_role("link", name="Đăng ký khai sinh").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
        check(an, "procedure")

        # --- Step 2: a counter slot on Thursday. --------------------------------------------
        an.get_by_role("link", name="Đặt lịch hẹn nộp hồ sơ tại quầy").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Đặt lịch hẹn nộp hồ sơ")
        expect(an.get_by_label("Thủ tục")).to_have_value("1.001193")
        check(an, "book")
        an.get_by_label("Nơi nộp hồ sơ").select_option(label="UBND Phường Hoàn Kiếm")
        an.get_by_label("Ngày").fill("2026-11-26")
        an.get_by_role("button", name="Xem giờ còn chỗ").click()
        an.get_by_role("radio", name=re.compile("08:00–09:00")).check()
        check(an, "book slots")
        an.get_by_role("button", name="Đặt lịch").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Phiếu hẹn nộp hồ sơ")
        ticket_url = an.url
        check(an, "ticket")
        booking = Booking.objects.get()
        assert booking.draft_id is not None

        # --- Step 3: the draft tied to the booking, filled in with uploads, submitted. ------
        an.get_by_role("link", name="Khai trước hồ sơ").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
        assert an.url.endswith(f"/ho-so-nhap/{booking.draft_id}/")
        expect(an.get_by_label("Họ, chữ đệm và tên người yêu cầu")).to_have_value("Nguyễn Văn An")
        check(an, "e-form")
        an.get_by_label("Nơi cư trú: tỉnh, thành phố").select_option("01")
        an.get_by_label("Nơi cư trú: xã, phường").select_option("00070")
        an.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Nguyễn Minh Khang")
        an.get_by_label("Ngày sinh của trẻ").fill("2026-11-20")
        uploads = an.locator("input[type=file]")
        for index in range(uploads.count()):
            uploads.nth(index).set_input_files(str(scan))
        an.get_by_label("Nơi nhận hồ sơ").select_option(label="UBND Phường Hoàn Kiếm")
        an.get_by_role("button", name="Nộp hồ sơ").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
        check(an, "submitted")
        dossier = Dossier.objects.get()
        assert (dossier.status, dossier.citizen_id) == (Status.NEW, booking.citizen_id)

        # The ticket now says the dossier went in online; the visit is still possible.
        an.goto(ticket_url)
        expect(an.get_by_role("heading", name="Hồ sơ đã nộp trực tuyến")).to_be_visible()
        expect(an.locator("main")).to_contain_text("mang bản chính đối chiếu")
        check(an, "ticket once submitted")

        # --- Step 4: the desk accepts it from the online queue. -----------------------------
        lan = person("lan")
        lan.get_by_role("link", name="Hồ sơ trực tuyến").click()
        expect(lan.get_by_role("table")).to_contain_text("Nguyễn Văn An")
        lan.get_by_role("link", name="Kiểm tra hồ sơ").click()
        lan.get_by_role("button", name=re.compile("^Tiếp nhận")).first.click()
        dossier.refresh_from_db()
        assert dossier.status == Status.RECEIVED and dossier.code
        code = dossier.code
        expect(lan.locator("h1")).to_contain_text(code)

        # The desk's day list of Thursday opens that dossier in one click.
        lan.get_by_role("link", name="Lịch hẹn", exact=True).click()
        lan.get_by_label("Ngày").fill("2026-11-26")
        lan.get_by_role("button", name="Xem").click()
        row = lan.locator(f"#hen-{booking.pk}")
        expect(row).to_contain_text("0800-01")
        row.get_by_role("link", name="Mở hồ sơ đã nộp").click()
        expect(lan.locator("h1")).to_contain_text(code)

        # --- Step 5: An pays the fee in the sandbox. ----------------------------------------
        open_my_dossier(an, check_list=True)
        check(an, "my dossier")
        an.get_by_role("link", name="Nộp phí, lệ phí trực tuyến").click()
        expect(an.get_by_text("8.000 đồng")).to_be_visible()
        check(an, "pay")
        an.get_by_role("button", name="Thanh toán trực tuyến").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Cổng thanh toán thử nghiệm")
        check(an, "sandbox")
        an.get_by_role("button", name="Thanh toán", exact=True).click()
        expect(an.get_by_role("status")).to_contain_text("Đã thanh toán xong")
        check(an, "paid")
        assert Payment.objects.get().state == "paid"

        # --- Step 6: the tracking page through the QR link of the receipt (form 01). --------
        open_my_dossier(an)
        expect(an.get_by_role("link", name="Nộp phí, lệ phí trực tuyến")).to_have_count(0)
        an.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả").click()
        expect(an.locator("main")).to_contain_text(code)
        check(an, "receipt (form 01)")
        secret = an.locator(".doc-code strong").nth(1).inner_text()
        link = an.get_by_role("link", name="Xem tình trạng hồ sơ").get_attribute("href")
        # The link beside the receipt is the one its QR code carries.
        drawn = an.locator("svg.qr-code path").get_attribute("d")
        assert drawn == re.search(r' d="([^"]+)"', str(qr_svg(link)))[1]
        parts = urlsplit(link)
        an.goto(f"{parts.path}?{parts.query}")
        expect(an.locator("main")).to_contain_text(code)
        check(an, "tracking")

        # --- Step 7: the specialist asks for a paper. ---------------------------------------
        act(lan, "Chuyển bước tiếp theo", {"Người nhận": "Ngô Văn Đức (Chuyên viên)"})
        done(lan, "Chuyển bước tiếp theo")
        duc = person("duc")
        open_from_inbox(duc, code)
        act(
            duc, "Yêu cầu bổ sung hồ sơ", {"Giấy tờ cần bổ sung": "Bản sao giấy chứng nhận kết hôn"}
        )
        done(duc, "Yêu cầu bổ sung hồ sơ")

        # --- Step 8: An uploads it on "Hồ sơ đã nộp". ---------------------------------------
        clock.shift(timedelta(minutes=30))
        open_my_dossier(an)
        expect(an.locator(".todo")).to_contain_text("Gửi các giấy tờ còn thiếu")
        check(an, "my dossier, papers asked")
        marriage = tmp_path / "ket-hon.pdf"
        marriage.write_bytes(scanfiles.PDF)
        an.get_by_label("Bản sao giấy chứng nhận kết hôn").set_input_files(str(marriage))
        an.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
        expect(an.locator(".messages")).to_contain_text("Đã gửi giấy tờ bổ sung")
        check(an, "my dossier, papers sent")
        assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING

        # --- Step 9: the ward decides; the result is marked ready with its electronic copy. -
        result = tmp_path / "giay-khai-sinh.pdf"
        result.write_bytes(scanfiles.PDF)
        duc.reload()
        act(duc, "Đề xuất kết quả", {"Ghi chú": "Đủ điều kiện đăng ký khai sinh."})
        done(duc, "Đề xuất kết quả")
        act(duc, "Chuyển bước tiếp theo", {"Người nhận": "Trịnh Văn Long (Lãnh đạo cơ quan)"})
        done(duc, "Chuyển bước tiếp theo")
        long = person("long")
        open_from_inbox(long, code)
        act(long, "Phê duyệt kết quả")
        done(long, "Phê duyệt kết quả")
        act(long, "Có kết quả, chờ trả", {"Bản điện tử của kết quả (PDF)": str(result)})
        done(long, "Có kết quả, chờ trả")

        # --- Step 10: the desk returns it; An downloads the electronic copy. ----------------
        open_from_inbox(lan, code)
        act(
            lan,
            "Trả kết quả",
            {
                "Hình thức trả": "Nhận bản điện tử",
                "Số, ký hiệu văn bản kết quả": "15/GKS",
                "Tôi đã kiểm tra giấy tờ của người nhận và xác nhận trao kết quả.": "yes",
            },
        )
        done(lan, "Trả kết quả")
        assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
        an.reload()
        check(an, "my dossier, returned")
        with an.expect_download() as download:
            an.get_by_role("link", name="Tải kết quả (PDF)").click()
        saved = tmp_path / "kq.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes() == scanfiles.PDF

        # --- Step 11: An rates it. -----------------------------------------------------------
        an.get_by_role("link", name="Đánh giá việc giải quyết hồ sơ này").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Đánh giá mức độ hài lòng")
        check(an, "rating")
        for group in an.get_by_role("group").all():
            group.get_by_label("5 – Rất hài lòng").check()
        an.get_by_role("button", name="Gửi đánh giá").click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Cảm ơn ông/bà đã đánh giá")
        check(an, "rated")
        assert Rating.objects.get().dossier_id == dossier.pk

        # --- Step 12: a complaint, answered by the ward, read by An. ------------------------
        an.get_by_role("link", name=re.compile(r"phản ánh, kiến nghị\? Gửi tại đây")).click()
        expect(an.get_by_role("heading", level=1)).to_have_text("Gửi phản ánh, kiến nghị")
        check(an, "complaint form")
        an.get_by_label("Về việc giải quyết một hồ sơ").check()
        an.get_by_label("Mã hồ sơ").fill(code)
        an.get_by_label("Mã tra cứu").fill(secret)  # as printed on the receipt
        an.get_by_label("Nội dung phản ánh, kiến nghị").fill(
            "Cán bộ hẹn tôi đến đối chiếu bản chính nhưng không ai tiếp."
        )
        an.get_by_label("Họ và tên của ông/bà").fill("Nguyễn Văn An")
        contact = an.get_by_label("Thư điện tử hoặc số điện thoại di động để nhận trả lời")
        contact.fill("an@example.vn")
        an.get_by_role("button", name=re.compile("^Gửi")).last.click()
        expect(an.get_by_role("status")).to_contain_text("Mã phản ánh của ông/bà")
        item = Feedback.objects.get()
        check(an, "complaint filed")
        item_url = an.url

        son = person("son")
        son.get_by_role("link", name="Phản ánh, kiến nghị").click()
        son.get_by_role("link", name=item.code).click()
        son.get_by_label("Nội dung trả lời").fill("Phường xin lỗi ông; đã bố trí cán bộ tiếp.")
        son.get_by_role("button", name="Gửi trả lời").click()
        expect(son.get_by_role("status")).to_contain_text("Đã trả lời")

        an.goto(item_url)
        expect(an.locator("main")).to_contain_text("Đã trả lời")
        expect(an.locator("main")).to_contain_text("Phường xin lỗi ông")
        check(an, "complaint answered")
        assert DossierScan.objects.filter(dossier=dossier).count() >= 2
    finally:
        context.close()
