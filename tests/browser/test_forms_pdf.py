"""Every official form (mẫu 01–07) opened in a real browser, its PDF downloaded from the page's
own link and read back with pdftotext: every field TT 03/2025 lists (DOMAIN §6) is there and
filled (issue 13)."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.urls import reverse

from motcua.core.lifecycle import Action
from motcua.dossiers.services import Applicant, Intake, dossier_act, dossier_receive
from motcua.organization.models import Staff, Unit
from tests.conftest import at

pytestmark = pytest.mark.browser

BINH = Applicant(
    name="Trần Văn Bình",
    id_number="001203012345",
    address="Số 12 phố Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
    phone="0912345678",
    email="binh@example.vn",
)
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def receive(world, when, **kw):
    docs = [d.pk for d in world.chain.versions.get().documents.all()]
    intake = Intake(procedure_code=world.chain.code, applicant=BINH, documents=docs)
    return dossier_receive(intake=intake, actor=world.lan, now=at(when), **kw)


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


def situations(world):
    """One dossier in each state a form is printed for, all before the browser's morning."""
    Unit.objects.filter(pk=world.lan.unit.pk).update(phone="024 3825 3536")
    Staff.objects.filter(user_id=world.kien.user_id).update(title="Trưởng Công an phường")
    asked = receive(world, "2026-11-23 09:30")
    asked = act(asked, Action.FORWARD, world.lan, "2026-11-23 10:00")
    asked = act(
        asked,
        Action.REQUEST_SUPPLEMENT,
        world.duc,
        "2026-11-23 14:00",
        missing=["Giấy chứng sinh (bản chính)"],
        note="Giấy chứng sinh nộp kèm là bản chụp.",
    )
    refused = receive(
        world,
        "2026-11-23 11:00",
        outcome=Action.REFUSE,
        reason="Trẻ đã được đăng ký khai sinh tại UBND Phường Ba Đình.",
    )
    late = receive(world, "2026-11-23 08:30")
    late = act(late, Action.FORWARD, world.lan, "2026-11-23 09:00")
    late = act(late, Action.FORWARD, world.duc, "2026-11-23 15:00")
    late = act(late, Action.DRAFT_APOLOGY, world.tam, "2026-11-24 09:00", note="Chờ xác minh.")
    late = act(late, Action.APPROVE_APOLOGY, world.kien, "2026-11-24 10:00")
    stopped = receive(world, "2026-11-23 13:00")
    stopped = act(stopped, Action.WITHDRAW, world.lan, "2026-11-24 09:00", note="Xin rút.")
    stopped = act(stopped, Action.STOP, world.lan, "2026-11-24 09:10", note="Theo đề nghị.")
    return {"01": asked, "02": asked, "03": refused, "04": late, "05": stopped, "06": late}


def pdf_words(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", result.stdout.decode())


def download_pdf(page, url: str) -> str:
    """Open the form's page, follow its "Tải PDF" link, return the PDF's words."""
    page.goto(url)
    href = page.get_by_role("link", name=re.compile("Tải PDF")).get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return pdf_words(response.body())


# What each form must show (DOMAIN §6), beside the common header.
EXPECTED = {
    "01": [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Số: 0001/TNHS-UBND",
        "{code}",
        "UBND Phường Hoàn Kiếm tiếp nhận hồ sơ của",
        "Trần Văn Bình",
        "001203012345",
        "Số 12 phố Hàng Bạc",
        "0912345678",
        "binh@example.vn",
        "Liên thông khai sinh, thường trú, thẻ BHYT",
        "Tờ khai liên thông",
        "Số lượng hồ sơ: 01 bộ",
        "03 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 23 tháng 11 năm 2026",
        "Thời gian trả kết quả giải quyết hồ sơ:",
        "Đăng ký nhận kết quả tại: Bộ phận Một cửa, UBND Phường Hoàn Kiếm",
        "Quyển số: 261123",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Nguyễn Thị Lan",
    ],
    "02": [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Số: 0001/PBS-UBND",
        "{code}",
        "Trần Văn Bình",
        "1. Giấy chứng sinh (bản chính)",
        "Lý do: Giấy chứng sinh nộp kèm là bản chụp.",
        "liên hệ với Ngô Văn Đức",
        "024 3825 3536",
        "NGƯỜI HƯỚNG DẪN",
    ],
    "03": [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Số: 0001/PTC-UBND",
        "Trần Văn Bình",
        "Liên thông khai sinh, thường trú, thẻ BHYT",
        "Trẻ đã được đăng ký khai sinh tại UBND Phường Ba Đình.",
        "NGƯỜI TIẾP NHẬN",
        "Nguyễn Thị Lan",
    ],
    "04": [
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Số: 0001/PXL-CAPHK",
        "Công an Phường Hoàn Kiếm trân trọng xin lỗi ông/bà",
        "Kính gửi",
        "Ông/Bà Trần Văn Bình",
        "Ngày 23 tháng 11 năm 2026",
        "số định danh 001203012345",
        "{code}",
        "hẹn trả kết quả vào",
        "Lý do: Chờ xác minh.",
        "thời gian trả kết quả mới là",
        "Nơi nhận",
        "Bộ phận Một cửa, UBND Phường Hoàn Kiếm",
        "Lưu: VT",
        "TRƯỞNG CÔNG AN PHƯỜNG",
        "Phan Văn Kiên",
    ],
    "05": [
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Số: 0001/TBDG-UBND",
        "{code}",
        "Trần Văn Bình",
        "Ngày tiếp nhận hồ sơ: 23/11/2026",
        "Thời điểm dừng giải quyết:",
        "Tình trạng hồ sơ khi dừng",
        "Phí, lệ phí đã nộp",
        "Nguyễn Thị Lan",
    ],
    "06": [
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Số: 0001/PKS-UBND",
        "{code}",
        "Cơ quan (bộ phận) giải quyết hồ sơ: UBND Phường Hoàn Kiếm",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an Phường Hoàn Kiếm",
        "Ngày nhận hồ sơ: 08 giờ 30 phút, ngày 23 tháng 11 năm 2026",
        "Hẹn trả kết quả",
        "Đúng hạn",
        "Nguyễn Thị Lan",
    ],
}


def test_every_form_prints_every_field_filled(person, world):
    dossiers = situations(world)
    page = person("lan")

    for form, expected in EXPECTED.items():
        d = dossiers[form]
        words = download_pdf(page, reverse("paperwork:form", args=[d.pk, form]))
        missing = [want for want in expected if want.format(code=d.code) not in words]
        assert missing == [], f"mẫu {form}: {missing}\n{words}"
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words
        assert "Độc lập - Tự do - Hạnh phúc" in words
        assert "……" not in words, f"mẫu {form} leaves a blank where the data exists:\n{words}"
        if form in ("05", "06"):
            assert DATE.search(words), f"mẫu {form} writes no date as dd/mm/yyyy"


def test_the_ledger_prints_every_column_filled(person, world):
    dossiers = situations(world)
    page = person("lan")
    page.goto(reverse("paperwork:ledger") + "?from=2026-11-01&to=2026-11-30")
    href = page.get_by_role("link", name=re.compile("Tải PDF")).get_attribute("href")
    response = page.request.get(reverse("paperwork:ledger") + href)

    words = pdf_words(response.body())

    for want in [
        "SỔ THEO DÕI HỒ SƠ",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
        dossiers["01"].code,
        dossiers["04"].code,
        "Trần Văn Bình",
        "0912345678",
        "23/11/2026",
        "Liên thông khai",  # the column wraps the rest
        "UBND Phường Hoàn",
    ]:
        assert want in words, f"{want}\n{words}"
