"""Writes of ratings and feedback items: each one transaction, each item's change a
compare-and-set on its version with an event appended, notices through the outbox."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from motcua.catalog.selectors import procedure_versions
from motcua.citizens.services import resend_code, start_address_check, verify_address
from motcua.core import feedback as rules
from motcua.core.accounts import EMAIL, PHONE, Contact
from motcua.core.calendar import format_vn
from motcua.core.errors import ConflictError, NotFound, TransitionError, ValidationError, _
from motcua.core.feedback import Event, Finding, Level, RatingChannel, State, Subject
from motcua.core.lifecycle import Role
from motcua.core.retention import PSEUDONYM
from motcua.core.text import fold
from motcua.dossiers.selectors import dossier_holders, dossier_public
from motcua.feedback.models import (
    Feedback,
    FeedbackEvent,
    PendingFeedback,
    Rating,
    RatingOfficer,
)
from motcua.feedback.selectors import item_facts
from motcua.notify.services import outbox_message, outbox_queue
from motcua.organization.selectors import (
    Actor,
    agency_by_code,
    agency_by_id,
    agency_staff,
    calendar_for,
    centre_agency,
    default_calendar,
    staff_by_agency,
)

if TYPE_CHECKING:
    from motcua.notify.models import OutboxMessage
    from motcua.organization.models import Agency


# ---------------------------------------------------------------------------------------------
# Ratings


def address_at_desk(address: str | None) -> bool:
    """Whether a client address belongs to one of the desks' networks (DESK_NETWORKS)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n) for n in settings.DESK_NETWORKS)


def rating_submit(
    *,
    dossier_id: int,
    scores: Mapping[str, int | None],
    comment: str,
    channel: RatingChannel,
    now: datetime,
    citizen_id: int | None = None,
    staff_user_id: int | None = None,
    address: str | None = None,
    device_at_desk: bool = False,
) -> Rating:
    """Store the one rating of a returned dossier, attributed to its agency and to those who
    held it; marked when entered on the desk's device. A second rating is refused."""
    dossier = dossier_public(dossier_id)
    already = Rating.objects.filter(dossier_id=dossier.pk).exists()
    checked = rules.check_rating(
        status=dossier.status, already_rated=already, scores=scores, comment=comment
    )
    holders, returned_by = dossier_holders(dossier)
    desk = rules.at_desk(
        staff_session=staff_user_id is not None,
        address_at_desk=address_at_desk(address),
        device_at_desk=device_at_desk,
    )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier_id=dossier.pk,
                agency_id=dossier.competent_agency_id,
                place_id=dossier.received_place_id,
                returned_by_id=returned_by,
                comment=comment.strip(),
                channel=channel.value,
                at_desk=desk,
                desk_user_id=staff_user_id,
                citizen_id=citizen_id,
                address=address,
                returned_at=dossier.returned_at or now,
                created_at=now,
                **{d.value: v for d, v in checked.items()},
            )
            RatingOfficer.objects.bulk_create(
                RatingOfficer(rating=rating, user_id=user)
                for user in rules.handlers(holders, returned_by)
            )
    except IntegrityError:  # the same rating sent twice at once: the other one won
        raise TransitionError(
            _("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần.")
        ) from None
    return rating


# ---------------------------------------------------------------------------------------------
# Feedback items


@dataclass(frozen=True)
class Filing:
    """What a citizen files, as the form parsed it."""

    subject: Subject
    content: str
    name: str
    email: str = ""
    phone: str = ""
    dossier_id: int | None = None
    procedure_code: str = ""
    place_id: int | None = None
    official_name: str = ""
    official_at_desk: bool = False
    key: str = ""  # the form's one-time key: the same form sent twice files one item


def _official(place_id: int, name: str, at_desk: bool) -> rules.Official:
    """The official complained about: the one person of the agency with the name typed, or an
    unknown official of that agency (only its head may then handle the item)."""
    wanted = fold(" ".join(name.split()))
    matches = [
        s
        for s in agency_staff(place_id).values()
        if fold(s.user.get_full_name() or s.user.get_username()) == wanted
    ]
    if len(matches) == 1:
        staff = matches[0]
        return rules.Official(
            user=staff.user_id,
            agency=place_id,
            unit=staff.unit_id,
            role=Role(staff.role),
            at_desk=staff.unit.is_desk or at_desk,
        )
    return rules.Official(user=None, agency=place_id, unit=None, role=None, at_desk=at_desk)


