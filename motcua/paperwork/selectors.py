"""Reads for the paperwork pages: the ledger (mẫu 07) of one agency."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.core.errors import NotFound, _
from motcua.dossiers.models import Dossier
from motcua.organization.selectors import Actor
from motcua.paperwork.rendering import Period


def ledger_dossiers(*, actor: Actor, period: Period) -> QuerySet[Dossier]:
    """The dossiers the actor's own agency received in the period, in the order received.

    Staff see only their agency's book, whatever else their agency may read.
    """
    if actor.agency is None:
        raise NotFound(_("Tài khoản chưa được gán cơ quan công tác."))
    return (
        Dossier.objects.filter(
            receiving_agency=actor.agency,
            received_at__gte=period.start,
            received_at__lt=period.end,
        )
        .select_related("procedure_version__procedure", "competent_agency")
        .order_by("received_at", "id")
    )
