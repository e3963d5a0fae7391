"""Form fields that bound every input and say what is wrong in plain words.

Django's own Vietnamese messages are stiff ("Trường này là bắt buộc", "Nhập một số tổng
thể"); these fields say it the way a desk officer or a citizen would, and are translated
like every other string. Each message appears beside its field (Django 5.2 links it with
`aria-describedby` and marks the input `aria-invalid`), so it need not repeat the label.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from motcua.core import text
from motcua.core.errors import DomainError
from motcua.i18n import error_text

REQUIRED = _("Không được để trống.")
TOO_LONG = _("Tối đa %(limit_value)d ký tự (đang có %(show_value)d).")
NULL_CHARACTER = _("Có ký tự không hợp lệ.")
CHOOSE = _("Hãy chọn một mục.")
NOT_IN_LIST = _("Lựa chọn không hợp lệ; hãy chọn một mục trong danh sách.")


class Form(forms.Form):
    """A form whose errors are shown beside their fields and, for hidden inputs, above it."""

    def top_errors(self) -> list[str]:
        """Errors not about a visible field: the whole form's, and hidden inputs' (which a
        person never typed: a stale or tampered page)."""
        errors = [str(e) for e in self.non_field_errors()]
        for field in self.hidden_fields():
            errors.extend(str(e) for e in field.errors)
        return errors

    def all_errors(self) -> list[str]:
        """Every message, for a page that cannot show this form's fields."""
        errors = [str(e) for e in self.non_field_errors()]
        for field in self:
            errors.extend(str(e) for e in field.errors)
        return errors


class _CheckedCharacters:
    """Refuses control, bidi, zero-width and other invisible characters (the rule is
    `core.text.check_characters`), with a message that names the field."""

    multiline = False
    label: StrOrPromise | None

    def check_characters(self, value: str) -> None:
        # The label without its parenthesised hint: "Lý do (bắt buộc)" -> "Lý do".
        label = str(self.label or "").split(" (")[0]
        try:
            text.check_characters(value, multiline=self.multiline, label=label)
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc), code="bad_character") from None


class CharactersValidator(_CheckedCharacters):
    """The same rule as a validator, for a form field this module did not make (the admin's)."""

    def __init__(self, label: StrOrPromise | None, *, multiline: bool) -> None:
        self.label, self.multiline = label, multiline

    def __call__(self, value: object) -> None:
        if isinstance(value, str):
            self.check_characters(value)