def _filing_data(filing: Filing) -> dict[str, Any]:
    return {**asdict(filing), "subject": filing.subject.value}


def _filing_from(data: Mapping[str, Any]) -> Filing:
    return Filing(**{**data, "subject": Subject(data["subject"])})


def _contact_of(filing: Filing) -> Contact:
    if filing.email:
        return Contact(EMAIL, filing.email)
    if filing.phone:
        return Contact(PHONE, filing.phone)
    raise ValidationError(
        _("Hãy nhập thư điện tử hoặc số điện thoại di động để nhận trả lời."), field="contact"
    )


def feedback_hold(
    *, filing: Filing, now: datetime, citizen_id: int | None = None
) -> PendingFeedback:
    """Keep a filing whose address is not verified, routed nowhere, and send a one-time code
    to the address (the accounts' codes: same lifetime, tries and resending limits). The
    same form sent again (its key) gives back the filing it held."""
    if filing.key:
        existing = PendingFeedback.objects.filter(submission_key=filing.key).first()
        if existing is not None:
            return existing
    contact = _contact_of(filing)
    try:
        with transaction.atomic():
            challenge_id = start_address_check(contact=contact, now=now)
            return PendingFeedback.objects.create(
                filing=_filing_data(filing),
                kind=contact.kind,
                address=contact.value,
                challenge_id=challenge_id,
                citizen_id=citizen_id,
                created_at=now,
                submission_key=filing.key or None,
            )
    except IntegrityError:  # the same form, sent twice at once: the other one holds it
        existing = PendingFeedback.objects.filter(submission_key=filing.key).first()
        if not filing.key or existing is None:
            raise
        return existing


def _pending(pending_id: int) -> PendingFeedback:
    pending = PendingFeedback.objects.filter(pk=pending_id).first()
    if pending is None:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    return pending


def feedback_confirm(*, pending_id: int, code: str, now: datetime) -> Feedback:
    """With the right code, route the held filing as a new item, its address verified (its
    deadlines count from now: no agency could see it before); a wrong, expired or exhausted
    code is refused and counted. Confirmed twice, the item filed the first time."""
    pending = _pending(pending_id)
    if pending.item_id is not None:
        return Feedback.objects.get(pk=pending.item_id)

    def route(contact: Contact) -> Feedback:
        held = PendingFeedback.objects.select_for_update().get(pk=pending_id)
        if held.item_id is not None:
            return Feedback.objects.get(pk=held.item_id)
        assert contact.value == held.address  # the challenge is the filing's own
        item = feedback_file(
            filing=_filing_from(held.filing),
            now=now,
            citizen_id=held.citizen_id,
            contact_verified=True,
        )
        PendingFeedback.objects.filter(pk=held.pk).update(item=item)
        return item

    return verify_address(challenge_id=pending.challenge_id, code=code, now=now, then=route)


def feedback_resend(*, pending_id: int, now: datetime) -> PendingFeedback:
    """A new code for a held filing (the old one stops working), within the resending limits."""
    pending = _pending(pending_id)
    if pending.item_id is not None:
        raise TransitionError(_("Địa chỉ đã được xác minh; phản ánh đã được gửi đi."))
    with transaction.atomic():
        challenge_id = resend_code(challenge_id=pending.challenge_id, now=now)
        PendingFeedback.objects.filter(pk=pending.pk).update(challenge_id=challenge_id)
    pending.challenge_id = challenge_id
    return pending


