"""Online submission's writes: save a draft, submit it through the dossiers' write path, the
worker's passes (alert the desk, mark reception late, close stale drafts), and the record of a
request for papers the system already held."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.catalog.selectors import documents_of, fee_quote
from motcua.citizens.services import citizen_hold
from motcua.core import appointments as appointment_rules
from motcua.core import eform, fees
from motcua.core.errors import InvalidInput, NotFound, ValidationError, _
from motcua.core.lifecycle import Action
from motcua.core.reception import Applicant
from motcua.dossiers import scans as dossier_scans
from motcua.dossiers.selectors import citizen_results, delivery_choices, online_channel
from motcua.dossiers.services import Intake, ScanUpload, dossier_act, dossier_receive
from motcua.notify.services import outbox_message, outbox_queue
from motcua.online import selectors
from motcua.online.models import Draft, DraftPaper, HeldPaperRequest, ReceptionWatch
from motcua.organization.selectors import (
    Actor,
    calendar_for,
    default_calendar,
    desk_emails,
    is_commune,
)

if TYPE_CHECKING:
    from motcua.citizens.models import Citizen
    from motcua.dossiers.models import Dossier
    from motcua.organization.models import Agency


def policy() -> eform.OnlinePolicy:
    """The online limits from the settings (DOMAIN §5 defaults: 2 h, 8 h, 15 days)."""
    return eform.OnlinePolicy(
        alert_hours=settings.ONLINE_ALERT_WORKING_HOURS,
        reception_hours=settings.ONLINE_RECEPTION_WORKING_HOURS,
        draft_days=settings.DRAFT_EXPIRY_WORKING_DAYS,
    )


@dataclass(frozen=True)
class DraftInput:
    """What the e-form sent: the values by field name (an address as a dict), the place,
    the delivery, the papers attached, taken by reference or removed, by document id."""

    values: Mapping[str, object]
    place_id: int | None = None
    delivery: str = ""
    post_address: str = ""
    uploads: Mapping[int, ScanUpload] | None = None
    reuse: Mapping[int, int] | None = None  # document id -> the earlier dossier's id
    remove: Sequence[int] = ()
    copies: int | None = None  # what the fee is counted on (None: unchanged)
    pages: int | None = None


@transaction.atomic
def draft_start(*, citizen: Citizen, procedure_code: str, now: datetime) -> Draft:
    """The citizen's open draft of the procedure, else a new one of the version in force
    filled from what the citizen already declared (their profile and earlier submissions:
    declare once). Asked twice at once, it still makes one: the account's row is held while
    looking, so at most one draft of a procedure is open per citizen."""
    citizen_hold(citizen_id=citizen.pk)
    existing = selectors.open_draft(citizen, procedure_code)
    if existing is not None:
        return existing
    version = selectors.online_version(procedure_code, now)
    values = selectors.prefill(citizen, eform_specs=selectors.form_specs(version))
    return Draft.objects.create(
        citizen=citizen,
        version=version,
        values=values,
        delivery="electronic",
        created_at=now,
        updated_at=now,
    )


def draft_save(*, draft: Draft, data: DraftInput, now: datetime) -> Draft:
    """Keep what the citizen typed and attached; malformed values, a bad file or a result
    that is not theirs refuse the whole save (every problem at once), nothing stored."""
    if draft.state != Draft.State.OPEN:
        raise ValidationError(_("Hồ sơ này đã nộp hoặc đã đóng, không sửa được nữa."))
    specs = selectors.form_specs(draft.version)
    problems: list[ValidationError] = []
    values: dict[str, object] = {}
    try:
        values = eform.check_values(specs, data.values, complete=False)
    except InvalidInput as exc:
        problems.extend(exc.problems())  # type: ignore[arg-type]  # all ValidationErrors
    problems.extend(selectors.address_problems(specs, data.values))
    place = _place(draft, data.place_id, problems)
    delivery = data.delivery or draft.delivery
    if delivery not in dict(delivery_choices()):
        problems.append(ValidationError(_("Hãy chọn cách nhận kết quả."), field="delivery"))
    asked = selectors.fee_asks(draft.version)
    copies = (data.copies or draft.copies) if asked.copies else 1
    pages = (data.pages or draft.pages) if asked.pages else 1
    try:
        fee_quote(
            draft.version,
            fees.Quantity(channel=fees.Channel.ONLINE, copies=copies, pages=pages),
        )
    except InvalidInput as exc:
        problems.extend(exc.problems())  # type: ignore[arg-type]  # all ValidationErrors
    documents = {d.pk: d for d in documents_of(draft.version) if not d.show_only}
    checked: dict[int, dossier_scans.CheckedScan] = {}
    for doc_id, upload in (data.uploads or {}).items():
        if doc_id not in documents:
            raise NotFound(_("Không tìm thấy giấy tờ này."))
        try:
            checked[doc_id] = dossier_scans.inspect(upload, field=f"paper_{doc_id}")
        except ValidationError as exc:
            problems.append(exc)
    results = {d.pk: d for d in citizen_results(draft.citizen_id)}
    for doc_id, source_id in (data.reuse or {}).items():
        if doc_id not in documents or source_id not in results:
            problems.append(
                ValidationError(
                    _("Chỉ chọn được kết quả đã cấp cho chính bạn."), field=f"reuse_{doc_id}"
                )
            )
        elif not eform.result_fits(
            documents[doc_id].name, selectors.result_description(results[source_id])
        ):
            problems.append(
                ValidationError(
                    _("Kết quả đã chọn không phải loại giấy tờ “{paper}” cần; hãy đính kèm tệp."),
                    field=f"reuse_{doc_id}",
                    paper=documents[doc_id].name,
                )
            )
    if problems:
        raise InvalidInput(problems)
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Draft.objects.select_for_update().get(pk=draft.pk)
            if locked.state != Draft.State.OPEN:
                raise ValidationError(_("Hồ sơ này đã nộp hoặc đã đóng, không sửa được nữa."))
            locked.values = {k: v for k, v in values.items()}
            locked.place = place
            locked.delivery = delivery
            locked.post_address = data.post_address.strip()[:300]
            locked.copies = copies
            locked.pages = pages
            locked.updated_at = now
            locked.save()
            for doc_id in data.remove:
                DraftPaper.objects.filter(draft=locked, document_id=doc_id).delete()
            for doc_id, source_id in (data.reuse or {}).items():
                DraftPaper.objects.update_or_create(
                    draft=locked,
                    document_id=doc_id,
                    defaults={"source_id": source_id, "file": "", "original_name": ""},
                )
            for doc_id, scan in checked.items():
                name = f"drafts/{locked.pk}/{scan.sha256}.{scan.extension}"
                if not default_storage.exists(name):
                    name = default_storage.save(name, ContentFile(scan.data))
                    written.append(name)
                DraftPaper.objects.update_or_create(
                    draft=locked,
                    document_id=doc_id,
                    defaults={
                        "file": name,
                        "original_name": scan.original_name,
                        "content_type": scan.content_type,
                        "size": scan.size,
                        "sha256": scan.sha256,
                        "source": None,
                    },
                )
    except Exception:
        dossier_scans.discard(written)
        raise
    return locked


def _place(draft: Draft, place_id: int | None, problems: list[ValidationError]) -> Agency | None:
    if place_id is None:
        return draft.place
    commune_level = selectors.commune_level(draft.version)
    place = next(
        (p for p in selectors.places_for(commune_level=commune_level) if p.pk == place_id), None
    )
    if place is None:
        problems.append(
            ValidationError(_("Hãy chọn nơi nhận hồ sơ trong danh sách."), field="place")
        )
    return place


def draft_submit(*, draft: Draft, now: datetime) -> Dossier:
    """Lodge the draft: a dossier through the write path (SUBMIT, online, the citizen's
    account, status 1), its papers as scans the desk opens. Submitting twice gives the one
    dossier; a missing field or paper refuses it with every problem at once."""
    with transaction.atomic():
        locked = (
            Draft.objects.select_for_update().select_related("version__procedure").get(pk=draft.pk)
        )
        if locked.state == Draft.State.SUBMITTED and locked.dossier is not None:
            return locked.dossier
        if locked.state != Draft.State.OPEN:
            raise ValidationError(_("Hồ sơ nháp này đã đóng, không nộp được nữa."))
        specs = selectors.form_specs(locked.version)
        problems: list[ValidationError] = []
        values: dict[str, object] = {}
        try:
            values = eform.check_values(specs, locked.values, complete=True)
        except InvalidInput as exc:
            problems.extend(exc.problems())  # type: ignore[arg-type]
        problems.extend(selectors.address_problems(specs, locked.values))
        if locked.place is None:
            problems.append(ValidationError(_("Hãy chọn nơi nhận hồ sơ."), field="place"))
        if locked.delivery == "post" and not locked.post_address:
            problems.append(
                ValidationError(
                    _("Nhận kết quả qua bưu chính: hãy ghi địa chỉ nhận."), field="post_address"
                )
            )
        papers = {p.document_id: p for p in locked.papers.all()}
        for doc in documents_of(locked.version):
            if doc.show_only or doc.optional or doc.pk in papers:
                continue
            problems.append(
                ValidationError(
                    _("Hãy đính kèm “{paper}” hoặc chọn kết quả đã cấp."),
                    field=f"paper_{doc.pk}",
                    paper=doc.name,
                )
            )
        if problems:
            raise InvalidInput(problems)
        assert locked.place is not None
        place = locked.place
        intake = Intake(
            procedure_code=locked.version.procedure.code,
            applicant=Applicant(
                name=str(values["ho_ten"]),
                id_number=str(values["so_dinh_danh"]),
                address=selectors.address_text(values.get("noi_cu_tru")),
                phone=str(values.get("dien_thoai", "")),
                email=str(values.get("thu_dien_tu", "")),
            ),
            channel=online_channel(),
            request=locked.version.procedure.name,
            copies=locked.copies,
            delivery=locked.delivery,
            competent_agency_code=place.code if is_commune(place) else "",
            documents=sorted(papers),
            citizen_id=locked.citizen_id,
        )
        scans = {
            doc_id: ScanUpload(name=p.original_name, data=dossier_scans.read_scan(p.file))
            for doc_id, p in papers.items()
            if p.file
        }
        actor = Actor(role=Actor.citizen().role, name=intake.applicant.name, agency=place)
        dossier = dossier_receive(
            intake=intake,
            actor=actor,
            now=now,
            outcome=Action.SUBMIT,
            idempotency_key=str(locked.key),
            scans=scans,
        )
        locked.values = values
        locked.state = Draft.State.SUBMITTED
        locked.dossier = dossier
        locked.submitted_at = now
        locked.updated_at = now
        locked.save()
        ReceptionWatch.objects.get_or_create(dossier=dossier, defaults={"arrived_at": now})
    return dossier


def draft_for_booking(*, citizen: Citizen, procedure_code: str, now: datetime) -> int | None:
    """The draft a counter booking is tied to: the citizen's open draft of the procedure,
    else a new one pre-filled as the online form is; None when it takes no online form."""
    existing = selectors.open_draft_id(citizen, procedure_code)
    try:
        selectors.online_version(procedure_code, now)
        offered = True
    except NotFound:
        offered = False
    match appointment_rules.tie_draft(offered_online=offered, open_draft=existing is not None):
        case appointment_rules.TieDraft.REUSE:
            return existing
        case appointment_rules.TieDraft.START:
            return draft_start(citizen=citizen, procedure_code=procedure_code, now=now).pk
    return None


def draft_taken_at_desk(*, draft_id: int, dossier: Dossier, now: datetime) -> bool:
    """The desk received at the counter the dossier a draft was filled in for: the draft is
    that dossier now (it can no longer be submitted online a second time). Whether it was."""
    return bool(
        Draft.objects.filter(pk=draft_id, state=Draft.State.OPEN, dossier=None).update(
            state=Draft.State.SUBMITTED,
            dossier=dossier,
            place_id=dossier.received_place_id,
            submitted_at=now,
            updated_at=now,
        )
    )


# --- The worker ---------------------------------------------------------------------------------


@dataclass
class OnlineReport:
    alerted: int = 0
    late: int = 0
    closed: int = 0


def process_online(*, now: datetime, batch: int = 500) -> OnlineReport:
    """One pass: tell each online dossier's desk it arrived, mark the reception checks that
    ran past their limit, finish the watch of dossiers the desk dealt with, close drafts
    left incomplete too long (with a notice to the citizen)."""
    report = OnlineReport()
    rules = policy()
    watches = list(
        ReceptionWatch.objects.filter(done_at=None)
        .select_related("dossier__received_place", "dossier__procedure_version__procedure")
        .order_by("arrived_at")[:batch]
    )
    for watch in watches:
        dossier = watch.dossier
        if selectors.awaiting_corrections(dossier):
            continue  # the clocks wait for the citizen's resubmission
        if selectors.reception_done(dossier):
            ReceptionWatch.objects.filter(pk=watch.pk).update(done_at=now)
            continue
        start = selectors.reception_start(dossier, watch)
        if start != watch.arrived_at:
            # Resubmitted after corrections: both clocks start again from then (DOMAIN §5),
            # the desk is alerted again and an earlier late mark no longer stands.
            ReceptionWatch.objects.filter(pk=watch.pk, arrived_at=watch.arrived_at).update(
                arrived_at=start, alerted_at=None, late_at=None
            )
            watch.refresh_from_db()
            if watch.arrived_at != start:
                continue  # another worker restarted it meanwhile: its pass goes on
        timing = eform.reception_timing(
            watch.arrived_at, now, calendar_for(dossier.received_place), rules
        )
        if watch.alerted_at is None and timing.alert_due:
            _alert_desk(dossier, now, arrived_at=watch.arrived_at)
            report.alerted += ReceptionWatch.objects.filter(pk=watch.pk, alerted_at=None).update(
                alerted_at=now
            )
        if watch.late_at is None and timing.late:
            report.late += ReceptionWatch.objects.filter(pk=watch.pk, late_at=None).update(
                late_at=timing.late_at
            )
    report.closed = drafts_close_stale(now=now, batch=batch)
    return report


def _alert_desk(dossier: Dossier, now: datetime, *, arrived_at: datetime) -> None:
    """An e-mail to each desk officer of the place that received it, once per arrival (the
    submission, then each resubmission after corrections); in office hours (reminders to
    officers wait for the office to open)."""
    calendar = calendar_for(dossier.received_place)
    when = now if calendar.is_open(now) else calendar.next_opening(now)
    # The first arrival keeps the key it always had; a resubmission is told again.
    arrived_key = "" if arrived_at == dossier.submitted_at else f"{arrived_at:%Y%m%d%H%M%S}:"
    messages = []
    for address in desk_emails(dossier.received_place):
        message = outbox_message(
            recipient=address,
            template="online/email/alert",
            context={
                "name": dossier.applicant_name,
                "procedure": dossier.procedure_version.procedure.name,
                "place": dossier.received_place.name,
                "submitted": selectors.local_label(arrived_at),
                "hours": settings.ONLINE_RECEPTION_WORKING_HOURS,
                "url": selectors.online_queue_url(),
            },
            dossier_id=dossier.pk,
            dedupe_key=f"online-alert:{dossier.pk}:{arrived_key}{_digest(address)}",
            now=now,
        )
        message.available_at = when
        messages.append(message)
    outbox_queue(messages)


def _digest(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:16]


def drafts_close_stale(*, now: datetime, batch: int = 500) -> int:
    """Close the drafts left unchanged for DRAFT_EXPIRY_WORKING_DAYS working days, each with
    a notice to its citizen; how many were closed."""
    calendar = default_calendar()
    rules = policy()
    # A first cut by calendar time (a working day is at least a day), then the core decides.
    candidates = (
        Draft.objects.filter(state=Draft.State.OPEN)
        .select_related("citizen", "version__procedure")
        .order_by("updated_at")[:batch]
    )
    closed = 0
    for draft in candidates:
        if eform.draft_expires_at(draft.updated_at, calendar, rules) > now:
            continue
        with transaction.atomic():
            done = Draft.objects.filter(
                pk=draft.pk, state=Draft.State.OPEN, updated_at=draft.updated_at
            ).update(state=Draft.State.CLOSED, closed_at=now)
            if not done:
                continue
            outbox_queue(_closing_notices(draft, now, rules.draft_days))
        closed += 1
    return closed


def _closing_notices(draft: Draft, now: datetime, days: int) -> list:  # type: ignore[type-arg]
    context = {
        "name": draft.citizen.full_name,
        "procedure": draft.version.procedure.name,
        "started": selectors.local_label(draft.created_at),
        "days": days,
        "url": selectors.procedure_url(draft.version.procedure.code),
    }
    messages = []
    if draft.citizen.email:
        messages.append(
            outbox_message(
                recipient=draft.citizen.email,
                template="online/email/closed",
                context=context,
                dossier_id=None,
                dedupe_key=f"draft-closed:{draft.pk}",
                now=now,
            )
        )
    elif draft.citizen.phone:
        messages.append(
            outbox_message(
                recipient=draft.citizen.phone,
                template="online/sms/closed",
                context=context,
                dossier_id=None,
                dedupe_key=f"draft-closed:{draft.pk}",
                now=now,
                channel="sms",
            )
        )
    return messages


# --- Declare once: papers the system already held -----------------------------------------------


def dossier_act_declared_once(
    *,
    dossier: Dossier,
    action: Action,
    actor: Actor,
    now: datetime,
    held_reason: str = "",
    **kwargs: Any,
) -> Dossier:
    """`dossier_act`, and for a request for papers one the system already holds by reference
    only with a reason, recorded in the same transaction (refused before anything is written
    when the reason is missing)."""
    missing = list(kwargs.get("missing", ()))
    asks_held = action is Action.REQUEST_SUPPLEMENT and selectors.held_in(dossier, missing)
    if asks_held and not held_reason.strip():
        held_paper_requests_record(
            dossier=dossier, actor=actor, items=missing, reason="", now=now
        )  # raises: the reason is required
    with transaction.atomic():
        changed = dossier_act(dossier=dossier, action=action, actor=actor, now=now, **kwargs)
        if asks_held:
            held_paper_requests_record(
                dossier=changed, actor=actor, items=missing, reason=held_reason, now=now
            )
    return changed


def held_paper_requests_record(
    *, dossier: Dossier, actor: Actor, items: Sequence[str], reason: str, now: datetime
) -> int:
    """Record that the desk asked again for papers this dossier already had by reference, with
    the reason it must give; in the caller's transaction. How many were recorded."""
    held = selectors.held_in(dossier, items)
    if not held:
        return 0
    if not reason.strip():
        raise ValidationError(
            _(
                "Hệ thống đã có giấy tờ “{paper}” (kết quả đã cấp trước đây). Muốn yêu cầu nộp "
                "lại phải ghi lý do."
            ),
            field="held_reason",
            paper=held[0],
        )
    assert actor.agency is not None
    HeldPaperRequest.objects.bulk_create(
        HeldPaperRequest(
            dossier=dossier,
            agency=actor.agency,
            paper=paper,
            reason=reason.strip(),
            by_user_id=actor.user_id,
            at=now,
        )
        for paper in held
    )
    return len(held)


