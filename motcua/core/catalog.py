"""The public procedure catalog: finding a procedure by what a citizen types, and saying its
time limit and online level in plain words.

A citizen types "dang ky khai sinh", "đăng ký khai sinh", "dăng kí khai sinh" or
"dang ki khai sin" and means the same procedure. So names and queries are compared as
*terms*: folded (`text.fold`: no tone, no accent, đ as d), with the i/y spellings of one
syllable made one (kí = ký, lí = lý, mĩ = mỹ: both are taught), split into words. A query word
matches a name word when the terms are equal, or, failing that, within a small number of
typing errors (insertions, deletions, substitutions, swaps of two neighbours) that grows with
the word's length. The ranking is in tiers: the whole query as a phrase of the name, then
every word of it somewhere in the name, then every word within its typing errors (fewer
errors first). A query typed with its tones ranks the names that carry the same tones
first inside each tier.

The index is built once per catalog (the selector keeps one per catalog generation) and a
search touches only the postings of the query's words and of their near neighbours,
found through deletions (a word and every spelling of it one or two letters shorter), so it
stays fast on a province's two thousand procedures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum

from motcua.core import text
from motcua.core.errors import _, fill

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12

_WORD = re.compile(r"[0-9a-z]+")
# A consonant initial followed by a lone "y" spells the same syllable as with "i" (ký/kí,
# lý/lí, mỹ/mĩ, sỹ/sĩ, quý/quí): both spellings are in use, so both are one term. "uy", "ay"
# and "y" alone are other vowels and stay as they are.
_Y_FINAL = re.compile(r"^(b|c|ch|d|g|gh|h|k|kh|l|m|n|nh|p|ph|qu|r|s|t|th|tr|v|x)y$")
_CODE = re.compile(r"^[0-9a-z.]+$")


def term(word: str) -> str:
    """One folded word as the index compares it: i for a lone y after a consonant."""
    return _Y_FINAL.sub(r"\1i", word)


def terms(s: str) -> list[str]:
    """The words of a text as terms, in order: folded, i/y made one, split on anything that
    is not a letter or digit."""
    return [term(w) for w in _WORD.findall(text.fold(s))]


def typo_budget(word: str) -> int:
    """How many typing errors a query word may carry and still match: none up to two letters
    (too many short words are one letter apart), one up to five, two beyond."""
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 5 else 2


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """The number of insertions, deletions, substitutions and swaps of neighbours turning a
    into b (optimal string alignment); `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _deletions(word: str, depth: int) -> set[str]:
    """The word and every spelling of it with up to `depth` letters left out."""
    found = {word}
    frontier = {word}
    for _step in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Tier(IntEnum):
    """How well a name matches; lower ranks first."""

    CODE = 0  # the procedure's code
    PHRASE = 1  # the whole query, as one phrase of the name
    ALL_WORDS = 2  # every query word is a word of the name
    FUZZY = 3  # every query word is within its typing errors of a word of the name


@dataclass(frozen=True)
class Entry:
    """What the index knows of one procedure: its key (returned by a search), code, name."""

    key: Hashable
    code: str
    name: str


@dataclass(frozen=True)
class Hit:
    """One procedure found: its key, tier, typing errors counted and whether its tones are
    those the query was typed with."""

    key: Hashable
    tier: Tier
    errors: int = 0
    same_tones: bool = False


@dataclass
class _Doc:
    entry: Entry
    words: tuple[str, ...]
    phrase: str  # " w1 w2 ... " for phrase lookups on word boundaries
    toned: str  # the name's tone-sensitive key (text.search_key)
    code: str  # folded


@dataclass
class SearchIndex:
    """Names by term, and terms by their deletions, for `search`."""

    docs: list[_Doc] = field(default_factory=list)
    postings: dict[str, set[int]] = field(default_factory=dict)
    neighbours: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> SearchIndex:
        index = cls()
        for entry in entries:
            words = tuple(terms(entry.name))
            number = len(index.docs)
            index.docs.append(
                _Doc(
                    entry=entry,
                    words=words,
                    phrase=f" {' '.join(words)} ",
                    toned=text.search_key(entry.name),
                    code=text.fold(entry.code),
                )
            )
            for word in words:
                postings = index.postings.setdefault(word, set())
                if not postings:
                    for deleted in _deletions(word, typo_budget(word)):
                        index.neighbours.setdefault(deleted, set()).add(word)
                postings.add(number)
        return index

    def _near(self, word: str, *, last: bool) -> dict[str, int]:
        """The indexed terms the word may mean, with their typing errors: itself when it is
        a word of some name (a real word is not taken for a typo of another: "hai" is not
        "dai"); else those within its typing errors. The query's last word, which may be
        still being typed, also matches the longer words it begins ("khai si" -> "sinh"),
        counted as one error."""
        near: dict[str, int] = {}
        if last and len(word) >= 2:
            near = {c: 1 for c in self.postings if c.startswith(word) and c != word}
        if word in self.postings:
            near[word] = 0
            return near
        budget = typo_budget(word)
        candidates: set[str] = set()
        for deleted in _deletions(word, budget):
            candidates |= self.neighbours.get(deleted, set())
        for candidate in candidates:
            # The indexed word's own budget bounds it too: "ha" must not match "hai" + typo.
            limit = min(budget, typo_budget(candidate)) if len(candidate) > 2 else 0
            distance = edit_distance(word, candidate, limit=max(limit, 0))
            if distance <= limit:
                near[candidate] = min(distance, near.get(candidate, distance))
        return near

    def search(self, query: str) -> list[Hit]:
        """The procedures matching the query, best first (tier, then same tones, then fewer
        typing errors, then shorter name, then code); none for an empty query."""
        words = terms(query)[:MAX_QUERY_WORDS]
        if not words:
            return []
        folded = text.fold(query)
        hits: list[tuple[tuple[object, ...], Hit]] = []
        by_code = _CODE.match(folded) is not None and any(c.isdigit() or c == "." for c in folded)
        coded: set[int] = set()
        if by_code:
            for number, doc in enumerate(self.docs):
                if doc.code.startswith(folded):
                    coded.add(number)
                    hits.append(((Tier.CODE, doc.code), Hit(doc.entry.key, Tier.CODE)))
        toned = text.search_key(query) if _typed_with_tones(query) else ""
        near = [self._near(w, last=i == len(words) - 1) for i, w in enumerate(words)]
        candidates: set[int] | None = None
        for found in near:
            matched: set[int] = set()
            for candidate in found:
                matched |= self.postings.get(candidate, set())
            candidates = matched if candidates is None else candidates & matched
            if not candidates:
                break
        phrase = f" {' '.join(words)} "
        for number in sorted(candidates or set()):
            if number in coded:
                continue
            doc = self.docs[number]
            doc_words = set(doc.words)
            if phrase in doc.phrase:
                tier, errors = Tier.PHRASE, 0
            elif all(word in doc_words for word in words):
                tier, errors = Tier.ALL_WORDS, 0
            else:
                tier = Tier.FUZZY
                errors = sum(
                    min(distance for term_, distance in found.items() if term_ in doc_words)
                    for found in near
                )
            same = bool(toned) and toned in doc.toned
            rank = (tier, not same, errors, len(doc.entry.name), doc.entry.code)
            hits.append((rank, Hit(doc.entry.key, tier, errors, same)))
        return [hit for _order, hit in sorted(hits, key=lambda pair: pair[0])]


def _typed_with_tones(query: str) -> bool:
    return text.fold(query) != " ".join(text.nfc(query).lower().split())


# ---------------------------------------------------------------------------------------------
# Plain words


@dataclass(frozen=True)
class Words:
    """A phrase for the reader: a template marked for translation and its values."""

    template: str
    values: tuple[tuple[str, object], ...] = ()

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The phrase, its template translated by `translate` when one is given."""
        template = translate(self.template) if translate else self.template
        return fill(template, dict(self.values))


def _number(value: Decimal) -> str:
    """A number as Vietnamese writes it: 2,5 not 2.5; no trailing zeros."""
    normal = value.normalize()
    shown = f"{normal:f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return shown.replace(".", ",")


def time_limit_words(amount: Decimal, unit: str) -> Words:
    """The statutory time in plain words: "5 ngày làm việc", "4 giờ làm việc", "Trong ngày".

    Working hours that make whole 8-hour days are said in days (24 hours -> 3 days): a
    citizen counts days, and "24 giờ làm việc" reads as one calendar day."""
    if unit == "same_day":
        return Words(_("Trong ngày làm việc"))
    if unit == "working_hours":
        if amount > 0 and amount % 8 == 0:
            return Words(_("{days} ngày làm việc"), (("days", _number(amount / 8)),))
        return Words(_("{hours} giờ làm việc"), (("hours", _number(amount)),))
    if amount < 1 and (amount * 8) == (amount * 8).to_integral_value():
        return Words(_("{hours} giờ làm việc"), (("hours", _number(amount * 8)),))
    return Words(_("{days} ngày làm việc"), (("days", _number(amount)),))


# The online levels of NĐ 42/2022 as the catalog files write them.
ONLINE_FULL = "toàn trình"
ONLINE_PARTIAL = "một phần"


def online_words(level: str) -> Words:
    """What the online level means for the citizen, in one sentence."""
    if level == ONLINE_FULL:
        return Words(_("Nộp trực tuyến được toàn bộ: nộp hồ sơ, nộp phí và nhận kết quả qua mạng."))
    if level == ONLINE_PARTIAL:
        return Words(
            _(
                "Nộp trực tuyến được một phần: nộp hồ sơ qua mạng, nhưng phải đến nơi tiếp "
                "nhận để nộp bản giấy hoặc nhận kết quả."
            )
        )
    return Words(_("Chưa nộp trực tuyến được: nộp tại nơi tiếp nhận hoặc qua bưu chính."))


def online_label(level: str) -> Words:
    """The online level in two or three words, for a list."""
    if level == ONLINE_FULL:
        return Words(_("Trực tuyến toàn trình"))
    if level == ONLINE_PARTIAL:
        return Words(_("Trực tuyến một phần"))
    return Words(_("Chỉ nộp trực tiếp, bưu chính"))


def fee_words(fee: int) -> Words:
    """The fee in plain words: "Miễn phí" or "50.000 đồng"."""
    if fee <= 0:
        return Words(_("Không mất phí"))
    return Words(_("{amount} đồng"), (("amount", f"{fee:,}".replace(",", ".")),))


def page_of(total: int, page: int, size: int) -> tuple[int, int, int]:
    """(page, first index, pages): the page asked for, kept within 1..pages."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    return page, (page - 1) * size, pages
