"""The head-of-agency monthly report: on screen with its download links, as PDF (A4, laid
out from the same HTML), as CSV for Excel (UTF-8 with a byte-order mark) and as an Excel
workbook (numbers and dates typed), the CSV and the workbook from the same rows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.calendar import local_date
from motcua.core.errors import DomainError, NotFound
from motcua.desk.access import StaffRequest, staff_required
from motcua.edge import render_error
from motcua.organization.selectors import centre_tz
from motcua.oversight import reports, xlsx
from motcua.oversight.selectors import as_percent, scope_of
from motcua.oversight.xlsx import Cell, Heading, Points, Share
from motcua.paperwork import rendering

if TYPE_CHECKING:
    from motcua.organization.models import Agency

PROBLEM = "oversight/report_problem.html"
# The number's prefix in the header [check: a centre's register has its own for reports].
REPORT_PREFIX = "BC"
TEMPLATE = "oversight/report.html"
# The workbook's columns wide enough for a label, a code, a procedure's name, a date.
XLSX_WIDTHS = (46, 34, 40, 18, 18, 26, 26, 22, 18)


def _report(request: StaffRequest, code: str, month: str) -> tuple[Agency, reports.HeadReport]:
    """Parse → access → gather, shared by the page, its PDF and its CSV."""
    agency = reports.report_agency(actor=request.actor, code=code)
    today = local_date(timezone.now(), centre_tz())
    period = reports.parse_month(month, today=today)
    return agency, reports.head_report(agency=agency, period=period, today=today)


def _context(agency: Agency, report: reports.HeadReport) -> dict[str, Any]:
    now = timezone.now()
    standing = report.standing
    following = report.period.last + timedelta(days=1)
    return {
        "report": report,
        "header": rendering.Header(
            governing=rendering.governing_body(agency),
            issuer=agency.name.upper(),
            seq=None,
            prefix=REPORT_PREFIX,
            symbol=rendering.symbol_of(agency),
            place_date=f"{rendering.place_name(agency)}, {rendering.vn_date(now)}",
        ),
        "shown": {
            "rate": as_percent(report.figures.on_time_rate),
            "score": _points(report.index.score),
            "synced": _points(report.synced.score),
            "previous": _points(standing.previous_score),
            "change": _signed(standing.change),
        },
        "previous_month": f"{reports.previous_month(report.period).first:%Y-%m}",
        "next_month": f"{following:%Y-%m}" if report.complete else "",
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    # Names of officials and the agency's breaches: not for shared caches nor the browser's.
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def mine(request: StaffRequest) -> HttpResponse:
    """The current month's report of the member's own agency (the nav's link)."""
    agency = request.actor.agency
    if agency is None or agency.pk not in scope_of(request.actor).agencies:
        return render_error(request, PROBLEM, NotFound(reports.MISSING_AGENCY))
    month = f"{local_date(timezone.now(), centre_tz()):%Y-%m}"
    return redirect("reports:head", code=agency.code, month=month)


@staff_required
def head(request: StaffRequest, code: str, month: str) -> HttpResponse:
    try:
        agency, report = _report(request, code, month)
    except DomainError as exc:
        return _no_store(render_error(request, PROBLEM, exc))
    return _no_store(render(request, TEMPLATE, _context(agency, report)))


@staff_required
def head_pdf(request: StaffRequest, code: str, month: str) -> HttpResponse:
    try:
        agency, report = _report(request, code, month)
    except DomainError as exc:
        return _no_store(render_error(request, PROBLEM, exc))
    html = render_to_string(TEMPLATE, _context(agency, report), request=request)
    response = HttpResponse(rendering.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(report)}.pdf"'
    return _no_store(response)


@staff_required
def head_xlsx(request: StaffRequest, code: str, month: str) -> HttpResponse:
    try:
        _agency, report = _report(request, code, month)
    except DomainError as exc:
        return _no_store(render_error(request, PROBLEM, exc))
    content = xlsx.workbook(_("Báo cáo tháng"), report_rows(report), XLSX_WIDTHS)
    return xlsx.response(content, _filename(report))


@staff_required
def head_csv(request: StaffRequest, code: str, month: str) -> HttpResponse:
    try:
        _agency, report = _report(request, code, month)
    except DomainError as exc:
        return _no_store(render_error(request, PROBLEM, exc))
    # Excel reads UTF-8 only with the byte-order mark; without it Vietnamese turns to mojibake.
    response = HttpResponse("\ufeff" + report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report)}.csv"'
    return _no_store(response)


def _filename(report: reports.HeadReport) -> str:
    return f"bao-cao-{report.agency_code}-{report.month}"


def _when(moment: Any) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(centre_tz()):%d/%m/%Y %H:%M}"


def _day(day: Any) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def _points(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}".replace(".", ",")


def _signed(value: Any) -> str:
    return "" if value is None else ("+" if value > 0 else "") + _points(value)


