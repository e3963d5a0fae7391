"""Writing one dossier change through the ORM: the rows a handler's `Change` comes to.

Only `motcua.dossiers.services` calls this module; handlers never see it. An action is one
compare-and-set UPDATE of the dossier's changed columns, guarded by its version, then the
rows it implies: the hand-over closed and the next one opened (form 06), the apology letter,
the event, the citizen's message. All in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from motcua.core import codes
from motcua.core.errors import ConflictError, _
from motcua.dossiers.models import (
    ApologyLetter,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
)
from motcua.notify.services import outbox_queue

if TYPE_CHECKING:
    from motcua.notify.models import OutboxMessage


@dataclass(frozen=True)
class StepRow:
    """A hand-over that starts now."""

    index: int
    name: str
    agency_id: int
    unit_id: int
    holder_id: int | None
    started_at: datetime
    due_at: datetime

    def row(self, dossier_id: int) -> DossierStep:
        return DossierStep(
            dossier_id=dossier_id,
            index=self.index,
            name=self.name,
            agency_id=self.agency_id,
            unit_id=self.unit_id,
            holder_id=self.holder_id,
            started_at=self.started_at,
            due_at=self.due_at,
        )


@dataclass(frozen=True)
class StepClose:
    """The open hand-over ends: when, judged how, with what note, by whom."""

    ended_at: datetime
    outcome: str  # early | on_time | late
    note: str
    by: int | None  # recorded as its holder if nobody was assigned: whoever handed it over


# What an action may change (by attribute name, so foreign keys compare as ids).
_PROJECTION = [
    f.attname
    for f in Dossier._meta.concrete_fields
    if not f.primary_key and f.name not in ("created_at", "tracking_secret", "idempotency_key")
]


def create(
    dossier: Dossier,
    *,
    documents: Sequence[DossierDocument],
    step: StepRow | None,
    event: Callable[[Dossier], DossierEvent],
    notice: Callable[[Dossier], OutboxMessage | None],
) -> None:
    """Insert a new dossier with its papers, first step, first event and message.

    The event hashes the dossier's id, known once the row exists; the chain's head is then
    written back to the row, which is this transaction's own (no compare-and-set needed).
    """
    Dossier.objects.bulk_create([dossier])
    dossier._state.adding = False  # as after save(): validation and forms see it as saved
    first = event(dossier)
    dossier.chain_head = first.hash
    for document in documents:
        document.dossier_id = dossier.pk
    DossierDocument.objects.bulk_create(documents)
    if step is not None:
        DossierStep.objects.bulk_create([step.row(dossier.pk)])
    DossierEvent.objects.bulk_create([first])
    Dossier.objects.filter(pk=dossier.pk).update(chain_head=first.hash)
    message = notice(dossier)
    outbox_queue([message] if message is not None else [])


def update(
    before: Dossier,
    after: Dossier,
    *,
    expected: int,
    close: StepClose | None,
    step_fields: dict[str, Any],
    step: StepRow | None,
    letter: ApologyLetter | None,
    letter_signed: ApologyLetter | None,
    event: DossierEvent,
    notice: OutboxMessage | None,
) -> None:
    """Write one action: the compare-and-set first, the rows it guards behind it.

    The compare-and-set also takes the row lock, so what was decided from the dossier at
    `expected` still holds when it wins; when it matches no row, someone else changed the
    dossier first, and nothing else is written.
    """
    changed = {
        name: getattr(after, name)
        for name in _PROJECTION
        if getattr(after, name) != getattr(before, name)
    }
    won = Dossier.objects.filter(pk=after.pk, version=expected).update(**changed)
    if won != 1:
        raise conflict(after)
    open_step = DossierStep.objects.filter(dossier_id=after.pk, ended_at__isnull=True)
    if close is not None:
        open_step.update(
            ended_at=close.ended_at,
            outcome=close.outcome,
            note=close.note,
            holder_id=Coalesce(F("holder_id"), Value(close.by)),
        )
    if step_fields:
        open_step.update(**step_fields)
    if step is not None:
        DossierStep.objects.bulk_create([step.row(after.pk)])
    if letter is not None:
        ApologyLetter.objects.bulk_create([letter])
    if letter_signed is not None:
        ApologyLetter.objects.filter(pk=letter_signed.pk).update(
            approved_at=letter_signed.approved_at, approved_by_id=letter_signed.approved_by_id
        )
    DossierEvent.objects.bulk_create([event])
    outbox_queue([notice] if notice is not None else [])


def next_dossier_code(agency_code: str, day: date) -> str:
    """The agency's next dossier code for its local day, safe with receptions in parallel.

    The counter's UPDATE holds the row until the transaction ends, so two receptions never
    read the same number; the first of the day creates the row, and a reception that loses
    that race counts on the winner's row.
    """
    counter = DailySequence.objects.filter(agency_code=agency_code, day=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                DailySequence.objects.create(agency_code=agency_code, day=day, last=1)
            return codes.format_dossier_code(agency_code, day, 1)
        except IntegrityError:
            counter.update(last=F("last") + 1)
    seq = counter.values_list("last", flat=True).get()
    return codes.format_dossier_code(agency_code, day, seq)


def conflict(dossier: Dossier) -> ConflictError:
    """The error of a lost compare-and-set."""
    return ConflictError(
        _("Hồ sơ vừa được người khác cập nhật. Vui lòng xem trạng thái mới và thao tác lại."),
        code=dossier.code,
    )