def feedback_file(
    *, filing: Filing, now: datetime, citizen_id: int | None = None, contact_verified: bool = False
) -> Feedback:
    """Record a new item, routed to the agency concerned, with its deadlines; the citizen gets
    its tracking code and secret by e-mail or text message. Only an item whose address is
    verified is routed (else `feedback_hold` it). The same form sent again (its key) gives back
    the item it filed."""
    if not contact_verified:
        raise TransitionError(_("Địa chỉ nhận trả lời chưa được xác minh."))
    if filing.key:
        existing = Feedback.objects.filter(submission_key=filing.key).first()
        if existing is not None:
            return existing
    centre = centre_agency()
    centre_id = centre.pk if centre is not None else None
    dossier_agency = procedure_agency = procedure_id = None
    official: rules.Official | None = None
    parent: int | None = None
    if filing.subject is Subject.DOSSIER and filing.dossier_id is not None:
        dossier_agency = dossier_public(filing.dossier_id).competent_agency_id
    if filing.subject is Subject.PROCEDURE:
        versions = procedure_versions(filing.procedure_code) if filing.procedure_code else None
        if not versions:
            raise ValidationError(_("Hãy chọn thủ tục."), field="procedure")
        procedure_id = versions[0].procedure_id
        competent = agency_by_code(versions[0].competent)
        procedure_agency = competent.pk if competent is not None else None
    if filing.subject is Subject.OFFICIAL:
        if filing.place_id is None:
            raise ValidationError(_("Hãy chọn nơi cán bộ làm việc."), field="place")
        official = _official(filing.place_id, filing.official_name, filing.official_at_desk)
        place = agency_by_id(filing.place_id)
        parent = place.parent_id if place is not None else None
    target = rules.route(
        filing.subject,
        centre=centre_id,
        dossier_agency=dossier_agency,
        procedure_agency=procedure_agency,
        place=filing.place_id,
        official=official,
        official_parent=parent,
    )
    agency = agency_by_id(target.agency)
    if agency is None:
        raise NotFound(_("Không tìm thấy cơ quan nhận phản ánh."))
    limits = rules.deadlines(now, calendar_for(agency))
    try:
        return _file(
            filing,
            now,
            agency,
            target,
            limits,
            official,
            procedure_id,
            citizen_id,
            contact_verified,
        )
    except IntegrityError:  # the same form, sent twice at once: the other one filed it
        if not filing.key:
            raise
        existing = Feedback.objects.filter(submission_key=filing.key).first()
        if existing is None:
            raise
        return existing


def _file(
    filing: Filing,
    now: datetime,
    agency: Agency,
    target: rules.Route,
    limits: rules.Deadlines,
    official: rules.Official | None,
    procedure_id: int | None,
    citizen_id: int | None,
    contact_verified: bool,
) -> Feedback:
    """Write the new item, its first event and the citizen's notice, in one transaction."""
    with transaction.atomic():
        item = Feedback.objects.create(
            submission_key=filing.key or None,
            code=rules.new_code(),
            secret=rules.new_secret(),
            subject=filing.subject.value,
            content=filing.content.strip(),
            dossier_id=filing.dossier_id if filing.subject is Subject.DOSSIER else None,
            procedure_id=procedure_id,
            place_id=filing.place_id,
            official_name=filing.official_name.strip(),
            official_at_desk=filing.official_at_desk,
            official_id=official.user if official else None,
            official_agency_id=official.agency if official else None,
            official_unit_id=official.unit if official else None,
            agency=agency,
            first_agency=agency,
            name=filing.name.strip(),
            email=filing.email,
            phone=filing.phone,
            citizen_id=citizen_id,
            contact_verified=contact_verified,
            received_at=now,
            starts_at=limits.starts,
            refuse_by=limits.refuse_by,
            supplement_by=limits.supplement_by,
            forward_by=limits.forward_by,
            handle_by=limits.handle_by,
            oversight_at=limits.oversight_at,
        )
        event = FeedbackEvent.objects.create(
            item=item,
            seq=0,
            kind=Event.FILE.value,
            actor_role=Role.CITIZEN.value,
            agency=agency,
            at=now,
            text=target.reason,
        )
        outbox_queue(_citizen_notice(item, event, now))
    return item


def _handled(
    item_id: int,
    actor: Actor,
    expected_version: int,
    now: datetime,
    changes: dict[str, Any],
    event: dict[str, Any],
    *,
    publishing: bool = False,
) -> Feedback:
    """Check the right (to handle an open item, or to publish an answered one), then write the
    change as a compare-and-set on the item's version with its event and the citizen's notice,
    in one transaction."""
    item = Feedback.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    agency = actor.agency.pk if actor.agency is not None else None
    unit = actor.unit.pk if actor.unit is not None else None
    facts = item_facts(item)
    if publishing:
        published = item.published_at is not None
        rules.check_publish(actor.role, actor.user_id, agency, unit, facts, published=published)
    else:
        rules.check_handle(actor.role, actor.user_id, agency, unit, facts)
    assert agency is not None  # check_handle admits only the item's agency
    if item.version != expected_version:
        raise ConflictError(_("Phản ánh này vừa được người khác xử lý; hãy tải lại trang."))
    with transaction.atomic():
        won = Feedback.objects.filter(pk=item.pk, version=expected_version).update(
            version=expected_version + 1, **changes
        )
        if not won:
            raise ConflictError(_("Phản ánh này vừa được người khác xử lý; hãy tải lại trang."))
        item.refresh_from_db()
        row = FeedbackEvent.objects.create(
            item=item,
            seq=item.version,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            agency_id=agency,
            at=now,
            level=item.level,
            **event,
        )
        outbox_queue(_citizen_notice(item, row, now))
    return item


