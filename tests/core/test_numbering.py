"""The number of an official form: the issuing body's sequence, the form's prefix, its symbol."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationError
from motcua.core.numbering import form_number, initials, issuer_symbol, validate_symbol


@pytest.mark.parametrize(
    ("seq", "prefix", "symbol", "expected"),
    [
        (1, "TNHS", "UBND", "0001/TNHS-UBND"),
        (42, "PXL", "CAP", "0042/PXL-CAP"),
        (9999, "PBS", "TTPVHCC", "9999/PBS-TTPVHCC"),
        (10000, "PTC", "STP", "10000/PTC-STP"),  # wider, never cut
        (None, "PXL", "UBND", "……/PXL-UBND"),  # a draft: no number yet
    ],
)
def test_the_number_is_the_sequence_the_prefix_and_the_symbol(seq, prefix, symbol, expected):
    assert form_number(seq, prefix=prefix, symbol=symbol) == expected


@pytest.mark.parametrize("seq", [0, -1])
def test_a_sequence_starts_at_one(seq):
    with pytest.raises(ValidationError):
        form_number(seq, prefix="TNHS", symbol="UBND")


@pytest.mark.parametrize(
    ("recorded", "kind", "name", "expected"),
    [
        ("", "commune", "Ủy ban nhân dân Phường Hoàn Kiếm", "UBND"),
        ("", "province", "Ủy ban nhân dân Thành phố Hà Nội", "UBND"),
        ("", "centre", "Trung tâm Phục vụ hành chính công", "TTPVHCC"),
        ("", "department", "Sở Tư pháp", "STP"),
        ("", "department", "Sở Giáo dục và Đào tạo", "SGDĐT"),
        ("", "police", "Công an Phường Hoàn Kiếm", "CAPHK"),
        ("CAP", "police", "Công an Phường Hoàn Kiếm", "CAP"),  # the recorded one wins
        (" ubnd ", "commune", "Ủy ban nhân dân Phường Ba Đình", "UBND"),
        ("VPĐKĐĐ", "branch", "Văn phòng Đăng ký đất đai", "VPĐKĐĐ"),
    ],
)
def test_each_body_writes_its_own_symbol(recorded, kind, name, expected):
    assert issuer_symbol(recorded=recorded, kind=kind, name=name) == expected


@pytest.mark.parametrize("bad", ["UB ND", "UBND/", "-UBND", "UBND-", "A" * 21, "TT.PV", "ſ"])
def test_a_recorded_symbol_is_capitals_digits_and_inner_hyphens(bad):
    with pytest.raises(ValidationError):
        validate_symbol(bad)


def test_initials_skip_the_linking_words_and_keep_d_stroke():
    assert initials("Sở Tài nguyên và Môi trường") == "STNMT"
    assert initials("Đội Đăng ký, quản lý cư trú") == "ĐĐKQLCT"
