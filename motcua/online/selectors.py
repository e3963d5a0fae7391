"""Online submission's reads: the e-form of a version, what a citizen already declared, their
drafts (another citizen's is "not found"), the reception's flags, the held-paper counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from motcua.catalog.selectors import fee_quote, fee_rule_of, is_commune_level, procedure_versions
from motcua.citizens.selectors import verified_id_number
from motcua.core import eform, fees, text
from motcua.core.calendar import local_date
from motcua.core.errors import NotFound, ValidationError, _
from motcua.core.lifecycle import Status
from motcua.dossiers.scans import ScanUpload, read_scan
from motcua.dossiers.selectors import citizen_results, counter_details, resubmitted_at
from motcua.online.models import Draft, DraftPaper, HeldPaperRequest, ReceptionWatch
from motcua.organization.selectors import (
    centre_tz,
    is_commune,
    local_now_label,
    provinces,
    receiving_places,
    wards_by_province,
)

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion
    from motcua.citizens.models import Citizen
    from motcua.dossiers.models import Dossier
    from motcua.organization.models import Agency

# The profile's keys (`citizens.selectors.Profile`) each well-known e-form field is filled from.
_PROFILE = {
    "ho_ten": "full_name",
    "so_dinh_danh": "id_number",
    "dien_thoai": "phone",
    "thu_dien_tu": "email",
}


def online_version(procedure_code: str, now: datetime) -> ProcedureVersion:
    """The version in force today of a procedure offered online with an e-form, or NotFound."""
    versions = procedure_versions(procedure_code) or []
    today = local_date(now, centre_tz())
    version = next((v for v in versions if v.effective_from <= today), None)
    if version is None or not version.form_fields or not version.online_level:
        raise NotFound(_("Thủ tục này chưa nhận hồ sơ trực tuyến."))
    return version


def result_description(dossier: Dossier) -> str:
    """What an issued dossier's result is, as its procedure version's catalog entry says."""
    version = dossier.procedure_version
    return version.result or version.procedure.name


def reusable_results(
    citizen_id: int, papers: Sequence[tuple[int, str]]
) -> dict[int, list[Dossier]]:
    """For each paper (id, name), the citizen's issued results of the kind it asks for
    (`core.eform.result_fits`), newest first: only those are offered to reuse."""
    results = citizen_results(citizen_id)
    return {
        doc_id: [d for d in results if eform.result_fits(name, result_description(d))]
        for doc_id, name in papers
    }


def fee_asks(version: ProcedureVersion) -> fees.Asks:
    """What the e-form asks for the fee to be counted (copies, pages), by the version's rule."""
    return fees.asks(fee_rule_of(version))


def draft_fee(draft: Draft) -> fees.Quote:
    """The amount the draft will owe once lodged online, for the copies and pages declared:
    shown before submission, the same figure the payment is counted on."""
    return fee_quote(
        draft.version,
        fees.Quantity(channel=fees.Channel.ONLINE, copies=draft.copies, pages=draft.pages),
    )


def declared_pages(dossier_id: int) -> int | None:
    """The pages of each copy the citizen declared online for a dossier (None: not lodged
    online, or the fee does not count pages)."""
    found = Draft.objects.filter(dossier_id=dossier_id).values_list("pages", flat=True).first()
    return found


def form_specs(version: ProcedureVersion) -> tuple[eform.FieldSpec, ...]:
    return tuple(eform.FieldSpec.from_dict(item) for item in version.form_fields)


def prefill(citizen: Citizen, *, eform_specs: Sequence[eform.FieldSpec]) -> dict[str, object]:
    """What the e-form starts with (declare once): the same fields in the citizen's earlier
    online submissions (the newest wins), then their profile for who they are; what is still
    empty, from what they declared on dossiers lodged at the counter under the account's
    verified ID number (the newest wins)."""
    names = {spec.name: spec for spec in eform_specs}
    values: dict[str, object] = {}
    counter_values: dict[str, object] = {}
    for counter in counter_details(verified_id_number(citizen)):
        for name, value in (
            ("ho_ten", counter.name),
            ("so_dinh_danh", counter.id_number),
            ("dien_thoai", counter.phone),
            ("thu_dien_tu", counter.email),
        ):
            if name in names and value:
                counter_values[name] = value
        if "noi_cu_tru" in names and counter.address:
            # Typed at the counter as one line: kept as the street, the ward to be chosen.
            counter_values["noi_cu_tru"] = {"province": "", "ward": "", "street": counter.address}
    earlier = Draft.objects.filter(citizen=citizen, state=Draft.State.SUBMITTED).order_by(
        "submitted_at"
    )
    for draft in earlier.only("values")[:20]:
        for name, value in draft.values.items():
            if name in names:
                values[name] = value
    for name, key in _PROFILE.items():
        profile_value = getattr(citizen, key, "") or ""
        if name in names and profile_value:
            values[name] = profile_value
    if "noi_cu_tru" in names and "noi_cu_tru" not in values and citizen.address:
        values["noi_cu_tru"] = {"province": "", "ward": "", "street": citizen.address}
    for field_name, counter_value in counter_values.items():
        values.setdefault(field_name, counter_value)
    return values


