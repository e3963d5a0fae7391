"""Vietnamese normalisation: tone placement, folding, matching and person names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.errors import ValidationError
from motcua.core.text import (
    bad_characters,
    check_characters,
    fold,
    matches,
    nfc,
    normalize_person_name,
    normalize_tone_placement,
    search_key,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def test_it_composes_to_nfc() -> None:
    assert nfc(nfd("Thành ủy")) == "Thành ủy"
    assert len(nfc("u\u031b\u0300")) == 1  # ư + huyền -> ừ


# --- Tone placement --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thành uỷ", "Thành ủy"),
        ("THÀNH UỶ", "THÀNH ỦY"),
        ("uỷ ban", "ủy ban"),
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("CỘNG HOÀ", "CỘNG HÒA"),
        ("thuỷ", "thủy"),
        ("Thuỷ", "Thủy"),
        ("khoẻ", "khỏe"),
        ("Hoá", "Hóa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Thanh-Hoá", "Thanh-Hóa"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("hoè", "hòe"),
        ("oà", "òa"),
        ("tuỳ", "tùy"),
        ("Thuý", "Thúy"),
        ("luỹ", "lũy"),
        ("(Hoà)", "(Hòa)"),
        ("hoà1", "hòa1"),
        # Misplaced by hand: the tone belongs on the vowel after gi / qu.
        ("gìa", "già"),
        ("qúa", "quá"),
        ("qủa", "quả"),
        ("gịưa", "giựa"),
        # Closed syllables and triphthongs: the same in either style, fixed if misplaced.
        ("hòan", "hoàn"),
        ("tóan", "toán"),
        ("ngòai", "ngoài"),
        ("xóay", "xoáy"),
        ("khủyu", "khuỷu"),
        ("nguời", "nguời"),  # no tone on a modified letter: "ươ" misspelt, left alone
        ("ngừơi", "người"),
        ("rựơu", "rượu"),
        ("tùân", "tuần"),
        ("thúê", "thuế"),
        ("hòăc", "hoằc"),
    ],
)
def test_it_moves_tone_marks_to_the_traditional_place(raw: str, expected: str) -> None:
    assert normalize_tone_placement(raw) == expected


_TRADITIONAL_TEXT = (
    "quý quỳnh quyết quốc quả quạ quẹo quỷ quăn quặp "
    "già giữa giếng gì gìn giặt giường giục giọng "
    "khuya khuỷu khuyến khuấy ngoài ngoáy xoáy ngoẹo khoèo "
    "người rượu tuổi mười cưới bưởi hươu "
    "thuở huơ quở "
    "hòa hòe thủy khỏe ủy úy tùy lũy "
    "hoàng hoạch hoặc toán thuận tuần thuế huệ huỳnh huých xoắn "
    "tài cháo màu máy kẹo mùa của mía chịu núi tói gửi cửa mấy cậu kiểu yếu yêu "
    "tiếng Việt Đoàn Đắk Lắk Nẵng Hà Nội Thừa Thiên Huế Bà Rịa Vũng Tàu "
    "boóng xoong cồng ý ỷ ỳ ạ ừ ở ấy"
)
TRADITIONAL_WORDS = _TRADITIONAL_TEXT.split()


@pytest.mark.parametrize("word", TRADITIONAL_WORDS)
def test_it_leaves_words_in_the_traditional_style_alone(word: str) -> None:
    assert normalize_tone_placement(word) == word
    assert normalize_tone_placement(word.upper()) == word.upper()
    assert normalize_tone_placement(nfd(word)) == word


@pytest.mark.parametrize(
    "text",
    [
        "café résumé naïve",
        "Noël Zoë",
        "email https://dichvucong.gov.vn/p/home H26.22-261125-0042",
        "Ελληνικά кириллица 漢字",
        "fòo wàtt bàà",  # not Vietnamese syllables: left where typed
        "hoà\u0301",  # two tone marks on one syllable: left alone
    ],
)
def test_it_leaves_other_text_alone(text: str) -> None:
    assert normalize_tone_placement(text) == nfc(text)


def test_it_orders_marks_of_one_letter() -> None:
    # A tone typed before the circumflex still makes "ố".
    assert normalize_tone_placement("cuo\u0301\u0302c") == "cuốc"


INITIALS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x", "Ng", "TH", "Đ",
)  # fmt: skip
RUNS = (
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu",
    "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê",
    "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "yêu", "oai", "oay", "oeo",
    "uây", "uôi", "ươi", "ươu", "uya", "uyê", "uyu", "OA", "UY", "ƯƠ",
)  # fmt: skip
FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def _with_tone_at(word: str, vowel_index: int, tone: str) -> str:
    """Put the tone after the vowel_index-th vowel letter of a decomposed word."""
    out: list[str] = []
    seen = -1
    decomposed = nfd(word)
    for i, ch in enumerate(decomposed):
        out.append(ch)
        if ch.lower() in "aeiouy" and not unicodedata.combining(ch):
            seen += 1
        following = decomposed[i + 1] if i + 1 < len(decomposed) else " "
        if seen == vowel_index and not unicodedata.combining(following):
            out.append(tone)
            seen += 1_000  # placed once
    return "".join(out)


@given(
    initial=st.sampled_from(INITIALS),
    run=st.sampled_from(RUNS),
    final=st.sampled_from(FINALS),
    tone=st.sampled_from(TONES),
    first=st.integers(0, 3),
    second=st.integers(0, 3),
)
def test_it_gives_one_spelling_whichever_vowel_has_the_tone(
    initial: str, run: str, final: str, tone: str, first: int, second: int
) -> None:
    word = initial + run + final
    vowels = sum(1 for ch in nfd(word) if ch.lower() in "aeiouy")
    a = _with_tone_at(word, first % vowels, tone)
    b = _with_tone_at(word, second % vowels, tone)
    assert normalize_tone_placement(a) == normalize_tone_placement(b)


@given(st.text())
def test_it_is_idempotent_and_changes_only_tone_placement(s: str) -> None:
    once = normalize_tone_placement(s)
    assert normalize_tone_placement(once) == once
    assert fold(once) == fold(s)


# --- Folding and search keys -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thành ủy", "thanh uy"),
        ("THÀNH UỶ", "thanh uy"),
        ("  Đắk   Lắk\t\n", "dak lak"),
        ("Đoàn Thị Hương", "doan thi huong"),
        ("người", "nguoi"),
        ("Ðà Nẵng", "da nang"),  # legacy-font Ð (U+00D0) for Đ
        (nfd("Thừa Thiên Huế"), "thua thien hue"),
        ("H26.22-261125-0042", "h26.22-261125-0042"),
        ("", ""),
    ],
)
def test_it_folds(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Thành uỷ", "Thành ủy"),
        ("THÀNH ỦY", "thành uỷ"),
        ("Hoà Bình", "Hòa Bình"),
        ("Thuỷ", "Thủy"),
        ("khoẻ", "khỏe"),
        ("Hoá", "Hóa"),
        ("Thanh  Hoá", " thanh hóa "),
        (nfd("Hoà Bình"), "Hòa Bình"),
    ],
)
def test_search_keys_ignore_tone_placement_and_case(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hoà", "hoa"),
        ("hòa", "họa"),
        ("thủy", "thúy"),
        ("đa", "da"),
        ("quý", "quỹ"),
    ],
)
def test_search_keys_keep_tones(a: str, b: str) -> None:
    assert search_key(a) != search_key(b)


def test_search_key_keeps_quy() -> None:
    assert search_key("quý") == "quý"


@given(st.text())
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


@given(st.text())
def test_search_key_ignores_the_normal_form(s: str) -> None:
    assert search_key(nfd(s)) == search_key(nfc(s))


# --- Matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("Thành uỷ", "Thành ủy", True),
        ("Thành ủy", "Ban Thường vụ Thành uỷ Hà Nội", True),
        ("THÀNH ỦY", "Thành uỷ", True),
        ("thanh uy", "Thành ủy", True),
        ("thanh uy", "Thành uỷ", True),
        ("THANH UY", "thành ủy", True),
        ("Hoà Bình", "Tỉnh Hòa Bình", True),
        ("hoa binh", "Tỉnh Hòa Bình", True),
        ("Thuỷ", "Nguyễn Thị Thủy", True),
        ("hoà", "hoa", False),
        ("hoà", "Khánh Hòa", True),
        ("hòa", "họa sĩ", False),
        ("ha noi", "Hà Nội", True),
        ("hà nội", "Hà Nội", True),
        ("hà nôi", "Hà Nội", False),  # a typed diacritic is taken at its word
        ("đa", "Đà Nẵng", False),
        ("da", "Đà Nẵng", True),
        ("đà", "Đà Nẵng", True),
        ("khai  sinh", "Đăng ký khai sinh", True),
        ("khai tu", "Đăng ký khai sinh", False),
        ("", "anything", True),
        (nfd("Thành ủy"), "Thành uỷ", True),
    ],
)
def test_it_matches(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


# --- Person names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nguyễn văn a", "Nguyễn Văn A"),
        ("  NGUYỄN   VĂN   A  ", "Nguyễn Văn A"),
        ("đỗ thị ánh nguyệt", "Đỗ Thị Ánh Nguyệt"),
        ("ĐẶNG ĐÌNH ĐỨC", "Đặng Đình Đức"),
        (nfd("trần thị ước"), "Trần Thị Ước"),
        ("lê thị thuỷ", "Lê Thị Thuỷ"),  # tones stay where the ID card has them
        ("h'hen niê", "H'Hen Niê"),
        ("y-moan ênuôl", "Y-Moan Ênuôl"),
        ("ksor phước", "Ksor Phước"),
        ("", ""),
    ],
)
def test_it_normalizes_person_names(raw: str, expected: str) -> None:
    assert normalize_person_name(raw) == expected


# --- The characters a field accepts ----------------------------------------------------------

VIETNAMESE = (
    "Nguyễn Thị Ánh Tuyết, số 5 ngõ 12/3 Hàng Bạc – Phường Hoàn Kiếm; “đúng hẹn” (bản chính)…"
)


@pytest.mark.parametrize(
    "accepted",
    [
        VIETNAMESE,
        nfd(VIETNAMESE),  # combining tone marks (Mn) are letters' parts, composed later
        "H'Hen Niê, Y-Moan Ênuôl, Đinh Thị Ƀlăk",  # Ê Đê and Jrai names
        "Công ty TNHH MTV Xây dựng & Thương mại 123",
        "Ông\u00a0Nguyễn",  # a no-break space, as word processors write it
        "℡ 024 3825 1234 · №5 · ½ · ™ · 😀 · 中文 · العربية",
    ],
)
def test_a_field_accepts_what_vietnamese_text_needs(accepted: str) -> None:
    assert bad_characters(accepted) == []
    check_characters(accepted)  # no error


@pytest.mark.parametrize(
    ("raw", "multiline", "kinds"),
    [
        ("Lê \u202eVăn An", False, ["bidi"]),  # right-to-left override: "Lê năV An"
        ("\u202aA\u202bB\u202cC\u202dD", False, ["bidi"] * 4),
        ("\u2066A\u2067B\u2068C\u2069", False, ["bidi"] * 4),  # isolates
        ("\u200eA\u200fB\u061c", False, ["bidi"] * 3),  # LRM, RLM, Arabic letter mark
        ("Trần\u200bBình", False, ["invisible"]),  # zero-width space
        ("\u200cA\u200dB\u2060C\ufeffD", False, ["invisible"] * 4),  # ZWNJ, ZWJ, WJ, BOM
        ("Hà\u00adNội", False, ["invisible"]),  # soft hyphen
        ("A\U000e0041\U000e007f", False, ["invisible"] * 2),  # tag characters
        ("A\u2061B\u2062C\u2063D\u2064", False, ["invisible"] * 4),  # invisible operators
        ("\u3164", False, ["invisible"]),  # Hangul filler, a blank letter
        ("A\u115f\u1160\uffa0\u034f", False, ["invisible"] * 4),
        ("Trần\x00Bình", False, ["control"]),  # NUL
        ("A\x01B\x07C\x1bD\x7f", False, ["control"] * 4),  # C0 and DEL
        ("A\x80B\x85C\x9f", False, ["control"] * 3),  # C1
        ("Dòng 1\nDòng 2", False, ["control"]),  # a line break in a one-line field
        ("Cột 1\tCột 2", False, ["control"]),
        ("Dòng 1\r\nDòng 2\tgiữa", True, []),  # kept where text has several lines
        ("Dòng 1\x00", True, ["control"]),
        ("Dòng 1\x0bDòng 2\x0c", True, ["control"] * 2),  # vertical tab, form feed
        ("A\u2028B\u2029C", True, ["control"] * 2),  # line and paragraph separators
        ("\ue000\U000f0000", False, ["unusable"] * 2),  # private use
        ("\ud800", False, ["unusable"]),  # a lone surrogate
        ("\ufdd0\ufffe\uffff\U0001fffe", False, ["unusable"] * 4),  # noncharacters
    ],
)
def test_a_field_refuses_control_bidi_and_invisible_characters(
    raw: str, multiline: bool, kinds: list[str]
) -> None:
    assert [bad.kind for bad in bad_characters(raw, multiline=multiline)] == kinds


def test_every_format_character_is_refused() -> None:
    """Cf as a whole, so a format character added to Unicode later is refused too."""
    every = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(every) > 150
    assert all(bad_characters(ch) for ch in every)


def test_the_message_names_the_field_the_character_and_where_it_is() -> None:
    with pytest.raises(ValidationError) as caught:
        check_characters("Lê \u202eVăn An", field="applicant_name", label="Họ và tên")
    error = caught.value
    assert error.message == (
        "Họ và tên có một ký tự không được phép: ký tự đảo chiều chữ U+202E ở vị trí 4; "
        "hãy gõ lại thay vì sao chép, dán."
    )
    assert error.details["field"] == "applicant_name"


def test_the_message_counts_several_characters() -> None:
    with pytest.raises(ValidationError) as caught:
        check_characters("A\u200bB\u200bC\x00", label="Địa chỉ")
    assert caught.value.message.startswith(
        "Địa chỉ có 3 ký tự không được phép, đầu tiên là ký tự ẩn, không hiện khi in U+200B ở "
        "vị trí 2"
    )


@given(st.text())
def test_checking_is_the_same_as_listing(s: str) -> None:
    try:
        check_characters(s)
    except ValidationError as exc:
        assert exc.details["count"] == len(bad_characters(s))
    else:
        assert bad_characters(s) == []