def feedback_answer(
    *,
    item_id: int,
    actor: Actor,
    answer: str,
    expected_version: int,
    now: datetime,
    finding: Finding | None = None,
    concerned_id: int | None = None,
) -> Feedback:
    """Answer an item (closing it); the answer is to be published within 2 working days. A
    complaint about conduct is answered with its finding (upheld or not) and the official it
    concerns (`core.feedback.check_finding`)."""
    rules.check_text(answer, "answer", _("Hãy nhập nội dung trả lời."))
    item = Feedback.objects.filter(pk=item_id).first()
    calendar = calendar_for(actor.agency) if actor.agency is not None else default_calendar()
    changes: dict[str, Any] = {
        "state": State.ANSWERED.value,
        "answer": answer.strip(),
        "closed_at": now,
        "closed_by_id": actor.user_id,
        "publish_by": rules.publish_by(now, calendar),
    }
    if item is not None:
        # The right to close it is checked first (a stranger learns nothing from the finding).
        agency = actor.agency.pk if actor.agency is not None else None
        unit = actor.unit.pk if actor.unit is not None else None
        facts = item_facts(item)
        rules.check_handle(actor.role, actor.user_id, agency, unit, facts)
        staff_of = item.official_agency_id or item.place_id or item.agency_id
        found, concerned = rules.check_finding(
            facts,
            finding=finding,
            concerned=concerned_id,
            closer=actor.user_id,
            staff=set(agency_staff(staff_of)),
        )
        changes["finding"] = found.value if found is not None else ""
        changes["concerned_id"] = concerned
    due = item.handle_by if item is not None else now
    event = {"kind": Event.ANSWER.value, "text": answer.strip(), "timing": rules.timing(now, due)}
    return _handled(item_id, actor, expected_version, now, changes, event)


def feedback_publish(
    *,
    item_id: int,
    actor: Actor,
    question: str,
    answer: str,
    expected_version: int,
    now: datetime,
) -> Feedback:
    """Publish an answered item's question and answer, in the agency's words and without any
    personal data (refused, each problem beside its text, else), on the public list; measured
    against the 2 working days after the answer."""
    item = Feedback.objects.filter(pk=item_id).first()
    names = [item.name, item.official_name] if item is not None else []
    public_question, public_answer = rules.check_public_text(
        question=question, answer=answer, names=names
    )
    agency_name = item.agency.name if item is not None else ""
    changes = {
        "published_at": now,
        "published_by_id": actor.user_id,
        "public_question": public_question,
        "public_answer": public_answer,
        "public_search": fold(f"{public_question} {public_answer} {agency_name}"),
    }
    due = (item.publish_by if item is not None else None) or now
    event = {"kind": Event.PUBLISH.value, "timing": rules.timing(now, due)}
    return _handled(item_id, actor, expected_version, now, changes, event, publishing=True)


def feedback_ask(
    *, item_id: int, actor: Actor, question: str, expected_version: int, now: datetime
) -> Feedback:
    """Ask the citizen, once and for everything at once, for more information (due within 5
    working days of the receipt; the item's deadlines do not move)."""
    rules.check_text(question, "question", _("Hãy ghi rõ thông tin cần bổ sung."))
    item = Feedback.objects.filter(pk=item_id).first()
    if item is not None:
        rules.check_ask(asked=item.asked_at is not None)
    changes = {"question": question.strip(), "asked_at": now}
    due = item.supplement_by if item is not None else now
    event = {"kind": Event.ASK.value, "text": question.strip(), "timing": rules.timing(now, due)}
    return _handled(item_id, actor, expected_version, now, changes, event)


