"""Phone and ID numbers normalised for the counter's search."""

from __future__ import annotations

import pytest

from motcua.core.contact import digits, normal_phone, search_number, search_numbers


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("(0912) 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("84 912 345 678", "0912345678"),
        # A landline with its area code: 0 + 10 digits, or 84 + 10 digits.
        ("024 3825 1234", "02438251234"),
        ("+84 24 3825 1234", "02438251234"),
        ("842438251234", "02438251234"),
        # Full-width digits and a non-breaking space, as some keyboards type them.
        ("０９１２\u00a0３４５\u00a0６７８", "0912345678"),
        # Not a phone: kept as digits (an ID number starts with 0 and has 12 digits).
        ("084203012345", "084203012345"),
        ("001 203 012 345", "001203012345"),
        # A 10-digit tax code starting with 84 is not a phone with a country code.
        ("8412345678", "8412345678"),
        # Letters: not a number at all.
        ("09123abc", ""),
        ("", ""),
    ],
)
def test_a_phone_is_reduced_to_its_national_form(typed, expected):
    assert normal_phone(typed) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("001203012345", "001203012345"),
        ("001.203.012.345", "001203012345"),
        ("  0912-345-678 ", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("0100109106", "0100109106"),
        ("0100109106-001", "0100109106001"),
        # Too short to be an ID number or a phone: the name and code search takes it.
        ("2026", None),
        ("12345678", None),
        # Words or a dossier code: not a number search.
        ("Nguyễn Văn An", None),
        ("H26.100-261125-0001", None),
        ("", None),
    ],
)
def test_a_search_is_a_number_search_only_for_digits_and_separators(query, expected):
    assert search_number(query) == expected


def test_digits_refuses_anything_but_digits_and_separators():
    assert digits("12 34") == "1234"
    assert digits("12a34") is None
    assert digits("") == ""


def test_a_dossier_is_found_by_each_of_its_numbers_once():
    assert search_numbers("001203012345", "", "+84 912 345 678", "0912345678") == (
        " 001203012345 0912345678 "
    )
    assert search_numbers("", "") == ""
    # Every number a search can produce is found in the padded string of the same number.
    for typed in ("0912.345.678", "84912345678", "001 203 012 345"):
        number = search_number(typed)
        assert number is not None
        assert f" {number} " in search_numbers("001203012345", "0912345678")
