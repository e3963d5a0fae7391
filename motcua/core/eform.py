"""The e-form of a procedure: the fields the catalog declares, and the rules of online reception.

A procedure version lists the fields its online form asks (name, label, kind, required, help,
options or bounds). `parse_fields` checks such a list as the catalog file gives it, every
problem at once; `check_values` checks what a citizen typed against it (the same rules on the
server whatever the browser did). `reception_timing` says when an online dossier's desk must
be alerted and when its reception check is late (DOMAIN §5: 2 and 8 working hours, defaults
the settings may change), and `draft_expires_at` when a draft left incomplete is closed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from motcua.core import accounts, codes, text
from motcua.core.calendar import WorkCalendar, require_aware
from motcua.core.errors import InvalidInput, ValidationError, _


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"  # a province and a ward from the current list, and the street
    CHOICE = "choice"
    NUMBER = "number"


KINDS = frozenset(k.value for k in Kind)
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_FIELDS = 40
MAX_TEXT = 500
MAX_OPTIONS = 30
# Names the e-form uses for itself: a field may not take them.
RESERVED = frozenset({"delivery", "place", "post_address", "action", "key", "procedure"})
# Who lodges the dossier: every form has them (the dossier's applicant comes from them), and
# the other well-known names are filled in the dossier too when the form has them.
APPLICANT = {"ho_ten": Kind.TEXT, "so_dinh_danh": Kind.ID_NUMBER}
CONTACT_FIELDS = {"dien_thoai": Kind.PHONE, "thu_dien_tu": Kind.EMAIL, "noi_cu_tru": Kind.ADDRESS}
_KEYS = frozenset({"name", "label", "kind", "required", "help", "options", "min", "max"})


@dataclass(frozen=True)
class FieldSpec:
    """One field of an e-form, as the catalog declares it."""

    name: str
    label: str
    kind: Kind
    required: bool = True
    help: str = ""
    options: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON the catalog stores (and `from_dict` reads back)."""
        data: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "kind": self.kind.value,
            "required": self.required,
            "help": self.help,
        }
        if self.options:
            data["options"] = list(self.options)
        if self.minimum is not None:
            data["min"] = str(self.minimum)
        if self.maximum is not None:
            data["max"] = str(self.maximum)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldSpec:
        return cls(
            name=data["name"],
            label=data["label"],
            kind=Kind(data["kind"]),
            required=bool(data.get("required", True)),
            help=data.get("help", ""),
            options=tuple(data.get("options", ())),
            minimum=Decimal(data["min"]) if data.get("min") is not None else None,
            maximum=Decimal(data["max"]) if data.get("max") is not None else None,
        )


def parse_fields(raw: Sequence[object]) -> tuple[tuple[FieldSpec, ...], list[tuple[str, str]]]:
    """The fields of a catalog entry, and every problem as (key, Vietnamese message)."""
    problems: list[tuple[str, str]] = []
    specs: list[FieldSpec] = []
    if len(raw) > MAX_FIELDS:
        problems.append(("fields", f"tối đa {MAX_FIELDS} trường"))
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        key = f"fields[{index}]"
        if not isinstance(item, Mapping):
            problems.append((key, "phải là một bảng [[versions.fields]]"))
            continue
        spec = _parse_field(item, key, problems)
        if spec is None:
            continue
        if spec.name in seen:
            problems.append((f"{key}.name", f"tên trường «{spec.name}» bị lặp"))
            continue
        seen.add(spec.name)
        specs.append(spec)
    by_name = {spec.name: spec for spec in specs}
    for name, kind in APPLICANT.items():
        found = by_name.get(name)
        if specs and (found is None or found.kind is not kind or not found.required):
            problems.append(
                (
                    "fields",
                    f"biểu mẫu phải có trường bắt buộc «{name}» loại «{kind.value}» (người nộp)",
                )
            )
    return tuple(specs), problems


