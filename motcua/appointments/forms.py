"""The booking form: procedure, place and day (a GET step that shows the slots), then the
slot (posted)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.core import appointments as rules
from motcua.core.errors import fill


class BookingForm(fields.Form):
    procedure = fields.ChoiceField(label=_("Thủ tục"))
    branch = fields.TypedChoiceField(label=_("Nơi nộp hồ sơ"), coerce=int)
    day = fields.DateField(label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    # Checked against the day's slots by the service (core.appointments.check_booking), which
    # knows them at the moment of booking; here only its shape.
    slot = fields.TextField(
        label=_("Khung giờ"),
        max_length=5,
        widget=forms.RadioSelect,
        validators=[
            RegexValidator(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", _("Hãy chọn một khung giờ."))
        ],
    )

    def __init__(
        self,
        data: Any,
        *,
        procedures: list[tuple[str, str]],
        places: list[tuple[int, str]],
        today: date,
        procedure: str = "",
    ) -> None:
        super().__init__(data, initial={"procedure": procedure})
        cast(forms.ChoiceField, self.fields["procedure"]).choices = [("", "—"), *procedures]
        cast(forms.ChoiceField, self.fields["branch"]).choices = [("", "—"), *places]
        day = cast(forms.DateField, self.fields["day"])
        day.widget.attrs.update(
            min=today.isoformat(),
            max=(today + timedelta(days=rules.DEFAULT_HORIZON_DAYS)).isoformat(),
        )
        self.set_slots([])

    def set_slots(self, slots: list[rules.Slot]) -> None:
        choices = []
        for slot in slots:
            label = fill(
                gettext("{start}–{end} (còn {left} chỗ)"),
                {"start": f"{slot.start:%H:%M}", "end": f"{slot.end:%H:%M}", "left": slot.left},
            )
            choices.append((f"{slot.start:%H:%M}", label))
        cast(forms.RadioSelect, self.fields["slot"].widget).choices = choices

    def start(self) -> time | None:
        value = self.cleaned_data.get("slot")
        return time.fromisoformat(value) if value else None
