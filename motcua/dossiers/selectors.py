"""The one read path for protected dossier data: the same "not found" for missing and forbidden."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.urls import reverse
from django_stubs_ext import StrOrPromise

from motcua.catalog.selectors import steps_of
from motcua.core import answers, codes, story
from motcua.core import clock as core_clock
from motcua.core.apiclients import DOSSIER_AGENCY_FIELDS
from motcua.core.apology import Outlook, Timing, outlook
from motcua.core.blame import OUTCOME_LABELS, Blame, StepSpan, responsible_step
from motcua.core.calendar import WorkCalendar
from motcua.core.contact import search_number
from motcua.core.errors import DomainError, NotFound, _
from motcua.core.lifecycle import Action, Facts, Post, Role, Status, allowed_actions
from motcua.core.routing import PlannedStep, allotment_seconds, seconds_after, signs
from motcua.core.urgency import CLOCK_RUNS, PAUSED, Bucket, overdue
from motcua.dossiers import cursors
from motcua.dossiers.cursors import prepared_cursor
from motcua.dossiers.models import (
    OPEN_CODES,
    ApologyLetter,
    Dossier,
    DossierAccess,
    DossierDocument,
    DossierEvent,
    DossierResult,
    DossierScan,
    DossierStep,
)
from motcua.organization.selectors import (
    Actor,
    agency_by_code,
    agency_by_id,
    agency_staff,
    calendar_for,
    police_serving,
    unit_of,
)

if TYPE_CHECKING:
    from motcua.organization.models import Agency, Staff, Unit

NOT_FOUND = "Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập."


# Compared against when no dossier has the code, so that a missing code costs the same
# comparison as a wrong secret (well-formed, so normalizing it does the same work too).
_NO_SECRET = "2345-6789"  # noqa: S105 - no dossier has it: it matches nothing real


@dataclass(frozen=True)
class PublicKey:
    """What the tracking page needs to know before it shows anything: which dossier, which
    version of it, and the facts that make its page change with time (overdue, a pause)."""

    pk: int
    version: int
    status: int
    due_at: datetime | None

    @property
    def may_be_paused(self) -> bool:
        """Waiting for the citizen: a pause may be running, counted up to now on the page."""
        return self.status == Status.SUPPLEMENT


def dossier_public_key(*, code: str, secret: str) -> PublicKey:
    """A citizen's access: the dossier code plus its tracking secret, answered by one indexed
    read of a few columns. A missing code and a wrong secret raise the same NotFound after the
    same query and the same constant-time comparison."""
    normalized = codes.parse_dossier_code(code)  # ValidationError: a specific format message
    given = codes.normalize_tracking_secret(secret)
    with prepared_cursor() as cursor:
        cursor.execute(_public_key_sql(), [str(normalized)])
        row = cursor.fetchone()
    matched = codes.secrets_match(row[4] if row is not None else _NO_SECRET, given)
    if row is None or not matched:
        raise NotFound(NOT_FOUND)
    due_at = row[3]
    if isinstance(due_at, str):  # SQLite's text, in UTC
        due_at = datetime.fromisoformat(due_at)
    if due_at is not None and due_at.tzinfo is None:  # SQLite's, in UTC
        due_at = due_at.replace(tzinfo=UTC)
    return PublicKey(pk=row[0], version=row[1], status=row[2], due_at=due_at)


@functools.cache
def _public_key_sql() -> str:
    """The one statement of `dossier_public_key`, from the model's metadata. Plain SQL because
    it is what every citizen's refresh costs: the ORM's compiler took three times as long as
    the query itself (0.6 ms against 0.2 ms on the demo's PostgreSQL); prepared, because
    planning it against the dossier table's indexes took longer than running it."""
    qn = connection.ops.quote_name
    column = {f.name: qn(f.column) for f in Dossier._meta.concrete_fields}
    names = ("id", "version", "status", "due_at", "tracking_secret")
    table = qn(Dossier._meta.db_table)
    # Names from the model; the code is a parameter.
    return f"SELECT {', '.join(column[n] for n in names)} FROM {table} WHERE {column['code']} = %s"  # noqa: S608


def dossier_public(pk: int) -> Dossier:
    """The dossier a `PublicKey` names, with what the tracking page shows of it loaded."""
    return Dossier.objects.select_related(
        "procedure_version__procedure",
        "receiving_agency",
        "received_place",
        "current_agency",
        "current_unit",
    ).get(pk=pk)


def access_dossier(*, actor: Actor, pk: int | None = None, code: str | None = None) -> Dossier:
    """A staff member's access: their agency received, decides, holds or held a step of it.

    Missing and forbidden give the same NotFound, so codes cannot be probed.
    """
    if actor.agency is None or actor.role in (Role.CITIZEN, Role.SYSTEM):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if code is not None:
        lookup = Q(code=code.strip().upper())
    elif pk is not None:
        lookup = Q(pk=pk)
    else:
        raise TypeError("access_dossier needs a pk or a code")
    agency_id = actor.agency.pk
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "received_place",
            "competent_agency",
            "current_agency",
            "current_unit",
        )
        .filter(lookup)
        .filter(
            Q(received_place_id=agency_id)
            | Q(competent_agency_id=agency_id)
            | Q(current_agency_id=agency_id)
            | Q(steps__agency_id=agency_id)
        )
        .distinct()
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def channel_online(dossier: Dossier) -> bool:
    """Whether the dossier was lodged online (some fees are lower then)."""
    return dossier.channel == Dossier.Channel.ONLINE


@dataclass(frozen=True)
class TimelineRow:
    """One hand-over as a citizen may see it: agency and unit, never staff names."""

    index: int
    name: str
    agency: str
    unit: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None
    outcome: str
    outcome_label: str


