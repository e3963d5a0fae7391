"""The citizens' and the staff's forms for ratings and feedback: bounded, all errors at once."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.core import codes
from motcua.core import feedback as rules
from motcua.core.accounts import EMAIL, Contact, parse_contact
from motcua.core.errors import DomainError
from motcua.i18n import error_text

_NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
SCORES = [(str(n), f"{n} – {label}") for n, label in rules.SCORE_LABELS.items()]


def _code_field(required: bool = True) -> fields.TextField:
    return fields.TextField(
        label=_("Mã hồ sơ"),
        max_length=60,
        required=required,
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "placeholder": "H26.1-261125-0042"}),
    )


def _secret_field(required: bool) -> fields.TextField:
    return fields.TextField(
        label=_("Mã tra cứu"),
        max_length=20,
        required=required,
        help_text=_("Mã tra cứu in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."),
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "placeholder": "ABCD-EFGH"}),
    )


def _parsed_code(value: str) -> str:
    try:
        return str(codes.parse_dossier_code(value))
    except DomainError as exc:
        raise forms.ValidationError(error_text(exc)) from None


def _parsed_secret(value: str) -> str:
    if not value:
        return ""
    try:
        return codes.normalize_tracking_secret(value)
    except DomainError as exc:
        raise forms.ValidationError(error_text(exc)) from None


class RateForm(fields.Form):
    """A rating: which dossier (code and secret, or the code alone for its signed-in owner),
    a score on each dimension, a comment."""

    code = _code_field()
    secret = _secret_field(required=False)
    conduct = fields.TypedChoiceField(
        label=_(rules.DIMENSION_LABELS[rules.Dimension.CONDUCT]),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    punctuality = fields.TypedChoiceField(
        label=_(rules.DIMENSION_LABELS[rules.Dimension.PUNCTUALITY]),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    guidance = fields.TypedChoiceField(
        label=_(rules.DIMENSION_LABELS[rules.Dimension.GUIDANCE]),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    simplicity = fields.TypedChoiceField(
        label=_(rules.DIMENSION_LABELS[rules.Dimension.SIMPLICITY]),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = fields.ParagraphField(
        label=_("Ý kiến khác (không bắt buộc)"),
        max_length=rules.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        if signed_in:
            self.fields["secret"].help_text = _(
                "Không cần nhập nếu hồ sơ thuộc tài khoản đang đăng nhập."
            )

    def clean_code(self) -> str:
        return _parsed_code(self.cleaned_data["code"])

    def clean_secret(self) -> str:
        secret = _parsed_secret(self.cleaned_data["secret"])
        if not secret and not self.signed_in:
            raise forms.ValidationError(fields.REQUIRED)
        return secret


class FileForm(fields.Form):
    """A phản ánh, kiến nghị: what it is about, what happened, who to answer."""

    # A one-time key drawn when the form is shown: sent twice, it files one item.
    key = fields.TextField(max_length=64, widget=forms.HiddenInput)

    subject = fields.ChoiceField(
        label=_("Phản ánh, kiến nghị về"),
        choices=[(s.value, _(label)) for s, label in rules.SUBJECT_LABELS.items()],
        widget=forms.RadioSelect,
    )
    procedure = fields.ChoiceField(label=_("Thủ tục"), required=False)
    dossier_code = _code_field(required=False)
    dossier_secret = _secret_field(required=False)
    place = fields.TypedChoiceField(
        label=_("Nơi cán bộ làm việc"), coerce=int, required=False, empty_value=None
    )
    official_name = fields.TextField(
        label=_("Họ tên cán bộ (nếu biết, ghi trên thẻ công chức)"), max_length=200
    )
    official_at_desk = forms.BooleanField(
        label=_("Cán bộ làm việc tại Bộ phận một cửa (quầy tiếp nhận, trả kết quả)"),
        required=False,
    )
    content = fields.ParagraphField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=5000,
        required=True,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    name = fields.TextField(
        label=_("Họ và tên của ông/bà"),
        max_length=200,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact = fields.TextField(
        label=_("Thư điện tử hoặc số điện thoại di động để nhận trả lời"),
        max_length=254,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )

    def __init__(
        self,
        *args: Any,
        procedures: list[tuple[str, str]],
        places: list[tuple[int, str]],
        signed_in: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        procedure = cast(forms.ChoiceField, self.fields["procedure"])
        procedure.choices = [("", _("— Chọn thủ tục —")), *procedures]
        place = cast(forms.ChoiceField, self.fields["place"])
        place.choices = [("", _("— Chọn cơ quan —")), *places]
        if signed_in:
            self.fields["dossier_secret"].help_text = _(
                "Không cần nhập nếu hồ sơ thuộc tài khoản đang đăng nhập."
            )

    def clean_dossier_code(self) -> str:
        value = self.cleaned_data["dossier_code"]
        return _parsed_code(value) if value else ""

    def clean_dossier_secret(self) -> str:
        return _parsed_secret(self.cleaned_data["dossier_secret"])

    def clean_contact(self) -> Contact:
        try:
            return parse_contact(self.cleaned_data["contact"])
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        subject = data.get("subject")
        if subject == rules.Subject.PROCEDURE and not data.get("procedure"):
            self.add_error("procedure", fields.CHOOSE)
        if subject == rules.Subject.DOSSIER:
            if not data.get("dossier_code") and "dossier_code" not in self.errors:
                self.add_error("dossier_code", fields.REQUIRED)
            needs_secret = not self.signed_in
            if (
                needs_secret
                and not data.get("dossier_secret")
                and "dossier_secret" not in self.errors
            ):
                self.add_error("dossier_secret", fields.REQUIRED)
        official = subject == rules.Subject.OFFICIAL
        if official and not data.get("place") and "place" not in self.errors:
            self.add_error("place", fields.CHOOSE)
        return data

    def contact_parts(self) -> tuple[str, str]:
        """(e-mail, phone) from the contact given."""
        contact: Contact = self.cleaned_data["contact"]
        return (contact.value, "") if contact.kind == EMAIL else ("", contact.value)


class FindForm(fields.Form):
    """An item's tracking code and its secret, as the filing's notice gave them."""

    code = fields.TextField(
        label=_("Mã phản ánh"),
        max_length=30,
        required=True,
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "placeholder": "PA-ABCD-EFGH-JK"}),
    )
    secret = fields.TextField(
        label=_("Mã tra cứu"),
        max_length=20,
        required=True,
        help_text=_("Mã tra cứu gửi kèm mã phản ánh trong thư hoặc tin nhắn xác nhận."),
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "placeholder": "ABCD-EFGH"}),
    )

    def clean_code(self) -> str:
        try:
            return rules.normalize_code(self.cleaned_data["code"])
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None

    def clean_secret(self) -> str:
        return _parsed_secret(self.cleaned_data["secret"])


class ReplyForm(fields.Form):
    reply = fields.ParagraphField(
        label=_("Thông tin bổ sung"),
        max_length=5000,
        required=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswersForm(fields.Form):
    """The public list's search: words (with or without accents), an agency, a page."""

    q = fields.TextField(
        label=_("Tìm trong câu hỏi và trả lời"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("ví dụ: lý lịch tư pháp")}
        ),
    )
    co_quan = fields.TypedChoiceField(
        label=_("Cơ quan trả lời"), coerce=int, required=False, empty_value=None
    )
    page = fields.NumberField(min_value=1, max_value=10**6, required=False)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = cast(forms.ChoiceField, self.fields["co_quan"])
        agency.choices = [("", _("Tất cả cơ quan")), *agencies]


