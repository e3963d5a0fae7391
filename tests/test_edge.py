"""The one HTTP edge: a domain error's status, its problems beside a form's fields, the API's
structured body, and the bounded fields every form is made of."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.utils import translation

from motcua import fields
from motcua.core.errors import (
    CalendarRangeError,
    ConflictError,
    DomainError,
    GuardError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Text,
    TransitionError,
    ValidationError,
    _,
)
from motcua.desk.signin import SignInLocked
from motcua.edge import add_to_form, problem_body, status_for


@pytest.fixture(autouse=True)
def _vietnamese():
    """The language a page would speak by default (an earlier request may have left English
    active in this thread)."""
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (NotFound(_("Không tìm thấy hồ sơ.")), 404),
        (PermissionDenied(_("Hồ sơ không do cơ quan của bạn đang xử lý.")), 403),
        (SignInLocked("Tài khoản tạm khóa 15 phút."), 403),  # a PermissionDenied
        (ConflictError("Hồ sơ vừa được người khác cập nhật."), 409),
        (ValidationError(_("Phải nêu lý do trả lại."), field="note"), 400),
        (InvalidInput([ValidationError("a", field="note")]), 400),
        (TransitionError("Không thể."), 400),
        (GuardError("Đã cảnh báo."), 400),
        (CalendarRangeError("Ngoài lịch."), 400),
        (DomainError("Khác."), 400),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, DomainError) else str(v),
)
def test_each_error_class_has_its_status(exc, status):
    assert status_for(exc) == status


class NoteForm(forms.Form):
    note = forms.CharField(required=False)
    to_user = forms.CharField(required=False)


def test_each_problem_goes_beside_the_field_it_names_and_the_rest_above_the_form():
    form = NoteForm({"note": "", "to_user": "7"})
    assert form.is_valid()
    exc = InvalidInput(
        [
            ValidationError(_("Phải nêu lý do trả lại."), field="note"),
            ValidationError(
                _("Người được phân công phải là cán bộ của cơ quan đang xử lý hồ sơ."),
                field="to_user_id",  # the service's name: renamed by the table
            ),
            ValidationError(_("Kênh nộp hồ sơ không hợp lệ."), field="channel"),  # no input
            ValidationError(_("Thời điểm phải có múi giờ.")),  # no field at all
        ]
    )

    add_to_form(form, exc, {"to_user_id": "to_user"})

    assert form.errors["note"] == ["Phải nêu lý do trả lại."]
    assert form.errors["to_user"] == [
        "Người được phân công phải là cán bộ của cơ quan đang xử lý hồ sơ."
    ]
    assert form.non_field_errors() == [
        "Kênh nộp hồ sơ không hợp lệ.",
        "Thời điểm phải có múi giờ.",
    ]
    assert not form.is_valid()


def test_the_form_gets_the_message_in_the_readers_language(db):
    form = NoteForm({"note": ""})
    form.is_valid()
    with translation.override("en"):
        add_to_form(form, ValidationError(_("Phải nêu lý do trả lại."), field="note"), {})
    assert form.errors["note"] == ["A reason for sending it back must be given."]


def test_the_api_body_carries_the_code_the_translated_message_and_each_problem(db):
    exc = InvalidInput(
        [
            ValidationError(_("Chưa nhập họ tên người nộp hồ sơ."), field="applicant_name"),
            ValidationError(
                _("Hồ sơ chưa đủ thành phần, không thể tiếp nhận: {documents}."),
                field="documents",
                missing=["Giấy chứng sinh"],
                documents="Giấy chứng sinh",
            ),
            ValidationError(
                _("Không thể tạo hồ sơ bằng thao tác “{action_label}”."),
                action_label=Text("Phê duyệt kết quả"),
            ),
        ]
    )

    with translation.override("en"):
        body = problem_body(exc, {"applicant_name": "name"})

    assert body["code"] == "invalid"
    assert body["message"] == "The applicant's full name has not been entered."
    assert body["details"] == {"field": "applicant_name"}
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("name", "invalid"),
        ("documents", "invalid"),
        (None, "invalid"),
    ]
    assert body["errors"][1]["details"]["missing"] == ["Giấy chứng sinh"]
    assert body["errors"][2]["message"] == (
        "A dossier cannot be created with the action “Approve the result”."
    )
    assert json.loads(json.dumps(body)) == body  # plain JSON, nothing left to encode


def test_a_single_error_is_its_own_only_problem():
    body = problem_body(ConflictError("Hồ sơ vừa được người khác cập nhật.", code="H26-1"))
    assert body["code"] == "conflict"
    assert body["details"] == {"code": "H26-1"}
    assert [e["field"] for e in body["errors"]] == [None]


# --- The fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["²", "١٢", "１２", "1_0", "1e3", "1.0", "0", "100", "-1", "99999999999999", "x"]
)
def test_a_number_is_digits_within_its_bounds(typed):
    field = fields.NumberField(min_value=1, max_value=99)
    with pytest.raises(forms.ValidationError) as info:
        field.clean(typed)
    assert info.value.messages == ["Nhập một số nguyên từ 1 đến 99."]


@pytest.mark.parametrize(("typed", "value"), [("1", 1), (" 42 ", 42), ("+7", 7), ("99", 99)])
def test_a_number_in_bounds_is_read(typed, value):
    assert fields.NumberField(min_value=1, max_value=99).clean(typed) == value


def test_lines_drop_blanks_and_are_bounded():
    field = fields.LinesField(max_lines=2, max_line_length=15, required=True)
    assert field.clean(" Tờ khai \n\n  Giấy chứng sinh \n") == ["Tờ khai", "Giấy chứng sinh"]
    with pytest.raises(forms.ValidationError) as info:
        field.clean("a\nb\nc")
    assert info.value.messages == ["Tối đa 2 dòng (đang có 3)."]
    with pytest.raises(forms.ValidationError) as info:
        field.clean("ngắn\nmột dòng quá dài nhé")
    assert info.value.messages == ["Mỗi dòng tối đa 15 ký tự (dòng 2 có 20)."]
    with pytest.raises(forms.ValidationError) as info:
        field.clean(" \n \n")
    assert info.value.messages == ["Không được để trống."]


def test_text_is_nfc_and_bounded():
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    assert fields.TextField(max_length=6).clean(decomposed) == "Nguyễn"
    with pytest.raises(forms.ValidationError) as info:
        fields.TextField(max_length=3).clean("Hoàng")
    assert info.value.messages == ["Tối đa 3 ký tự (đang có 5)."]