class CheckedTextAdmin:
    """For a ModelAdmin or inline (first among its bases): every text input of its forms
    refuses control, bidi and invisible characters like the desk's fields do (a Textarea
    keeps its line breaks) and is stored NFC. Passwords and JSON are left alone."""

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if (
            isinstance(formfield, forms.CharField)
            and not isinstance(formfield, forms.JSONField)
            and not isinstance(formfield.widget, forms.PasswordInput)
        ):
            multiline = isinstance(formfield.widget, forms.Textarea)
            formfield.validators.append(CharactersValidator(formfield.label, multiline=multiline))
            # Stored composed, like the desk's text (the field's own parsing, then NFC).
            setattr(formfield, "to_python", _composed(formfield.to_python))  # noqa: B010
        return formfield

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            site, using = self.admin_site, kwargs.get("using")  # type: ignore[attr-defined]
            kwargs["widget"] = _TolerantAutocomplete(db_field, site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def response_action(self, request: Any, queryset: Any) -> Any:
        """Run the chosen action only on ids that are ids: Django filters by whatever was
        sent, and "abc" in place of a number was a 500."""
        pk = queryset.model._meta.pk
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                pk.to_python(value)
            except DjangoValidationError:
                message = gettext("Lựa chọn không hợp lệ; hãy chọn lại các dòng trong danh sách.")
                self.message_user(request, message, level=messages.ERROR)  # type: ignore[attr-defined]
                return None
        return super().response_action(request, queryset)  # type: ignore[misc]


class _TolerantAutocomplete(AutocompleteSelect):
    """The admin's autocomplete, showing a form again after a value that is not an id of
    its model (the form's own error says so) instead of failing on it."""

    def optgroups(self, name: str, value: Sequence[str], attrs: Any = None) -> Any:
        remote = self.field.remote_field
        to_field = getattr(remote, "field_name", None)
        key = remote.model._meta.get_field(to_field) if to_field else remote.model._meta.pk
        kept = []
        for item in value:
            try:
                key.to_python(item)
            except DjangoValidationError:
                continue
            kept.append(item)
        return super().optgroups(name, kept, attrs)


def _composed(parse: Any) -> Any:
    """A field's parsing whose text comes out NFC."""

    def to_python(value: Any) -> Any:
        parsed = parse(value)
        return text.nfc(parsed) if isinstance(parsed, str) else parsed

    return to_python


class TextField(_CheckedCharacters, forms.CharField):
    """One line of text, NFC, stripped, at most `max_length` characters, without control,
    bidi or invisible characters."""

    default_error_messages = {
        "required": REQUIRED,
        "max_length": TOO_LONG,
        "null_characters_not_allowed": NULL_CHARACTER,
    }

    def __init__(self, *, max_length: int, required: bool = False, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, required=required, **kwargs)

    def to_python(self, value: Any) -> str:
        return text.nfc(super().to_python(value) or "")

    def validate(self, value: Any) -> None:
        super().validate(value)
        self.check_characters(value)


class ParagraphField(TextField):
    """Several lines of free text (a note, a reason): line breaks and tabs are kept."""

    widget = forms.Textarea(attrs={"rows": 2})
    multiline = True


class LinesField(TextField):
    """One item per line (the papers missing from a dossier): a list without blank lines."""

    widget = forms.Textarea(attrs={"rows": 3})
    multiline = True
    default_error_messages = {
        "max_lines": _("Tối đa %(limit)d dòng (đang có %(count)d)."),
        "line_too_long": _("Mỗi dòng tối đa %(limit)d ký tự (dòng %(line)d có %(count)d)."),
    }

    def __init__(self, *, max_lines: int = 30, max_line_length: int = 300, **kwargs: Any) -> None:
        self.max_lines, self.max_line_length = max_lines, max_line_length
        # The raw text may hold blank lines and spaces around each item: a looser bound.
        super().__init__(max_length=2 * max_lines * (max_line_length + 2), **kwargs)

    def clean(self, value: Any) -> list[str]:
        raw = self.to_python(value)
        self.validate(raw)
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        if self.required and not lines:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(lines) > self.max_lines:
            raise forms.ValidationError(
                self.error_messages["max_lines"],
                code="max_lines",
                params={"limit": self.max_lines, "count": len(lines)},
            )
        for number, line in enumerate(lines, 1):
            if len(line) > self.max_line_length:
                raise forms.ValidationError(
                    self.error_messages["line_too_long"],
                    code="line_too_long",
                    params={"limit": self.max_line_length, "line": number, "count": len(line)},
                )
        self.run_validators(raw)  # the raw text's bound, last: the lines' messages say more
        return lines


class EmailField(_CheckedCharacters, forms.EmailField):
    default_error_messages = {
        "required": REQUIRED,
        "invalid": _("Địa chỉ thư điện tử không đúng (ví dụ: ten@example.vn)."),
        "max_length": TOO_LONG,
        "null_characters_not_allowed": NULL_CHARACTER,
    }

    def to_python(self, value: Any) -> str:
        return text.nfc(super().to_python(value) or "")

    def validate(self, value: Any) -> None:
        self.check_characters(value)  # before the address's form, which would hide which
        super().validate(value)


class NumberField(forms.IntegerField):
    """A whole number written with the digits 0–9, between `min_value` and `max_value`.

    Python's int() also reads "²", "١٢" or "1_000"; a form should not."""

    default_error_messages = {
        "required": REQUIRED,
        "range": _("Nhập một số nguyên từ %(min)s đến %(max)s."),
    }

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self.low, self.high = min_value, max_value
        self.validators = []  # the range is checked below, with one message for both ends

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        digits = str(value).strip()
        unsigned = digits[1:] if digits[:1] in "+-" else digits
        if not (unsigned.isascii() and unsigned.isdigit() and len(unsigned) <= 12):
            raise self._out_of_range()
        return int(digits)

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is not None and not self.low <= value <= self.high:
            raise self._out_of_range()

    def _out_of_range(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["range"],
            code="range",
            params={"min": self.low, "max": self.high},
        )


class ChoiceField(forms.ChoiceField):
    default_error_messages = {"required": CHOOSE, "invalid_choice": NOT_IN_LIST}


class TypedChoiceField(forms.TypedChoiceField):
    default_error_messages = {"required": CHOOSE, "invalid_choice": NOT_IN_LIST}


class MultipleChoiceField(forms.TypedMultipleChoiceField):
    """Boxes to tick; every value sent must be one of the boxes shown."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "required": CHOOSE,
        "invalid_choice": _("Có mục không thuộc danh sách; hãy chọn lại."),
        "invalid_list": _("Có mục không thuộc danh sách; hãy chọn lại."),
    }


class ScanField(forms.FileField):
    """One scanned paper (PDF, JPEG or PNG). Its size is refused here, before it is read;
    its content is judged by the service (`motcua.dossiers.scans`)."""

    widget = forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
    default_error_messages = {
        "too_large": _("Tệp lớn hơn giới hạn %(limit)s MB."),
        "empty": _("Tệp rỗng."),
        "invalid": _("Không đọc được tệp gửi lên; hãy chọn lại tệp."),
        "missing": _("Không đọc được tệp gửi lên; hãy chọn lại tệp."),
        "contradiction": _("Không đọc được tệp gửi lên; hãy chọn lại tệp."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_empty_file=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        limit = settings.SCAN_MAX_BYTES
        if value and value.size > limit:
            raise forms.ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": f"{limit / (1024 * 1024):g}"},
            )
        return value or None


class ConfirmField(forms.BooleanField):
    """A box the person must tick to confirm what they are about to record."""

    default_error_messages = {"required": _("Hãy đánh dấu xác nhận trước khi ghi nhận.")}

    def __init__(self, *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(required=required, **kwargs)


class DateField(forms.DateField):
    """A day as the browser's date input sends it (YYYY-MM-DD)."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {
        "required": REQUIRED,
        "invalid": _("Ngày không hợp lệ; hãy nhập theo dạng năm-tháng-ngày (ví dụ 2026-11-25)."),
    }