def dossier_steps(dossier: Dossier) -> list[DossierStep]:
    """The hand-overs in order: the finished ones as recorded, then the one still open, as
    the projection holds it (not saved: its row is written when it ends)."""
    steps = list(
        DossierStep.objects.filter(dossier=dossier)
        .select_related("agency", "unit", "holder")
        .order_by("started_at", "id")
    )
    if dossier.step_due_at is not None and dossier.step_started_at is not None:
        plan = dossier_plan(dossier)
        steps.append(
            DossierStep(
                dossier=dossier,
                index=dossier.step_index,
                name=plan[dossier.step_index].name if dossier.step_index < len(plan) else "",
                agency=dossier.current_agency,
                unit=dossier.current_unit,
                holder_id=dossier.current_holder_id,
                started_at=dossier.step_started_at,
                due_at=dossier.step_due_at,
                paused_seconds=dossier.step_paused_seconds,
            )
        )
    return steps


def dossier_timeline(dossier: Dossier) -> list[TimelineRow]:
    """The hand-overs in order, each judged early / on time / late against its allotment."""
    rows = []
    for step in dossier_steps(dossier):
        rows.append(
            TimelineRow(
                index=step.index,
                name=step.name,
                agency=step.agency.name,
                unit=step.unit.name if step.unit else "",
                started_at=step.started_at,
                due_at=step.due_at,
                ended_at=step.ended_at,
                outcome=step.outcome,
                outcome_label=OUTCOME_LABELS.get(step.outcome, "Đang xử lý"),
            )
        )
    return rows


def dossier_apology(dossier: Dossier) -> ApologyLetter | None:
    """The signed apology letter, if any (drafts are not shown to citizens)."""
    return (
        ApologyLetter.objects.select_related("agency")
        .filter(dossier=dossier, approved_at__isnull=False)
        .first()
    )


def status_label(dossier: Dossier) -> str:
    return Status(dossier.status).label


# ---------------------------------------------------------------------------------------------
# Staff lists

# The urgency buckets, most urgent first, as the core ranks them (motcua.core.urgency).
BUCKETS = tuple((b.value, b.label) for b in Bucket)
INBOX_STATUSES = [2, 4, 5, 6, 7, 9]


@dataclass(frozen=True)
class InboxFilters:
    scope: str = "mine"  # mine | unit | agency
    procedure: str = ""
    status: int | None = None
    channel: int | None = None
    bucket: str = ""
    q: str = ""


def _scope_filter(actor: Actor, scope: str) -> Q:
    """Which dossiers a person's inbox holds: their own, their unit's, or their agency's."""
    assert actor.agency is not None
    # Each branch names its group flag, so that PostgreSQL can read it from the matching partial
    # index: open dossiers by current agency, or results waiting at the receiving desk.
    at_agency = Q(current_agency_id=actor.agency.pk, still_open=True)
    # Results to hand back, and withdrawals waiting for the desk's stop notice (form 05).
    done_at_desk = Q(
        received_place_id=actor.agency.pk,
        waits_at_desk=True,
        status__in=[int(Status.WITHDRAWN), int(Status.DONE)],
    )
    # The head signs the apology letters of the agency wherever the dossier sits in it.
    # A subquery rather than a join, so that this branch too is read through an index.
    to_sign = (
        Q(
            still_open=True,
            apology="draft",
            pk__in=ApologyLetter.objects.filter(
                agency_id=actor.agency.pk, approved_at__isnull=True, closed_at__isnull=True
            ).values("dossier_id"),
        )
        if actor.role is Role.AGENCY_LEADER
        else Q(pk__in=[])
    )
    if scope == "agency" and actor.role in (Role.AGENCY_LEADER, Role.SUPERVISOR):
        return at_agency | done_at_desk | to_sign
    if scope in ("unit", "agency") and actor.role is not Role.SPECIALIST:
        return (at_agency & Q(current_unit_id=actor.unit.pk if actor.unit else None)) | to_sign
    if actor.role is Role.DESK:
        # The desk holds what waits at its counter and the results waiting to be returned.
        return (at_agency & Q(current_unit_id=actor.unit.pk if actor.unit else None)) | done_at_desk
    # A holder is always staff of the agency holding the dossier (assignment checks it).
    mine = at_agency & Q(current_holder_id=actor.user_id)
    unassigned = (
        at_agency
        & Q(current_unit_id=actor.unit.pk if actor.unit else None)
        & Q(current_holder__isnull=True)
    )
    # The head's own work ("Việc của tôi") includes the letters waiting for their signature.
    return mine | unassigned | to_sign


def apologies_to_sign(*, actor: Actor) -> QuerySet[ApologyLetter]:
    """The drafts of form 04 waiting for this head of agency's signature, the most pressing
    appointment first (none for anyone else). A draft closed with its dossier is not here."""
    if actor.role is not Role.AGENCY_LEADER or actor.agency is None:
        return ApologyLetter.objects.none()
    return (
        ApologyLetter.objects.filter(
            agency_id=actor.agency.pk,
            approved_at__isnull=True,
            closed_at__isnull=True,
            dossier__status__in=OPEN_CODES,
        )
        .select_related("dossier__procedure_version__procedure")
        .order_by("original_due_at", "pk")
    )


def apology_breaches(*, agency_id: int) -> int:
    """How many of the agency's apology letters broke the one-day rule (drafted or signed
    with less than one working day left, or after the deadline): counted against it."""
    return (
        ApologyLetter.objects.filter(agency_id=agency_id)
        .filter(
            ~Q(draft_timing=Timing.IN_TIME.value)
            | Q(sign_timing__in=[t.value for t in Timing if not t.in_time])
        )
        .count()
    )


def apology_letters_in(*, agency_id: int, start: datetime, end: datetime) -> list[ApologyLetter]:
    """The agency's apology letters drafted or signed in [start, end), the earliest draft
    first, with their dossier and signer (the head's monthly report)."""
    return list(
        ApologyLetter.objects.filter(agency_id=agency_id)
        .filter(
            Q(drafted_at__gte=start, drafted_at__lt=end)
            | Q(approved_at__gte=start, approved_at__lt=end)
        )
        .select_related("dossier__procedure_version__procedure", "approved_by")
        .order_by("drafted_at", "pk")
    )


