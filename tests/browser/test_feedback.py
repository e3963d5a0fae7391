"""A citizen rates a returned dossier on a 360 px phone, partly by keyboard, then files a
complaint about an official that the official's leader answers; every page checked with
axe-core and in Vietnamese."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from motcua.feedback.models import Feedback, Rating
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll
from tests.conftest import at
from tests.feedback.test_services import returned

pytestmark = pytest.mark.browser


def test_a_citizen_rates_and_complains_and_the_leader_answers(
    world, browser, live_server, clock, person, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    d = returned(world)
    clock.move_to(at("2026-11-25 15:00"))
    outbox_deliver(now=timezone.now())
    notice = next(m for m in mail.outbox if d.code in m.subject and "Đã trả kết quả" in m.subject)
    link = re.search(r"http\S+/danh-gia/\S+", notice.body)[0]
    parts = urlsplit(link)

    context = browser.new_context(base_url=live_server.url, viewport=NARROW, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{parts.path}?{parts.query}")
        assert page.get_attribute("html", "lang") == "vi"
        expect(page.get_by_role("heading", level=1)).to_have_text("Đánh giá mức độ hài lòng")
        assert_accessible(page, "rating")
        no_sideways_scroll(page)

        # By keyboard: the first group's first choice, then the arrow keys move along it.
        conduct = page.get_by_role("group", name="Thái độ, tác phong của cán bộ")
        conduct.get_by_label("1 – Rất không hài lòng").focus()
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(conduct.get_by_label("4 – Hài lòng")).to_be_checked()
        page.get_by_role("button", name="Gửi đánh giá").click()
        # Three questions left unanswered: each says so, nothing stored.
        expect(page.locator("fieldset.invalid")).to_have_count(3)
        assert_accessible(page, "rating-errors")
        assert not Rating.objects.exists()

        for question in ("Trả kết quả đúng hẹn", "Hướng dẫn rõ ràng, dễ hiểu"):
            page.get_by_role("group", name=question).get_by_label("5 – Rất hài lòng").check()
        simple = page.get_by_role("group", name="Thủ tục đơn giản, dễ làm")
        simple.get_by_label("3 – Bình thường").check()
        page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Chờ hơi lâu ở quầy.")
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cảm ơn ông/bà đã đánh giá")
        assert_accessible(page, "rated")
        rating = Rating.objects.get()
        assert (rating.conduct, rating.punctuality, rating.simplicity) == (4, 5, 3)
        assert not rating.at_desk

        # The same link again: one rating per dossier.
        page.goto(f"{parts.path}?{parts.query}")
        for group in page.get_by_role("group").all():
            group.get_by_label("1 – Rất không hài lòng").check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator("[role=alert]")).to_contain_text("Hồ sơ này đã được đánh giá")
        assert Rating.objects.get().conduct == 4
        page.get_by_role("link", name="Muốn phản ánh, kiến nghị? Gửi tại đây.").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Gửi phản ánh, kiến nghị")
        assert_accessible(page, "file")
        no_sideways_scroll(page)
        page.get_by_label("Về thái độ, hành vi của cán bộ").check()
        page.get_by_label("Nơi cán bộ làm việc").select_option(label="UBND Phường Hoàn Kiếm")
        page.get_by_label("Họ tên cán bộ (nếu biết, ghi trên thẻ công chức)").fill("Ngô Văn Đức")
        page.get_by_label("Nội dung phản ánh, kiến nghị").fill(
            "Cán bộ thẩm định trả lời qua loa khi tôi hỏi về hồ sơ."
        )
        page.get_by_label("Họ và tên của ông/bà").fill("Trần Văn Bình")
        contact = page.get_by_label("Thư điện tử hoặc số điện thoại di động để nhận trả lời")
        contact.fill("binh@example.vn")
        contact.press("Enter")
        # Not signed in: the address gets a code, and nothing goes anywhere before it is typed.
        expect(page.get_by_role("heading", level=1)).to_have_text("Xác minh địa chỉ nhận trả lời")
        assert_accessible(page, "verify")
        no_sideways_scroll(page)
        assert not Feedback.objects.exists()
        code = OutboxMessage.objects.get(template="citizens/email/address_code").context["code"]
        page.get_by_label("Mã xác minh (6 chữ số)").fill(code)
        page.get_by_role("button", name="Xác minh và gửi phản ánh").click()
        expect(page.get_by_role("status")).to_contain_text("Mã phản ánh của ông/bà")
        item = Feedback.objects.get()
        expect(page.get_by_role("heading", level=1)).to_contain_text(item.code)
        expect(page.locator("main")).to_contain_text("Đang xem xét, xử lý")
        assert_accessible(page, "item")
        no_sideways_scroll(page)
        item_url = page.url

        # The official never sees it; his unit's leader answers.
        duc = person("duc")
        duc.goto(f"/can-bo/phan-anh/{item.pk}/")
        expect(duc.get_by_role("heading", level=1)).not_to_contain_text(item.code)
        son = person("son")
        son.get_by_role("link", name="Phản ánh, kiến nghị").click()
        assert_accessible(son, "feedback list")
        son.get_by_role("link", name=item.code).click()
        assert_accessible(son, "feedback item")
        son.get_by_label("Nội dung trả lời").fill(
            "Phường đã nhắc nhở cán bộ; xin lỗi ông về thái độ chưa đúng mực."
        )
        # A complaint about conduct is closed with whether it was upheld.
        son.get_by_label("Có cơ sở", exact=True).check()
        son.get_by_role("button", name="Gửi trả lời").click()
        expect(son.get_by_role("status")).to_contain_text("Đã trả lời")
        expect(son.locator("main")).to_contain_text("Kết luận: Có cơ sở")
        # He publishes it in plain words, without the citizen's or the official's name.
        assert_accessible(son, "feedback item to publish")
        son.get_by_label(re.compile("^Câu hỏi để công khai")).fill(
            "Cán bộ thẩm định trả lời qua loa khi được hỏi về hồ sơ."
        )
        son.get_by_label("Trả lời để công khai").fill("Phường đã nhắc nhở cán bộ và xin lỗi.")
        son.get_by_role("button", name="Công khai", exact=True).click()
        expect(son.get_by_role("status")).to_contain_text("Đã công khai")

        page.goto(item_url)
        expect(page.locator("main")).to_contain_text("Đã trả lời")
        expect(page.locator("main")).to_contain_text("xin lỗi ông về thái độ chưa đúng mực")
        assert "Lý Văn Sơn" not in page.content()
        assert_accessible(page, "answered item")
        page.get_by_role(
            "link", name="Xem các phản ánh, kiến nghị đã được trả lời công khai"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Phản ánh, kiến nghị đã trả lời")
        page.get_by_label("Tìm trong câu hỏi và trả lời").fill("tham dinh qua loa")
        page.get_by_role("button", name="Tìm", exact=True).click()
        expect(page.locator("main")).to_contain_text("Phường đã nhắc nhở cán bộ và xin lỗi.")
        for private in ("Trần Văn Bình", "binh@example.vn", "Ngô Văn Đức", item.code):
            assert private not in page.content()
        assert_accessible(page, "published answers")
        no_sideways_scroll(page)
    finally:
        context.close()
