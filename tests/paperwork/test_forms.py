"""The official forms (mẫu 01–06) and the ledger (mẫu 07): situations made through the services,
pages read through the test client as the personas would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.core.lifecycle import Action
from motcua.dossiers.models import DossierAccess
from motcua.dossiers.selectors import dossier_due_explanation
from motcua.dossiers.services import Applicant, Intake, dossier_act, dossier_receive
from motcua.organization.models import Agency, Staff
from motcua.paperwork import rendering
from tests.conftest import at

BINH = Applicant(
    name="Trần Văn Bình",
    id_number="001203012345",
    address="Số 12 phố Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
    phone="0912345678",
    email="binh@example.vn",
)
MISSING = [
    "Giấy chứng sinh (bản chính)",
    "Tờ khai đăng ký thường trú (mẫu CT01) có xác nhận của chủ hộ",
    "Bản sao giấy chứng nhận kết hôn của cha mẹ",
]


def sign_in(client, actor):
    client.force_login(get_user_model().objects.get(pk=actor.user_id))


def intake(world, procedure=None, applicant=BINH, documents=None) -> Intake:
    procedure = procedure or world.chain
    docs = [d.pk for d in procedure.versions.get().documents.all()]
    return Intake(
        procedure_code=procedure.code,
        applicant=applicant,
        documents=docs if documents is None else documents,
    )


def receive(world, when="2026-11-25 09:30", actor=None, **kw):
    return dossier_receive(intake=intake(world, **kw), actor=actor or world.lan, now=at(when))


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


def page(client, d, form) -> str:
    response = client.get(reverse("paperwork:form", args=[d.pk, form]))
    assert response.status_code == 200, response.content[:500]
    return unescape(response.content.decode())


def text(html: str) -> str:
    """The page's words with tags dropped and spaces squeezed, for phrase assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def problem(response) -> str:
    """The message of the page shown when a form cannot be printed."""
    html = unescape(response.content.decode())
    return re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S).group(1)


def poppler(tool: str, content: bytes) -> str:
    """Run a poppler-utils tool on a PDF (skip when the machine lacks poppler-utils)."""
    if shutil.which(tool) is None:
        message = f"{tool} (poppler-utils) is not installed: cannot read the PDF"
        if os.environ.get("CI"):  # scripts/install-browser installs it: missing is a failure
            pytest.fail(message)
        pytest.skip(message)
    args = [tool, "-layout", "-", "-"] if tool == "pdftotext" else [tool, "-"]
    result = subprocess.run(args, input=content, capture_output=True, check=True)
    return re.sub(r"\s+", " ", result.stdout.decode())


def pdf_text(content: bytes) -> str:
    return poppler("pdftotext", content)


# ---------------------------------------------------------------------------------------------
# Mẫu 01


def test_it_prints_the_receipt_with_everything_form_01_lists(world, client):
    d = receive(world)
    sign_in(client, world.lan)

    html = page(client, d, "01")
    words = text(html)

    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in words
    assert "Số: 0001/TNHS-UBND" in words
    assert "Hoàn Kiếm, ngày 25 tháng 11 năm 2026" in words
    assert "UBND PHƯỜNG HOÀN KIẾM" in words
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words
    assert "H26.100-261125-0001" in words
    for fact in ["Trần Văn Bình", "001203012345", "Số 12 phố Hàng Bạc", "0912345678"]:
        assert fact in words
    assert "binh@example.vn" in words
    assert "Tờ khai liên thông" in words and "Giấy chứng sinh" in words
    assert "Số lượng hồ sơ: 01 bộ" in words
    assert "theo quy định: 03 ngày làm việc" in words
    assert "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 25 tháng 11 năm 2026" in words
    # Three working days from Wednesday 09:30, over the weekend.
    assert "giải quyết hồ sơ: 09 giờ 30 phút, ngày 30 tháng 11 năm 2026" in words
    assert dossier_due_explanation(d, d.received_at)[0] in words
    place = "Bộ phận Một cửa, UBND Phường Hoàn Kiếm (nhận trực tiếp)"
    assert f"Đăng ký nhận kết quả tại: {place}" in words
    assert "Quyển số: 261125, Số thứ tự: 0001" in words
    assert "NGƯỜI NỘP HỒ SƠ" in words and "Nguyễn Thị Lan" in words
    assert d.tracking_secret in words