def _parse_field(
    item: Mapping[str, Any], key: str, problems: list[tuple[str, str]]
) -> FieldSpec | None:
    before = len(problems)
    for unknown in sorted(set(item) - _KEYS):
        problems.append((f"{key}.{unknown}", "khóa không có trong lược đồ trường (viết sai?)"))
    name = item.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        problems.append(
            (f"{key}.name", "tên trường gồm chữ thường không dấu, số và «_», bắt đầu bằng chữ")
        )
    elif name in RESERVED:
        problems.append((f"{key}.name", f"tên «{name}» dành cho biểu mẫu, hãy đặt tên khác"))
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append((f"{key}.label", "phải có nhãn (chuỗi ký tự khác rỗng)"))
    kind = item.get("kind")
    if kind not in KINDS:
        shown = ", ".join(f"«{k}»" for k in sorted(KINDS))
        problems.append((f"{key}.kind", f"loại «{kind}» không hợp lệ; chỉ nhận {shown}"))
    required = item.get("required", True)
    if not isinstance(required, bool):
        problems.append((f"{key}.required", "phải là true hoặc false"))
    help_text = item.get("help", "")
    if not isinstance(help_text, str):
        problems.append((f"{key}.help", "phải là chuỗi ký tự"))
    options = item.get("options", [])
    if kind == Kind.CHOICE:
        if (
            not isinstance(options, list)
            or not 2 <= len(options) <= MAX_OPTIONS
            or not all(isinstance(o, str) and o.strip() for o in options)
            or len(set(options)) != len(options)
        ):
            problems.append(
                (f"{key}.options", f"trường lựa chọn cần từ 2 đến {MAX_OPTIONS} lựa chọn khác nhau")
            )
    elif "options" in item:
        problems.append((f"{key}.options", "chỉ trường «choice» mới có options"))
    bounds: list[Decimal | None] = []
    for bound in ("min", "max"):
        value = item.get(bound)
        if value is None:
            bounds.append(None)
        elif kind != Kind.NUMBER:
            problems.append((f"{key}.{bound}", "chỉ trường «number» mới có min, max"))
            bounds.append(None)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append((f"{key}.{bound}", "phải là một số"))
            bounds.append(None)
        else:
            bounds.append(Decimal(str(value)))
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        problems.append((f"{key}.min", "min phải nhỏ hơn hoặc bằng max"))
    if len(problems) > before:
        return None
    assert isinstance(name, str) and isinstance(label, str) and isinstance(kind, str)
    return FieldSpec(
        name=name,
        label=text.nfc(label.strip()),
        kind=Kind(kind),
        required=bool(required),
        help=text.nfc(str(help_text).strip()),
        options=tuple(text.nfc(o.strip()) for o in options) if kind == Kind.CHOICE else (),
        minimum=bounds[0],
        maximum=bounds[1],
    )


# --- What the citizen typed ---------------------------------------------------------------------


def _blank(value: object) -> bool:
    if isinstance(value, Mapping):
        return not any(str(v).strip() for v in value.values())
    return value is None or not str(value).strip()


def check_values(
    specs: Sequence[FieldSpec], values: Mapping[str, object], *, complete: bool
) -> dict[str, object]:
    """The values normalised (NFC, ID numbers and phones in their normal form), keeping only
    the declared fields; every problem at once (`InvalidInput`, each naming its field).
    `complete=False` (a draft) lets required fields stay empty, never malformed ones."""
    problems: list[ValidationError] = []
    clean: dict[str, object] = {}
    for spec in specs:
        value = values.get(spec.name)
        if _blank(value):
            if spec.required and complete:
                problems.append(
                    ValidationError(_("Hãy điền “{label}”."), field=spec.name, label=spec.label)
                )
            continue
        try:
            clean[spec.name] = _check_one(spec, value, complete=complete)
        except ValidationError as exc:
            details = {k: v for k, v in exc.details.items() if k != "field"}
            problems.append(ValidationError(exc.template, **details, field=spec.name))
    if problems:
        raise InvalidInput(problems)
    return clean


def _check_one(spec: FieldSpec, value: object, *, complete: bool) -> object:
    if spec.kind is Kind.ADDRESS:
        if not isinstance(value, Mapping):
            raise ValidationError(_("Địa chỉ không hợp lệ."))
        parts = {k: text.nfc(str(value.get(k, "")).strip()) for k in ("province", "ward", "street")}
        if complete and (not parts["province"] or not parts["ward"]):
            raise ValidationError(_("Hãy chọn tỉnh, thành phố và xã, phường."))
        text.check_characters(parts["street"], field=spec.name, label=spec.label)
        if len(parts["street"]) > MAX_TEXT:
            raise ValidationError(_("Tối đa {limit} ký tự."), limit=MAX_TEXT)
        return parts
    raw = text.nfc(str(value).strip())
    text.check_characters(raw, field=spec.name, label=spec.label)
    if len(raw) > MAX_TEXT:
        raise ValidationError(_("Tối đa {limit} ký tự."), limit=MAX_TEXT)
    if spec.kind is Kind.ID_NUMBER:
        return codes.validate_id_number(raw)[0]
    if spec.kind is Kind.PHONE:
        return accounts.normal_mobile(raw)
    if spec.kind is Kind.EMAIL:
        return accounts.normal_email(raw)
    if spec.kind is Kind.DATE:
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValidationError(_("Ngày không hợp lệ (ví dụ 25/11/2026).")) from None
    if spec.kind is Kind.CHOICE:
        if raw not in spec.options:
            raise ValidationError(_("Hãy chọn một trong các lựa chọn đã cho."))
        return raw
    if spec.kind is Kind.NUMBER:
        try:
            number = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Phải là một số.")) from None
        if not number.is_finite():
            raise ValidationError(_("Phải là một số."))
        if spec.minimum is not None and number < spec.minimum:
            raise ValidationError(_("Không được nhỏ hơn {bound}."), bound=spec.minimum)
        if spec.maximum is not None and number > spec.maximum:
            raise ValidationError(_("Không được lớn hơn {bound}."), bound=spec.maximum)
        return str(number)
    return raw