def feedback_reply(*, code: str, reply: str, now: datetime) -> Feedback:
    """The citizen (whoever holds the item's code) answers the request for information once."""
    rules.check_text(reply, "reply", _("Hãy nhập thông tin bổ sung."))
    item = Feedback.objects.filter(code=code).first()
    if item is None:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    rules.check_reply(
        state=State(item.state),
        asked=item.asked_at is not None,
        replied=item.replied_at is not None,
    )
    with transaction.atomic():
        won = Feedback.objects.filter(pk=item.pk, version=item.version, replied_at=None).update(
            version=item.version + 1, reply=reply.strip(), replied_at=now
        )
        if not won:
            raise ConflictError(_("Phản ánh này vừa thay đổi; hãy tải lại trang."))
        item.refresh_from_db()
        FeedbackEvent.objects.create(
            item=item,
            seq=item.version,
            kind=Event.REPLY.value,
            actor_role=Role.CITIZEN.value,
            agency_id=item.agency_id,
            at=now,
            level=item.level,
            text=reply.strip(),
        )
    return item


def feedback_refuse(
    *, item_id: int, actor: Actor, reason: str, expected_version: int, now: datetime
) -> Feedback:
    """Refuse to consider an item, with its reason (due within 2 working days; a later refusal
    is recorded as late, never blocked)."""
    rules.check_text(reason, "reason", _("Hãy ghi lý do không xem xét."))
    item = Feedback.objects.filter(pk=item_id).first()
    changes = {
        "state": State.REFUSED.value,
        "refusal_reason": reason.strip(),
        "closed_at": now,
        "closed_by_id": actor.user_id,
    }
    due = item.refuse_by if item is not None else now
    event = {"kind": Event.REFUSE.value, "text": reason.strip(), "timing": rules.timing(now, due)}
    return _handled(item_id, actor, expected_version, now, changes, event)


def feedback_forward(
    *,
    item_id: int,
    actor: Actor,
    to_agency_id: int | None,
    reason: str,
    expected_version: int,
    now: datetime,
) -> Feedback:
    """Forward an item to the competent agency, with the reason; its deadlines stay."""
    from_agency = actor.agency.pk if actor.agency is not None else 0
    rules.check_forward(from_agency, to_agency_id, reason)
    assert to_agency_id is not None
    if agency_by_id(to_agency_id) is None:
        raise ValidationError(_("Hãy chọn một cơ quan khác để chuyển đến."), field="agency")
    item = Feedback.objects.filter(pk=item_id).first()
    due = item.forward_by if item is not None else now
    # Another agency: the leader of the official's unit (if any) is no longer its handler.
    changes = {"agency_id": to_agency_id}
    event = {
        "kind": Event.FORWARD.value,
        "text": reason.strip(),
        "to_agency_id": to_agency_id,
        "timing": rules.timing(now, due),
    }
    return _handled(item_id, actor, expected_version, now, changes, event)


@dataclass
class EscalationReport:
    escalated: int = 0


# A filing whose address was never verified is kept this long, then deleted: it holds a
# name and contact details nobody confirmed, and no agency ever saw it [check: no rule fixes
# the period; the verification code itself expires much sooner].
PENDING_KEPT = timedelta(days=7)


def feedback_pending_expire(*, now: datetime) -> int:
    """Delete the filings left unverified for PENDING_KEPT; how many."""
    stale = PendingFeedback.objects.filter(item__isnull=True, created_at__lt=now - PENDING_KEPT)
    deleted, _by_model = stale.delete()
    return deleted


def feedback_escalate(*, now: datetime, batch: int = 200) -> EscalationReport:
    """The worker's pass: every open item past its deadline goes one level up (the head of its
    agency, then the oversight office), with an event and notices; deadlines never move."""
    report = EscalationReport()
    due = Feedback.objects.filter(state=State.OPEN.value, handle_by__lte=now).filter(
        level__lt=Level.OVERSIGHT
    )
    for pk in list(due.order_by("handle_by").values_list("pk", flat=True)[:batch]):
        item = Feedback.objects.filter(pk=pk).first()
        if item is None:
            continue
        target = rules.escalation(
            state=State(item.state),
            level=Level(item.level),
            handle_by=item.handle_by,
            oversight_at=item.oversight_at,
            now=now,
        )
        if target is None:
            continue
        with transaction.atomic():
            won = Feedback.objects.filter(pk=pk, version=item.version).update(
                version=item.version + 1, level=int(target)
            )
            if not won:  # an officer acted, or another worker escalated it first
                continue
            item.refresh_from_db()
            event = FeedbackEvent.objects.create(
                item=item,
                seq=item.version,
                kind=Event.ESCALATE.value,
                actor_role=Role.SYSTEM.value,
                agency_id=item.agency_id,
                at=now,
                level=int(target),
                timing="late",
            )
            outbox_queue(_staff_notices(item, event, target, now))
        report.escalated += 1
    return report


