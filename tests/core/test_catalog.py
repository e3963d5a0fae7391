"""Finding a procedure by what a citizen types, and its time and online level in plain words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.core.catalog import (
    Entry,
    SearchIndex,
    Tier,
    edit_distance,
    fee_words,
    online_label,
    online_words,
    page_of,
    terms,
    time_limit_words,
)

NAMES = {
    "1.001193": "Đăng ký khai sinh",
    "1.000894": "Đăng ký kết hôn",
    "1.004222": "Đăng ký khai tử",
    "2.000635": "Cấp bản sao trích lục hộ tịch",
    "1.001612": "Đăng ký lại khai sinh",
    "3.000333": "Khai sinh cho trẻ em bị bỏ rơi, đăng ký tại xã",
    "LOCAL.GPXD": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "1.012753": "Thủ tục đăng ký thường trú",
    "2.002913": "Cấp lý lịch tư pháp",
    "LOCAL.HOA": "Hòa giải tranh chấp đất đai",
    "LOCAL.HAI": "Hai thủ tục liên thông",
    "LOCAL.DANG": "Đang kiểm tra",
}
INDEX = SearchIndex.build(Entry(code, code, name) for code, name in NAMES.items())


def found(query: str) -> list[str]:
    return [str(hit.key) for hit in INDEX.search(query)]


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "dăng kí khai sinh",  # đ typed as d, ký spelt kí
        "đăng kí khai sinh",
        "dang ki khai sinh",
        "  dang   ky\tkhai sinh ",
        "đăng ký khai sinh",  # decomposed (NFD) input
        "dang ky, khai-sinh",
    ],
)
def test_spellings_of_one_query_find_the_procedure_first_as_a_phrase(query: str) -> None:
    import unicodedata

    hits = INDEX.search(unicodedata.normalize("NFD", query) if "NFD" in query else query)
    assert hits[0].key == "1.001193"
    assert hits[0].tier == Tier.PHRASE


@pytest.mark.parametrize(
    ("query", "first", "tier"),
    [
        ("dang ki khai sin", "1.001193", Tier.FUZZY),  # a lost h, ki for ký
        ("dang ky khia sinh", "1.001193", Tier.FUZZY),  # two letters swapped
        ("dnag ky khai sinh", "1.001193", Tier.FUZZY),
        ("dang ky khaii sinh", "1.001193", Tier.FUZZY),  # a letter too many
        ("giay phep xay dung", "LOCAL.GPXD", Tier.PHRASE),
        ("giay phep xay dungg", "LOCAL.GPXD", Tier.FUZZY),
        ("khai sinh dang ky", "1.001193", Tier.ALL_WORDS),  # words in another order
        ("ly lich tu phap", "2.002913", Tier.PHRASE),
        ("li lich tu phap", "2.002913", Tier.PHRASE),  # lý spelt lí
        ("thuong tru", "1.012753", Tier.PHRASE),
        ("1.001193", "1.001193", Tier.CODE),
        ("local.gp", "LOCAL.GPXD", Tier.CODE),
        ("ket hon", "1.000894", Tier.PHRASE),
        ("hoa giai", "LOCAL.HOA", Tier.PHRASE),
        ("hoà giải", "LOCAL.HOA", Tier.PHRASE),  # tone on the other vowel
    ],
)
def test_it_ranks_the_meant_procedure_first(query: str, first: str, tier: Tier) -> None:
    hits = INDEX.search(query)
    assert (hits[0].key, hits[0].tier) == (first, tier)


def test_phrase_ranks_above_all_words_above_fuzzy() -> None:
    hits = {str(h.key): h for h in INDEX.search("khai sinh")}
    assert hits["1.001193"].tier == Tier.PHRASE
    assert hits["3.000333"].tier == Tier.PHRASE
    # "Đăng ký lại khai sinh" has the phrase too; "đăng ký khai sinh" does not in it.
    assert found("dang ky khai sinh")[:3] == ["1.001193", "1.001612", "3.000333"]
    assert [h.tier for h in INDEX.search("dang ky khai sinh")[:3]] == [
        Tier.PHRASE,
        Tier.ALL_WORDS,
        Tier.ALL_WORDS,
    ]


def test_tones_typed_rank_the_same_tones_first_within_a_tier() -> None:
    # "đang" (to be -ing) and "đăng" (register) fold alike; the typed tones decide.
    assert found("đang")[0] == "LOCAL.DANG"
    assert found("đăng")[0] != "LOCAL.DANG"
    assert set(found("dang")) >= {"LOCAL.DANG", "1.001193"}


@pytest.mark.parametrize(
    ("query", "absent"),
    [
        ("ha giai", "LOCAL.HOA"),  # two letters: no typing error allowed
        ("hai", "LOCAL.HOA"),
        ("ket hon", "1.001193"),
        ("khai sinh", "1.000894"),
        ("hai thu", "LOCAL.DANG"),
    ],
)
def test_it_does_not_stretch_a_word_too_far(query: str, absent: str) -> None:
    assert absent not in found(query)


@pytest.mark.parametrize(
    "query", ["", "   ", "!!!", "xyzzy qwerty", "đăng ký khai sinh nước ngoài", "\u200b"]
)
def test_no_match_is_an_empty_list(query: str) -> None:
    assert found(query) == []


def test_a_word_being_typed_matches_the_words_it_begins() -> None:
    assert found("dang ky khai si")[0] == "1.001193"


def test_very_long_queries_are_cut_to_their_first_words() -> None:
    assert found("dang ky khai sinh " + "x " * 500) == []
    assert INDEX.search("khai " * 1000)[0].tier == Tier.ALL_WORDS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đăng ký", ["dang", "ki"]),
        ("Lý lịch", ["li", "lich"]),
        ("Mỹ thuật", ["mi", "thuat"]),
        ("quý", ["qui"]),
        ("Thủy lợi", ["thuy", "loi"]),  # uy stays
        ("Y tế", ["y", "te"]),  # y alone stays
        ("tay, máy", ["tay", "may"]),  # ay stays
        ("H26.22", ["h26", "22"]),
    ],
)
def test_terms(raw: str, expected: list[str]) -> None:
    assert terms(raw) == expected


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("sinh", "sinh", 2, 0),
        ("sin", "sinh", 1, 1),
        ("khia", "khai", 1, 1),  # a swap is one error
        ("abc", "xyz", 1, 2),  # stops at limit + 1
        ("nghiep", "ngiep", 2, 1),
        ("a", "abcdef", 2, 3),
    ],
)
def test_edit_distance(a: str, b: str, limit: int, expected: int) -> None:
    assert edit_distance(a, b, limit=limit) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        ("5", "working_days", "5 ngày làm việc"),
        ("1", "working_days", "1 ngày làm việc"),
        ("2.5", "working_days", "2,5 ngày làm việc"),
        ("0.5", "working_days", "4 giờ làm việc"),
        ("15.000", "working_days", "15 ngày làm việc"),
        ("24", "working_hours", "3 ngày làm việc"),
        ("8", "working_hours", "1 ngày làm việc"),
        ("4", "working_hours", "4 giờ làm việc"),
        ("0", "same_day", "Trong ngày làm việc"),
    ],
)
def test_time_limit_words(amount: str, unit: str, expected: str) -> None:
    assert time_limit_words(Decimal(amount), unit).render() == expected


def test_words_are_translated_before_they_are_filled() -> None:
    words = time_limit_words(Decimal(5), "working_days")
    assert words.render({"{days} ngày làm việc": "{days} working days"}.get) == "5 working days"


@pytest.mark.parametrize(
    ("level", "label", "start"),
    [
        ("toàn trình", "Trực tuyến toàn trình", "Nộp trực tuyến được toàn bộ"),
        ("một phần", "Trực tuyến một phần", "Nộp trực tuyến được một phần"),
        ("", "Chỉ nộp trực tiếp, bưu chính", "Chưa nộp trực tuyến được"),
    ],
)
def test_online_words(level: str, label: str, start: str) -> None:
    assert online_label(level).render() == label
    assert online_words(level).render().startswith(start)


@pytest.mark.parametrize(
    ("fee", "expected"), [(0, "Không mất phí"), (50000, "50.000 đồng"), (1200000, "1.200.000 đồng")]
)
def test_fee_words(fee: int, expected: str) -> None:
    assert fee_words(fee).render() == expected


@pytest.mark.parametrize(
    ("total", "page", "size", "expected"),
    [
        (0, 1, 20, (1, 0, 1)),
        (45, 2, 20, (2, 20, 3)),
        (45, 99, 20, (3, 40, 3)),
        (45, -5, 20, (1, 0, 3)),
        (40, 2, 20, (2, 20, 2)),
    ],
)
def test_page_of(total: int, page: int, size: int, expected: tuple[int, int, int]) -> None:
    assert page_of(total, page, size) == expected
