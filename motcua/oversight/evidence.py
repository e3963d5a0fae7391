"""Evidence for the annual evaluation of officials and units (issue 10, DOMAIN §10): per
person, only the time they actually held each dossier (the finished steps they held, from
the step tallies), the apologies their steps made necessary, the complaints about their
conduct (received, and found upheld: only those count against them), the ratings attributed
to them; a suggested level (`core.evaluation`) within each unit's 20% quota; and the level
people decided, recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from django.db import IntegrityError, transaction

from motcua.core import evaluation as rules
from motcua.core.errors import NotFound, ValidationError, _
from motcua.core.indicators import RATING_DIMENSIONS, Period
from motcua.core.indicators import StepTally as StepCounts
from motcua.core.lifecycle import Role
from motcua.core.scope import Scope
from motcua.dossiers.records import apologies_by_holder
from motcua.feedback.selectors import (
    conduct_complaints_by_official,
    conduct_upheld_by_official,
    ratings_by_officer,
)
from motcua.organization.selectors import Actor, staff_by_agency
from motcua.oversight.models import EvaluationDecision
from motcua.oversight.selectors import _bounds, scope_of, steps_by


@dataclass(frozen=True)
class Sheet:
    """One official's evidence for the year."""

    user_id: int
    name: str
    title: str
    agency: str
    agency_id: int
    unit_id: int
    unit: str
    steps: StepCounts
    apologies: int
    complaints: int  # about their conduct, received in the year, naming them
    upheld: int  # of the complaints received in the year, those found upheld concerning them
    ratings: int
    satisfaction: Fraction | None
    evaluation: rules.Evaluation
    decision: EvaluationDecision | None

    @property
    def decided_label(self) -> str:
        return rules.Level(self.decision.level).label if self.decision else ""


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def sheets(*, scope: Scope, year: int) -> list[Sheet]:
    """The evidence sheets the scope may see for `year`, by agency, unit and name."""
    period = year_period(year)
    start, end = _bounds(period)
    staff = [
        s
        for s in staff_by_agency()
        if s.role not in (Role.ADMIN.value, Role.SUPERVISOR.value)
        and scope.sees_person(user=s.user_id, agency=s.agency_id, unit=s.unit_id)
    ]
    held = steps_by(period=period, by=("holder_id",), agencies=None)
    apologies = apologies_by_holder(start=start, end=end)
    complaints = conduct_complaints_by_official(start=start, end=end)
    upheld = conduct_upheld_by_official(start=start, end=end)
    ratings = ratings_by_officer(start=start, end=end)
    figures = []
    for s in staff:
        counts = held.get((s.user_id,), StepCounts())
        n, points = ratings.get(s.user_id, (0, 0))
        figures.append(
            rules.PersonFigures(
                person=s.user_id,
                unit=s.unit_id,
                steps_handled=counts.steps,
                steps_on_time=counts.early + counts.on_time,
                late_steps_caused=counts.late,
                apologies_caused=apologies.get(s.user_id, 0),
                # Only the complaints found upheld count against a person; those received are
                # shown beside them.
                conduct_upheld=upheld.get(s.user_id, 0),
                satisfaction=Fraction(points, n * RATING_DIMENSIONS) if n else None,
                ratings=n,
            )
        )
    evaluations = {e.person: e for e in rules.evaluate(figures)}
    decisions = {
        d.person_id: d
        for d in EvaluationDecision.objects.filter(
            year=year, person_id__in=[s.user_id for s in staff]
        )
    }
    out = []
    for s, f in zip(staff, figures, strict=True):
        out.append(
            Sheet(
                user_id=s.user_id,
                name=s.user.get_full_name() or s.user.get_username(),
                title=s.title,
                agency=s.agency.short_name or s.agency.name,
                agency_id=s.agency_id,
                unit_id=s.unit_id,
                unit=s.unit.name,
                steps=held.get((s.user_id,), StepCounts()),
                apologies=f.apologies_caused,
                complaints=complaints.get(s.user_id, 0),
                upheld=f.conduct_upheld,
                ratings=f.ratings,
                satisfaction=Fraction(f.satisfaction) if f.satisfaction is not None else None,
                evaluation=evaluations[s.user_id],
                decision=decisions.get(s.user_id),
            )
        )
    return out


def _may_decide(actor: Actor, person_agency: int, person_unit: int) -> bool:
    """Heads decide for their agency, unit leaders propose for their unit: here both record
    the level decided by the evaluation council they chair [check]."""
    scope = scope_of(actor)
    if actor.role is Role.AGENCY_LEADER:
        return person_agency in scope.agencies
    if actor.role is Role.UNIT_LEADER:
        return person_unit == scope.unit
    return False


def decision_record(
    *, actor: Actor, person: int, year: int, level: str, note: str, now: datetime
) -> EvaluationDecision:
    """Record the level decided for an official and year, once; the suggestion is kept
    beside it."""
    try:
        chosen = rules.Level(level)
    except ValueError:
        raise ValidationError(_("Chọn một mức xếp loại."), field="level") from None
    post = next((s for s in staff_by_agency() if s.user_id == person), None)
    if (
        post is None
        or not _may_decide(actor, post.agency_id, post.unit_id)
        or person == actor.user_id
    ):
        raise NotFound(_("Không tìm thấy cán bộ."))
    sheet = next((s for s in sheets(scope=scope_of(actor), year=year) if s.user_id == person), None)
    suggested = sheet.evaluation.level.value if sheet and sheet.evaluation.level else ""
    assert actor.user_id is not None
    try:
        with transaction.atomic():
            return EvaluationDecision.objects.create(
                person_id=person,
                year=year,
                level=chosen.value,
                suggested=suggested,
                note=note.strip(),
                decided_by_id=actor.user_id,
                decided_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            _(
                "Mức xếp loại năm {year} của cán bộ này đã được ghi nhận.",
            ),
            year=year,
            field="level",
        ) from None


def decidable(actor: Actor, sheet: Sheet) -> bool:
    """Whether the actor may record the level of this sheet now (not their own)."""
    return (
        sheet.decision is None
        and sheet.user_id != actor.user_id
        and _may_decide(actor, sheet.agency_id, sheet.unit_id)
    )
