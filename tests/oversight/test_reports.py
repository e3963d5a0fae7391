"""The head-of-agency monthly report: what it says on constructed histories, as CSV and as
PDF, and who may read it."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from motcua.core.feedback import Finding, Subject
from motcua.core.lifecycle import Action, Role
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.services import Papers, dossier_act, dossier_receive
from motcua.feedback import services as feedback
from motcua.organization.models import Staff
from motcua.oversight import services
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.paperwork.test_forms import pdf_text, poppler

TODAY = "2026-12-03 09:00"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


def sign_in(client, actor):
    client.force_login(get_user_model().objects.get(pk=actor.user_id))


def november(w):
    """At Hoàn Kiếm in November 2026: a chain dossier left with Đức past its appointment
    (Thu 05/11 08:30), its apology drafted with less than a day left and signed after the
    deadline; an online dossier sent back for papers at the desk, then asked again for more
    by Đức (an imported history: see below); a complaint about Đức's conduct left unanswered."""
    late = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-02 08:30"))
    late = act(late, Action.FORWARD, w.lan, "2026-11-02 09:00")
    late = act(late, Action.ASSIGN, w.son, "2026-11-02 09:30", to_user_id=w.duc.user_id)
    late = act(late, Action.DRAFT_APOLOGY, w.duc, "2026-11-04 16:00", note="Chờ xác minh.")
    late = act(late, Action.APPROVE_APOLOGY, w.long, "2026-11-06 10:00")
    twice = dossier_receive(
        intake=intake(w, w.birth, channel=2), actor=w.lan, now=at("2026-11-09 09:00"),
        outcome=Action.SUBMIT,
    )  # fmt: skip
    twice = act(twice, Action.REQUEST_SUPPLEMENT, w.lan, "2026-11-09 10:00", missing=["Tờ khai"])
    twice = act(
        twice, Action.SUPPLEMENT, w.lan, "2026-11-10 09:00", papers=Papers(others=["Tờ khai"])
    )
    twice = act(twice, Action.RECEIVE, w.lan, "2026-11-10 09:30")
    twice = act(twice, Action.FORWARD, w.lan, "2026-11-10 09:45")
    complaint = feedback.feedback_file(
        filing=feedback.Filing(
            subject=Subject.OFFICIAL, content="Cán bộ hẹn đi hẹn lại.", name="Trần Văn Bình",
            email="binh@example.vn", place_id=w.hoan_kiem.pk, official_name="Ngô Văn Đức",
        ),
        now=at("2026-11-03 09:00"), contact_verified=True,
    )  # fmt: skip
    services.tallies_rebuild()
    # The write path refuses a second request (NĐ 118 Điều 17); histories imported from the
    # systems before it carry them, as this one now does: Đức asks again on Tuesday.
    first = twice.events.get(action=Action.REQUEST_SUPPLEMENT.value)
    DossierEvent.objects.create(
        dossier=twice, seq=100, action=first.action, from_status=4, to_status=5,
        actor_id=w.duc.user_id, actor_role="specialist", agency=w.hoan_kiem,
        at=at("2026-11-10 10:00"), payload={}, prev_hash="", hash="",
    )  # fmt: skip
    return late, twice, complaint


def report_csv(client, code="H26.100", month="2026-11"):
    response = client.get(reverse("reports:head_csv", args=[code, month]))
    assert response.status_code == 200, response.content[:300]
    return response


