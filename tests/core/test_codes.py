"""Agency e-IDs, dossier codes, tracking secrets, ID numbers and procedure codes."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.codes import (
    TRACKING_ALPHABET,
    DossierCode,
    agency_code_level,
    agency_code_parent,
    format_dossier_code,
    is_agency_code,
    is_dossier_code,
    is_row_id,
    new_tracking_secret,
    normalize_tracking_secret,
    parse_dossier_code,
    secrets_match,
    validate_agency_code,
    validate_id_number,
    validate_procedure_code,
)
from motcua.core.errors import ValidationError

# --- Agency e-ID -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("H26", "H26"),
        ("G01", "G01"),
        ("H56.14", "H56.14"),
        ("H15.50.05.13", "H15.50.05.13"),
        (" h26.22 ", "H26.22"),
        ("H26.1.100", "H26.1.100"),
        ("H26" + ".22" * 10 + ".2", "H26" + ".22" * 10 + ".2"),  # 35 characters
    ],
)
def test_it_accepts_agency_codes(raw: str, expected: str) -> None:
    assert validate_agency_code(raw) == expected
    assert is_agency_code(raw)


@pytest.mark.parametrize(
    ("raw", "message_part"),
    [
        ("", "không được để trống"),
        ("   ", "không được để trống"),
        ("H26" + ".22" * 11, "vượt quá 35 ký tự"),
        ("H26-22", "ký tự không hợp lệ: «-»"),
        ("H26.2 2", "ký tự không hợp lệ: « »"),
        ("H26.2Đ", "ký tự không hợp lệ: «Đ»"),
        ("ſ01", "ký tự không hợp lệ: «ſ»"),
        ("H26..22", "nhóm rỗng"),
        (".H26", "nhóm rỗng"),
        ("H26.", "nhóm rỗng"),
        ("26.22", "Nhóm đầu «26»"),
        ("HH6", "Nhóm đầu «HH6»"),
        ("H266", "Nhóm đầu «H266»"),
        ("H26.2222", "Nhóm cấp 2 «2222»"),
        ("H26.22.A1", "Nhóm cấp 3 «A1»"),
    ],
)
def test_it_refuses_bad_agency_codes(raw: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_agency_code(raw)
    assert message_part in info.value.message
    assert not is_agency_code(raw)


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("H26", 1, None),
        ("H26.22", 2, "H26"),
        ("h15.50.05.13", 4, "H15.50.05"),
    ],
)
def test_it_tells_level_and_parent(code: str, level: int, parent: str | None) -> None:
    assert agency_code_level(code) == level
    assert agency_code_parent(code) == parent


def test_it_refuses_parent_of_an_invalid_code() -> None:
    with pytest.raises(ValidationError):
        agency_code_parent("H26..22")


# --- Dossier code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "day", "seq", "prefix", "expected"),
    [
        ("H26.22", date(2026, 11, 25), 42, "", "H26.22-261125-0042"),
        ("h26.22", date(2026, 11, 25), 1, "", "H26.22-261125-0001"),
        ("H26", date(2026, 1, 2), 9999, "", "H26-260102-9999"),
        ("H26", date(2026, 1, 2), 10000, "", "H26-260102-10000"),
        ("G01", date(2028, 2, 29), 7, "ab", "G01-280229-AB0007"),
    ],
)
def test_it_formats_dossier_codes(
    agency: str, day: date, seq: int, prefix: str, expected: str
) -> None:
    assert format_dossier_code(agency, day, seq, prefix) == expected


@pytest.mark.parametrize(
    ("agency", "day", "seq", "prefix"),
    [
        ("H26.22", date(2026, 11, 25), 0, ""),
        ("H26.22", date(2026, 11, 25), -1, ""),
        ("H26.22", date(2026, 11, 25), 1_000_000_000, ""),
        ("H26..22", date(2026, 11, 25), 1, ""),
        ("H26.22", date(1999, 12, 31), 1, ""),
        ("H26.22", date(2026, 11, 25), 1, "A"),
        ("H26.22", date(2026, 11, 25), 1, "A1"),
    ],
)
def test_it_refuses_to_format_bad_parts(agency: str, day: date, seq: int, prefix: str) -> None:
    with pytest.raises(ValidationError):
        format_dossier_code(agency, day, seq, prefix)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("H26.22-261125-0042", DossierCode("H26.22", date(2026, 11, 25), 42, "")),
        ("  h26.22-261125-0042\n", DossierCode("H26.22", date(2026, 11, 25), 42, "")),
        ("H26-260102-10000", DossierCode("H26", date(2026, 1, 2), 10000, "")),
        ("G01-280229-AB0007", DossierCode("G01", date(2028, 2, 29), 7, "AB")),
        ("g01-280229-ab0007", DossierCode("G01", date(2028, 2, 29), 7, "AB")),
        ("H15.50.05.13-000101-0001", DossierCode("H15.50.05.13", date(2000, 1, 1), 1, "")),
    ],
)
def test_it_parses_dossier_codes(raw: str, expected: DossierCode) -> None:
    assert parse_dossier_code(raw) == expected
    assert is_dossier_code(raw)


@pytest.mark.parametrize(
    ("raw", "part"),
    [
        ("", "shape"),
        ("H26.22-261125", "shape"),
        ("H26.22-261125-042", "shape"),  # fewer than 4 digits
        ("H26.22-20261125-0042", "shape"),
        ("H26.22_261125_0042", "shape"),
        ("H26.22-261125-A0042", "shape"),
        ("H26.22-261125-ABC0042", "shape"),
        ("H26.22-261125-0042-1", "shape"),
        ("H26.22-261125-ſſ0042", "shape"),
        ("H26.22-261125-1234567890", "shape"),
        ("26.22-261125-0042", "agency"),
        ("H26..22-261125-0042", "agency"),
        ("H26.22-261131-0042", "day"),
        ("H26.22-260229-0042", "day"),  # 2026 is not a leap year
        ("H26.22-261325-0042", "day"),
        ("H26.22-261100-0042", "day"),
        ("H26.22-261125-0000", "seq"),
        ("H26.22-261125-00042", "seq"),  # two spellings of one code are refused
    ],
)
def test_it_refuses_bad_dossier_codes(raw: str, part: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_dossier_code(raw)
    assert info.value.message.startswith("Mã hồ sơ «")
    assert "không đúng định dạng" in info.value.message
    assert info.value.details["part"] == part
    assert not is_dossier_code(raw)


def test_it_prints_a_dossier_code_canonically() -> None:
    assert str(parse_dossier_code(" g01-280229-ab0007 ")) == "G01-280229-AB0007"


_agency_codes = st.builds(
    lambda letter, digits, groups: ".".join([f"{letter}{digits:02d}", *groups]),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.integers(0, 99),
    st.lists(st.from_regex(r"[0-9]{1,3}", fullmatch=True), max_size=7),
).filter(lambda code: len(code) <= 35)


@given(
    agency=_agency_codes,
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    seq=st.integers(1, 999_999_999),
    prefix=st.sampled_from(["", "AB", "TP", "ZZ"]),
)
def test_it_round_trips_dossier_codes(agency: str, day: date, seq: int, prefix: str) -> None:
    code = format_dossier_code(agency, day, seq, prefix)
    assert parse_dossier_code(code) == DossierCode(agency, day, seq, prefix)
    assert parse_dossier_code(code.lower()) == DossierCode(agency, day, seq, prefix)


# --- Tracking secret -------------------------------------------------------------------------


def test_it_draws_tracking_secrets_from_the_unambiguous_alphabet() -> None:
    rng = random.Random(20261125)
    for _ in range(200):
        secret = new_tracking_secret(rng)
        assert len(secret) == 9
        assert secret[4] == "-"
        assert set(secret.replace("-", "")) <= set(TRACKING_ALPHABET)
        assert not set(secret) & set("0O1IL")


def test_it_draws_reproducibly_with_a_seeded_rng() -> None:
    assert new_tracking_secret(random.Random(7)) == new_tracking_secret(random.Random(7))


def test_it_draws_from_secrets_without_an_rng() -> None:
    secret = new_tracking_secret()
    assert normalize_tracking_secret(secret) == secret.replace("-", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ABCD-2345", "ABCD2345"),
        ("abcd 2345", "ABCD2345"),
        (" ab-cd-23 45 ", "ABCD2345"),
        ("ZZZZZZZZ", "ZZZZZZZZ"),
    ],
)
def test_it_normalizes_tracking_secrets(raw: str, expected: str) -> None:
    assert normalize_tracking_secret(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message_part"),
    [
        ("ABCD-234O", "«O»"),
        ("abcd-234o", "«o»"),
        ("ABCD-2340", "«0»"),
        ("ABCD-2341", "«1»"),
        ("ABCD-234I", "«I»"),
        ("ABCD-234l", "«l»"),
        ("ABCD-234ſ", "«ſ»"),
        ("ABCD/2345", "«/»"),
        ("ABCD-234", "phải gồm 8 ký tự"),
        ("ABCD-23456", "phải gồm 8 ký tự"),
        ("", "phải gồm 8 ký tự"),
    ],
)
def test_it_refuses_bad_tracking_secrets(raw: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_tracking_secret(raw)
    assert message_part in info.value.message


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("ABCD-2345", "abcd 2345", True),
        ("ABCD-2345", "ABCD2345", True),
        ("ABCD-2345", "ABCD-2346", False),
        ("ABCD-234O", "ABCD-234O", False),  # malformed secrets match nothing, not even themselves
        ("", "", False),
    ],
)
def test_it_compares_tracking_secrets(a: str, b: str, expected: bool) -> None:
    assert secrets_match(a, b) is expected


# --- ID numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("001099012345", ("001099012345", "personal")),
        ("096301000001", ("096301000001", "personal")),
        (" 079 203 012345 ", ("079203012345", "personal")),
        ("0100109106", ("0100109106", "organisation")),
        ("0300588569", ("0300588569", "organisation")),
        ("0100107370", ("0100107370", "organisation")),  # check digit 0
        ("0100109106-001", ("0100109106-001", "organisation")),
        ("0100109106001", ("0100109106-001", "organisation")),
    ],
)
def test_it_accepts_id_numbers(raw: str, expected: tuple[str, str]) -> None:
    assert validate_id_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message_part"),
    [
        ("", "không được để trống"),
        ("  ", "không được để trống"),
        ("00109901234a", "chỉ được gồm chữ số"),
        ("0100109106/001", "chỉ được gồm chữ số"),
        ("٠٠١٠٩٩٠١٢٣٤٥", "chỉ được gồm chữ số"),
        ("000099012345", "Ba chữ số đầu «000»"),
        ("097099012345", "Ba chữ số đầu «097»"),
        ("0100109107", "sai chữ số kiểm tra"),
        ("0100109107-001", "sai chữ số kiểm tra"),
        ("0100109106-000", "«000»"),
        ("123456789", "chứng minh nhân dân 9 chữ số"),
        ("12345", "có 5 chữ số"),
        ("0010990124567", "sai chữ số kiểm tra"),  # 13 digits read as a branch tax code
        ("00109901234567", "có 14 chữ số"),
    ],
)
def test_it_refuses_bad_id_numbers(raw: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_id_number(raw)
    assert message_part in info.value.message


# --- Procedure codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.001612", "1.001612"),
        ("2.000908", "2.000908"),
        (" 3.000722 ", "3.000722"),
        ("2.000908.000.00.00.H26", "2.000908.000.00.00.H26"),
        ("2.000908.000.00.00.h26", "2.000908.000.00.00.H26"),
    ],
)
def test_it_accepts_procedure_codes(raw: str, expected: str) -> None:
    assert validate_procedure_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1001612",
        "1.00161",
        "1.0016120",
        "12.001612",
        "1,001612",
        "2.000908.H26",
        "2.000908.000.00.00",
        "2.000908.000.00.00.26",
        "2.000908.000.00.00.H26.",
    ],
)
def test_it_refuses_bad_procedure_codes(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_procedure_code(raw)
    assert "Mã thủ tục hành chính" in info.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, False), (-1, False), (1, True), (2**63 - 1, True), (2**63, False), (10**30, False)],
)
def test_a_row_id_is_a_positive_64_bit_integer(value: int, expected: bool) -> None:
    assert is_row_id(value) is expected