class DayMonthYearField(forms.DateField):
    """A day typed as the papers write it (dd/mm/yyyy), whatever the browser's language; the
    ISO form (yyyy-mm-dd) of links the site made is read too."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
    widget = forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}",
            "placeholder": "dd/mm/yyyy",
            "autocomplete": "off",
            "size": "10",
        }
    )
    default_error_messages = {
        "required": REQUIRED,
        "invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm (ví dụ 25/11/2026)."),
    }

    def prepare_value(self, value: Any) -> Any:
        # Shown back as typed on the papers, not as the ISO date the form holds.
        return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value


class LocalDateTimeField(forms.DateTimeField):
    """A moment as the browser's datetime-local input sends it, in the site's time zone,
    between `earliest` and `latest` (so that no calendar is asked about the year 9999)."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "required": REQUIRED,
        "invalid": _("Ngày giờ không hợp lệ; hãy chọn ngày và giờ trong lịch."),
        "range": _("Chọn ngày giờ từ %(earliest)s đến %(latest)s."),
    }

    def __init__(self, *, earliest: datetime, latest: datetime, **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        # Typed as the centre's local time, whatever zone the process has active.
        with timezone.override(_centre_tz()):
            return super().to_python(value)

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None and not self.earliest <= value <= self.latest:
            raise forms.ValidationError(
                self.error_messages["range"],
                code="range",
                params={"earliest": self._show(self.earliest), "latest": self._show(self.latest)},
            )

    @staticmethod
    def _show(moment: datetime) -> str:
        return formats.date_format(moment.astimezone(_centre_tz()), "H:i d/m/Y")


def _centre_tz() -> tzinfo:
    from motcua.organization.selectors import centre_tz  # this module loads before the apps

    return centre_tz()


def choices(pairs: Sequence[tuple[Any, StrOrPromise]]) -> list[tuple[Any, str]]:
    """Choices whose labels are marked Vietnamese text, in the reader's language."""
    return [(value, gettext(str(label))) for value, label in pairs]
