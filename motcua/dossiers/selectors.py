"""The one read path for protected dossier data: the same "not found" for missing and forbidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from motcua.core import codes
from motcua.core.blame import OUTCOME_LABELS
from motcua.core.errors import NotFound, ValidationError
from motcua.core.lifecycle import Role, Status
from motcua.dossiers.models import ApologyLetter, Dossier, DossierStep
from motcua.organization.selectors import Actor

NOT_FOUND = "Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập."


def access_dossier_public(*, code: str, secret: str) -> Dossier:
    """A citizen's access: the dossier code plus its tracking secret."""
    try:
        normalized = codes.parse_dossier_code(code)
        given = codes.normalize_tracking_secret(secret)
    except ValidationError:
        raise
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "receiving_agency")
        .filter(code=str(normalized))
        .first()
    )
    if dossier is None or not codes.secrets_match(dossier.tracking_secret, given):
        raise NotFound(NOT_FOUND)
    return dossier


def access_dossier(*, actor: Actor, code: str) -> Dossier:
    """A staff member's access: their agency received, decides, holds or held a step of it."""
    if actor.agency is None or actor.role in (Role.CITIZEN, Role.SYSTEM):
        raise NotFound("Không tìm thấy hồ sơ.")
    agency_id = actor.agency.pk
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "received_place",
            "competent_agency",
            "current_agency",
            "current_unit",
        )
        .filter(code=code.strip().upper())
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
        raise NotFound("Không tìm thấy hồ sơ.")
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
