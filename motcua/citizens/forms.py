"""The citizens' forms: bounded fields, plain Vietnamese messages, parsed by the core's rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.core.accounts import Contact, parse_contact
from motcua.core.codes import validate_id_number
from motcua.core.errors import DomainError
from motcua.i18n import error_text


def _contact(value: str) -> Contact:
    try:
        return parse_contact(value)
    except DomainError as exc:
        raise DjangoValidationError(error_text(exc)) from None


class _Password(forms.CharField):
    def __init__(self, label: Any, autocomplete: str) -> None:
        super().__init__(
            label=label,
            max_length=200,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
            error_messages={"required": fields.REQUIRED, "max_length": fields.TOO_LONG},
        )


def _identifier() -> fields.TextField:
    return fields.TextField(
        label=_("Thư điện tử hoặc số điện thoại di động"),
        max_length=254,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )


class NewPasswordMixin(fields.Form):
    password = _Password(_("Mật khẩu (ít nhất 8 ký tự)"), "new-password")
    password_again = _Password(_("Nhập lại mật khẩu"), "new-password")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("Hai lần nhập mật khẩu không giống nhau."))
        elif first:
            try:
                password_validation.validate_password(first)
            except DjangoValidationError as exc:
                self.add_error("password", exc)
        return data


class SignUpForm(NewPasswordMixin):
    full_name = fields.TextField(
        label=_("Họ và tên"),
        max_length=200,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    identifier = _identifier()
    field_order = ["full_name", "identifier", "password", "password_again"]

    def clean_identifier(self) -> Contact:
        return _contact(self.cleaned_data["identifier"])


class CodeForm(fields.Form):
    code = fields.TextField(
        label=_("Mã xác minh (6 chữ số)"),
        max_length=20,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SignInForm(fields.Form):
    identifier = _identifier()
    password = _Password(_("Mật khẩu"), "current-password")

    def clean_identifier(self) -> Contact:
        return _contact(self.cleaned_data["identifier"])


class ResetRequestForm(fields.Form):
    identifier = _identifier()

    def clean_identifier(self) -> Contact:
        return _contact(self.cleaned_data["identifier"])


class ResetForm(NewPasswordMixin):
    pass


class ProfileForm(fields.Form):
    full_name = fields.TextField(
        label=_("Họ và tên"),
        max_length=200,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = fields.TextField(
        label=_("Số định danh cá nhân hoặc mã số doanh nghiệp"),
        max_length=20,
        help_text=_("12 chữ số trên thẻ căn cước; doanh nghiệp: mã số 10 chữ số."),
    )
    address = fields.TextField(
        label=_("Địa chỉ"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data["id_number"]
        if not value:
            return ""
        try:
            return validate_id_number(value)[0]
        except DomainError as exc:
            raise DjangoValidationError(error_text(exc)) from None


class ContactForm(fields.Form):
    identifier = fields.TextField(
        label=_("Thư điện tử hoặc số điện thoại di động mới"),
        max_length=254,
        required=True,
    )

    def clean_identifier(self) -> Contact:
        return _contact(self.cleaned_data["identifier"])


class CloseAccountForm(fields.Form):
    """Closing the account: the password again (when the account has one) and a tick that
    says the citizen understands; the rule is `core.accounts.check_closing`."""

    password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        max_length=200,
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"max_length": fields.TOO_LONG},
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng tài khoản sẽ bị đóng và không mở lại được"), required=False
    )