def report_rows(report: reports.HeadReport) -> list[list[Cell]]:
    """The report as sections of rows, each with its own header, a blank row between them;
    the cells typed, for the CSV to print and the workbook to keep as numbers and dates."""
    f, p, s = report.figures, report.figures.period, report.standing
    n, d = report.synced.numerator, report.synced.denominator
    synced = "" if n is None else f"{n}/{d}"
    rows: list[list[Cell]] = [
        [Heading(_("Báo cáo tháng của thủ trưởng cơ quan")), report.agency_name,
         report.agency_code],
        [_("Kỳ báo cáo"), report.period.first, report.period.last],
        [],
        [Heading(_("Chỉ tiêu")), Heading(_("Số liệu"))],
    ]  # fmt: skip
    figures: list[tuple[str, Cell]] = [
        (_("Kỳ trước chuyển sang"), f.carried),
        (_("Tiếp nhận trong tháng"), p.received),
        (_("Đã giải quyết"), p.finished),
        (_("Giải quyết trước hạn"), p.early),
        (_("Giải quyết đúng hạn"), p.on_time),
        (_("Giải quyết trễ hạn"), p.late),
        (_("Trễ hạn do cơ quan"), p.late_agency),
        (_("Trễ hạn do liên thông, đồng bộ"), p.late_integration),
        (_("Trễ hạn do yêu cầu bổ sung quá một lần"), p.late_supplements),
        (_("Đang giải quyết cuối kỳ"), f.open_end),
        (_("Quá hạn cuối kỳ"), f.late_open_end),
        (_("Tỷ lệ đúng hạn"), Share(f.on_time_rate)),
        (_("Điểm Bộ chỉ số 766 (trên 100)"), Points(report.index.score)),
        (_("Xếp loại"), report.index.band),
        (_("Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia (chỉ tiêu 1.4)"), synced),
        (_("Điểm chỉ tiêu 1.4 (trên 6)"), Points(report.synced.score)),
        (_("Thứ hạng"), f"{s.rank}/{s.ranked}" if s.rank else ""),
        (_("Điểm tháng trước"), Points(s.previous_score)),
        (_("Thứ hạng tháng trước"), s.previous_rank),
        (_("Thay đổi so với tháng trước"), Points(s.change, signed=True)),
        (_("Văn bản xin lỗi đã soạn"), report.apologies_drafted),
        (_("Văn bản xin lỗi đã ký"), report.apologies_signed),
        (_("Văn bản xin lỗi muộn"), report.apologies_late),
        (_("Phản ánh về thái độ, hành vi của cán bộ"), len(report.conduct)),
        (_("Phản ánh về thái độ, hành vi có cơ sở"), len(report.conduct_upheld)),
    ]
    rows += [[label, value] for label, value in figures]
    rows += [[], [Heading(_("Hồ sơ quá hạn cuối kỳ"))]]
    rows.append(
        [Heading(h) for h in (_("Mã hồ sơ"), _("Thủ tục"), _("Tiếp nhận"), _("Hẹn trả"),
         _("Quá hạn từ ngày"), _("Cơ quan đang giữ"), _("Bộ phận"), _("Người giữ"), _("Giữ từ"))]
    )  # fmt: skip
    for o in report.overdue:
        h = o.held
        rows.append(
            [o.code, o.procedure, o.received_at, o.due_at, o.late_on,
             h.agency if h else "", h.unit if h else "", h.holder if h else "",
             h.since if h else None]
        )  # fmt: skip
    rows += [[], [Heading(_("Văn bản xin lỗi"))]]
    rows.append(
        [Heading(h) for h in (_("Mã hồ sơ"), _("Thủ tục"), _("Soạn lúc"), _("Thời điểm soạn"),
         _("Ký lúc"), _("Người ký"), _("Thời điểm ký"), _("Hẹn trả mới"))]
    )  # fmt: skip
    for a in report.apologies:
        rows.append(
            [a.code, a.procedure, a.drafted_at, a.draft_label, a.approved_at,
             a.signer, a.sign_label, a.new_due_at]
        )  # fmt: skip
    rows += [[], [Heading(_("Vi phạm quy định"))]]
    rows.append([Heading(h) for h in (_("Loại vi phạm"), _("Mã hồ sơ"), _("Thời điểm"),
                                      _("Chi tiết"))])  # fmt: skip
    for b in report.breaches:
        rows.append([b.kind, b.code, b.at, b.detail])
    rows += [
        [],
        [Heading(_("Phản ánh, kiến nghị chưa trả lời hoặc trả lời muộn, phản ánh về cán bộ"))],
    ]
    rows.append(
        [Heading(h) for h in (_("Mã phản ánh"), _("Nội dung về"), _("Tình trạng cuối kỳ"),
         _("Tiếp nhận"), _("Hạn xử lý"), _("Trả lời lúc"), _("Trễ hạn"), _("Kết luận"))]
    )  # fmt: skip
    for item in report.listed_feedback:
        rows.append(
            [item.code, item.subject, item.state, item.received_at, item.handle_by,
             item.closed_at, _("Có") if item.late else _("Không"), item.finding]
        )  # fmt: skip
    return rows


def _text(cell: Cell) -> str:
    """A cell as the CSV prints it: decimals with a comma, local dates and times."""
    match cell:
        case Heading(text):
            return text
        case Share(value):
            return as_percent(value)
        case Points(value, signed, _places):
            return _signed(value) if signed else _points(value)
        case datetime():
            return _when(cell)
        case date():
            return _day(cell)
        case None:
            return ""
        case _:
            return str(cell)


def report_csv(report: reports.HeadReport) -> str:
    """The report's rows as CSV. Decimals with a comma, as Vietnamese Excel reads them
    [check: the list separator stays the comma; Excel opens the file by double-click with the
    BOM]."""
    out = io.StringIO()
    w = csv.writer(out)
    for row in report_rows(report):
        w.writerow([_text(c) for c in row])
    return out.getvalue()