def test_the_csv_opens_in_excel_with_vietnamese_and_everything_the_head_answers_for(world, client):
    late, twice, complaint = november(world)
    sign_in(client, world.long)

    response = report_csv(client)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="bao-cao-H26.100-2026-11.csv"')
    assert response["Cache-Control"] == "no-store, private"
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Báo cáo tháng của thủ trưởng cơ quan", "UBND Phường Hoàn Kiếm", "H26.100"]
    figures = {r[0]: r[1] for r in rows if len(r) == 2}
    assert figures["Tiếp nhận trong tháng"] == "2"
    assert figures["Quá hạn cuối kỳ"] == "2"  # the birth registration was due the same day
    assert figures["Văn bản xin lỗi đã soạn"] == "1"
    assert figures["Văn bản xin lỗi đã ký"] == "1"
    assert figures["Văn bản xin lỗi muộn"] == "1"
    assert figures["Xếp loại"] != ""
    assert figures["Thứ hạng"] == "1/1"  # the only commune with figures
    # The overdue dossier, held by Đức of the culture and society office, the step there
    # begun when the desk forwarded it (his assignment inside the unit does not restart it).
    (overdue,) = [r for r in rows if r and r[0] == late.code and len(r) == 9]
    assert overdue[4] == "05/11/2026"
    assert overdue[5:] == [
        "UBND Phường Hoàn Kiếm", "Phòng Văn hóa - Xã hội", "Ngô Văn Đức", "02/11/2026 09:00",
    ]  # fmt: skip
    breaches = {(r[0], r[1]) for r in rows if len(r) == 4}
    assert ("Văn bản xin lỗi soạn muộn", late.code) in breaches
    assert ("Văn bản xin lỗi ký muộn", late.code) in breaches
    assert ("Yêu cầu bổ sung hồ sơ quá một lần", twice.code) in breaches
    (item,) = [r for r in rows if r and r[0] == complaint.code]
    assert item[1] == "Về thái độ, hành vi của cán bộ"
    assert item[2] == "Đang xem xét, xử lý" and item[6:] == ["Có", ""]
    # Nothing of the citizen: neither the applicant's nor the complainant's name.
    assert "Trần Văn Bình" not in raw.decode("utf-8-sig")
    assert "Cán bộ hẹn đi hẹn lại" not in raw.decode("utf-8-sig")


def test_the_report_counts_conduct_complaints_received_and_upheld_apart(world, client):
    _late, _twice, complaint = november(world)
    other = feedback.feedback_file(
        filing=feedback.Filing(
            subject=Subject.OFFICIAL, content="Cán bộ không hướng dẫn.", name="Lê Thị Hoa",
            email="hoa@example.vn", place_id=world.hoan_kiem.pk, official_name="Ngô Văn Đức",
        ),
        now=at("2026-11-04 09:00"), contact_verified=True,
    )  # fmt: skip
    for item, finding in ((complaint, Finding.UPHELD), (other, Finding.NOT_UPHELD)):
        feedback.feedback_answer(
            item_id=item.pk, actor=world.son, answer="Đã xác minh.", expected_version=0,
            now=at("2026-11-20 09:00"), finding=finding,
        )  # fmt: skip
    sign_in(client, world.long)
    rows = list(csv.reader(io.StringIO(report_csv(client).content.decode("utf-8-sig"))))
    figures = {r[0]: r[1] for r in rows if len(r) == 2}
    assert figures["Phản ánh về thái độ, hành vi của cán bộ"] == "2"
    assert figures["Phản ánh về thái độ, hành vi có cơ sở"] == "1"
    findings = {r[0]: r[7] for r in rows if r and r[0] in (complaint.code, other.code)}
    assert findings == {complaint.code: "Có cơ sở", other.code: "Không có cơ sở"}
    page = client.get(reverse("reports:head", args=["H26.100", "2026-11"])).content.decode()
    assert "về thái độ, hành vi của cán bộ: 2, trong đó có cơ sở: 1." in page
    # October knew nothing of them: received and answered in November.
    rows = list(
        csv.reader(io.StringIO(report_csv(client, month="2026-10").content.decode("utf-8-sig")))
    )
    figures = {r[0]: r[1] for r in rows if len(r) == 2}
    assert figures["Phản ánh về thái độ, hành vi có cơ sở"] == "0"