@dataclass(frozen=True)
class RepeatedSupplement:
    """A supplement request beyond the first for the same dossier (asking twice is forbidden:
    DOMAIN §5), made by an agency."""

    dossier_id: int
    code: str
    procedure: str
    at: datetime
    number: int  # 2 for the second request of the dossier, and so on
    by: str  # who asked


def repeated_supplements(
    *, agency_id: int, start: datetime, end: datetime
) -> list[RepeatedSupplement]:
    """The agency's supplement requests in [start, end) that were not the dossier's first."""
    asked = DossierEvent.objects.filter(
        action=Action.REQUEST_SUPPLEMENT.value, agency_id=agency_id, at__gte=start, at__lt=end
    ).values_list("dossier_id", flat=True)
    events = (
        DossierEvent.objects.filter(
            action=Action.REQUEST_SUPPLEMENT.value, dossier_id__in=list(set(asked))
        )
        .select_related("dossier__procedure_version__procedure", "actor")
        .order_by("dossier_id", "seq")
    )
    out: list[RepeatedSupplement] = []
    seen: dict[int, int] = {}
    for event in events:
        number = seen[event.dossier_id] = seen.get(event.dossier_id, 0) + 1
        if number > 1 and event.agency_id == agency_id and start <= event.at < end:
            actor = event.actor
            out.append(
                RepeatedSupplement(
                    dossier_id=event.dossier_id,
                    code=event.dossier.code or "",
                    procedure=event.dossier.procedure_version.procedure.name,
                    at=event.at,
                    number=number,
                    by=(actor.get_full_name() or actor.get_username()) if actor else "",
                )
            )
    return sorted(out, key=lambda r: (r.at, r.dossier_id))


@dataclass(frozen=True)
class Holding:
    """Who held a dossier at a moment, and since when (the step they held began)."""

    agency: str
    unit: str
    holder: str  # "" when the step named no one yet
    since: datetime | None


def dossiers_held_at(dossier_ids: Iterable[int], at: datetime) -> dict[int, Holding]:
    """Who held each dossier at `at`: the finished step that spanned it, else the step still
    open (begun by then); a dossier held by no step then is left out."""
    ids = list(dossier_ids)
    out: dict[int, Holding] = {}

    def name(user: Any) -> str:
        return (user.get_full_name() or user.get_username()) if user is not None else ""

    steps = (
        DossierStep.objects.filter(dossier_id__in=ids, started_at__lte=at, ended_at__gt=at)
        .select_related("agency", "unit", "holder")
        .order_by("dossier_id", "started_at")
    )
    for step in steps:
        out[step.dossier_id] = Holding(
            step.agency.name, step.unit.name if step.unit else "", name(step.holder),
            step.started_at,
        )  # fmt: skip
    still = Dossier.objects.filter(pk__in=[i for i in ids if i not in out], status__in=OPEN_CODES)
    for d in still.select_related("current_agency", "current_unit", "current_holder"):
        if d.step_started_at is not None and d.step_started_at > at:
            continue
        out[d.pk] = Holding(
            d.current_agency.name if d.current_agency else "",
            d.current_unit.name if d.current_unit else "",
            name(d.current_holder),
            d.step_started_at,
        )
    return out


def _running(**due: datetime) -> Q:
    """The core's overdue rule as a filter: the clock runs (never while waiting for the
    citizen, never once finished) and the due field compares as given."""
    return Q(status__in=[int(s) for s in CLOCK_RUNS], **due)


def guided_visit() -> Q:
    """The core's rule (`motcua.core.urgency.guided`) as a filter: a visit that ended with a
    supplement request at reception, nothing received, no clock started."""
    return Q(status=int(Status.SUPPLEMENT), received_at__isnull=True)


def received_only() -> Q:
    """Dossiers actually received (or submitted and checked): what is counted as running."""
    return ~guided_visit()


def urgency_rank(*, now: datetime, today_end: datetime, soon: datetime) -> Case:
    """The core's bucket (`motcua.core.urgency.bucket`) as an SQL expression: its rank, so
    lists sort by it and filters select by it, in one query."""

    def rank(b: Bucket) -> Value:
        return Value(b.rank)

    return Case(
        When(guided_visit(), then=rank(Bucket.GUIDED)),
        When(status__in=[int(s) for s in PAUSED], then=rank(Bucket.PAUSED)),
        When(_running(due_at__lt=now), then=rank(Bucket.OVERDUE)),
        When(_running(due_at__lte=today_end), then=rank(Bucket.TODAY)),
        When(_running(due_at__lte=soon), then=rank(Bucket.SOON)),
        default=rank(Bucket.LATER),
        output_field=IntegerField(),
    )


def dossier_inbox(
    *, actor: Actor, filters: InboxFilters, now: datetime, today_end: datetime, soon: datetime
) -> tuple[QuerySet[Dossier], dict[str, int]]:
    """(queryset ordered by urgency, counts per bucket) for a staff member's inbox."""
    from django.db.models import Count

    from motcua.core.text import fold

    base = Dossier.objects.filter(status__in=INBOX_STATUSES).filter(
        _scope_filter(actor, filters.scope)
    )
    rank = urgency_rank(now=now, today_end=today_end, soon=soon)
    qs = base.annotate(urgency=rank)
    if filters.procedure:
        qs = qs.filter(procedure_version__procedure__code=filters.procedure)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.q.strip():
        q = filters.q.strip()
        found = Q(code__icontains=q.upper()) | Q(search_name__contains=fold(q))
        number = search_number(q)
        if number is not None:
            # An ID number or a phone, however typed: the whole number, not a part of it.
            found |= Q(search_numbers__contains=f" {number} ")
        qs = qs.filter(found)
    counts = qs.aggregate(
        **{key: Count("pk", filter=Q(urgency=i)) for i, (key, _label) in enumerate(BUCKETS)}
    )
    if filters.bucket in dict(BUCKETS):
        qs = qs.filter(urgency=[k for k, _ in BUCKETS].index(filters.bucket))
    elif not filters.q.strip():
        # Guided visits are listed apart (their own filter), or found when the citizen
        # comes back and is searched for by name or ID number.
        qs = qs.filter(received_only())
    qs = qs.select_related(
        "procedure_version__procedure", "current_agency", "current_unit", "current_holder"
    ).annotate(to_sign=_to_sign_rank(actor))
    return qs.order_by("to_sign", "urgency", "due_at", "pk"), counts


