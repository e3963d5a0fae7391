"""Vietnamese text: the characters a field accepts, normalisation for search and for names."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from motcua.core.errors import Text, ValidationError, _

# Tone marks (thanh điệu) as combining characters: huyền, sắc, ngã, hỏi, nặng.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Vowel modifiers that make a different letter: circumflex (â ê ô), breve (ă), horn (ơ ư).
_MODIFIERS = frozenset("\u0302\u0306\u031b")
_VOWELS = frozenset("aeiouy")
_CONSONANTS = frozenset("bcdghklmnpqrstvxđ")

# Initial consonants, longest first so that "ngh" wins over "ng" and "n".
_INITIALS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
)  # fmt: skip
_FINALS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})

# Every vowel run a Vietnamese syllable can have (nucleus with its medial and glide), without
# tone. A word whose run is not here is left alone, so foreign words are never rewritten.
_VOWEL_RUNS = frozenset((
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi",
    "oo", "ôi", "ôô", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu",
    "yê",
    "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyê", "uyu",
))  # fmt: skip


@dataclass
class _Letter:
    """One letter of a decomposed word: base character, vowel modifiers and tone."""

    base: str
    modifiers: list[str] = field(default_factory=list)
    tone: str = ""
    other: list[str] = field(default_factory=list)

    def key(self) -> str:
        """Return the lower-case letter with its modifiers but without tone, composed."""
        return unicodedata.normalize("NFC", self.base.lower() + "".join(self.modifiers))

    def render(self) -> str:
        """Return the letter decomposed, modifiers before the tone."""
        return self.base + "".join(self.modifiers) + self.tone + "".join(self.other)


def nfc(s: str) -> str:
    """Return the string in Unicode NFC form."""
    return unicodedata.normalize("NFC", s)


def _split_letters(word: str) -> list[_Letter]:
    """Split a decomposed word into letters, sorting each letter's marks by role."""
    letters: list[_Letter] = []
    for ch in word:
        if unicodedata.combining(ch) and letters:
            letter = letters[-1]
            if ch in _TONES and not letter.tone:
                letter.tone = ch
            elif ch in _MODIFIERS:
                letter.modifiers.append(ch)
            else:
                letter.other.append(ch)
        else:
            letters.append(_Letter(ch))
    return letters


def _tone_position(letters: list[_Letter]) -> int | None:
    """Return the index of the letter that carries the tone, or None if not a syllable."""
    bases = [letter.base.lower() for letter in letters]
    if any(base not in _VOWELS and base not in _CONSONANTS for base in bases):
        return None
    if any(
        letter.other or (letter.modifiers and base not in _VOWELS)
        for letter, base in zip(letters, bases, strict=True)
    ):
        return None
    keys = [letter.key() for letter in letters]
    if any(len(key) != 1 for key in keys):
        return None
    plain = "".join(bases)
    start = 0
    for initial in _INITIALS:
        if plain.startswith(initial):
            start = len(initial)
            break
    # "gi" and "qu" are initials only when a vowel follows: "già" = gi+a, but "gì" = g+i.
    if plain[:2] in ("gi", "qu") and (len(plain) == 2 or plain[2] not in _VOWELS):
        start = 1
    end = start
    while end < len(plain) and plain[end] in _VOWELS:
        end += 1
    run = "".join(keys[start:end])
    if run not in _VOWEL_RUNS or plain[end:] not in _FINALS:
        return None
    modified = [i for i in range(start, end) if letters[i].modifiers]
    if modified:
        # ă â ê ô ơ ư always take the tone; in ươ the second one does (người, rượu).
        return modified[-1]
    if plain[end:]:
        # Closed syllable: the last vowel (hoàng, toán, quýt, huỳnh).
        return end - 1
    if end - start == 3:
        # Open triphthong: the middle vowel (ngoài, xoáy, khuỷu, ngoẹo).
        return start + 1
    # Open syllable of one or two vowels: the first (tài, mùa, mía) -- and, by the chosen
    # canonical style, also hòa, hòe, thủy rather than hoà, hoè, thuỷ.
    return start


def _place_tone(word: str) -> str:
    """Move the tone mark of one decomposed word to its canonical letter."""
    letters = _split_letters(word)
    toned = [i for i, letter in enumerate(letters) if letter.tone]
    if len(toned) != 1 or letters[toned[0]].base.lower() not in _VOWELS:
        return word
    target = _tone_position(letters)
    if target is None:
        return word
    # Re-rendered even when the tone stays put: a tone typed before the circumflex is reordered.
    tone = letters[toned[0]].tone
    letters[toned[0]].tone = ""
    letters[target].tone = tone
    return "".join(letter.render() for letter in letters)


def normalize_tone_placement(s: str) -> str:
    """Put each syllable's tone mark where the traditional style does (hòa, thủy, khỏe); NFC."""
    decomposed = unicodedata.normalize("NFD", s)
    out: list[str] = []
    word: list[str] = []
    for ch in decomposed:
        if ch.isalpha() or (unicodedata.combining(ch) and word):
            word.append(ch)
            continue
        if word:
            out.append(_place_tone("".join(word)))
            word = []
        out.append(ch)
    if word:
        out.append(_place_tone("".join(word)))
    return unicodedata.normalize("NFC", "".join(out))


def _collapse_spaces(s: str) -> str:
    """Trim the string and turn every run of whitespace into one space."""
    return " ".join(s.split())


# Đ/đ is a letter of its own, not d with a mark, so NFD leaves it alone. Ð/ð (U+00D0/U+00F0)
# turn up in text converted from legacy Vietnamese fonts in place of Đ/đ.
_FOLD_LETTERS = str.maketrans({"đ": "d", "ð": "d"})


