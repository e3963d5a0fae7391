import pytest

from motcua.core.privacy import MASK, mask_id_number, mask_numbers, names_a_number


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("id 001203012345 seen", f"id {MASK} seen"),
        ("001 203 012 345", MASK),
        ("001.203.012.345,", f"{MASK},"),
        ("call 0912345678 now", f"call {MASK} now"),
        ("0912 345 678", MASK),
        ("+84 912 345 678", MASK),
        ("q=001203012345&scope=mine", f"q={MASK}&scope=mine"),
        ("H26.100-261117-0008", "H26.100-261117-0008"),  # a dossier code stays
        ("1234567890123", "1234567890123"),  # 13 digits: not an ID number
        ("message 42 sent", "message 42 sent"),
        ("2026-12-04 01:20:17", "2026-12-04 01:20:17"),
    ],
)
def test_it_masks_id_and_phone_numbers(text, masked):
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("001203012345", True),
        ("0912 345 678", True),
        ("Nguyễn Văn An", False),
        ("H26.100-261117-0008", False),
        ("2026", False),
    ],
)
def test_it_tells_a_number_search(query, number):
    assert names_a_number(query) is number


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("001203012345", "*********345"),
        (" 001203012345 ", "*********345"),
        ("0101234567", "*******567"),  # a tax code
        ("12345", "[đã che]"),
        ("", "[đã che]"),
    ],
)
def test_an_id_number_is_shown_by_its_last_three_digits(number, shown):
    assert mask_id_number(number) == shown