def test_the_receipt_names_the_organisation_and_who_submitted_for_it(world, client):
    firm = Applicant(
        name="Công ty TNHH Hoa Sen",
        id_number="0100109106",
        representative_name="Lê Văn Hải",
        representative_id_number="001085004321",
        authorisation="Giấy ủy quyền số 12/GUQ ngày 20/11/2026",
    )
    d = receive(world, applicant=firm)
    sign_in(client, world.lan)

    words = text(page(client, d, "01"))

    assert f"Tổ chức: {d.applicant_name}" in words
    assert "Mã số doanh nghiệp/mã số thuế: 0100109106" in words
    assert "Người nộp thay (được ủy quyền): Lê Văn Hải, số định danh 001085004321" in words
    assert "theo Giấy ủy quyền số 12/GUQ ngày 20/11/2026" in words
    # The one who signs as submitter is the representative who stood at the desk.
    signatures = words[words.index("NGƯỜI NỘP HỒ SƠ") :]
    assert "Lê Văn Hải" in signatures


def test_the_receipts_qr_code_opens_the_tracking_page_for_the_dossier(world, client):
    d = receive(world)
    sign_in(client, world.lan)

    html = page(client, d, "01")

    url = rendering.tracking_url(d)
    assert url == (
        f"{settings.SITE_URL}/tra-cuu/?code=H26.100-261125-0001&secret={d.tracking_secret}"
    )
    # The very QR code segno draws for that address is the one on the page.
    assert str(rendering.qr_svg(url)) in html
    assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_the_receipt_page_links_back_to_the_dossier_and_to_its_pdf(world, client):
    d = receive(world)
    sign_in(client, world.lan)

    html = page(client, d, "01")

    assert f'href="/can-bo/ho-so/{d.pk}/"' in html
    assert f'href="{reverse("paperwork:form_pdf", args=[d.pk, "01"])}"' in html
    assert "data-print" in html  # static/js/site.js prints it: no inline script (CSP)


