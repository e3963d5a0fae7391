"""Reads of ratings and feedback items: the citizen's by tracking code, staff's by their right."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from motcua.core import feedback as rules
from motcua.core.codes import secrets_match
from motcua.core.errors import NotFound, TransitionError, ValidationError, _
from motcua.core.feedback import Level, Rate, State, Subject
from motcua.core.lifecycle import Role
from motcua.core.text import fold
from motcua.dossiers.selectors import returns_counted
from motcua.feedback.models import (
    Feedback,
    FeedbackEvent,
    PendingFeedback,
    Rating,
    RatingOfficer,
)
from motcua.organization.selectors import (
    Actor,
    active_agencies,
    agency_by_id,
    agency_staff,
    staff_by_agency,
)

_MISSING = _("Không tìm thấy phản ánh, kiến nghị.")


def feedback_by_code(code: str) -> Feedback:
    """The item with this tracking code (as typed), or NotFound (a malformed code too)."""
    try:
        normalized = rules.normalize_code(code)
    except ValidationError:
        raise NotFound(_MISSING) from None
    item = (
        Feedback.objects.select_related("agency", "first_agency", "procedure")
        .filter(code=normalized)
        .first()
    )
    if item is None:
        raise NotFound(_MISSING)
    return item


def feedback_by_code_and_secret(code: str, secret: str) -> Feedback:
    """The item whose code and tracking secret these are; the same NotFound for a wrong
    secret as for a missing code. An item given no secret (filed before secrets) opens by
    its code alone."""
    item = feedback_by_code(code)
    if item.secret and not secrets_match(secret, item.secret):
        raise NotFound(_MISSING)
    return item


def pending_filing(pending_id: int) -> dict[str, Any] | None:
    """What was filed under an address not yet verified (services.Filing's fields), or None."""
    pending = PendingFeedback.objects.filter(pk=pending_id, item=None).first()
    return None if pending is None else dict(pending.filing)


def feedback_events(item: Feedback) -> QuerySet[FeedbackEvent]:
    """The item's log, oldest first, with the agencies and people named."""
    return item.events.select_related("agency", "to_agency", "actor").order_by("seq")


def item_facts(item: Feedback) -> rules.ItemFacts:
    """What the core's rules need to know of an item (who may see and handle it)."""
    return rules.ItemFacts(
        state=State(item.state),
        agency=item.agency_id,
        subject=Subject(item.subject),
        excluded_user=item.official_id,
        official_unit=item.official_unit_id,
        official_agency=item.official_agency_id,
    )


def _sees(actor: Actor, item: Feedback) -> bool:
    agency = actor.agency.pk if actor.agency is not None else None
    unit = actor.unit.pk if actor.unit is not None else None
    return rules.may_see(
        actor.role, actor.user_id, agency, unit, item_facts(item), level=Level(item.level)
    )


def may_handle(actor: Actor, item: Feedback) -> bool:
    """Whether this member of staff may answer, forward or refuse the item now."""
    agency = actor.agency.pk if actor.agency is not None else None
    unit = actor.unit.pk if actor.unit is not None else None
    try:
        rules.check_handle(actor.role, actor.user_id, agency, unit, item_facts(item))
    except (NotFound, TransitionError):
        return False
    return True


def concerned_choices(actor: Actor, item: Feedback) -> list[tuple[int, str]]:
    """Whom the person closing a conduct complaint whose name matched nobody may name as the
    official concerned: the staff of the official's agency but themselves, by name."""
    if item.subject != Subject.OFFICIAL.value or item.official_id is not None:
        return []
    agency = item.official_agency_id or item.place_id or item.agency_id
    people = [
        (s.user_id, s.user.get_full_name() or s.user.get_username())
        for s in agency_staff(agency).values()
        if s.user_id != actor.user_id
    ]
    return sorted(people, key=lambda p: fold(p[1]))


def may_publish(actor: Actor, item: Feedback) -> bool:
    """Whether this member of staff may publish the item's answer now."""
    agency = actor.agency.pk if actor.agency is not None else None
    unit = actor.unit.pk if actor.unit is not None else None
    try:
        rules.check_publish(
            actor.role,
            actor.user_id,
            agency,
            unit,
            item_facts(item),
            published=item.published_at is not None,
        )
    except (NotFound, TransitionError):
        return False
    return True


@dataclass(frozen=True)
class PublishedAnswer:
    """One answer on the public list: only what the agency published, never who asked."""

    question: str
    answer: str
    agency: str
    subject: str
    procedure: str
    received_at: datetime
    answered_at: datetime | None
    published_at: datetime


def published_answers(*, query: str = "", agency_id: int | None = None) -> QuerySet[Feedback]:
    """The published answers, newest first: every folded word of `query` in the question, the
    answer or the agency's name; of one agency when asked. Only the public fields are read."""
    found = Feedback.objects.filter(published_at__isnull=False)
    for word in fold(query).split():
        found = found.filter(public_search__contains=word)
    if agency_id is not None:
        found = found.filter(agency_id=agency_id)
    return (
        found.select_related("agency", "procedure")
        .only(
            "public_question",
            "public_answer",
            "subject",
            "received_at",
            "closed_at",
            "published_at",
            "agency__name",
            "procedure__name",
        )
        .order_by("-published_at", "-pk")
    )


def published_answer(item: Feedback) -> PublishedAnswer:
    """An item of `published_answers` as the public page shows it."""
    assert item.published_at is not None
    return PublishedAnswer(
        question=item.public_question,
        answer=item.public_answer,
        agency=item.agency.name,
        subject=str(rules.SUBJECT_LABELS[Subject(item.subject)]),
        procedure=item.procedure.name if item.procedure is not None else "",
        received_at=item.received_at,
        answered_at=item.closed_at,
        published_at=item.published_at,
    )


def published_agencies() -> list[tuple[int, str]]:
    """The agencies that have published answers, by name (the public list's filter)."""
    ids = set(
        Feedback.objects.filter(published_at__isnull=False)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    return sorted(
        ((a.pk, a.name) for a in active_agencies() if a.pk in ids), key=lambda a: fold(a[1])
    )


def feedback_for_staff(*, actor: Actor, pk: int) -> Feedback:
    """One item for a member of staff who may see it; the same NotFound otherwise."""
    item = Feedback.objects.select_related("agency", "procedure", "place").filter(pk=pk).first()
    if item is None or actor.role in (Role.CITIZEN, Role.SYSTEM) or not _sees(actor, item):
        raise NotFound(_MISSING)
    return item


def feedback_open_for(*, actor: Actor) -> list[Feedback]:
    """The open items this member of staff may see, the nearest deadline first: their agency's
    (those about conduct only to the official's leaders), and for the oversight office every
    item it has been told of."""
    if actor.role is Role.SUPERVISOR:
        scope = Q(level__gte=Level.OVERSIGHT)
    elif actor.agency is not None:
        scope = Q(agency_id=actor.agency.pk)
    else:
        return []
    items = (
        Feedback.objects.filter(scope, state=State.OPEN.value)
        .select_related("agency", "procedure")
        .order_by("handle_by", "pk")
    )
    return [item for item in items if _sees(actor, item)]


@dataclass(frozen=True)
class ReportItem:
    """A feedback item as the head's monthly report lists it: no citizen's name nor content."""

    code: str
    subject: str
    conduct: bool  # about an official's conduct
    state: str
    received_at: datetime
    handle_by: datetime
    closed_at: datetime | None
    late: bool  # answered after its deadline, or still open past it at the period's end
    open_at_end: bool
    # A conduct complaint answered in the period: whether it was upheld; None otherwise.
    upheld: bool | None = None

    @property
    def finding(self) -> str:
        if self.upheld is None:
            return ""
        return str(
            rules.FINDING_LABELS[rules.Finding.UPHELD if self.upheld else rules.Finding.NOT_UPHELD]
        )


def feedback_for_report(*, agency_id: int, start: datetime, end: datetime) -> list[ReportItem]:
    """The agency's items the head answers for in [start, end): those received then, those
    closed then, and those still open at `end` (received before it), oldest first."""
    items = (
        Feedback.objects.filter(agency_id=agency_id, received_at__lt=end)
        .filter(
            Q(received_at__gte=start)
            | Q(closed_at__gte=start, closed_at__lt=end)
            | Q(closed_at__isnull=True)
            | Q(closed_at__gte=end)
        )
        .only("code", "subject", "state", "received_at", "handle_by", "closed_at", "finding")
        .order_by("received_at", "pk")
    )
    out = []
    for item in items:
        closed = item.closed_at if item.closed_at is not None and item.closed_at < end else None
        open_at_end = closed is None
        late = (closed is not None and closed > item.handle_by) or (
            open_at_end and end > item.handle_by
        )
        out.append(
            ReportItem(
                code=item.code,
                subject=str(rules.SUBJECT_LABELS[Subject(item.subject)]),
                conduct=item.subject == Subject.OFFICIAL.value,
                state=str(rules.STATE_LABELS[State.OPEN if open_at_end else State(item.state)]),
                received_at=item.received_at,
                handle_by=item.handle_by,
                closed_at=closed,
                late=late,
                open_at_end=open_at_end,
                upheld=(item.finding == rules.Finding.UPHELD.value)
                if closed is not None and item.finding
                else None,
            )
        )
    return out


def ratings_by_channel(
    *, start: datetime, end: datetime, agencies: Iterable[int] | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """Per deciding agency, the ratings given in [start, end): (on the citizen's own channel,
    their points, entered on a desk's device, their points); points are the four dimensions'
    scores added up (the tallies date ratings the same way)."""
    ratings = Rating.objects.filter(created_at__gte=start, created_at__lt=end)
    if agencies is not None:
        ratings = ratings.filter(agency_id__in=list(agencies))
    out: dict[int, tuple[int, int, int, int]] = {}
    for agency, at_desk, *scores in ratings.values_list(
        "agency_id", "at_desk", "conduct", "punctuality", "guidance", "simplicity"
    ):
        own, own_points, desk, desk_points = out.get(agency, (0, 0, 0, 0))
        if at_desk:
            desk, desk_points = desk + 1, desk_points + sum(scores)
        else:
            own, own_points = own + 1, own_points + sum(scores)
        out[agency] = (own, own_points, desk, desk_points)
    return out


def rating_of(dossier_id: int) -> Rating | None:
    """The dossier's rating, if it has one."""
    return Rating.objects.filter(dossier_id=dossier_id).first()


@dataclass(frozen=True)
class RateRow:
    """One agency's or officer's figures over a period."""

    name: str
    rate: Rate
    user_id: int | None
    at_desk: int
    averages: dict[str, float | None]


_DIMENSIONS = [d.value for d in rules.Dimension]


def response_rates(*, start: datetime, end: datetime) -> tuple[list[RateRow], list[RateRow]]:
    """The response rate (rated ÷ returned) of the results handed over in [start, end), per
    deciding agency and per officer who handed the result over, with the average score of each
    dimension (per officer: of the ratings attributed to them) and how many came from a desk's
    device."""
    by_agency, _by_place, by_officer = returns_counted(start=start, end=end)
    ratings = Rating.objects.filter(returned_at__gte=start, returned_at__lt=end)
    averaged = {f"avg_{d}": Avg(d) for d in _DIMENSIONS}
    agency_rows = []
    per_agency = {
        row["agency"]: row
        for row in ratings.values("agency").annotate(
            n=Count("pk"), desk=Count("pk", filter=Q(at_desk=True)), **averaged
        )
    }
    agency_names = {a.pk: a.name for a in active_agencies()}
    for agency_id, returned in sorted(by_agency.items()):
        row = per_agency.get(agency_id, {})
        agency_rows.append(
            RateRow(
                name=agency_names.get(agency_id) or _agency_name(agency_id),
                user_id=None,
                rate=Rate(row.get("n", 0), returned),
                at_desk=row.get("desk", 0),
                averages={d: row.get(f"avg_{d}") for d in _DIMENSIONS},
            )
        )
    rated_by_returner = dict(
        ratings.exclude(returned_by=None)
        .values("returned_by")
        .annotate(n=Count("pk"))
        .values_list("returned_by", "n")
    )
    attributed = {
        row["user"]: row
        for row in RatingOfficer.objects.filter(rating__in=ratings)
        .values("user")
        .annotate(
            desk=Count("pk", filter=Q(rating__at_desk=True)),
            **{f"avg_{d}": Avg(f"rating__{d}") for d in _DIMENSIONS},
        )
    }
    names = {s.user_id: s.user.get_full_name() or s.user.get_username() for s in staff_by_agency()}
    officer_rows = []
    for user_id, returned in sorted(by_officer.items(), key=lambda kv: names.get(kv[0], "")):
        row = attributed.get(user_id, {})
        officer_rows.append(
            RateRow(
                name=names.get(user_id, str(user_id)),
                user_id=user_id,
                rate=Rate(rated_by_returner.get(user_id, 0), returned),
                at_desk=row.get("desk", 0),
                averages={d: row.get(f"avg_{d}") for d in _DIMENSIONS},
            )
        )
    return agency_rows, officer_rows


def _agency_name(agency_id: int) -> str:
    """The name of an agency no longer active (still owed its figures)."""
    agency = agency_by_id(agency_id)
    return agency.name if agency is not None else str(agency_id)


def ratings_for(dossier_ids: Iterable[int]) -> dict[int, tuple[int, datetime, int, bool]]:
    """(rating id, when it was given, the four dimensions' scores added up, entered on a desk
    device) of each rated dossier among `dossier_ids`, for oversight."""
    return {
        r.dossier_id: (
            r.pk,
            r.created_at,
            r.conduct + r.punctuality + r.guidance + r.simplicity,
            r.at_desk,
        )
        for r in Rating.objects.filter(dossier_id__in=list(dossier_ids))
    }


def ratings_after(*, after: int, limit: int) -> list[tuple[int, int]]:
    """(rating id, dossier id) of the ratings given after the id `after`, in id order."""
    return list(
        Rating.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "dossier_id")[:limit]
    )


def last_rating_id() -> int:
    return Rating.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def feedback_handling(
    *, start: datetime, end: datetime, agencies: Iterable[int] | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """Per agency handling feedback received in [start, end): (items, handled on time, conduct
    complaints, of those the ones found upheld so far). On time: answered or refused by its
    handling deadline, or still open and not yet past it at `end` (DOMAIN §9, indicator 6.2:
    open within the limit counts on time)."""
    items = Feedback.objects.filter(received_at__gte=start, received_at__lt=end)
    if agencies is not None:
        items = items.filter(agency_id__in=list(agencies))
    out: dict[int, tuple[int, int, int, int]] = {}
    for agency, state, closed, due, subject, finding in items.values_list(
        "agency_id", "state", "closed_at", "handle_by", "subject", "finding"
    ):
        on_time = (closed is not None and closed <= due) or (
            state == State.OPEN.value and closed is None and end <= due
        )
        conduct = subject == Subject.OFFICIAL.value
        upheld = conduct and finding == rules.Finding.UPHELD.value
        n, ok, c, u = out.get(agency, (0, 0, 0, 0))
        out[agency] = (n + 1, ok + int(on_time), c + int(conduct), u + int(upheld))
    return out


def ratings_by_officer(*, start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """Per officer the ratings attributed to them (they held the dossier) given in [start,
    end): (how many, the four dimensions' scores added up)."""
    out: dict[int, tuple[int, int]] = {}
    for user, a, b, c, d in RatingOfficer.objects.filter(
        rating__created_at__gte=start, rating__created_at__lt=end
    ).values_list(
        "user_id",
        "rating__conduct",
        "rating__punctuality",
        "rating__guidance",
        "rating__simplicity",
    ):
        n, points = out.get(user, (0, 0))
        out[user] = (n + 1, points + a + b + c + d)
    return out


def conduct_complaints_by_official(*, start: datetime, end: datetime) -> dict[int, int]:
    """Complaints about an official's conduct received in [start, end), per official named."""
    out: dict[int, int] = {}
    for user in Feedback.objects.filter(
        subject=Subject.OFFICIAL.value,
        official__isnull=False,
        received_at__gte=start,
        received_at__lt=end,
    ).values_list("official_id", flat=True):
        out[user] = out.get(user, 0) + 1
    return out


def citizen_ratings(citizen_id: int) -> QuerySet[Rating]:
    """The ratings a citizen's account gave, oldest first (their own data export)."""
    return Rating.objects.filter(citizen_id=citizen_id).order_by("created_at", "pk")


def citizen_feedback(citizen_id: int) -> QuerySet[Feedback]:
    """The feedback a citizen's account filed, oldest first (their own data export)."""
    return Feedback.objects.filter(citizen_id=citizen_id).order_by("pk")


def conduct_upheld_by_official(*, start: datetime, end: datetime) -> dict[int, int]:
    """Complaints about conduct received in [start, end) and found upheld when answered, per
    official concerned (the one named, or whom the person closing it identified)."""
    out: dict[int, int] = {}
    for user in Feedback.objects.filter(
        subject=Subject.OFFICIAL.value,
        finding=rules.Finding.UPHELD.value,
        concerned__isnull=False,
        received_at__gte=start,
        received_at__lt=end,
    ).values_list("concerned_id", flat=True):
        out[user] = out.get(user, 0) + 1
    return out


def rated_dossiers(*, start: datetime, end: datetime, at_desk: bool | None = None) -> QuerySet[Any]:
    """The ids of the dossiers rated in [start, end) (entered on a desk's device, or not, when
    `at_desk` says), as a subquery for oversight's drill-down."""
    ratings = Rating.objects.filter(created_at__gte=start, created_at__lt=end)
    if at_desk is not None:
        ratings = ratings.filter(at_desk=at_desk)
    return ratings.values("dossier_id")
