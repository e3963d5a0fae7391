"""The one read path for protected dossier data: the same "not found" for missing and forbidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from motcua.core import codes
from motcua.core.blame import OUTCOME_LABELS
from motcua.core.errors import NotFound, _
from motcua.core.lifecycle import Role, Status
from motcua.dossiers.models import OPEN_CODES, ApologyLetter, Dossier, DossierStep
from motcua.organization.selectors import Actor

NOT_FOUND = "Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập."


def access_dossier_public(*, code: str, secret: str) -> Dossier:
    """A citizen's access: the dossier code plus its tracking secret."""
    normalized = codes.parse_dossier_code(code)  # ValidationError: a specific format message
    given = codes.normalize_tracking_secret(secret)
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "receiving_agency")
        .filter(code=str(normalized))
        .first()
    )
    if dossier is None or not codes.secrets_match(dossier.tracking_secret, given):
        raise NotFound(NOT_FOUND)
    return dossier


def access_dossier(*, actor: Actor, pk: int | None = None, code: str | None = None) -> Dossier:
    """A staff member's access: their agency received, decides, holds or held a step of it.

    Missing and forbidden give the same NotFound, so codes cannot be probed.
    """
    if actor.agency is None or actor.role in (Role.CITIZEN, Role.SYSTEM):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if (pk is None) == (code is None):
        raise ValueError("access_dossier needs exactly one of pk and code")
    lookup = Q(pk=pk) if pk is not None else Q(code=code.strip().upper())
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


def dossier_timeline(dossier: Dossier) -> list[TimelineRow]:
    """The hand-overs in order, each judged early / on time / late against its allotment."""
    rows = []
    for step in DossierStep.objects.filter(dossier=dossier).select_related("agency", "unit"):
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

BUCKETS = (
    ("overdue", "Quá hạn"),
    ("today", "Đến hạn hôm nay"),
    ("soon", "Sắp đến hạn"),
    ("later", "Còn hạn"),
)
INBOX_STATUSES = [2, 4, 5, 6, 9]


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
    # Each branch names its statuses, so that PostgreSQL can read it from the matching partial
    # index: open dossiers by current agency, or results waiting at the receiving desk.
    at_agency = Q(current_agency_id=actor.agency.pk, status__in=OPEN_CODES)
    done_at_desk = Q(received_place_id=actor.agency.pk, status=Status.DONE)
    # The head signs the apology letters of the agency wherever the dossier sits in it.
    # A subquery rather than a join, so that this branch too is read through an index.
    to_sign = (
        Q(
            status__in=OPEN_CODES,
            apology="draft",
            pk__in=ApologyLetter.objects.filter(
                agency_id=actor.agency.pk, approved_at__isnull=True
            ).values("dossier_id"),
        )
        if actor.role is Role.AGENCY_LEADER
        else Q(pk__in=[])
    )
    if scope == "agency" and actor.role in (Role.AGENCY_LEADER, Role.SUPERVISOR):
        return at_agency | done_at_desk
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
    return mine | unassigned


def dossier_inbox(
    *, actor: Actor, filters: InboxFilters, now: datetime, today_end: datetime, soon: datetime
):  # noqa: ANN201
    """(queryset ordered by urgency, counts per bucket) for a staff member's inbox."""
    from django.db.models import Case, Count, IntegerField, Value, When

    from motcua.core.text import fold

    base = Dossier.objects.filter(status__in=INBOX_STATUSES).filter(
        _scope_filter(actor, filters.scope)
    )
    rank = Case(
        When(status=Status.DONE, then=Value(3)),
        When(due_at__lt=now, then=Value(0)),
        When(due_at__lte=today_end, then=Value(1)),
        When(due_at__lte=soon, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    qs = base.annotate(urgency=rank)
    if filters.procedure:
        qs = qs.filter(procedure_version__procedure__code=filters.procedure)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.q.strip():
        q = filters.q.strip()
        qs = qs.filter(Q(code__icontains=q.upper()) | Q(search_name__contains=fold(q)))
    counts = qs.aggregate(
        **{key: Count("pk", filter=Q(urgency=i)) for i, (key, _label) in enumerate(BUCKETS)}
    )
    if filters.bucket in dict(BUCKETS):
        qs = qs.filter(urgency=[k for k, _ in BUCKETS].index(filters.bucket))
    qs = qs.select_related(
        "procedure_version__procedure", "current_agency", "current_unit", "current_holder"
    ).order_by("urgency", "due_at", "pk")
    return qs, counts


def online_queue(*, actor: Actor):  # noqa: ANN201
    """Online dossiers waiting for the reception check at the actor's desk (status 1)."""
    assert actor.agency is not None
    return (
        Dossier.objects.filter(status=Status.NEW, received_place_id=actor.agency.pk)
        .select_related("procedure_version__procedure")
        .order_by("submitted_at", "pk")
    )


def agency_staff_load(*, agency_id: int, now: datetime, soon: datetime):  # noqa: ANN201
    """Per person of an agency: dossiers held, the oldest hold, how many are late or about to be."""
    from django.db.models import Count, Min

    from motcua.organization.models import Staff

    held = (
        Dossier.objects.filter(current_agency_id=agency_id, status__in=[2, 4, 5, 6])
        .values("current_holder_id", "current_unit_id")
        .annotate(
            count=Count("pk"),
            oldest=Min("steps__started_at", filter=Q(steps__ended_at__isnull=True)),
            late=Count("pk", filter=Q(step_due_at__lt=now)),
            soon=Count("pk", filter=Q(step_due_at__gte=now, step_due_at__lte=soon)),
        )
    )
    staff = {
        s.user_id: s
        for s in Staff.objects.filter(agency_id=agency_id).select_related("user", "unit")
    }
    return held, staff