def address_problems(
    specs: Sequence[eform.FieldSpec], values: Mapping[str, object]
) -> list[ValidationError]:
    """An address's ward must be one of its province's, in the current list."""
    wards = {p: {w.code for w in ws} for p, ws in wards_by_province().items()}
    problems = []
    for spec in specs:
        value = values.get(spec.name)
        if spec.kind is not eform.Kind.ADDRESS or not isinstance(value, Mapping):
            continue
        if not value.get("ward") and not value.get("province"):
            continue  # a draft's address not chosen yet (submitting requires it)
        if value.get("ward") not in wards.get(str(value.get("province")), set()):
            problems.append(
                ValidationError(
                    _("Xã, phường đã chọn không thuộc tỉnh, thành phố đã chọn."), field=spec.name
                )
            )
    return problems


def division_names() -> dict[str, str]:
    names = {p.code: p.name for p in provinces()}
    for wards in wards_by_province().values():
        names.update((w.code, w.name) for w in wards)
    return names


def address_text(value: object, names: Mapping[str, str] | None = None) -> str:
    """An address as one line: street, ward, province."""
    if not isinstance(value, Mapping):
        return ""
    names = names if names is not None else division_names()
    parts = [
        str(value.get("street", "")).strip(),
        names.get(str(value.get("ward", "")), ""),
        names.get(str(value.get("province", "")), ""),
    ]
    return ", ".join(p for p in parts if p)


def commune_level(version: ProcedureVersion) -> bool:
    return is_commune_level(version.procedure)


def places_for(*, commune_level: bool) -> list[Agency]:
    """Where an online dossier may be lodged: for a commune-level procedure a commune's
    People's Committee (which then decides it), else a public administration centre."""
    return [p for p in receiving_places() if is_commune(p) == commune_level]


def drafts_of(citizen: Citizen) -> list[Draft]:
    """The citizen's drafts still open, newest change first."""
    return list(
        Draft.objects.filter(citizen=citizen, state=Draft.State.OPEN)
        .select_related("version__procedure")
        .order_by("-updated_at")
    )


def open_draft(citizen: Citizen, procedure_code: str) -> Draft | None:
    """The citizen's open draft of the procedure (any of its versions), or None."""
    return (
        Draft.objects.filter(
            citizen=citizen, state=Draft.State.OPEN, version__procedure__code=procedure_code
        )
        .order_by("-updated_at")
        .first()
    )


def draft_of(citizen: Citizen, pk: int) -> Draft:
    """One of the citizen's own drafts; another citizen's is NotFound, like a missing one."""
    draft = (
        Draft.objects.filter(pk=pk, citizen=citizen)
        .select_related("version__procedure", "place", "dossier")
        .first()
    )
    if draft is None:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    return draft


@dataclass(frozen=True)
class DraftStatus:
    """What another app may know of a draft: its state and the dossier it became."""

    pk: int
    state: str
    procedure_code: str
    dossier_id: int | None
    dossier_code: str
    submitted_at: datetime | None


def draft_statuses(draft_ids: Iterable[int]) -> dict[int, DraftStatus]:
    """The drafts named (bookings tie one each), by id; a missing one is left out."""
    rows = Draft.objects.filter(pk__in=list(draft_ids)).select_related(
        "version__procedure", "dossier"
    )
    return {
        d.pk: DraftStatus(
            pk=d.pk,
            state=d.state,
            procedure_code=d.version.procedure.code,
            dossier_id=d.dossier_id,
            dossier_code=(d.dossier.code or "") if d.dossier is not None else "",
            submitted_at=d.submitted_at,
        )
        for d in rows
    }


def open_draft_id(citizen: Citizen, procedure_code: str) -> int | None:
    """The citizen's open draft of the procedure (the latest changed), if any."""
    return next(
        (d.pk for d in drafts_of(citizen) if d.version.procedure.code == procedure_code), None
    )


def draft_applicant(draft_id: int) -> dict[str, object] | None:
    """An open draft's applicant and the papers it holds, as the desk's reception form is
    pre-filled from it (names of the reception form's inputs); None once it is not open."""
    draft = Draft.objects.filter(pk=draft_id, state=Draft.State.OPEN).first()
    if draft is None:
        return None
    values = draft.values
    return {
        "name": str(values.get("ho_ten", "")),
        "id_number": str(values.get("so_dinh_danh", "")),
        "address": address_text(values.get("noi_cu_tru")),
        "phone": str(values.get("dien_thoai", "")),
        "email": str(values.get("thu_dien_tu", "")),
        "documents": [str(p) for p in draft.papers.values_list("document_id", flat=True)],
    }


