"""Domain errors: Vietnamese messages with named values, kept apart for translation."""

from __future__ import annotations

import pytest

from motcua.core.codes import parse_dossier_code, validate_id_number
from motcua.core.errors import ValidationError, _, fill


def test_values_fill_the_message_and_the_template_stays_for_translation():
    exc = ValidationError(_("Thủ tục {code} chưa có phiên bản đang áp dụng."), code="1.001193")
    assert exc.message == "Thủ tục 1.001193 chưa có phiên bản đang áp dụng."
    assert exc.template == "Thủ tục {code} chưa có phiên bản đang áp dụng."
    assert exc.as_dict()["details"] == {"code": "1.001193"}


def test_a_reason_inside_a_message_is_filled_from_the_same_values():
    with pytest.raises(ValidationError) as info:
        parse_dossier_code("H26.100-261331-0001")
    assert info.value.message.endswith("ngày «261331» không có trên lịch.")
    assert "{" not in info.value.message


def test_a_message_with_a_missing_value_or_stray_braces_is_shown_as_it_is():
    assert fill("Thiếu {giá_trị}.", {}) == "Thiếu {giá_trị}."
    assert fill("Dữ liệu {1: 2}", {"a": 1}) == "Dữ liệu {1: 2}"
    assert ValidationError("Không có giá trị {x}.").message == "Không có giá trị {x}."


@pytest.mark.parametrize("typed", ["{value.x}", "{value[a]}", "{code:>100000000}", "{code!r}"])
def test_what_a_person_types_is_never_interpreted(typed):
    """Braces in an input must not reach a formatter: no attribute lookups, no huge padding."""
    with pytest.raises(ValidationError) as info:
        parse_dossier_code(typed)
    assert info.value.message.startswith(f"Mã hồ sơ «{typed}» không đúng định dạng")
    assert len(info.value.message) < 200
    assert fill("{a} {b:>99}", {"a": "{b}", "b": 1}) == "{b} {b:>99}"


def test_an_id_number_error_names_the_count_it_found():
    with pytest.raises(ValidationError) as info:
        validate_id_number("12345")
    assert info.value.message.startswith("Số định danh có 5 chữ số;")
    assert info.value.details["length"] == 5


def test_several_problems_travel_together_each_with_its_field():
    from motcua.core.errors import InvalidInput

    name = ValidationError(_("Chưa nhập họ tên người nộp hồ sơ."), field="applicant_name")
    papers = ValidationError(_("Phải liệt kê đầy đủ giấy tờ cần bổ sung."), field="missing")
    exc = InvalidInput([name, papers])
    assert exc.problems() == (name, papers)
    assert exc.message == name.message
    assert [e["details"]["field"] for e in exc.as_dict()["errors"]] == ["applicant_name", "missing"]
    assert name.problems() == (name,)
    with pytest.raises(ValueError):
        InvalidInput([])
