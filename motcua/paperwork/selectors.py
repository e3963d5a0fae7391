"""Reads for the paperwork pages: the ledger (mẫu 07) of one agency."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.core.errors import NotFound, _
from motcua.dossiers.selectors import dossiers_received
from motcua.organization.selectors import Actor
from motcua.paperwork.rendering import Period

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from motcua.dossiers.models import Dossier


def ledger_dossiers(*, actor: Actor, period: Period) -> QuerySet[Dossier]:
    """The dossiers the actor's own agency received in the period, in the order received.

    Staff see only their agency's book, whatever else their agency may read.
    """
    if actor.agency is None:
        raise NotFound(_("Tài khoản chưa được gán cơ quan công tác."))
    return dossiers_received(agency=actor.agency, start=period.start, end=period.end)