def test_the_xlsx_keeps_numbers_as_numbers_and_dates_as_dates(world, client):
    late, _twice, complaint = november(world)
    sign_in(client, world.long)

    response = client.get(reverse("reports:head_xlsx", args=["H26.100", "2026-11"]))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-H26.100-2026-11.xlsx"'
    assert response["Cache-Control"] == "no-store, private"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == [
        "Báo cáo tháng của thủ trưởng cơ quan",
        "UBND Phường Hoàn Kiếm",
        "H26.100",
    ]
    assert sheet["A1"].font.bold
    assert rows[1][:3] == ["Kỳ báo cáo", datetime(2026, 11, 1), datetime(2026, 11, 30)]
    assert sheet["B2"].number_format == "dd/mm/yyyy"
    figures = {r[0]: r[1] for r in rows if r[0] and r[2] is None}
    assert figures["Tiếp nhận trong tháng"] == 2  # a number, not the text "2"
    assert figures["Quá hạn cuối kỳ"] == 2
    assert figures["Văn bản xin lỗi muộn"] == 1
    assert figures["Thứ hạng"] == "1/1"
    rate = next(c for c in sheet["A"] if c.value == "Tỷ lệ đúng hạn").offset(column=1)
    assert isinstance(rate.value, int | float) and 0 <= rate.value <= 1
    assert rate.number_format == "0.0%"
    # The overdue dossier: its dates are dates, in the centre's local time.
    (overdue,) = [r for r in rows if r[0] == late.code and r[8] is not None]
    assert overdue[4] == datetime(2026, 11, 5)
    assert overdue[5:8] == ["UBND Phường Hoàn Kiếm", "Phòng Văn hóa - Xã hội", "Ngô Văn Đức"]
    assert overdue[8] == datetime(2026, 11, 2, 9, 0)
    (item,) = [r for r in rows if r[0] == complaint.code]
    assert item[1] == "Về thái độ, hành vi của cán bộ" and item[3] == datetime(2026, 11, 3, 9, 0)
    # The same rows as the CSV, cell for cell.
    text = list(csv.reader(io.StringIO(report_csv(client).content.decode("utf-8-sig"))))
    assert [r[0] if r else "" for r in text] == ["" if r[0] is None else str(r[0]) for r in rows][
        : len(text)
    ]


def test_a_month_without_events_reports_zeros_and_no_rows(world, client):
    november(world)
    sign_in(client, world.long)
    rows = list(csv.reader(io.StringIO(report_csv(client, month="2026-10").content.decode())))
    figures = {r[0]: r[1] for r in rows if len(r) == 2}
    assert rows[1] == ["Kỳ báo cáo", "01/10/2026", "31/10/2026"]
    assert figures["Tiếp nhận trong tháng"] == "0"
    assert figures["Văn bản xin lỗi đã soạn"] == "0"
    assert not [r for r in rows if len(r) == 9 and r[0].startswith("H26")]


