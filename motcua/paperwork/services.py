"""Writes of the paperwork: the number an official form receives when first printed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from motcua.core.calendar import local_date
from motcua.organization.selectors import centre_tz
from motcua.paperwork.models import FormCounter, IssuedForm

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier
    from motcua.organization.models import Agency


def form_number_issue(
    *, dossier: Dossier, form: str, subject: str, agency: Agency, on: datetime, now: datetime
) -> IssuedForm:
    """The number of this form about this dossier: the one given before, else the body's next
    for the form in the year of `on` (the form's date), allocated under the counter's row lock."""
    found = _issued(dossier, form, subject)
    if found is not None:
        return found
    year = local_date(on, centre_tz()).year
    with transaction.atomic():
        counter, _ = FormCounter.objects.get_or_create(agency=agency, form=form, year=year)
        # The lock orders every issue of this body's form this year: the second of two
        # printings at once waits here, then finds the number the first one gave.
        FormCounter.objects.select_for_update().filter(pk=counter.pk).get()
        found = _issued(dossier, form, subject)
        if found is not None:
            return found
        FormCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        seq = FormCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
        return IssuedForm.objects.create(
            dossier=dossier,
            form=form,
            subject=subject,
            agency=agency,
            year=year,
            seq=seq,
            issued_at=now,
        )


def _issued(dossier: Dossier, form: str, subject: str) -> IssuedForm | None:
    return IssuedForm.objects.filter(dossier=dossier, form=form, subject=subject).first()