__all__ = [
    "DraftInput",
    "draft_for_booking",
    "draft_save",
    "draft_start",
    "draft_submit",
    "draft_taken_at_desk",
    "drafts_close_stale",
    "held_paper_requests_record",
    "process_online",
]


def drafts_purge_closed(*, before: datetime, apply: bool) -> int:
    """Drafts closed unsent before `before`: their uploads deleted (files and rows) and their
    answers emptied; the draft row stays, for the figures of drafts closed; how many."""
    due = Draft.objects.filter(state=Draft.State.CLOSED, closed_at__lt=before).exclude(
        values={}, post_address=""
    )
    with_papers = Draft.objects.filter(
        state=Draft.State.CLOSED, closed_at__lt=before, pk__in=DraftPaper.objects.values("draft")
    )
    ids = set(due.values_list("pk", flat=True)) | set(with_papers.values_list("pk", flat=True))
    if apply and ids:
        _empty(ids)
    return len(ids)


def _empty(ids: set[int]) -> None:
    """Delete the drafts' uploads (files and rows) and empty their answers."""
    papers = DraftPaper.objects.filter(draft_id__in=ids)
    names = [n for n in papers.values_list("file", flat=True) if n]
    with transaction.atomic():
        papers.delete()
        Draft.objects.filter(pk__in=ids).update(values={}, post_address="")
    # After the rows: a crash in between leaves a file without a row, never the reverse.
    dossier_scans.discard_on_commit(names)


def drafts_close_for_citizen(*, citizen_id: int, now: datetime) -> int:
    """The citizen closes the account: every draft still open closes now, and every draft
    not sent is emptied at once (answers, uploads), without waiting for the closed drafts'
    period; the submitted ones stay with their dossiers. How many were emptied."""
    drafts = Draft.objects.filter(citizen_id=citizen_id).exclude(state=Draft.State.SUBMITTED)
    drafts.filter(state=Draft.State.OPEN).update(
        state=Draft.State.CLOSED, closed_at=now, updated_at=now
    )
    ids = set(drafts.values_list("pk", flat=True))
    if ids:
        _empty(ids)
    return len(ids)


def reception_watch_start(*, dossier: Dossier, now: datetime) -> None:
    """Watch an online dossier lodged by another system (the API) as `draft_submit` watches its
    own: the desk is alerted and a late reception flagged by the worker."""
    ReceptionWatch.objects.get_or_create(dossier=dossier, defaults={"arrived_at": now})