def test_the_pdf_is_the_report_on_a4_in_vietnamese(world, client):
    late, _twice, _complaint = november(world)
    sign_in(client, world.long)

    response = client.get(reverse("reports:head_pdf", args=["H26.100", "2026-11"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    words = pdf_text(response.content)
    assert "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH THÁNG 11/2026" in words
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in words
    assert "UBND PHƯỜNG HOÀN KIẾM" in words and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words
    assert late.code in words and "Ngô Văn Đức" in words
    assert "Văn bản xin lỗi soạn muộn" in words
    assert "Yêu cầu bổ sung hồ sơ quá một lần" in words
    assert "Về thái độ, hành vi của cán bộ" in words
    assert "A4" in poppler("pdfinfo", response.content)


def test_the_page_links_its_pdf_csv_and_xlsx(world, client):
    november(world)
    sign_in(client, world.long)
    response = client.get(reverse("reports:head", args=["H26.100", "2026-11"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("reports:head_pdf", args=["H26.100", "2026-11"]) in html
    assert reverse("reports:head_csv", args=["H26.100", "2026-11"]) in html
    assert reverse("reports:head_xlsx", args=["H26.100", "2026-11"]) in html
    assert reverse("reports:head", args=["H26.100", "2026-10"]) in html  # the month before


def supervisor(w, agency):
    user = get_user_model().objects.create_user(username=f"gs-{agency.code}", password="x")
    unit = agency.units.first()
    Staff.objects.create(user=user, agency=agency, unit=unit, role=Role.SUPERVISOR.value)
    return user


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("long", "H26.100", 200),  # the head of Hoàn Kiếm, his own agency
        ("long", "H26.101", 404),  # another commune's
        ("nam", "H26.100", 404),  # the head of a department
        ("lan", "H26.100", 404),  # a desk officer of the agency itself
        ("son", "H26.100", 404),  # a unit leader of the agency itself
        ("duc", "H26.100", 404),  # a specialist
        ("centre_office", "H26.100", 200),  # the centre's oversight office: the province's
        ("centre_office", "H26.32", 200),
        ("commune_office", "H26.100", 200),  # an office at the commune: its own agency
        ("commune_office", "H26.101", 404),
        ("long", "NO.SUCH", 404),  # missing: the same answer as forbidden
    ],
)
def test_who_may_read_a_report(world, client, who, code, status):
    if who == "centre_office":
        client.force_login(supervisor(world, world.centre))
    elif who == "commune_office":
        client.force_login(supervisor(world, world.hoan_kiem))
    else:
        sign_in(client, getattr(world, who))
    for name in ("reports:head", "reports:head_pdf", "reports:head_csv", "reports:head_xlsx"):
        response = client.get(reverse(name, args=[code, "2026-11"]))
        assert response.status_code == status, (name, response.content[:200])
        if status == 404:
            assert "Không tìm thấy cơ quan." in response.content.decode()


def test_a_report_needs_a_signed_in_member_of_staff(world, client):
    for name in ("reports:head", "reports:head_xlsx"):
        response = client.get(reverse(name, args=["H26.100", "2026-11"]))
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "Tháng “2026-13” không hợp lệ: hãy ghi năm và tháng, ví dụ 2026-11."),
        ("2026-1", "Tháng “2026-1” không hợp lệ"),
        ("tháng-11", "không hợp lệ"),
        ("2027-01", "Tháng 01/2027 chưa đến nên chưa có báo cáo."),
    ],
)
def test_a_bad_month_is_refused_in_vietnamese(world, client, month, message):
    sign_in(client, world.long)
    for name in ("reports:head", "reports:head_csv", "reports:head_pdf", "reports:head_xlsx"):
        response = client.get(reverse(name, args=["H26.100", month]))
        assert response.status_code == 404
        assert message in response.content.decode()


def test_the_current_month_runs_to_today(world, client):
    sign_in(client, world.long)
    rows = list(csv.reader(io.StringIO(report_csv(client, month="2026-12").content.decode())))
    assert rows[1] == ["Kỳ báo cáo", "01/12/2026", "03/12/2026"]


def test_the_nav_link_opens_this_months_report_of_ones_own_agency(world, client):
    sign_in(client, world.long)
    response = client.get(reverse("reports:mine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:head", args=["H26.100", "2026-12"])
    sign_in(client, world.lan)
    assert client.get(reverse("reports:mine")).status_code == 404


@pytest.mark.parametrize(
    ("who", "shown"), [("long", True), ("nam", True), ("lan", False), ("son", False)]
)
def test_the_nav_include_offers_the_report_to_heads_only(world, rf, who, shown):
    request = rf.get("/can-bo/")
    request.actor = getattr(world, who)
    html = render_to_string("oversight/_report_nav.html", {"nav": "report"}, request=request)
    assert (reverse("reports:mine") in html) is shown
    assert ('aria-current="page"' in html) is shown