def fold(s: str) -> str:
    """Return the accent-insensitive search key: lower-case, no diacritics, đ as d."""
    lowered = unicodedata.normalize("NFD", nfc(s).lower())
    bare = "".join(ch for ch in lowered if unicodedata.category(ch) != "Mn")
    return nfc(_collapse_spaces(bare.translate(_FOLD_LETTERS)))


def search_key(s: str) -> str:
    """Return the tone-sensitive search key: canonical tone placement, lower-case."""
    return nfc(_collapse_spaces(normalize_tone_placement(s).lower()))


def _has_diacritic(s: str) -> bool:
    """Tell whether the string has any accent, tone mark or đ."""
    decomposed = unicodedata.normalize("NFD", s)
    return any(unicodedata.category(ch) == "Mn" for ch in decomposed) or any(
        ch in "đĐðÐ" for ch in decomposed
    )


def matches(query: str, text: str) -> bool:
    """Tell whether text contains the query: by search_key if the query has accents, else fold."""
    if _has_diacritic(query):
        return search_key(query) in search_key(text)
    return fold(query) in fold(text)


# Inside a name a new capital follows these: H'Hen Niê, Y-Moan (Ê Đê names).
_NAME_JOINERS = frozenset("'’-")


def normalize_person_name(s: str) -> str:
    """Return a person's name in NFC, single-spaced, each word capitalised; tones as written."""
    out: list[str] = []
    capitalize_next = True
    for ch in _collapse_spaces(nfc(s)):
        if ch.isalpha():
            out.append(ch.upper() if capitalize_next else ch.lower())
            capitalize_next = False
        else:
            out.append(ch)
            if ch == " " or ch in _NAME_JOINERS:
                capitalize_next = True
    return nfc("".join(out))


# ---------------------------------------------------------------------------------------------
# The characters a text field accepts
#
# Vietnamese needs letters with their marks (NFC composes them; a combining mark, category Mn,
# is kept), spaces and punctuation. It needs no control or format character: those print as
# nothing, reorder what follows (U+202E turned "Lê Văn An" into "Lê năV An" on form 01), or
# hide a difference between two names that look the same. So a field refuses, by Unicode
# category: every control (Cc, C0 and C1; a multi-line field keeps the line break, the
# carriage return a browser sends with it, and the tab), every format character (Cf: the bidi
# controls, the zero-width space and joiners, the word joiner, the byte-order mark, the soft
# hyphen, the tag characters), the line and paragraph separators (Zl, Zp), surrogates (Cs),
# private-use characters (Co, which show as a box or as whatever a font puts there), the
# noncharacters, and the letters that print as blank space (the Hangul fillers, the combining
# grapheme joiner).

# The bidi controls (embeddings, overrides, isolates, marks): also Cf, named for the message.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Characters that are not Cc/Cf yet show as nothing.
BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0")
# What a multi-line field (a note, a reason, a list) keeps of the controls.
MULTILINE_CONTROLS = frozenset("\n\r\t")


@dataclass(frozen=True)
class BadCharacter:
    """A character a field refuses: where it is (1 = the first), and what kind it is."""

    position: int
    char: str
    kind: str  # "control" | "bidi" | "invisible" | "unusable"

    @property
    def codepoint(self) -> str:
        """The character's number as Unicode writes it (U+202E)."""
        return f"U+{ord(self.char):04X}"


# What the message calls each kind, in plain words.
KIND_LABELS = {
    "control": _("ký tự điều khiển"),
    "bidi": _("ký tự đảo chiều chữ"),
    "invisible": _("ký tự ẩn, không hiện khi in"),
    "unusable": _("ký tự không dùng được trong văn bản"),
}


def _kind(ch: str, *, multiline: bool) -> str | None:
    """The kind of a refused character, or None when the field accepts it."""
    if ch in BIDI_CONTROLS:
        return "bidi"
    category = unicodedata.category(ch)
    if category == "Cc":
        return None if multiline and ch in MULTILINE_CONTROLS else "control"
    if category in ("Zl", "Zp"):
        return "control"
    if category == "Cf" or ch in BLANK_LETTERS:
        return "invisible"
    code = ord(ch)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
    if category in ("Cs", "Co") or noncharacter:
        return "unusable"
    return None


def bad_characters(s: str, *, multiline: bool = False) -> list[BadCharacter]:
    """Every character of `s` a text field refuses, in order."""
    found: list[BadCharacter] = []
    for position, ch in enumerate(s, 1):
        if ch.isascii() and (ch.isprintable() or ch == " "):
            continue  # the common case, without a category lookup
        kind = _kind(ch, multiline=multiline)
        if kind is not None:
            found.append(BadCharacter(position=position, char=ch, kind=kind))
    return found


def check_characters(s: str, *, multiline: bool = False, field: str = "", label: str = "") -> None:
    """Refuse text holding a control, bidi, invisible or unusable character: a
    ValidationError naming the field (its `label`), the first such character and where it is,
    and how many there are."""
    found = bad_characters(s, multiline=multiline)
    if not found:
        return
    first = found[0]
    template = (
        _(
            "{label} có một ký tự không được phép: {kind} {codepoint} ở vị trí {position}; "
            "hãy gõ lại thay vì sao chép, dán."
        )
        if len(found) == 1
        else _(
            "{label} có {count} ký tự không được phép, đầu tiên là {kind} {codepoint} ở vị trí "
            "{position}; hãy gõ lại thay vì sao chép, dán."
        )
    )
    raise ValidationError(
        template,
        field=field,
        label=Text(label or _("Nội dung")),
        count=len(found),
        kind=Text(KIND_LABELS[first.kind]),
        codepoint=first.codepoint,
        position=first.position,
    )
