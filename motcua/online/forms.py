"""The e-form, built from the fields a procedure version declares (`motcua.core.eform`).

The form only bounds and shapes what was sent; the rules (ID numbers, phones, dates, choices,
bounds, wards of the province) are the core's and the selectors', applied by the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.core import eform, fees
from motcua.dossiers.selectors import delivery_choices

_INPUT_TYPES = {
    eform.Kind.DATE: "date",
    eform.Kind.PHONE: "tel",
    eform.Kind.EMAIL: "email",
}

NOTHING_ASKED = fees.Asks(copies=False, pages=False)


class EForm(fields.Form):
    """One procedure's e-form: its declared fields, where to lodge it, how to get the result,
    and for each paper a file to attach or an earlier result to reuse."""

    place = fields.ChoiceField(label=_("Nơi nhận hồ sơ"), required=False)
    delivery = fields.ChoiceField(
        label=_("Cách nhận kết quả"), required=False, widget=forms.RadioSelect
    )
    post_address = fields.TextField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"),
        max_length=300,
        required=False,
        help_text=_("Chỉ cần khi chọn nhận qua bưu chính."),
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        specs: tuple[eform.FieldSpec, ...],
        places: list[tuple[int, str]],
        provinces: list[tuple[str, str]],
        wards: dict[str, list[tuple[str, str]]],
        papers: list[tuple[int, str]],
        results: Mapping[int, list[tuple[int, str]]],  # by paper: the results that fit it
        asks: fees.Asks = NOTHING_ASKED,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, files, initial=initial)
        self.specs = specs
        # What the fee is counted on, asked only when the procedure's rule depends on it.
        if asks.copies:
            self.fields["fee_copies"] = fields.NumberField(
                label=gettext("Số bản"), min_value=1, max_value=fees.MAX_COPIES, required=False
            )
        if asks.pages:
            self.fields["fee_pages"] = fields.NumberField(
                label=gettext("Số trang mỗi bản"),
                min_value=1,
                max_value=fees.MAX_PAGES,
                required=False,
                help_text=gettext("Lệ phí tính theo số trang của mỗi bản."),
            )
        self.fields["place"].choices = [("", gettext("— Chọn nơi nhận —"))] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in places
        ]
        self.fields["delivery"].choices = fields.choices(delivery_choices())  # type: ignore[attr-defined]
        ward_choices = [("", gettext("— Chọn xã, phường —"))] + [
            (province, [(code, name) for code, name in items])
            for province, items in ((dict(provinces).get(p, p), ws) for p, ws in wards.items())
        ]
        self.address_names: list[str] = []
        for spec in specs:
            help_text = spec.help
            if spec.kind is eform.Kind.ADDRESS:
                self.address_names.append(spec.name)
                self.fields[f"{spec.name}__province"] = fields.ChoiceField(
                    label=gettext("{label}: tỉnh, thành phố").replace("{label}", spec.label),
                    required=False,
                    choices=[("", gettext("— Chọn tỉnh, thành phố —")), *provinces],
                )
                self.fields[f"{spec.name}__ward"] = fields.ChoiceField(
                    label=gettext("{label}: xã, phường").replace("{label}", spec.label),
                    required=False,
                    choices=ward_choices,
                    widget=forms.Select(attrs={"data-ward-of": f"{spec.name}__province"}),
                )
                self.fields[f"{spec.name}__street"] = fields.TextField(
                    label=gettext("{label}: số nhà, đường, thôn, tổ").replace(
                        "{label}", spec.label
                    ),
                    required=False,
                    max_length=eform.MAX_TEXT,
                    help_text=help_text,
                )
                continue
            attrs: dict[str, str] = {}
            if spec.kind in _INPUT_TYPES:
                attrs["type"] = _INPUT_TYPES[spec.kind]
            if spec.kind is eform.Kind.ID_NUMBER:
                attrs.update(inputmode="numeric", autocomplete="off")
            if spec.kind is eform.Kind.NUMBER:
                attrs["inputmode"] = "decimal"
            field: forms.Field
            if spec.kind is eform.Kind.CHOICE:
                field = fields.ChoiceField(
                    label=spec.label,
                    required=False,
                    choices=[("", gettext("— Chọn —")), *((o, o) for o in spec.options)],
                )
            else:
                field = fields.TextField(
                    label=spec.label,
                    required=False,
                    max_length=eform.MAX_TEXT,
                    widget=forms.TextInput(attrs=attrs),
                )
            field.help_text = help_text
            field.widget.is_required = spec.required
            self.fields[spec.name] = field
        self.paper_names: list[tuple[int, str]] = papers
        for doc_id, name in papers:
            self.fields[f"paper_{doc_id}"] = fields.ScanField(label=name)
            self.fields[f"reuse_{doc_id}"] = fields.ChoiceField(
                label=gettext("Hoặc dùng kết quả đã được cấp"),
                required=False,
                choices=[
                    ("", gettext("— Không dùng —")),
                    *((str(k), v) for k, v in results.get(doc_id, [])),
                ],
            )
            self.fields[f"remove_{doc_id}"] = forms.BooleanField(
                label=gettext("Bỏ tệp đã đính kèm"), required=False
            )

    def values(self) -> dict[str, object]:
        """The declared fields' values, an address as a dict (for the core to check)."""
        data = self.cleaned_data
        values: dict[str, object] = {}
        for spec in self.specs:
            if spec.kind is eform.Kind.ADDRESS:
                values[spec.name] = {
                    part: data.get(f"{spec.name}__{part}") or ""
                    for part in ("province", "ward", "street")
                }
            else:
                values[spec.name] = data.get(spec.name) or ""
        return values


def initial_of(specs: tuple[eform.FieldSpec, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The form's initial data from a draft's stored values."""
    initial: dict[str, Any] = {}
    for spec in specs:
        value = values.get(spec.name)
        if spec.kind is eform.Kind.ADDRESS and isinstance(value, dict):
            for part in ("province", "ward", "street"):
                initial[f"{spec.name}__{part}"] = value.get(part, "")
        elif value is not None:
            initial[spec.name] = value
    return initial


def field_names(specs: tuple[eform.FieldSpec, ...]) -> dict[str, str]:
    """Where the service's problems go: an address's problem beside its ward, a fee
    quantity's beside its field."""
    names = {s.name: f"{s.name}__ward" for s in specs if s.kind is eform.Kind.ADDRESS}
    return {**names, "copies": "fee_copies", "pages": "fee_pages"}