def test_the_receipt_pdf_is_the_same_page_laid_out_on_a5(world, client):
    d = receive(world)
    sign_in(client, world.lan)

    response = client.get(reverse("paperwork:form_pdf", args=[d.pk, "01"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="H26.100-261125-0001-mau-01.pdf"'
    assert response.content.startswith(b"%PDF")
    words = pdf_text(response.content)
    assert "Trần Văn Bình" in words
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in words
    assert "Số: 0001/TNHS-UBND" in words
    info = poppler("pdfinfo", response.content)
    assert "Page size: 419.528 x 595.276 pts" in info  # A5 portrait
    assert "Pages: 1 " in info  # the whole receipt on one sheet


# ---------------------------------------------------------------------------------------------
# Mẫu 02, 03


def test_form_02_lists_every_missing_item_numbered_with_the_reason(world, client):
    d = dossier_receive(
        intake=intake(world, documents=[]),
        actor=world.lan,
        now=at("2026-11-25 10:30"),
        outcome=Action.REQUEST_SUPPLEMENT,
        missing=MISSING,
        reason="Hồ sơ còn thiếu giấy tờ theo quy định.",
    )
    sign_in(client, world.lan)

    html = page(client, d, "02")
    words = text(html)

    items = re.search(r'<ol class="numbered missing">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", items) == MISSING
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in words
    # Asked before reception: no code yet, but the ward's own number for its form 02.
    assert "Số: 0001/PBS-UBND" in words
    assert "Lý do: Hồ sơ còn thiếu giấy tờ theo quy định." in words
    assert "Trần Văn Bình" in words
    assert "Liên thông khai sinh, thường trú, thẻ BHYT" in words
    assert "NGƯỜI HƯỚNG DẪN" in words and "Nguyễn Thị Lan" in words


def test_form_02_during_processing_carries_the_code_and_the_note_as_reason(world, client):
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")
    d = act(
        d,
        Action.REQUEST_SUPPLEMENT,
        world.duc,
        "2026-11-25 10:00",
        missing=MISSING[:1],
        note="Giấy chứng sinh nộp kèm là bản chụp.",
    )
    Agency.objects.filter(pk=world.hoan_kiem.pk).update(phone="024 3825 3536")
    sign_in(client, world.duc)

    words = text(page(client, d, "02"))

    assert "Số: 0001/PBS-UBND" in words
    assert "H26.100-261125-0001" in words
    assert "Lý do: Giấy chứng sinh nộp kèm là bản chụp." in words
    assert "liên hệ với Ngô Văn Đức (UBND Phường Hoàn Kiếm), số điện thoại 024 3825 3536" in words


def test_form_03_gives_each_specific_reason_for_the_refusal(world, client):
    d = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 11:00"),
        outcome=Action.REFUSE,
        reason="Trẻ đã được đăng ký khai sinh tại UBND Phường Ba Đình.\n"
        "Người yêu cầu không phải cha, mẹ hoặc người được ủy quyền.",
    )
    sign_in(client, world.lan)

    html = page(client, d, "03")
    words = text(html)

    reasons = re.search(r'<ol class="numbered reasons">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", reasons) == [
        "Trẻ đã được đăng ký khai sinh tại UBND Phường Ba Đình.",
        "Người yêu cầu không phải cha, mẹ hoặc người được ủy quyền.",
    ]
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in words
    assert "Số: 0001/PTC-UBND" in words
    assert "Hoàn Kiếm, ngày 25 tháng 11 năm 2026" in words
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này" in words
    assert "Trần Văn Bình" in words and "NGƯỜI TIẾP NHẬN" in words


# ---------------------------------------------------------------------------------------------
# Mẫu 04


def late_at_the_police(world):
    """Received Wed 25/11 08:30; the commune police are running over and draft an apology."""
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")
    d = act(d, Action.FORWARD, world.duc, "2026-11-25 15:00")
    return act(
        d,
        Action.DRAFT_APOLOGY,
        world.tam,
        "2026-11-26 09:00",
        note="Chờ xác minh thông tin cư trú tại nơi cư trú cũ.",
    )


def test_form_04_is_a_watermarked_draft_until_the_head_signs(world, client):
    d = late_at_the_police(world)
    letter = d.apology_letter
    sign_in(client, world.tam)

    words = text(page(client, d, "04"))

    assert "DỰ THẢO" in words
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in words
    assert "Số: ……/PXL-CAPHK" in words  # not issued before it is signed
    assert "CÔNG AN PHƯỜNG HOÀN KIẾM" in words
    assert "Kính gửi: - Ông/Bà Trần Văn Bình" in words
    assert "Lý do: Chờ xác minh thông tin cư trú tại nơi cư trú cũ." in words
    assert "Ngày 25 tháng 11 năm 2026, UBND Phường Hoàn Kiếm tiếp nhận" in words
    assert "số định danh 001203012345" in words
    assert "hẹn trả kết quả vào 08 giờ 30 phút, ngày 30 tháng 11 năm 2026" in words
    assert rendering.vn_time(letter.new_due_at) in words
    assert "THỦ TRƯỞNG CƠ QUAN" in words
    assert "Phan Văn Kiên" not in words


def test_form_04_shows_the_head_who_signed_it_and_the_new_date(world, client):
    d = late_at_the_police(world)
    Staff.objects.filter(user_id=world.kien.user_id).update(title="Trưởng Công an phường")
    d = act(d, Action.APPROVE_APOLOGY, world.kien, "2026-11-26 10:00")
    sign_in(client, world.lan)  # the desk that received it reads it too

    words = text(page(client, d, "04"))

    assert "DỰ THẢO" not in words
    assert "TRƯỞNG CÔNG AN PHƯỜNG" in words and "Phan Văn Kiên" in words
    assert "Hoàn Kiếm, ngày 26 tháng 11 năm 2026" in words
    assert f"thời gian trả kết quả mới là {rendering.vn_time(d.due_at)}" in words


def test_form_04_in_time_says_nothing_of_lateness(world, client):
    d = late_at_the_police(world)  # drafted Thursday 09:00, more than a day before Monday
    d = act(d, Action.APPROVE_APOLOGY, world.kien, "2026-11-26 10:00")
    sign_in(client, world.lan)
    words = text(page(client, d, "04"))
    assert "muộn" not in words
    assert "chưa được giải quyết xong, không bảo đảm thời hạn trả kết quả" in words


def test_form_04_tells_honestly_that_it_was_drafted_and_signed_late(world, client):
    """Drafted Friday 10:00 with less than a working day left, signed Tuesday after the
    appointment of Monday 08:30: the letter says both, and that the deadline has passed."""
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")
    d = act(d, Action.DRAFT_APOLOGY, world.duc, "2026-11-27 10:00", note="Chờ xác minh.")
    sign_in(client, world.lan)
    draft = text(page(client, d, "04"))
    assert (
        "Văn bản này được lập lúc 10 giờ 00 phút, ngày 27 tháng 11 năm 2026, muộn (chưa đủ 01 "
        "ngày làm việc trước hạn trả kết quả): không bảo đảm quy định gửi văn bản xin lỗi chậm "
        "nhất 01 ngày làm việc trước hạn trả kết quả." in draft
    )
    d = act(d, Action.APPROVE_APOLOGY, world.long, "2026-12-01 09:00")
    words = text(page(client, d, "04"))
    assert "Văn bản được ký lúc 09 giờ 00 phút, ngày 01 tháng 12 năm 2026, muộn (sau hạn " in words
    assert "Đến nay, đã quá thời hạn trả kết quả như đã hẹn" in words


def test_form_04_of_a_draft_closed_with_its_dossier(world, client):
    d = late_at_the_police(world)
    d = act(d, Action.WITHDRAW, world.lan, "2026-11-26 11:00", note="Xin rút.")
    sign_in(client, world.lan)
    words = text(page(client, d, "04"))
    assert "ĐÃ ĐÓNG" in words and "DỰ THẢO" not in words
    assert (
        "Dự thảo đã đóng, không ký, lúc 11 giờ 00 phút, ngày 26 tháng 11 năm 2026: "
        "Công dân đã rút hồ sơ; văn bản xin lỗi chưa ký được đóng." in words
    )


# ---------------------------------------------------------------------------------------------
# Mẫu 05


def test_form_05_tells_what_was_stopped_when_and_what_happens_to_fees(world, client):
    d = receive(world, when="2026-11-25 13:00")
    d = act(d, Action.WITHDRAW, world.lan, "2026-11-26 09:00", note="Gia đình xin rút hồ sơ.")
    d = act(d, Action.STOP, world.lan, "2026-11-26 09:10", note="Theo đề nghị của công dân.")
    sign_in(client, world.lan)

    words = text(page(client, d, "05"))

    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in words
    assert "Số: 0001/TBDG-UBND" in words
    assert "H26.100-261125-0001" in words
    assert "Liên thông khai sinh, thường trú, thẻ BHYT (3.000722)" in words
    assert "Trần Văn Bình" in words
    assert "Căn cứ đề nghị của ông/bà ngày 26 tháng 11 năm 2026" in words
    # Processing stopped with the withdrawal (its step closed and the clock stopped then);
    # the notice itself is dated by the stop.
    assert "Thời điểm dừng giải quyết: 09 giờ 00 phút, ngày 26 tháng 11 năm 2026" in words
    assert "Hoàn Kiếm, ngày 26 tháng 11 năm 2026" in words
    # The status before the withdrawal request, not "withdrawn", and where it stood.
    assert (
        "Tình trạng hồ sơ khi dừng: Được tiếp nhận (bước “Tiếp nhận”, UBND Phường Hoàn Kiếm)."
        in words
    )
    # Wed 13:00 to Thu 09:00: 4 working hours plus one; the reception step had 0,25 day.
    assert (
        "Thời gian giải quyết ở bước này: 5 giờ làm việc trên 0,25 ngày làm việc được giao "
        "(Quá hạn)." in words
    )
    assert (
        "Thời gian giải quyết đã sử dụng: 5 giờ làm việc trên tổng thời hạn 3 ngày làm việc, "
        "không tính thời gian chờ công dân bổ sung." in words
    )
    assert "Lý do: Gia đình xin rút hồ sơ." in words
    assert "Thủ tục không thu phí, lệ phí." in words
    assert "Nguyễn Thị Lan" in words


def test_form_05_states_the_fee_already_paid(world, client):
    world.chain.versions.update(fee=20000)
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")
    d = act(d, Action.REQUEST_PAYMENT, world.duc, "2026-11-25 09:30")
    d = act(d, Action.PAY, world.lan, "2026-11-25 10:00")
    d = act(d, Action.STOP, world.long, "2026-11-25 11:00", note="Công dân đề nghị dừng.")
    sign_in(client, world.lan)

    words = text(page(client, d, "05"))

    assert "Phí, lệ phí đã nộp: 20.000 đồng." in words
    assert "Tình trạng hồ sơ khi dừng: Đang xử lý" in words
    assert "Trịnh Văn Long" in words


def test_form_05_after_a_withdrawal_while_waiting_for_the_citizen(world, client):
    """Withdrawn while paused, stopped two days later: the state is the one at the
    withdrawal, the citizen's wait is not counted, and the stop changes nothing of it."""
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")
    d = act(
        d, Action.REQUEST_SUPPLEMENT, world.duc, "2026-11-25 10:00", missing=["Giấy chứng sinh"]
    )
    d = act(d, Action.WITHDRAW, world.lan, "2026-11-27 10:00", note="Gia đình xin rút.")
    d = act(d, Action.STOP, world.lan, "2026-11-30 09:00", note="Theo đề nghị của công dân.")
    sign_in(client, world.lan)

    words = text(page(client, d, "05"))

    assert "Thời điểm dừng giải quyết: 10 giờ 00 phút, ngày 27 tháng 11 năm 2026" in words
    assert (
        "Tình trạng hồ sơ khi dừng: Yêu cầu bổ sung giấy tờ "
        "(bước “Đăng ký khai sinh”, UBND Phường Hoàn Kiếm)." in words
    )
    assert (
        "Thời gian giải quyết ở bước này: 1 giờ làm việc trên 0,75 ngày làm việc được giao "
        "(Đúng hạn)." in words
    )
    assert "Thời gian giải quyết đã sử dụng: 1 giờ 30 phút làm việc trên tổng thời hạn" in words


# ---------------------------------------------------------------------------------------------
# Mẫu 06


def test_form_06_lists_the_hand_overs_with_their_outcomes(world, client):
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")  # 0.25 day allotted: on time
    d = act(d, Action.FORWARD, world.duc, "2026-11-27 15:00", note="Đã đăng ký khai sinh.")
    sign_in(client, world.tam)  # the police hold it now and may print its sheet

    html = page(client, d, "06")
    words = text(html)

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in words
    assert "Số: 0001/PKS-UBND" in words
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: UBND Phường Hoàn Kiếm" in words
    assert "Cơ quan phối hợp giải quyết hồ sơ: Công an Phường Hoàn Kiếm" in words
    rows = [text(r) for r in re.findall(r"<tr>\s*<td>(.*?)</tr>", html, re.S)]
    assert len(rows) == 3
    assert "1. Giao: Bộ phận Một cửa, UBND Phường Hoàn Kiếm" in rows[0]
    assert "Nhận: Phòng Văn hóa - Xã hội, UBND Phường Hoàn Kiếm" in rows[0]
    assert "Người giao: Nguyễn Thị Lan" in rows[0]
    assert "09 giờ 00 phút, ngày 25/11/2026" in rows[0] and "Đúng hạn" in rows[0]
    assert "Nhận: Đội Đăng ký, quản lý cư trú, Công an Phường Hoàn Kiếm" in rows[1]
    assert "15 giờ 00 phút, ngày 27/11/2026" in rows[1] and "Quá hạn" in rows[1]
    assert "Đã đăng ký khai sinh." in rows[1]
    assert "3. Giao: Đội Đăng ký, quản lý cư trú, Công an Phường Hoàn Kiếm" in rows[2]
    assert "Đang xử lý" in rows[2]


# ---------------------------------------------------------------------------------------------
# Forms that do not apply, access


@pytest.mark.parametrize(
    ("form", "phrase"),
    [
        ("02", "không có yêu cầu bổ sung"),
        ("03", "không bị từ chối"),
        ("04", "không có văn bản xin lỗi"),
        ("05", "không bị dừng"),
        ("07", "Sổ theo dõi"),
        ("99", "Không có biểu mẫu số"),
    ],
)
def test_a_form_that_does_not_apply_is_not_found_with_a_reason(world, client, form, phrase):
    d = receive(world)
    sign_in(client, world.lan)

    for name in ("paperwork:form", "paperwork:form_pdf"):
        response = client.get(reverse(name, args=[d.pk, form]))
        assert response.status_code == 404
        assert phrase in unescape(response.content.decode())


def test_a_refused_dossier_has_no_receipt_nor_control_sheet(world, client):
    d = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 11:00"),
        outcome=Action.REFUSE,
        reason="Không thuộc thẩm quyền.",
    )
    sign_in(client, world.lan)

    for form in ("01", "06"):
        response = client.get(reverse("paperwork:form", args=[d.pk, form]))
        assert response.status_code == 404
        assert "chưa được tiếp nhận" in unescape(response.content.decode())


def test_staff_of_another_agency_get_the_same_not_found_as_for_a_missing_dossier(world, client):
    d = receive(world)
    sign_in(client, world.mai)  # Ba Đình: never held it

    missing = client.get(reverse("paperwork:form", args=[d.pk + 1000, "01"]))
    for name in ("paperwork:form", "paperwork:form_pdf"):
        response = client.get(reverse(name, args=[d.pk, "01"]))
        assert response.status_code == 404
        assert problem(response) == problem(missing) == "Không tìm thấy hồ sơ."
        assert b"Tr\xe1\xba\xa7n V\xc4\x83n B\xc3\xacnh" not in response.content


def test_forms_need_a_signed_in_staff_member(world, client):
    d = receive(world)

    response = client.get(reverse("paperwork:form", args=[d.pk, "01"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))


def test_printing_a_form_records_who_saw_the_personal_data(world, client):
    d = receive(world)
    sign_in(client, world.lan)

    page(client, d, "01")

    access = DossierAccess.objects.get(dossier=d)
    assert access.user_id == world.lan.user_id


# ---------------------------------------------------------------------------------------------
# Mẫu 07: the ledger


def ledger(client, **params):
    return client.get(reverse("paperwork:ledger"), params)


def ledger_codes(html: str) -> list[str]:
    return re.findall(r'<td class="col-code code">(.*?)</td>', html)


def test_the_ledger_shows_only_the_agencys_dossiers_received_in_the_period(world, client):
    inside = receive(world, when="2026-11-25 09:30")
    last_day = receive(world, when="2026-11-30 16:00")
    receive(world, when="2026-12-01 08:10")  # after the period
    other = receive(world, when="2026-11-25 10:00", actor=world.mai)  # Ba Đình
    sign_in(client, world.lan)

    response = ledger(client, **{"from": "2026-11-01", "to": "2026-11-30"})

    assert response.status_code == 200
    html = unescape(response.content.decode())
    words = text(html)
    assert ledger_codes(html) == [inside.code, last_day.code]
    assert other.code not in words
    assert "SỔ THEO DÕI HỒ SƠ" in words
    assert "Số: ……/STD-UBND" in words
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in words
    assert "Số 12 phố Hàng Bạc, Phường Hoàn Kiếm, Hà Nội; ĐT: 0912345678" in words
    assert "25/11/2026 09:30 30/11/2026 09:30" in words  # received, appointment


def test_the_ledger_reads_days_as_the_papers_write_them(world, client):
    """dd/mm/yyyy typed in a text input, whatever the browser's language, and shown back so."""
    inside = receive(world, when="2026-11-25 09:30")
    sign_in(client, world.lan)

    response = ledger(client, **{"from": "1/11/2026", "to": "30/11/2026"})

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert ledger_codes(html) == [inside.code]
    assert 'type="text"' in html and 'value="01/11/2026"' in html and 'value="30/11/2026"' in html
    assert 'type="date"' not in html


def test_the_ledger_defaults_to_this_month(world, client):
    november = receive(world, when="2026-11-02 09:00")
    receive(world, when="2026-10-30 09:00")
    sign_in(client, world.lan)

    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        response = ledger(client)

    words = text(unescape(response.content.decode()))
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in words
    assert re.findall(r"H26\.100-\d{6}-\d{4}", words) == [november.code]


def test_the_ledger_pages_on_screen_in_constant_queries(world, client, monkeypatch):
    monkeypatch.setattr(rendering, "LEDGER_PAGE_SIZE", 2)
    received = [receive(world, when=f"2026-11-25 {9 + i:02d}:00") for i in range(3)]
    sign_in(client, world.lan)
    period = {"from": "2026-11-01", "to": "2026-11-30"}

    with CaptureQueriesContext(connection) as first:
        one = unescape(ledger(client, **period).content.decode())
    with CaptureQueriesContext(connection) as second:
        two = unescape(ledger(client, page=2, **period).content.decode())

    assert ledger_codes(one) == [c.code for c in received[:2]]
    assert ledger_codes(two) == [received[2].code]
    assert '<td class="col-n">3</td>' in two  # numbering goes on across pages
    assert "Trang 2/2 · 3 hồ sơ" in text(two)
    assert "page=1" in two and "from=2026-11-01" in two
    assert len(first.captured_queries) == len(second.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {"from": "11/25/2026"},  # mm/dd/yyyy, as an English date picker shows it
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2025-01-01", "to": "2026-12-31"},
    ],
)
def test_the_ledger_refuses_a_bad_period_in_vietnamese(world, client, params):
    sign_in(client, world.lan)

    response = ledger(client, **params)

    assert response.status_code == 400
    assert re.search("Ngày|một năm", response.content.decode())


def test_the_ledger_marks_every_bad_parameter_at_once(world, client):
    sign_in(client, world.lan)

    response = ledger(client, **{"from": "11/25/2026", "to": "hôm nay", "page": "²", "pdf": "2"})

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"from", "to", "page", "pdf"}
    html = unescape(response.content.decode())
    assert '<ul class="errorlist" id="ledger-from_error">' in html
    assert '<ul class="errorlist" id="ledger-to_error">' in html
    assert "Nhập một số nguyên từ 1 đến 1000000." in html  # the hidden page number


RANGE = "nằm ngoài phạm vi sổ theo dõi (từ 01/01/2000 đến 31/12/2099)."


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "9999-12-31"}, "from", f"Ngày 31/12/9999 {RANGE}"),
        ({"from": "9999-12-01", "to": "9999-12-31"}, "from", f"Ngày 01/12/9999 {RANGE}"),
        ({"from": "2099-12-31", "to": "2100-01-01"}, "to", f"Ngày 01/01/2100 {RANGE}"),
        ({"to": "0001-01-01"}, "to", f"Ngày 01/01/0001 {RANGE}"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from", f"Ngày 01/01/0001 {RANGE}"),
        ({"from": "1999-12-31", "to": "2000-01-31"}, "from", f"Ngày 31/12/1999 {RANGE}"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to", "Mỗi lần xem sổ tối đa một năm."),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "Ngày kết thúc phải sau"),
    ],
)
def test_the_ledger_refuses_a_period_outside_its_range_beside_the_day(
    world, client, params, field, message
):
    """`from=9999-12-31` was a 500: the day after the period overflowed."""
    sign_in(client, world.lan)

    response = ledger(client, **params)
    pdf = ledger(client, pdf="1", **params)

    assert response.status_code == pdf.status_code == 400
    (shown,) = response.context["form"].errors[field]
    assert shown.startswith(message)