# ---------------------------------------------------------------------------------------------
# Notices


def _context(item: Feedback, event: FeedbackEvent) -> dict[str, Any]:
    tz = calendar_for(item.agency).tz
    return {
        "kind": event.kind,
        "name": item.name,
        "code": item.code,
        "agency": item.agency.name,
        "to_agency": event.to_agency.name if event.to_agency_id and event.to_agency else "",
        "text": event.text if event.kind != Event.FILE.value else "",
        "handle_by": format_vn(item.handle_by, tz),
        "received": format_vn(item.received_at, tz),
        "url": f"{settings.SITE_URL.rstrip('/')}{reverse('feedback:item', args=[item.code])}",
        "level": event.level,
    }


def follow_url(item: Feedback) -> str:
    """The link that opens the item for its citizen: its code and secret, as the dossier's QR
    code carries them (sent only to the verified address)."""
    query = urlencode({"code": item.code, "secret": rules.shown_secret(item.secret)})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('feedback:find')}?{query}"


def _citizen_notice(item: Feedback, event: FeedbackEvent, now: datetime) -> list[OutboxMessage]:
    """The citizen hears of every step at once: by e-mail, else by text message."""
    if event.kind in (Event.ESCALATE.value, Event.REPLY.value, Event.PUBLISH.value):
        return []
    key = f"feedback:{item.pk}:{event.seq}"
    context = _context(item, event)
    if item.secret:
        context.update(url=follow_url(item), secret=rules.shown_secret(item.secret))
    if item.email:
        return [
            outbox_message(
                recipient=item.email,
                template="feedback/email",
                context=context,
                dossier_id=None,
                dedupe_key=key,
                now=now,
            )
        ]
    if item.phone:
        return [
            outbox_message(
                recipient=item.phone,
                template="feedback/sms",
                context=context,
                dossier_id=None,
                dedupe_key=key,
                now=now,
                channel="sms",
            )
        ]
    return []


def _staff_notices(
    item: Feedback, event: FeedbackEvent, level: Level, now: datetime
) -> list[OutboxMessage]:
    """The head of the agency (and, at the last level, the oversight office) is told, in office
    hours; never the official the item is about."""
    calendar = calendar_for(item.agency)
    roles = {Role.AGENCY_LEADER.value}
    if level >= Level.OVERSIGHT:
        roles.add(Role.SUPERVISOR.value)
    people = [
        s
        for s in staff_by_agency()
        if s.role in roles
        and (s.agency_id == item.agency_id or s.role == Role.SUPERVISOR.value)
        and s.user_id != item.official_id
        and s.user.email
    ]
    context = _context(item, event)
    context["staff_url"] = (
        f"{settings.SITE_URL.rstrip('/')}{reverse('desk:feedback_item', args=[item.pk])}"
    )
    messages = []
    for staff in people:
        message = outbox_message(
            recipient=staff.user.email,
            template="feedback/escalated",
            context=context,
            dossier_id=None,
            dedupe_key=f"feedback:{item.pk}:{event.seq}:staff:{staff.user_id}",
            now=now,
            office_hours=calendar,  # officers are told when their office is open
        )
        messages.append(message)
    return messages


def feedback_pending_purge(*, before: datetime, apply: bool) -> int:
    """Filings waiting for their contact's code since before `before`, verified or not (once
    filed, the item holds what the filing did): delete them; how many."""
    stale = PendingFeedback.objects.filter(created_at__lt=before)
    count = stale.count()
    if apply:
        stale.delete()
    return count


def feedback_pseudonymise(*, before: datetime, apply: bool) -> int:
    """Items closed before `before`: the name, e-mail and phone of who filed them replaced
    (the item, its answer and its events stay, for the figures); how many."""
    due = Feedback.objects.filter(closed_at__lt=before).exclude(name=PSEUDONYM)
    count = due.count()
    if apply:
        due.update(name=PSEUDONYM, email="", phone="")
    return count


def ratings_forget_addresses(*, before: datetime, apply: bool) -> int:
    """Ratings given before `before`: the network address they came from emptied (it served
    to tell a desk's tablet from a citizen's own device and to spot floods; the scores and
    the comment stay, for the index); how many."""
    due = Rating.objects.filter(created_at__lt=before, address__isnull=False)
    count = due.count()
    if apply:
        due.update(address=None)
    return count
