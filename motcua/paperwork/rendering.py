"""The official forms of TT 03/2025 Phụ lục I (DOMAIN §6): what each one shows, read from a
dossier, and the PDF made from the very HTML the screen shows.

Numbering: a form's "Số: 0001/TNHS-UBND" is the issuing body's own — its yearly sequence for
that form, the form's prefix and the body's symbol (core.numbering) — given the first time the
form is shown and kept (paperwork.services.form_number_issue), so a reprint shows the same
number. An apology letter not yet signed is not issued: its number stays dots. The ledger
(mẫu 07) is a book, not a numbered document: its number is left as dots too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from motcua.core import codes, numbering
from motcua.core.apology import Timing
from motcua.core.blame import OUTCOME_LABELS
from motcua.core.calendar import local_date
from motcua.core.clock import working_time_text
from motcua.core.errors import InvalidInput, NotFound, ValidationError, _
from motcua.core.lifecycle import Action, Status
from motcua.core.routing import LimitUnit
from motcua.core.signing import signature_titles
from motcua.dossiers.selectors import (
    dossier_apology_letter,
    dossier_due_explanation,
    dossier_papers,
    dossier_steps,
    result_at_desk,
    result_by_post,
    tracking_url,
)
from motcua.organization.selectors import (
    agency_by_id,
    calendar_for,
    centre_tz,
    commune_served,
    contact_phone,
    desk_of,
    is_commune,
    is_province,
    staff_title,
)
from motcua.paperwork.services import form_number_issue

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
    from motcua.organization.models import Agency

BLANK = "……"  # what a printed form shows where a value is to be written in by hand


@dataclass(frozen=True)
class FormSpec:
    """One official form: its number in Phụ lục I, title, number prefix and template."""

    number: str
    title: str
    prefix: str
    template: str


FORMS: dict[str, FormSpec] = {
    spec.number: spec
    for spec in [
        # [check] No prefix is known for forms 01 and 05: TNHS and TBDG are ours.
        FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "TNHS", "paperwork/form_01.html"),
        FormSpec("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "PBS", "paperwork/form_02.html"),
        FormSpec("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "PTC", "paperwork/form_03.html"),
        FormSpec(
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "PXL",
            "paperwork/form_04.html",
        ),
        FormSpec("05", "Thông báo dừng giải quyết hồ sơ", "TBDG", "paperwork/form_05.html"),
        FormSpec(
            "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "PKS", "paperwork/form_06.html"
        ),
    ]
}
LEDGER = FormSpec("07", "Sổ theo dõi hồ sơ", "STD", "paperwork/ledger.html")


def form_spec(number: str) -> FormSpec:
    """The form with this number, or NotFound with a message saying which forms exist."""
    spec = FORMS.get(number)
    if spec is not None:
        return spec
    if number == LEDGER.number:
        raise NotFound(
            _("Mẫu 07 (Sổ theo dõi hồ sơ) được lập theo cơ quan: xem trang Sổ theo dõi.")
        )
    raise NotFound(
        _("Không có biểu mẫu số “{number}”; các mẫu in theo hồ sơ là 01 đến 06."), number=number
    )


# ---------------------------------------------------------------------------------------------
# Vietnamese administrative writing (NĐ 30/2020 Phụ lục I)


def vn_date(moment: datetime | date) -> str:
    """'ngày 05 tháng 3 năm 2026': days below 10 and months 1 and 2 take a leading zero."""
    day = local_date(moment, centre_tz()) if isinstance(moment, datetime) else moment
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_time(moment: datetime, *, short: bool = False) -> str:
    """'09 giờ 30 phút, ngày 25 tháng 11 năm 2026' (short: 'ngày 25/11/2026'), local time."""
    local = moment.astimezone(centre_tz())
    day = f"ngày {local:%d/%m/%Y}" if short else vn_date(local)
    return f"{local:%H} giờ {local:%M} phút, {day}"


def vn_short(moment: datetime | date | None) -> str:
    """'25/11/2026' (local date), or a dash when there is no date."""
    if moment is None:
        return "—"
    day = local_date(moment, centre_tz()) if isinstance(moment, datetime) else moment
    return f"{day:%d/%m/%Y}"


def vn_number(value: Decimal | int) -> str:
    """A count as forms write it: '03', '10', '0,5'."""
    number = Decimal(value).normalize()
    if number == number.to_integral_value():
        return f"{int(number):02d}"
    return format(number, "f").replace(".", ",")


def vn_money(amount: int) -> str:
    """'200.000 đồng'."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def time_limit_text(version: ProcedureVersion) -> str:
    """The statutory time as the receipt states it: '03 ngày làm việc', 'Trong ngày'."""
    unit = version.time_limit_unit
    if unit == LimitUnit.SAME_DAY:
        text = "Trong ngày"
    elif unit == LimitUnit.WORKING_HOURS:
        text = f"{vn_number(version.time_limit)} giờ làm việc"
    else:
        text = f"{vn_number(version.time_limit)} ngày làm việc"
    if version.time_limit_note:
        text += f" ({version.time_limit_note})"
    return text


