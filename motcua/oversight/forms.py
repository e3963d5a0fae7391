"""What the oversight pages accept: a period (named, or from and to dates), the ranking's
order, and which figure's dossiers to list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.core.indicators import Period
from motcua.oversight.selectors import FIGURES, PRESETS, STEP_FIGURES, preset_period

# Tallies begin with the system; a period longer than this is a typing slip, not a question.
LONGEST_PERIOD = timedelta(days=5 * 366)
EARLIEST = date(2000, 1, 1)
ORDERS = (("worst", _("Kém nhất trước")), ("best", _("Tốt nhất trước")))
# The figures a page links to: the tallies' own, everything to process, and those due soon.
DRILL_FIGURES = (*FIGURES, "to_process", "due_soon", *STEP_FIGURES)


class PeriodForm(fields.Form):
    """A period of local dates: a preset, or from and to (either alone is completed)."""

    preset = fields.ChoiceField(
        label=_("Kỳ"), choices=[("", _("Tự chọn ngày")), *PRESETS], required=False
    )
    order = fields.ChoiceField(label=_("Xếp hạng"), choices=ORDERS, required=False)

    def __init__(self, data: Any, *, today: date) -> None:
        # Nothing asked: this month so far, and the form says so (not an empty custom range).
        if not any(data.get(k) for k in ("preset", "from", "to")):
            data = (
                {**data.dict(), "preset": "month"}
                if hasattr(data, "dict")
                else {**data, "preset": "month"}
            )
        super().__init__(data, auto_id="period-%s")
        self.today = today
        # "from" is a Python keyword: declared here, as in the read log's form.
        self.fields["from"] = fields.DateField(label=_("Từ ngày"), required=False)
        self.fields["to"] = fields.DateField(label=_("Đến ngày"), required=False)
        for name in ("from", "to"):
            self.fields[name].widget.input_type = "date"
        self.order_fields(["preset", "from", "to", "order"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        for name, day in (("from", first), ("to", last)):
            if day is not None and not EARLIEST <= day <= self.today + timedelta(days=366):
                self.add_error(name, _("Ngày nằm ngoài khoảng có số liệu."))
        if self.errors:
            return data
        if first and last and first > last:
            self.add_error("to", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
            return data
        period = self._resolve(data)
        if period.last - period.first > LONGEST_PERIOD:
            self.add_error("to" if last else "from", _("Kỳ dài quá 5 năm; hãy chọn kỳ ngắn hơn."))
        return data

    def period(self) -> Period:
        """The period asked for (this month so far when nothing is asked); call after
        is_valid(). Dates typed win over the preset."""
        return self._resolve(self.cleaned_data)

    def _resolve(self, data: dict[str, Any]) -> Period:
        first, last = data.get("from"), data.get("to")
        if first is None and last is None:
            return preset_period(data.get("preset") or "month", self.today)
        if first is None:
            assert last is not None
            first = last.replace(day=1)
        if last is None:
            last = max(first, self.today)
        return Period(first, last)

    def worst_first(self) -> bool:
        return self.cleaned_data.get("order") != "best"


class DrillForm(PeriodForm):
    """The dossiers behind a figure: which figure, of which agency (or the whole scope) and
    procedure, in which period, which page."""

    figure = fields.ChoiceField(
        label=_("Chỉ tiêu"), choices=[(f, f) for f in DRILL_FIGURES], required=True
    )
    agency = fields.TextField(label=_("Mã cơ quan"), max_length=35, required=False)
    procedure = fields.NumberField(min_value=1, max_value=2**31 - 1, required=False)
    # A step count's unit or official (its steps only, within the agencies in scope).
    unit = fields.NumberField(min_value=1, max_value=2**31 - 1, required=False)
    holder = fields.NumberField(min_value=1, max_value=2**31 - 1, required=False)
    page = fields.NumberField(min_value=1, max_value=100_000, required=False)


class AdminChangeForm(fields.Form):
    """The administrative log's filters: who, which kind of object, a period of local dates."""

    user = fields.TypedChoiceField(
        label=_("Người thay đổi"), choices=[], coerce=int, required=False, empty_value=None
    )
    model = fields.ChoiceField(label=_("Loại đối tượng"), choices=[], required=False)
    page = fields.NumberField(min_value=1, max_value=100_000, required=False)

    def __init__(
        self, data: Any, *, authors: list[tuple[int, str]], kinds: list[tuple[str, str]]
    ) -> None:
        super().__init__(data, auto_id="changes-%s")
        user = cast(forms.ChoiceField, self.fields["user"])
        user.choices = [("", _("Tất cả")), *((str(pk), name) for pk, name in authors)]
        model = cast(forms.ChoiceField, self.fields["model"])
        model.choices = [("", _("Tất cả")), *kinds]
        self.fields["from"] = fields.DateField(label=_("Từ ngày"), required=False)
        self.fields["to"] = fields.DateField(label=_("đến ngày"), required=False)
        self.order_fields(["user", "model", "from", "to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        if first and last and first > last:
            self.add_error("to", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        elif first and last and last - first > LONGEST_PERIOD:
            self.add_error("to", _("Khoảng thời gian dài quá 5 năm."))
        return data