def _to_sign_rank(actor: Actor) -> Case | Value:
    """0 for what waits for this head of agency's signature (a result at the leadership's
    approval step, an apology letter drafted), else 1: the head sees those first."""
    if actor.role is not Role.AGENCY_LEADER or actor.unit is None:
        return Value(1, output_field=IntegerField())
    at_signature = Q(
        current_unit_id=actor.unit.pk,
        status__in=[int(Status.RECEIVED), int(Status.PROCESSING)],
    )
    return Case(
        When(at_signature | Q(apology="draft"), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def online_queue(*, actor: Actor) -> QuerySet[Dossier]:
    """Online dossiers waiting for the reception check at the actor's desk (status 1)."""
    assert actor.agency is not None
    return (
        Dossier.objects.filter(
            waits_at_desk=True, status=Status.NEW, received_place_id=actor.agency.pk
        )
        .select_related("procedure_version__procedure")
        .order_by("submitted_at", "pk")
    )


def agency_staff_load(
    *, agency_id: int, now: datetime, soon: datetime
) -> tuple[QuerySet[Dossier, dict[str, Any]], dict[int, Staff]]:
    """Per person of an agency: dossiers held, the oldest hold, how many are late or about to
    be, and how many wait for the citizen."""
    from django.db.models import Count, Min

    held = (
        Dossier.objects.filter(current_agency_id=agency_id, still_open=True)
        .filter(received_only())
        .values("current_holder_id", "current_unit_id", "current_unit__name")
        .annotate(
            count=Count("pk"),
            oldest=Min("step_started_at"),
            # The step's due time, by the core's rule: a step waiting for the citizen is
            # neither late nor due soon, and is counted apart.
            late=Count("pk", filter=_running(step_due_at__lt=now)),
            soon=Count("pk", filter=_running(step_due_at__gte=now, step_due_at__lte=soon)),
            paused=Count("pk", filter=Q(status__in=[int(s) for s in PAUSED])),
        )
    )
    return held, agency_staff(agency_id)


# ---------------------------------------------------------------------------------------------
# What the rules need to know about one dossier


def post_of(actor: Actor) -> Post:
    """The actor as the core sees them: a role and where they sit, as ids."""
    return Post(
        role=actor.role,
        user=actor.user_id,
        agency=actor.agency.pk if actor.agency is not None else None,
        unit=actor.unit.pk if actor.unit is not None else None,
    )


def dossier_plan(dossier: Dossier) -> tuple[PlannedStep, ...]:
    """The steps of the dossier's procedure version (a version with dossiers never changes)."""
    return tuple(
        PlannedStep(
            name=t.name,
            agency_ref=t.agency_ref,
            unit=t.unit_code,
            role=Role(t.role),
            allotment=t.allotment,
        )
        for t in steps_of(dossier.procedure_version)
    )


def resolve_step(dossier: Dossier, step: PlannedStep) -> tuple[Agency, Unit]:
    """Which agency and unit a planned step means for this dossier."""
    ref = step.agency_ref
    if ref == "receiving":
        agency: Agency | None = dossier.receiving_agency
    elif ref == "competent":
        agency = dossier.competent_agency
    elif ref == "commune_police":
        agency = police_serving(dossier.competent_agency_id)
    else:
        agency = agency_by_code(ref)
    if agency is None:
        raise DomainError(
            _("Quy trình tham chiếu cơ quan “{ref}” không tồn tại."), step=step.name, ref=ref
        )
    unit = unit_of(agency.pk, step.unit)
    if unit is None:
        raise DomainError(
            _("Cơ quan {agency} không có đơn vị “{unit}”."),
            step=step.name,
            agency=agency.name,
            unit=step.unit,
        )
    return agency, unit


def dossier_next_step(dossier: Dossier) -> tuple[Agency, Unit] | None:
    """Where FORWARD would send the dossier, or None at the last step."""
    plan = dossier_plan(dossier)
    if dossier.step_index + 1 >= len(plan):
        return None
    return resolve_step(dossier, plan[dossier.step_index + 1])


def dossier_outlook(
    dossier: Dossier, calendar: WorkCalendar, now: datetime, plan: tuple[PlannedStep, ...]
) -> Outlook | None:
    """Whether the open dossier is on track, an apology still lawful, and a new date it can
    keep (None before reception)."""
    if dossier.due_at is None:
        return None
    index = min(dossier.step_index, len(plan) - 1)
    return outlook(
        calendar,
        now=now,
        due_at=dossier.due_at,
        step_due_at=dossier.step_due_at,
        step_seconds=allotment_seconds(plan[index], calendar),
        seconds_after=seconds_after(plan, index, calendar),
    )


def dossier_facts(
    dossier: Dossier,
    calendar: WorkCalendar,
    now: datetime,
    plan: tuple[PlannedStep, ...] | None = None,
) -> Facts:
    """What the lifecycle's guards and the right to act need, read from the projection (the
    open step's place and holder are the projection's current ones)."""
    plan = dossier_plan(dossier) if plan is None else plan
    index = dossier.step_index
    step_open = dossier.step_due_at is not None
    step = plan[index] if step_open and index < len(plan) else None
    upcoming = plan[index + 1] if index + 1 < len(plan) else None
    next_place: tuple[Agency, Unit] | None = None
    if upcoming is not None and dossier.is_open:
        try:
            next_place = resolve_step(dossier, upcoming)
        except DomainError:
            next_place = None  # FORWARD reports the catalog's mistake when it is tried
    apology_agency = None
    if dossier.apology == "draft":
        apology_agency = (
            ApologyLetter.objects.filter(dossier=dossier)
            .values_list("agency_id", flat=True)
            .first()
        )
    return Facts(
        status=Status(dossier.status),
        received=dossier.received_at is not None,
        supplement_requests=dossier.supplement_requests,
        step_index=index,
        step_count=dossier.step_count,
        proposed=dossier.proposed,
        proposed_by=dossier.proposed_by_id,
        approved=dossier.approved,
        signed=dossier.signed_step is not None and dossier.signed_step == index,
        apology=dossier.apology,
        apology_agency=apology_agency,
        overdue=dossier.overdue_at is not None,
        warned=dossier.warned_at is not None,
        received_place=dossier.received_place_id,
        deciding_agency=_deciding_agency(dossier, plan),
        step_name=step.name if step is not None else "",
        step_role=step.role if step is not None else None,
        step_agency=dossier.current_agency_id if step is not None else None,
        step_unit=dossier.current_unit_id if step is not None else None,
        holder=dossier.current_holder_id if step is not None else None,
        step_signs=step is not None and signs(plan, index),
        next_name=upcoming.name if upcoming is not None else "",
        next_role=upcoming.role if upcoming is not None else None,
        next_agency=next_place[0].pk if next_place is not None else None,
        next_unit=next_place[1].pk if next_place is not None else None,
    )


def _deciding_agency(dossier: Dossier, plan: tuple[PlannedStep, ...]) -> int | None:
    """The agency that decides: the competent one when the procedure's steps pass through it,
    else the one whose step signs last (residence registration: the commune police, although
    the commune is the procedure's competent agency)."""
    refs = {step.agency_ref for step in plan}
    if "competent" in refs or dossier.competent_agency.code in refs:
        return dossier.competent_agency_id
    for index in range(len(plan) - 1, -1, -1):
        if signs(plan, index):
            try:
                return resolve_step(dossier, plan[index])[0].pk
            except DomainError:
                break
    return dossier.competent_agency_id


def dossier_allowed_actions(dossier: Dossier, actor: Actor, now: datetime) -> list[Action]:
    """The actions this person may take on the dossier now: what the page offers as buttons."""
    calendar = calendar_for(dossier.received_place)
    return allowed_actions(dossier_facts(dossier, calendar, now), post_of(actor))


def dossier_blame(dossier: Dossier, calendar: WorkCalendar, now: datetime) -> Blame | None:
    """The step (and its agency id) that caused the delay, counting only agency time."""
    plan = dossier_plan(dossier)
    spans = []
    for step in dossier_steps(dossier):
        allotted = allotment_seconds(plan[step.index], calendar) if step.index < len(plan) else 0
        used = calendar.working_seconds_between(step.started_at, step.ended_at or now)
        spans.append(
            StepSpan(
                index=step.index,
                agency=step.agency_id,
                allotted_seconds=allotted,
                used_seconds=max(0, used - step.paused_seconds),
                open=step.ended_at is None,
            )
        )
    return responsible_step(spans)


def tracking_url(dossier: Dossier) -> str:
    """The public tracking page for this dossier, code and secret filled in (the QR code)."""
    query = urlencode({"code": dossier.code, "secret": dossier.tracking_secret})
    return f"{settings.SITE_URL.rstrip('/')}{_tracking_path()}?{query}"


def citizen_dossier_url(dossier: Dossier) -> str:
    """The dossier's page in its citizen's account (they sign in to open it)."""
    path = reverse("portal:my-dossier", kwargs={"pk": dossier.pk})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def receipt_url(dossier: Dossier) -> str:
    """Form 01 of a received dossier for its applicant, code and secret filled in."""
    query = urlencode({"code": dossier.code, "secret": dossier.tracking_secret})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('online:receipt')}?{query}"


@functools.cache
def _tracking_path() -> str:
    return reverse("portal:track")  # the URLconf does not change while the process runs


def clock_entries(dossier: Dossier) -> list[core_clock.ClockEntry]:
    """The dossier's clock ledger as domain values."""
    return [
        core_clock.ClockEntry(
            kind=core_clock.ClockKind(e["kind"]),
            at=datetime.fromisoformat(e["at"]),
            working_seconds=e.get("working_seconds"),
            same_day=e.get("same_day", False),
            new_due=datetime.fromisoformat(e["new_due"]) if e.get("new_due") else None,
            reason=e.get("reason", ""),
        )
        for e in dossier.clock
    ]


@dataclass(frozen=True)
class Deadline:
    """How a dossier stands against its due time now, by the core's one rule: overdue only
    while the agency's clock runs; while paused, since when it waits for the citizen."""

    overdue: bool
    paused_since: datetime | None


def dossier_deadline(dossier: Dossier, now: datetime) -> Deadline:
    """The badges of the dossier and tracking pages: overdue, or waiting since when."""
    return Deadline(
        overdue=overdue(dossier.status, dossier.due_at, now=now),
        paused_since=dossier.paused_since,
    )


def dossier_due_explanation(dossier: Dossier, now: datetime) -> tuple[str, ...]:
    """Why the appointment is what it is, line by line in Vietnamese (recomputed from the
    clock ledger with the calendar as known at each entry, so it reads the same every time,
    save for a pause still running, which is counted up to `now`)."""
    if not dossier.clock:
        return ()
    calendar = calendar_for(dossier.received_place)
    return core_clock.compute(calendar, clock_entries(dossier), now=now).explanation


# ---------------------------------------------------------------------------------------------
# Reads for the staff's pages and forms


def dossier_events(dossier: Dossier) -> list[DossierEvent]:
    """The dossier's events in order, each with its actor and agency loaded."""
    return list(
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("actor", "agency")
        .order_by("seq")
    )


def dossier_apology_letter(dossier: Dossier) -> ApologyLetter | None:
    """The dossier's apology letter, draft or signed (citizens see only a signed one:
    `dossier_apology`), with its agency, that agency's parent and its signer loaded."""
    return (
        ApologyLetter.objects.select_related("agency__parent", "approved_by")
        .filter(dossier=dossier)
        .first()
    )


def dossiers_received(*, agency: Agency, start: datetime, end: datetime) -> QuerySet[Dossier]:
    """The dossiers an agency received from `start` until before `end`, in the order received,
    each with its procedure and competent agency loaded (unevaluated)."""
    return (
        Dossier.objects.filter(receiving_agency=agency, received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version__procedure", "competent_agency")
        .order_by("received_at", "id")
    )


def channel_choices() -> list[tuple[int, StrOrPromise]]:
    """The channels a dossier comes in by, as (value, label): in person, online, by post."""
    return list(Dossier.Channel.choices)


def returned_dossiers(*, limit: int) -> list[Dossier]:
    """Dossiers whose result was handed over, in the order they were (the demo rates some)."""
    return list(
        Dossier.objects.filter(status=Status.RETURNED)
        .exclude(returned_at=None)
        .order_by("returned_at", "pk")[:limit]
    )


def citizen_results(citizen_id: int) -> list[Dossier]:
    """The dossiers of a citizen's account whose result was issued (ready or handed over),
    newest first: the results they may reuse by reference (declare once)."""
    return list(
        Dossier.objects.filter(citizen_id=citizen_id, status__in=[Status.DONE, Status.RETURNED])
        .select_related("procedure_version__procedure")
        .order_by("-finished_at", "-pk")[:50]
    )


@dataclass(frozen=True)
class CounterDetails:
    """What an applicant declared on a dossier lodged at the counter (or by post)."""

    name: str
    id_number: str
    address: str
    phone: str
    email: str


def counter_details(id_number: str, *, limit: int = 20) -> list[CounterDetails]:
    """What the applicant with this (verified) ID number declared on the dossiers received
    at the counter or by post, oldest first of the newest `limit` (the newest last, so it
    wins): declare once, whatever the channel. Nothing for an empty number."""
    if not id_number:
        return []
    rows = (
        Dossier.objects.filter(applicant_id_number=id_number)
        .exclude(channel=Dossier.Channel.ONLINE)
        .exclude(code=None)  # refused or not received: nothing was taken down
        .order_by("-submitted_at", "-pk")
        .values_list(
            "applicant_name",
            "applicant_id_number",
            "applicant_address",
            "applicant_phone",
            "applicant_email",
        )[:limit]
    )
    return [CounterDetails(*row) for row in reversed(rows)]


def resubmitted_at(dossier: Dossier) -> datetime | None:
    """When the citizen last completed a dossier the desk had asked to correct before
    reception (the latest supplement while not yet received); None if never."""
    if not dossier.supplement_requests or dossier.received_at is not None:
        return None
    return (
        DossierEvent.objects.filter(dossier=dossier, action=Action.SUPPLEMENT)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )


def online_channel() -> int:
    """The channel of a dossier lodged on the portal."""
    return int(Dossier.Channel.ONLINE)


def delivery_choices() -> list[tuple[str, StrOrPromise]]:
    """The ways the result reaches the applicant, as (value, label)."""
    return list(Dossier.Delivery.choices)


def default_delivery() -> str:
    """How the result reaches the applicant unless they ask otherwise: at the desk."""
    return Dossier.Delivery.DESK


def result_at_desk(dossier: Dossier) -> bool:
    """Whether the applicant collects the result at the desk."""
    return dossier.delivery == Dossier.Delivery.DESK


def result_by_post(dossier: Dossier) -> bool:
    """Whether the result is sent to the applicant by the public postal service."""
    return dossier.delivery == Dossier.Delivery.POST


# ---------------------------------------------------------------------------------------------
# Papers received and their scans (digitisation)


@dataclass(frozen=True)
class Ratio:
    """A figure as the oversight publishes it: numerator / denominator (None when empty)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def dossier_papers(dossier: Dossier) -> list[DossierDocument]:
    """Every paper received, across the visits, in order: each with its scans and `visit`
    (1 for the first visit, 2 for the first supplement…)."""
    papers = list(
        DossierDocument.objects.filter(dossier=dossier)
        .select_related("required")
        .prefetch_related("scans")
        .order_by("event_seq", "id")
    )
    visits = {seq: i for i, seq in enumerate(sorted({p.event_seq for p in papers}), 1)}
    for paper in papers:
        paper.visit = visits[paper.event_seq]  # type: ignore[attr-defined]
    return papers


def _countable(papers: QuerySet[DossierDocument]) -> QuerySet[DossierDocument]:
    """Papers that digitisation counts: not those only shown at the counter (DOMAIN §5)."""
    return papers.exclude(required__show_only=True)


def _digitised(papers: QuerySet[DossierDocument]) -> Ratio:
    from django.db.models import Count, Exists, OuterRef

    scanned = Exists(DossierScan.objects.filter(document=OuterRef("pk")))
    totals = _countable(papers).aggregate(
        received=Count("pk"), scanned=Count("pk", filter=Q(scanned))
    )
    return Ratio(numerator=totals["scanned"], denominator=totals["received"])


def dossier_digitisation(dossier: Dossier) -> Ratio:
    """Papers of one dossier with a scan / papers received (those only shown left out)."""
    return _digitised(DossierDocument.objects.filter(dossier=dossier))


def digitisation_figure(*, agency: Agency, start: datetime, end: datetime) -> Ratio:
    """The digitisation figure of a counter for a period: papers received there in
    [start, end) by dossiers it received, with a scan / all of them (papers only shown left
    out). What the oversight publishes (766 index, group 5, "digitised components")."""
    papers = DossierDocument.objects.filter(
        dossier__received_place=agency,
        dossier__received_at__isnull=False,
        received_at__gte=start,
        received_at__lt=end,
    )
    return _digitised(papers)


def dossier_scan(dossier: Dossier, scan_id: int) -> DossierScan:
    """One scan of a dossier the caller already has access to; NotFound otherwise."""
    scan = DossierScan.objects.filter(dossier=dossier, pk=scan_id).first()
    if scan is None:
        raise NotFound(_("Không tìm thấy bản quét."))
    if not scan.file:
        raise NotFound(PAST_RETENTION)
    return scan


# The read log, for the oversight office


@dataclass(frozen=True)
class ReadFilters:
    """Which reads of personal data the oversight screen lists: of one dossier (by code), by
    one official, in a period [start, end)."""

    code: str = ""
    user_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None


def _reads(filters: ReadFilters) -> QuerySet[DossierAccess]:
    qs = DossierAccess.objects.all()
    if filters.code:
        qs = qs.filter(dossier__code=filters.code)
    if filters.user_id is not None:
        qs = qs.filter(user_id=filters.user_id)
    if filters.start is not None:
        qs = qs.filter(at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(at__lt=filters.end)
    return qs


def reads(filters: ReadFilters) -> QuerySet[DossierAccess]:
    """Each read, newest first, with its dossier's code and the official's name."""
    return (
        _reads(filters)
        .select_related("user")
        .annotate(code=F("dossier__code"))
        .order_by("-at", "-id")
    )


def reads_per_dossier(filters: ReadFilters) -> QuerySet[DossierAccess, dict[str, Any]]:
    """Per dossier: how many reads, by how many officials, the last one; latest first."""
    return (
        _reads(filters)
        .values("dossier_id", "dossier__code")
        .annotate(reads=Count("id"), officials=Count("user_id", distinct=True), last=Max("at"))
        .order_by("-last", "dossier_id")
    )


def reads_per_official(filters: ReadFilters) -> QuerySet[DossierAccess, dict[str, Any]]:
    """Per official: how many reads, of how many dossiers, the last one; latest first."""
    return (
        _reads(filters)
        .values("user_id", "user__first_name", "user__last_name")
        .annotate(reads=Count("id"), dossiers=Count("dossier_id", distinct=True), last=Max("at"))
        .order_by("-last", "user_id")
    )


def readers() -> list[tuple[int, str]]:
    """The officials who appear in the read log (id, full name), by name."""
    users = get_user_model().objects.filter(
        pk__in=DossierAccess.objects.values("user_id").distinct()
    )
    return sorted(
        ((u.pk, u.get_full_name() or u.get_username()) for u in users), key=lambda x: x[1]
    )


# ---------------------------------------------------------------------------------------------
# The citizen's own dossiers (signed in), and what the citizen and the public tracking page
# read of a dossier in plain words (motcua.core.story)


def citizen_dossiers(citizen_id: int) -> QuerySet[Dossier]:
    """A citizen's dossiers, newest first (through the index `dossier_of_citizen`)."""
    return (
        Dossier.objects.filter(citizen_id=citizen_id)
        .select_related("procedure_version__procedure", "received_place")
        .order_by("-submitted_at", "-id")
    )


def citizen_dossier(*, citizen_id: int, pk: int | None = None, code: str = "") -> Dossier:
    """One of the citizen's own dossiers, by id or by code; another's, or none, is the same
    "not found"."""
    found = (
        Dossier.objects.filter(pk=pk)
        if pk is not None
        else Dossier.objects.filter(code=code.strip().upper())
    )
    dossier = (
        found.select_related(
            "procedure_version__procedure",
            "received_place",
            "receiving_agency",
            "competent_agency",
            "current_agency",
            "current_unit",
        )
        .filter(citizen_id=citizen_id)
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def dossier_holders(dossier: Dossier) -> tuple[list[int | None], int | None]:
    """Who held each of the dossier's steps (finished and open), and who handed the result
    over (the return's actor, None before the return): those a rating is attributed to."""
    holders = [s.holder_id for s in dossier_steps(dossier)]
    returned_by = (
        DossierEvent.objects.filter(dossier=dossier, action=Action.RETURN_RESULT)
        .values_list("actor_id", flat=True)
        .first()
    )
    return holders, returned_by


def dossier_story(dossier: Dossier) -> list[story.Moment]:
    """What happened to the dossier as its citizen is told it, oldest first: a forward names
    the agency it went to only when it changed agency."""
    happened = []
    agency_id = None
    names: dict[int, str] = {}
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        to_agency = event.payload.get("set", {}).get("current_agency_id", agency_id)
        moved = event.action == Action.FORWARD and to_agency != agency_id
        if moved and to_agency not in names:
            found = agency_by_id(to_agency)
            names[to_agency] = found.name if found is not None else ""
        happened.append(
            story.Happened(
                action=event.action,
                at=event.at,
                payload=event.payload,
                agency=names.get(to_agency, "") if moved else "",
                moved=moved,
            )
        )
        agency_id = to_agency
    return story.story(happened)


def dossier_appointment(dossier: Dossier, moments: list[story.Moment]) -> story.Appointment:
    """The appointment's facts: the date now, the receipt's when it moved, the waits for the
    citizen, the apology's new date."""
    first_due = next((m.due for m in moments if m.kind is story.Kind.RECEIVED), None)
    return story.appointment(
        clock_entries(dossier),
        due=dossier.due_at,
        first_due=first_due,
        finished=dossier.finished_at is not None,
    )


def supplement_request(dossier: Dossier) -> DossierEvent | None:
    """The event that asked for the papers (form 02): at reception or later, the last one."""
    return (
        DossierEvent.objects.filter(dossier=dossier, action=Action.REQUEST_SUPPLEMENT)
        .order_by("-seq")
        .first()
    )


def answer_window(dossier: Dossier, calendar: WorkCalendar) -> tuple[list[str], datetime | None]:
    """The papers the request listed and when the online answer closes (None: no request)."""
    asked = supplement_request(dossier)
    if asked is None:
        return [], None
    days = settings.SUPPLEMENT_ANSWER_WORKING_DAYS
    closes = answers.answer_closes_at(calendar, asked.at.astimezone(calendar.tz), days)
    return [str(m) for m in asked.payload.get("missing", ())], closes


def result_copy_on_file(dossier: Dossier) -> bool:
    """Whether the dossier's result has its electronic copy on file (asked by the actions that
    need one, on every call: a statement prepared once per connection)."""
    return cursors.exists(DossierResult.objects.filter(dossier_id=dossier.pk))


def dossier_result(dossier: Dossier) -> DossierResult | None:
    """The result's electronic copy on file, if any (its file may have gone with the
    dossier's personal data: `dossier_result_file`)."""
    return DossierResult.objects.filter(dossier=dossier).first()


# What a page says of a file deleted with the dossier's personal data (`motcua purge`).
PAST_RETENTION = _("Tệp này đã được xóa khi hết thời hạn lưu giữ dữ liệu cá nhân của hồ sơ.")


def dossier_result_file(dossier: Dossier) -> DossierResult:
    """The result's electronic copy, with its file; NotFound when there is none, or when its
    file was deleted past the retention period."""
    found = dossier_result(dossier)
    if found is None:
        raise NotFound(_("Hồ sơ chưa có bản điện tử của kết quả."))
    if not found.file:
        raise NotFound(PAST_RETENTION)
    return found


@dataclass(frozen=True)
class CitizenView:
    """What the citizen's dossier page shows besides the dossier itself."""

    moments: list[story.Moment]
    appointment: story.Appointment
    todo: story.Todo
    missing: list[str]  # the papers asked for (form 02), while waiting for them
    answer_closes: datetime | None  # when the online answer closes
    apology: ApologyLetter | None
    result: DossierResult | None
    can_withdraw: bool


def citizen_view(dossier: Dossier, now: datetime) -> CitizenView:
    """The citizen's page of one of their dossiers: story, appointment, what to do now."""
    status = Status(dossier.status)
    calendar = calendar_for(dossier.received_place)
    missing: list[str] = []
    closes = None
    if status is Status.SUPPLEMENT:
        missing, closes = answer_window(dossier, calendar)
    is_open = answers.answer_open(status, closes_at=closes, now=now)
    result = dossier_result(dossier)
    moments = dossier_story(dossier)
    return CitizenView(
        moments=moments,
        appointment=dossier_appointment(dossier, moments),
        todo=story.todo(
            status, delivery=dossier.delivery, answer_open=is_open, result_copy=result is not None
        ),
        missing=missing,
        answer_closes=closes,
        apology=dossier_apology(dossier),
        result=result,
        can_withdraw=answers.withdrawal_allowed(status, approved=dossier.approved),
    )


def returns_counted(
    *, start: datetime, end: datetime
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Results handed over in [start, end): how many per deciding agency, per place whose desk
    handed them over, and per officer who did (the response rate's denominators)."""
    returns = DossierEvent.objects.filter(action=Action.RETURN_RESULT, at__gte=start, at__lt=end)
    by_agency = dict(
        returns.values("dossier__competent_agency")
        .annotate(n=Count("pk"))
        .values_list("dossier__competent_agency", "n")
    )
    by_place = dict(
        returns.values("dossier__received_place")
        .annotate(n=Count("pk"))
        .values_list("dossier__received_place", "n")
    )
    by_officer = dict(
        returns.exclude(actor=None)
        .values("actor")
        .annotate(n=Count("pk"))
        .values_list("actor", "n")
    )
    return by_agency, by_place, by_officer


def open_dossiers_due(
    *, agencies: Sequence[int], start: datetime, end: datetime
) -> QuerySet[Dossier]:
    """Open dossiers whose clock runs and whose appointment falls in [start, end), of these
    settling agencies (the competent one, else the receiving one): oversight's "due soon".
    Reads the partial index on open dossiers' due_at."""
    ids = list(agencies)
    return Dossier.objects.filter(
        Q(competent_agency_id__in=ids)
        | Q(competent_agency_id__isnull=True, receiving_agency_id__in=ids),
        still_open=True,
        status__in=[s.value for s in CLOCK_RUNS],
        due_at__gte=start,
        due_at__lt=end,
    )


def overdue_open_count(*, now: datetime) -> int:
    """How many open dossiers are overdue now (the core's rule, as the inbox counts them), for
    /metrics: a range of the open-dossier due index (dossier_open_due)."""
    return Dossier.objects.filter(_running(due_at__lt=now), still_open=True).count()


def steps_ended(
    *,
    start: datetime,
    end: datetime,
    agencies: Iterable[int],
    unit: int | None = None,
    holder: int | None = None,
    late: bool | None = None,
) -> QuerySet[DossierStep]:
    """The hand-overs ended in [start, end) at these agencies (of one unit, one holder — 0 for
    nobody named — late or not), newest first, each with its dossier: for oversight's drill-down
    of the step counts."""
    steps = DossierStep.objects.filter(
        agency_id__in=list(agencies), ended_at__gte=start, ended_at__lt=end
    )
    if unit is not None:
        steps = steps.filter(unit_id=unit)
    if holder is not None:
        steps = steps.filter(holder_id=holder or None)
    if late is not None:
        steps = steps.filter(outcome="late") if late else steps.exclude(outcome="late")
    return steps.select_related("dossier").order_by("-ended_at", "-pk")


# ---------------------------------------------------------------------------------------------
# The API's reads (motcua.api): a client sees the dossiers of its agencies


def _api_scope(agency_ids: Iterable[int], via: str = "") -> Q:
    """A dossier is an API client's when one of its agencies is the client's
    (`core.apiclients.DOSSIER_AGENCY_FIELDS`: the place that received it, the receiving, the
    competent or the current agency; docs/integration.md); `via`: the lookup to the dossier."""
    ids = list(agency_ids)
    scope = Q()
    for name in DOSSIER_AGENCY_FIELDS:
        scope |= Q(**{f"{via}{name}_id__in": ids})
    return scope


def api_dossier(*, agency_ids: Iterable[int], pk: int | None = None, code: str = "") -> Dossier:
    """A dossier of the client's agencies by id or code; missing and out of scope give the
    same NotFound."""
    lookup = Q(pk=pk) if pk is not None else Q(code=code.strip().upper())
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure", "received_place", "competent_agency"
        )
        .filter(lookup)
        .filter(_api_scope(agency_ids))
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def api_changes(
    *, agency_ids: Iterable[int], after_event: int, limit: int
) -> list[tuple[DossierEvent, Dossier]]:
    """The next `limit` events after the event id `after_event` of the client's dossiers, in
    id order, each with its dossier: the order a cursor walks the changes in."""
    events = (
        DossierEvent.objects.select_related("dossier")
        .filter(pk__gt=after_event)
        .filter(_api_scope(agency_ids, via="dossier__"))
        .order_by("pk")[:limit]
    )
    return [(event, event.dossier) for event in events]
