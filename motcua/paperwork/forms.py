"""What the ledger page accepts: a period, the page of it, and whether to print it whole."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.core.errors import DomainError
from motcua.edge import add_to_form
from motcua.paperwork import rendering

MAX_PAGE = 1_000_000


class LedgerForm(fields.Form):
    """`?from=DD/MM/YYYY&to=DD/MM/YYYY&page=N&pdf=1` (or YYYY-MM-DD); `cleaned_data["period"]`
    once valid."""

    page = fields.NumberField(
        min_value=1, max_value=MAX_PAGE, required=False, widget=forms.HiddenInput
    )
    pdf = fields.ChoiceField(choices=[("1", "PDF")], required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data, auto_id="ledger-%s")
        self.today = today
        # "from" is a Python keyword: these two are declared here, not as class attributes.
        # Typed dd/mm/yyyy: a browser's date picker shows mm/dd in English beside the
        # sheet's dd/mm (`?from=` links keep the ISO form, read too).
        hint = _("Ngày/tháng/năm, ví dụ 25/11/2026")
        self.fields["from"] = fields.DayMonthYearField(
            label=_("Từ ngày"), required=False, help_text=hint
        )
        self.fields["to"] = fields.DayMonthYearField(
            label=_("đến ngày"), required=False, help_text=hint
        )
        self.order_fields(["from", "to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                data["period"] = rendering.ledger_period(
                    data.get("from"), data.get("to"), today=self.today
                )
            except DomainError as exc:
                add_to_form(self, exc, {})
        return data