# --- Staff -----------------------------------------------------------------------------------


class HandleForm(fields.Form):
    """One of the ways to close or move an item, with the version the page showed."""

    action = fields.ChoiceField(
        choices=[(a, a) for a in ("answer", "ask", "forward", "refuse", "publish")],
        widget=forms.HiddenInput,
    )
    version = fields.NumberField(min_value=0, max_value=10**6, widget=forms.HiddenInput)
    answer = fields.ParagraphField(
        label=_("Nội dung trả lời"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    # A conduct complaint's finding, and the official concerned when the name matched nobody.
    finding = fields.TypedChoiceField(
        label=_("Kết luận về phản ánh"),
        choices=[(f.value, _(label)) for f, label in rules.FINDING_LABELS.items()],
        coerce=rules.Finding,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    concerned = fields.TypedChoiceField(
        label=_("Cán bộ bị phản ánh (nếu xác định được)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    question = fields.ParagraphField(
        label=_("Thông tin cần công dân bổ sung (ghi đủ một lần)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agency = fields.TypedChoiceField(
        label=_("Chuyển đến cơ quan"), coerce=int, required=False, empty_value=None
    )
    reason = fields.ParagraphField(label=_("Lý do"), max_length=2000)
    public_question = fields.ParagraphField(
        label=_("Câu hỏi để công khai (không có họ tên, địa chỉ, số điện thoại, số giấy tờ)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    public_answer = fields.ParagraphField(
        label=_("Trả lời để công khai"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[int, str]],
        people: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agency = cast(forms.ChoiceField, self.fields["agency"])
        agency.choices = [("", _("— Chọn cơ quan —")), *agencies]
        concerned = cast(forms.ChoiceField, self.fields["concerned"])
        concerned.choices = [("", _("— Không xác định được —")), *(people or [])]


class PeriodForm(fields.Form):
    start = fields.DateField(label=_("Từ ngày"), required=False)
    end = fields.DateField(label=_("Đến ngày"), required=False)