# --- Online reception's clock -------------------------------------------------------------------


@dataclass(frozen=True)
class OnlinePolicy:
    """The online reception's limits in working hours, and a draft's life in working days
    (DOMAIN §5, law for one group of procedures: configurable defaults)."""

    alert_hours: int = 2
    reception_hours: int = 8
    draft_days: int = 15


@dataclass(frozen=True)
class ReceptionTiming:
    alert_by: dt.datetime  # the desk must have been told by then
    late_at: dt.datetime  # not accepted nor sent back for corrections by then: late
    alert_due: bool  # whether the desk is to be told now
    late: bool


def reception_timing(
    arrived_at: dt.datetime,
    now: dt.datetime,
    calendar: WorkCalendar,
    policy: OnlinePolicy = OnlinePolicy(),
) -> ReceptionTiming:
    """When an online dossier that arrived at `arrived_at` must have reached the desk, and
    when its reception check turns late, counted in the centre's office hours."""
    require_aware(arrived_at)
    require_aware(now)
    alert_by = calendar.add_working_seconds(arrived_at, policy.alert_hours * 3600)
    late_at = calendar.add_working_seconds(arrived_at, policy.reception_hours * 3600)
    return ReceptionTiming(
        alert_by=alert_by, late_at=late_at, alert_due=now >= arrived_at, late=now >= late_at
    )


def reception_start(arrived_at: dt.datetime, resubmitted_at: dt.datetime | None) -> dt.datetime:
    """When an online dossier's reception clocks (the alert, the acceptance limit) run from:
    its arrival, or, once the desk asked for corrections, the citizen's resubmission (DOMAIN
    §5: the clock starts again when the completed dossier is received)."""
    require_aware(arrived_at)
    if resubmitted_at is None:
        return arrived_at
    require_aware(resubmitted_at)
    return max(arrived_at, resubmitted_at)


def draft_expires_at(
    changed_at: dt.datetime, calendar: WorkCalendar, policy: OnlinePolicy = OnlinePolicy()
) -> dt.datetime:
    """When a draft last changed at `changed_at` is closed if still not submitted: after
    `draft_days` full working days of office hours."""
    require_aware(changed_at)
    return calendar.add_working_days(changed_at, policy.draft_days)


# --- Reusing an earlier result for a paper ------------------------------------------------------

# The kinds of paper an issued result can stand for, each named by the phrases the catalog
# uses for it in papers' names (`[[versions.documents]] name`) and results' descriptions
# (`result`), folded (lower case, no diacritics, đ as d). "Bản sao giấy khai sinh" asks for a
# birth certificate; "Giấy khai sinh (bản chính)", the result of 1.001193, is one. A paper or
# a result naming none of them is matched with nothing: the citizen attaches a file.
# [check] The vocabulary is the shipped catalog's; a province adding procedures extends it.
PAPER_KINDS: Mapping[str, tuple[str, ...]] = {
    "khai_sinh": ("giay khai sinh", "trich luc khai sinh"),
    "ket_hon": ("giay chung nhan ket hon", "trich luc ket hon"),
    "khai_tu": ("trich luc khai tu", "giay chung tu"),
    "ho_tich": ("trich luc ho tich",),
    "thuong_tru": ("ket qua dang ky thuong tru",),
    "ly_lich_tu_phap": ("phieu ly lich tu phap",),
    "ho_kinh_doanh": ("giay chung nhan dang ky ho kinh doanh",),
    "doanh_nghiep": ("giay chung nhan dang ky doanh nghiep",),
    "lai_xe": ("giay phep lai xe",),
    "dat_dai": ("giay chung nhan quyen su dung dat",),
    "xay_dung": ("giay phep xay dung",),
}
# A civil-status extract (2.000635, "Bản sao trích lục hộ tịch") is of one event its
# description does not name: it may stand for a paper of any of them, and a paper asking
# for such an extract is met by a result of any of them.
_COVERS: Mapping[str, frozenset[str]] = {
    "ho_tich": frozenset({"khai_sinh", "ket_hon", "khai_tu"}),
}


def paper_kinds(description: str) -> frozenset[str]:
    """The kinds of paper a paper's name or a result's description names (`PAPER_KINDS`)."""
    folded = text.fold(description)
    found = {kind for kind, phrases in PAPER_KINDS.items() if any(p in folded for p in phrases)}
    for kind in list(found):
        found |= _COVERS.get(kind, frozenset())
    return frozenset(found)


def result_fits(paper: str, result: str) -> bool:
    """Whether an issued result (its catalog description) is of the kind the paper asks for,
    so that it may be reused by reference instead of a file."""
    return bool(paper_kinds(paper) & paper_kinds(result))