def test_the_ledger_opens_at_both_ends_of_its_range(world, client):
    sign_in(client, world.lan)
    assert ledger(client, **{"from": "2000-01-01", "to": "2000-12-31"}).status_code == 200
    assert ledger(client, **{"from": "2099-01-01", "to": "2099-12-31"}).status_code == 200


def test_the_ledger_explains_a_reversed_period_beside_its_end(world, client):
    sign_in(client, world.lan)

    response = ledger(client, **{"from": "2026-11-30", "to": "2026-11-01"})

    assert response.status_code == 400
    assert response.context["form"].errors["to"] == [
        "Ngày kết thúc phải sau hoặc cùng ngày bắt đầu."
    ]


def test_the_ledger_pdf_holds_the_whole_period_on_a4_landscape(world, client, monkeypatch):
    monkeypatch.setattr(rendering, "LEDGER_PAGE_SIZE", 1)
    first = receive(world, when="2026-11-25 09:30")
    second = receive(
        world,
        when="2026-11-26 09:30",
        applicant=Applicant(name="Lê Thị Hồng Nhung", id_number="001199000123"),
    )
    other = receive(world, when="2026-11-25 10:00", actor=world.mai)
    sign_in(client, world.lan)

    response = ledger(client, pdf="1", **{"from": "2026-11-01", "to": "2026-11-30"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="so-theo-doi-H26.100-20261101-20261130.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    words = pdf_text(response.content)
    assert first.code in words and second.code in words
    assert "Lê Thị Hồng Nhung" in words
    assert other.code not in words
    assert "Page size: 841.89 x 595.276 pts" in poppler("pdfinfo", response.content)  # A4 landscape


def test_the_ledger_pdf_asks_for_a_shorter_period_when_too_long(world, client, monkeypatch):
    monkeypatch.setattr(rendering, "LEDGER_PDF_MAX_ROWS", 1)
    receive(world, when="2026-11-25 09:30")
    receive(world, when="2026-11-25 10:30")
    sign_in(client, world.lan)

    response = ledger(client, pdf="1", **{"from": "2026-11-01", "to": "2026-11-30"})

    assert response.status_code == 400
    assert "khoảng ngắn hơn" in unescape(response.content.decode())


# ---------------------------------------------------------------------------------------------
# Writing dates and numbers the administrative way


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at("2026-11-25 09:30"), "ngày 25 tháng 11 năm 2026"),
        (at("2026-03-05 09:30"), "ngày 05 tháng 3 năm 2026"),
        (at("2026-02-09 09:30"), "ngày 09 tháng 02 năm 2026"),
        # 23:30 UTC is already the next morning in Hà Nội.
        (datetime(2026, 1, 30, 23, 30, tzinfo=UTC), "ngày 31 tháng 01 năm 2026"),
    ],
)
def test_dates_are_written_as_nd_30_asks(moment, expected):
    assert rendering.vn_date(moment) == expected


def test_numbers_and_places_are_written_as_forms_write_them(world):
    assert rendering.vn_number(3) == "03"
    assert rendering.vn_number(Decimal("0.500")) == "0,5"
    assert rendering.vn_number(Decimal("10.000")) == "10"
    assert rendering.vn_money(200000) == "200.000 đồng"
    assert rendering.place_name(world.hoan_kiem) == "Hoàn Kiếm"
    assert rendering.place_name(world.police_hk) == "Hoàn Kiếm"
    assert rendering.place_name(world.justice) == "Hà Nội"
    assert rendering.governing_body(world.justice) == "UBND THÀNH PHỐ HÀ NỘI"