def draft_scans(draft_id: int) -> dict[int, ScanUpload]:
    """The files an open draft holds, by paper: the desk's reception takes them as scans."""
    rows = DraftPaper.objects.filter(draft_id=draft_id, draft__state=Draft.State.OPEN)
    return {
        p.document_id: ScanUpload(name=p.original_name, data=read_scan(p.file))
        for p in rows.exclude(file="")
    }


def draft_papers(draft: Draft) -> dict[int, DraftPaper]:
    return {
        p.document_id: p
        for p in DraftPaper.objects.filter(draft=draft).select_related(
            "source__procedure_version__procedure"
        )
    }


def reception_done(dossier: Dossier) -> bool:
    """Whether the desk dealt with an online dossier: accepted or refused (sent back for
    corrections, it waits for the citizen: see `awaiting_corrections`)."""
    return dossier.status != Status.NEW and not awaiting_corrections(dossier)


def awaiting_corrections(dossier: Dossier) -> bool:
    """Whether the desk asked the citizen to correct the dossier before reception and the
    citizen has not resubmitted it yet: the reception clocks wait."""
    return dossier.status == Status.SUPPLEMENT and dossier.received_at is None


def reception_start(dossier: Dossier, watch: ReceptionWatch | None) -> datetime:
    """When the reception's clocks (the alert, the acceptance limit) run from: the arrival,
    or the citizen's resubmission after the desk asked for corrections."""
    arrived = watch.arrived_at if watch is not None else dossier.submitted_at
    return eform.reception_start(arrived, resubmitted_at(dossier))


def reception_flags(dossier_ids: Iterable[int]) -> dict[int, ReceptionWatch]:
    """The reception watch of each online dossier listed (alerted, late), by dossier id."""
    return {
        w.dossier_id: w for w in ReceptionWatch.objects.filter(dossier_id__in=list(dossier_ids))
    }


def receptions_late(
    *, place_id: int, start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime, datetime | None]]:
    """Online dossiers at this place's desk that turned late in [start, end) (not accepted nor
    sent back within the limit): (code or "", arrived, late from, dealt with at)."""
    watches = (
        ReceptionWatch.objects.filter(
            dossier__received_place_id=place_id, late_at__gte=start, late_at__lt=end
        )
        .select_related("dossier")
        .order_by("late_at", "pk")
    )
    return [
        (w.dossier.code or "", w.arrived_at, w.late_at, w.done_at) for w in watches if w.late_at
    ]


def online_form_values(dossier: Dossier) -> list[tuple[str, str]]:
    """What the citizen declared on the e-form of an online dossier, as (label, value)."""
    draft = Draft.objects.filter(dossier=dossier).select_related("version").first()
    if draft is None:
        return []
    names = division_names()
    shown = []
    for spec in form_specs(draft.version):
        value = draft.values.get(spec.name)
        if value in (None, ""):
            continue
        shown.append(
            (
                spec.label,
                address_text(value, names) if spec.kind is eform.Kind.ADDRESS else str(value),
            )
        )
    if draft.delivery == "post" and draft.post_address:
        shown.append((str(_("Địa chỉ nhận kết quả qua bưu chính")), draft.post_address))
    return shown


def held_papers(dossier: Dossier) -> list[tuple[str, Dossier]]:
    """The papers of a dossier taken by reference from a result issued earlier, with the
    dossier each came from."""
    rows = DraftPaper.objects.filter(draft__dossier=dossier, source__isnull=False).select_related(
        "document", "source"
    )
    return [(row.document.name, row.source) for row in rows if row.source is not None]


def held_in(dossier: Dossier, items: Sequence[str]) -> list[str]:
    """The papers listed in a request for papers that this dossier already had by reference
    (compared folded: accents, case and spacing aside)."""
    held = {text.fold(name): name for name, _source in held_papers(dossier)}
    asked = [text.fold(item) for item in items]
    return [name for key, name in held.items() if any(key in a or a in key for a in asked if a)]


def held_requests_by_agency(agency_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many times each agency asked for a paper the system already held."""
    rows = HeldPaperRequest.objects.all()
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    counted = rows.values("agency_id").annotate(n=Count("id"))
    return dict(Counter({row["agency_id"]: row["n"] for row in counted}))


def local_label(moment: datetime | None) -> str:
    return local_now_label(moment) if moment is not None else ""


def online_queue_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('desk:online')}"


def procedure_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('portal:procedure', args=[code])}"
