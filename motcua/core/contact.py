"""Phone and ID numbers as people write them, reduced to the digits that identify them.

The counter searches by the number on the citizen's ID card or by their phone, however it was
typed: "0912 345 678", "0912.345.678", "+84 912-345-678" and "84912345678" are one phone;
"001 203 012 345" is one ID number. Numbers are kept and compared in that normal form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# What people put between digits: spaces (any kind), dots, dashes, slashes, brackets.
_SEPARATORS = re.compile(r"[\s.\-/()\u2010-\u2015\u2212]+")
# The shortest string a number search needs: shorter digits (a year, a house number) are
# words of the name or code search, not an ID number or a phone.
MIN_SEARCH_DIGITS = 9


def digits(value: str) -> str | None:
    """The ASCII digits of `value` once the separators are dropped (full-width and other
    decimal digits read as digits), or None when anything else is in it ("" stays "")."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if compact.startswith("+"):
        compact = "00" + compact[1:]  # "+84" is "0084", the international prefix
    if not compact.isdigit():
        return None if compact else ""
    return "".join(str(unicodedata.digit(c)) for c in compact)


def normal_phone(value: str) -> str:
    """A Vietnamese phone number in its national form ("0" and the subscriber's digits):
    "+84 912 345 678", "0084912345678" and "84912345678" are "0912345678". A number that is
    not a phone is returned as its digits ("" when it has other characters)."""
    number = digits(value) or ""
    if number.startswith("0084"):
        return "0" + number[4:]
    # Without "+" or "00": 84 and 9 or 10 digits is the country code (no national number,
    # nor an ID number, starts with 84 and has 11 or 12 digits: ID numbers start with 0).
    if number.startswith("84") and len(number) in (11, 12):
        return "0" + number[2:]
    return number


def search_number(query: str) -> str | None:
    """The number a search is for, when the query is one (only digits and separators, at
    least MIN_SEARCH_DIGITS digits): the phone's national form, else the digits."""
    number = digits(query.strip())
    if not number or len(number) < MIN_SEARCH_DIGITS:
        return None
    return normal_phone(number)


def search_numbers(*values: str) -> str:
    """The numbers a dossier is found by (ID numbers, phones), each in normal form, as one
    space-padded string: " 001203012345 0912345678 " (matched with " number ")."""
    found: Iterable[str] = (normal_phone(v) for v in values if v)
    unique = list(dict.fromkeys(n for n in found if n))
    return f" {' '.join(unique)} " if unique else ""