def governing_body(agency: Agency) -> str:
    """The line above the issuer in the header: the parent agency, 'UBND' shortened as usual."""
    if agency.parent is None:
        return ""
    name = agency.parent.name.replace("Ủy ban nhân dân", "UBND").replace("Uỷ ban nhân dân", "UBND")
    return name.upper()


_PLACE_PREFIXES = (
    "Ủy ban nhân dân ",
    "UBND ",
    "Công an ",
    "Thành phố ",
    "Tỉnh ",
    "Phường ",
    "Xã ",
    "Đặc khu ",
    "Thị trấn ",
)


def _strip_prefixes(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _PLACE_PREFIXES:
            if name.lower().startswith(prefix.lower()):
                name, changed = name[len(prefix) :], True
    return name.strip()


def place_name(agency: Agency) -> str:
    """The place before the date (NĐ 30/2020 Phụ lục I [check]): a commune's own name for the
    commune and its police; otherwise the province, read from the top of the agency tree."""
    if is_commune(agency):
        return _strip_prefixes(agency.name)
    served = commune_served(agency)
    if served is not None:
        return _strip_prefixes(served.name)
    top = agency
    while top.parent is not None:
        top = top.parent
    if is_province(top):
        return _strip_prefixes(top.name)
    division = agency.division
    while division is not None and division.parent is not None:
        division = division.parent
    return _strip_prefixes(division.name) if division is not None else _strip_prefixes(top.name)


@dataclass(frozen=True)
class Header:
    """The common header of every form (DOMAIN §6)."""

    governing: str
    issuer: str
    seq: int | None  # the body's number for the form; None: dots, to be written in by hand
    prefix: str
    symbol: str
    place_date: str

    @property
    def number(self) -> str:
        """'0001/TNHS-UBND' (or '……/PXL-UBND' before one is given)."""
        return numbering.form_number(self.seq, prefix=self.prefix, symbol=self.symbol, blank=BLANK)


def symbol_of(agency: Agency) -> str:
    """The symbol the agency writes in its documents' numbers (UBND, TTPVHCC, STP…)."""
    return numbering.issuer_symbol(recorded=agency.symbol, kind=agency.kind, name=agency.name)


def ledger_line(dossier: Dossier) -> str:
    """The dossier's line in the electronic ledger: its code's daily sequence."""
    if not dossier.code:
        return BLANK
    parsed = codes.parse_dossier_code(dossier.code)
    return f"{parsed.prefix}{parsed.seq:04d}"


def header(
    agency: Agency,
    spec: FormSpec,
    *,
    dossier: Dossier,
    on: datetime,
    now: datetime,
    subject: str | None = "",
) -> Header:
    """The header for a form the agency issues about a dossier on a date; its number is issued
    now unless `subject` is None (a draft, not issued yet), or shown again if issued before."""
    seq = None
    if subject is not None:
        issued = form_number_issue(
            dossier=dossier, form=spec.number, subject=subject, agency=agency, on=on, now=now
        )
        seq = issued.seq
    return Header(
        governing=governing_body(agency),
        issuer=agency.name.upper(),
        seq=seq,
        prefix=spec.prefix,
        symbol=symbol_of(agency),
        place_date=f"{place_name(agency)}, {vn_date(on)}",
    )


# ---------------------------------------------------------------------------------------------
# Reads shared by the forms


def _last_event(
    dossier: Dossier, action: Action, before_seq: int | None = None
) -> DossierEvent | None:
    events = dossier.events.filter(action=action.value).select_related("actor", "agency")
    if before_seq is not None:
        events = events.filter(seq__lt=before_seq)
    return events.order_by("-seq").first()


@dataclass(frozen=True)
class Signer:
    """A person signing a form: full name and the title printed above the signature."""

    name: str
    title: str


def signer(user: User | None, default_title: str) -> Signer | None:
    """The signer's name and, when their post has one, their title in capitals."""
    if user is None:
        return None
    title = staff_title(user.pk).upper() or default_title
    return Signer(name=user.get_full_name() or user.get_username(), title=title)


def request_line(dossier: Dossier) -> str:
    """What is asked, as the forms state it: the procedure, then the request when it says more
    (never the procedure's name twice)."""
    name = dossier.procedure_version.procedure.name
    request = dossier.request.strip()
    if not request or request.casefold() == name.casefold():
        return name
    return f"{name} – {request}"


def _delivery_place(dossier: Dossier) -> str:
    """Where the result will be collected, as the receipt states it."""
    if result_at_desk(dossier):
        place = dossier.received_place
        address = f", {place.address}" if place.address else ""
        return f"{_desk_name(place)}{address} (nhận trực tiếp)"
    if result_by_post(dossier):
        return f"{dossier.applicant_address or BLANK} (qua dịch vụ bưu chính công ích)"
    email = f" qua thư điện tử {dossier.applicant_email}" if dossier.applicant_email else ""
    return f"{dossier.get_delivery_display()}{email}"


def _desk_name(agency: Agency) -> str:
    desk = desk_of(agency)
    name = desk.name if desk is not None else "Bộ phận Một cửa"
    return f"{name}, {agency.name}"


def qr_svg(data: str) -> SafeString:
    """An inline SVG QR code; sized by CSS (no width/height attributes)."""
    svg = segno.make(data, error="m").svg_inline(border=0, omitsize=True, svgclass="qr-code")
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the data is drawn, not embedded


def dossier_page_url(pk: int) -> str:
    """The desk's dossier page (the toolbar's back link)."""
    try:
        return reverse("desk:dossier", args=[pk])
    except NoReverseMatch:
        return f"/can-bo/ho-so/{pk}/"


# ---------------------------------------------------------------------------------------------
# One context builder per form


def form_context(spec: FormSpec, dossier: Dossier, *, now: datetime) -> dict[str, Any]:
    """The template context of a form about a dossier; NotFound when the form does not apply."""
    builder = _BUILDERS[spec.number]
    context = builder(spec, dossier, now)
    context.update(
        spec=spec,
        dossier=dossier,
        procedure=dossier.procedure_version.procedure,
        request_line=request_line(dossier),
    )
    return context


def receipt_context(spec: FormSpec, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Mẫu 01: the receipt with the appointment, the tracking secret and its QR code."""
    if not dossier.code or dossier.received_at is None:
        raise NotFound(
            _("Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")
        )
    received = _last_event(dossier, Action.RECEIVE)
    parsed = codes.parse_dossier_code(dossier.code)
    url = tracking_url(dossier)
    return {
        "header": header(
            dossier.receiving_agency, spec, dossier=dossier, on=dossier.received_at, now=now
        ),
        # Every paper received, across the visits (reception, then each supplement).
        "documents": dossier_papers(dossier),
        "time_limit": time_limit_text(dossier.procedure_version),
        "received_text": vn_time(dossier.received_at),
        "due_text": vn_time(dossier.due_at) if dossier.due_at else BLANK,
        "explanation": dossier_due_explanation(dossier, now),
        "delivery_place": _delivery_place(dossier),
        # The electronic ledger's book is the reception day, its line the daily sequence.
        "ledger_book": f"{parsed.day:%y%m%d}",
        "ledger_line": ledger_line(dossier),
        "submitter": dossier.representative_name or dossier.applicant_name,
        "receiver": signer(received.actor if received else None, "NGƯỜI TIẾP NHẬN HỒ SƠ"),
        "tracking_page": url.split("?", 1)[0],
        "qr": qr_svg(url),
    }


def supplement_context(spec: FormSpec, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Mẫu 02: everything missing, numbered, with the reason and whom to ask."""
    event = _last_event(dossier, Action.REQUEST_SUPPLEMENT)
    if event is None:
        raise NotFound(
            _(
                "Hồ sơ không có yêu cầu bổ sung nên không có "
                "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."
            )
        )
    agency = event.agency or dossier.received_place
    guide = signer(event.actor, "NGƯỜI HƯỚNG DẪN")
    return {
        "header": header(
            agency, spec, dossier=dossier, on=event.at, now=now, subject=f"{event.seq}"
        ),
        "missing": list(event.payload.get("missing", [])),
        "reason": event.payload.get("reason") or event.payload.get("note") or "",
        "guide": guide,
        "contact_phone": contact_phone(event.actor_id, agency) or BLANK,
        "agency": agency,
    }


def refusal_context(spec: FormSpec, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Mẫu 03: the refusal with each specific reason."""
    event = _last_event(dossier, Action.REFUSE)
    if event is None or dossier.status != Status.REFUSED:
        raise NotFound(
            _(
                "Hồ sơ không bị từ chối tiếp nhận nên không có "
                "Phiếu từ chối tiếp nhận giải quyết hồ sơ."
            )
        )
    agency = event.agency or dossier.received_place
    reason = event.payload.get("reason") or event.payload.get("note") or ""
    return {
        "header": header(
            agency, spec, dossier=dossier, on=event.at, now=now, subject=f"{event.seq}"
        ),
        "reasons": [line.strip(" -•\t") for line in reason.splitlines() if line.strip(" -•\t")],
        "receiver": signer(event.actor, "NGƯỜI TIẾP NHẬN"),
        "agency": agency,
    }


def apology_context(spec: FormSpec, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Mẫu 04: the late agency's apology and new date, a draft until its head signs."""
    letter = dossier_apology_letter(dossier)
    if letter is None:
        raise NotFound(_("Hồ sơ không có văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết."))
    approved = letter.approved_at is not None
    head = signer(letter.approved_by, "THỦ TRƯỞNG CƠ QUAN") if approved else None
    # TM. / KT. as the signer's post says (a draft: as the head would sign it).
    post = staff_title(letter.approved_by.pk) if approved and letter.approved_by else ""
    if approved and letter.approved_by is None and letter.signer_name:
        # Signed on another installation (liên thông) by a head with no account here.
        head = Signer(
            name=letter.signer_name, title=letter.signer_title.upper() or "THỦ TRƯỞNG CƠ QUAN"
        )
        post = letter.signer_title
    head_titles = signature_titles(kind=letter.agency.kind, title=post)
    # The desk is told too (NĐ 118), unless the late agency is the one that received it.
    desk = (
        ""
        if letter.agency_id == dossier.receiving_agency_id
        else _desk_name(dossier.receiving_agency)
    )
    # Told as it was: a letter drafted or signed late breaks the one-day rule (DOMAIN §5).
    drafted = Timing(letter.draft_timing)
    signed = Timing(letter.sign_timing) if approved and letter.sign_timing else None
    moment = letter.approved_at or letter.closed_at or now
    return {
        "header": header(
            letter.agency,
            spec,
            dossier=dossier,
            on=letter.approved_at or letter.drafted_at,
            now=now,
            # Only the signed letter is issued; a draft's number stays to be given.
            subject=f"letter-{letter.pk}" if approved else None,
        ),
        "letter": letter,
        "closed": letter.closed_at is not None and not approved,
        "closed_text": vn_time(letter.closed_at) if letter.closed_at else "",
        "past_due": moment >= letter.original_due_at,
        "draft_late": not drafted.in_time,
        "draft_timing_label": drafted.label,
        "drafted_text": vn_time(letter.drafted_at),
        "sign_late": signed is not None and not signed.in_time,
        "sign_timing_label": signed.label if signed is not None else "",
        "signed_text": vn_time(letter.approved_at) if letter.approved_at else "",
        "agency": letter.agency,
        "draft": not approved,
        "head": head,
        "head_titles": head_titles,
        "desk": desk,
        # Beside the citizen, the one-stop desk that received the dossier is always told.
        "recipients": [
            f"Ông/Bà {dossier.applicant_name}",
            _desk_name(dossier.received_place),
            "Lưu: VT",
        ],
        "received_text": vn_date(dossier.received_at) if dossier.received_at else BLANK,
        "original_due_text": vn_time(letter.original_due_at),
        "new_due_text": vn_time(letter.new_due_at),
    }


def stop_context(spec: FormSpec, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Mẫu 05: processing stops on the citizen's request; status then, fees and what follows."""
    stop = _last_event(dossier, Action.STOP)
    if stop is None or dossier.status != Status.STOPPED:
        raise NotFound(_("Hồ sơ không bị dừng giải quyết nên không có Thông báo dừng giải quyết."))
    withdraw = _last_event(dossier, Action.WITHDRAW, before_seq=stop.seq)
    request = withdraw or stop
    before = Status(request.from_status) if request.from_status else None
    # Processing ended with the withdrawal when there was one (its step closed and its clock
    # stopped then), else with the stop: that event records the state at stopping.
    ended = withdraw or stop
    step: dict[str, Any] = ended.payload.get("step") or {}
    step_agency_id: int | None = step.get("agency")
    step_agency = agency_by_id(step_agency_id) if step_agency_id is not None else None
    fee = dossier.procedure_version.fee
    paid = fee if dossier.events.filter(action=Action.PAY.value).exists() else 0
    agency = stop.agency or dossier.received_place
    day = calendar_for(dossier.received_place).working_day_seconds
    used, allotted = ended.payload.get("used_seconds"), ended.payload.get("allotted_seconds")
    step_used, step_allotted = step.get("used_seconds"), step.get("allotted_seconds")
    return {
        "header": header(agency, spec, dossier=dossier, on=stop.at, now=now, subject=f"{stop.seq}"),
        "agency": agency,
        "request_text": vn_date(request.at),
        "stopped_text": vn_time(ended.at),
        "status_before": before.label if before else BLANK,
        "step_name": step.get("name", ""),
        "step_agency": step_agency.name if step_agency else "",
        "used_text": working_time_text(used, day) if used is not None else "",
        "allotted_text": working_time_text(allotted, day) if allotted else "",
        "step_used_text": working_time_text(step_used, day) if step_used is not None else "",
        "step_allotted_text": working_time_text(step_allotted, day) if step_allotted else "",
        "step_outcome": OUTCOME_LABELS.get(step.get("outcome", ""), ""),
        "reason": (withdraw.payload.get("note") if withdraw else "")
        or stop.payload.get("note", ""),
        "fee": fee,
        "fee_text": vn_money(fee),
        "paid": paid,
        "paid_text": vn_money(paid),
        "signer": signer(stop.actor, "NGƯỜI KÝ THÔNG BÁO"),
    }


@dataclass(frozen=True)
class HandOver:
    """One row of mẫu 06: who gave the dossier to whom, when, and whether in time."""

    number: int
    giver: str
    giver_person: str
    receiver: str
    receiver_person: str
    at: datetime | None
    outcome: str  # early | on_time | late | "" while the step is still open
    outcome_label: str
    due_at: datetime
    note: str


def _unit_label(step: DossierStep) -> str:
    unit = step.unit.name if step.unit else ""
    return f"{unit}, {step.agency.name}" if unit else step.agency.name


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def handovers(dossier: Dossier, steps: list[DossierStep]) -> list[HandOver]:
    """The hand-overs in order: each closed step gives the dossier to the next one; the last
    gives the result back to the desk; a step still open is shown as held, not handed over."""
    rows = []
    finished = dossier.status in (Status.DONE, Status.RETURNED)
    for i, step in enumerate(steps):
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        if nxt is not None:
            receiver, receiver_person = _unit_label(nxt), _person(nxt.holder)
        elif step.ended_at is not None and finished:
            receiver, receiver_person = _desk_name(dossier.received_place) + " (trả kết quả)", ""
        else:
            receiver, receiver_person = "", ""
        rows.append(
            HandOver(
                number=i + 1,
                giver=_unit_label(step),
                giver_person=_person(step.holder),
                receiver=receiver,
                receiver_person=receiver_person,
                at=step.ended_at,
                outcome=step.outcome,
                outcome_label=OUTCOME_LABELS.get(step.outcome, "Đang xử lý"),
                due_at=step.due_at,
                note=step.note,
            )
        )
    return rows


def control_context(spec: FormSpec, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Mẫu 06: the control sheet, kept by the system from the recorded hand-overs."""
    if dossier.received_at is None:
        raise NotFound(
            _("Hồ sơ chưa được tiếp nhận nên chưa có Phiếu kiểm soát quá trình giải quyết hồ sơ.")
        )
    steps = dossier_steps(dossier)
    own = {dossier.competent_agency_id, dossier.receiving_agency_id, dossier.received_place_id}
    coordinating: list[Agency] = []
    for step in steps:
        if step.agency_id not in own and step.agency not in coordinating:
            coordinating.append(step.agency)
    return {
        # Printed on demand: the sheet shows the hand-overs as of now.
        "header": header(dossier.receiving_agency, spec, dossier=dossier, on=now, now=now),
        "rows": handovers(dossier, steps),
        "coordinating": coordinating,
        "received_text": vn_time(dossier.received_at),
        "due_text": vn_time(dossier.due_at) if dossier.due_at else BLANK,
    }


_BUILDERS = {
    "01": receipt_context,
    "02": supplement_context,
    "03": refusal_context,
    "04": apology_context,
    "05": stop_context,
    "06": control_context,
}


# ---------------------------------------------------------------------------------------------
# Mẫu 07: the ledger

# The PDF holds the whole period; past this many rows it would take minutes to lay out, so the
# officer is asked for a shorter period instead (peaks are 10^5 dossiers a day per province).
LEDGER_PDF_MAX_ROWS = 2000
LEDGER_PAGE_SIZE = 50
LEDGER_MAX_DAYS = 366
# The days a ledger may cover: the years the working calendar answers for (core.calendar's
# default range), so that no bound of the period overflows a date or a time zone.
LEDGER_FIRST_DAY = date(2000, 1, 1)
LEDGER_LAST_DAY = date(2099, 12, 31)


@dataclass(frozen=True)
class Period:
    """A range of the centre's local days, both ends included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=centre_tz())

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=centre_tz())


def ledger_period(first: date | None, last: date | None, *, today: date) -> Period:
    """The period asked for (`?from=…&to=…`, parsed by the ledger's form); default: this
    month, and one day when only its first is given."""
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = first or month_start
    end = last or (month_end if not first else start)
    outside = [
        ValidationError(
            _("Ngày {shown} nằm ngoài phạm vi sổ theo dõi (từ {first} đến {last})."),
            field=field,
            shown=f"{day.day:02d}/{day.month:02d}/{day.year:04d}",  # %Y writes year 1 as "1"
            first=f"{LEDGER_FIRST_DAY:%d/%m/%Y}",
            last=f"{LEDGER_LAST_DAY:%d/%m/%Y}",
        )
        for field, day in (("from", start), ("to", end))
        if not LEDGER_FIRST_DAY <= day <= LEDGER_LAST_DAY
    ]
    if outside:
        raise InvalidInput(outside)
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau hoặc cùng ngày bắt đầu."), field="to")
    if (end - start).days >= LEDGER_MAX_DAYS:
        raise ValidationError(_("Mỗi lần xem sổ tối đa một năm."), field="to")
    return Period(first=start, last=end)


def ledger_context(agency: Agency, period: Period, *, now: datetime) -> dict[str, Any]:
    """The ledger's header and title for an agency and period (rows are added by the view)."""
    return {
        "spec": LEDGER,
        "header": Header(
            governing=governing_body(agency),
            issuer=agency.name.upper(),
            seq=None,
            prefix=LEDGER.prefix,
            symbol=symbol_of(agency),
            place_date=f"{place_name(agency)}, {vn_date(now)}",
        ),
        "agency": agency,
        "period": period,
        "period_text": f"Từ ngày {vn_short(period.first)} đến ngày {vn_short(period.last)}",
    }


# ---------------------------------------------------------------------------------------------
# PDF


def render_pdf(html: str) -> bytes:
    """Lay the page's HTML out as PDF with WeasyPrint; only our static files are fetched."""
    from weasyprint import HTML  # imported here: loading Pango costs time at startup

    base = settings.SITE_URL.rstrip("/") + "/"
    return HTML(string=html, base_url=base, url_fetcher=_static_fetcher()).write_pdf()


def _static_fetcher() -> URLFetcher:
    """A fetcher that serves STATIC_URL paths from disk and refuses everything else, so a PDF
    never makes a network request (nor one back to this server, which may be single-threaded)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            path = urlsplit(url).path
            if path.startswith(settings.STATIC_URL):
                found = finders.find(path[len(settings.STATIC_URL) :])
                if isinstance(found, str):
                    with open(found, "rb") as f:
                        return URLFetcherResponse(url, f.read(), {"Content-Type": _mime(path)})
            raise ValueError(f"Tài nguyên không được phép khi in PDF: {url}")

    return StaticFetcher()


def _mime(path: str) -> str:
    if path.endswith(".css"):
        return "text/css"
    if path.endswith(".svg"):
        return "image/svg+xml"
    if path.endswith(".png"):
        return "image/png"
    return "application/octet-stream"
