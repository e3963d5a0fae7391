"""Keeping ID numbers out of what is written down on the way: logs and addresses.

A citizen's ID number (số định danh cá nhân, 12 digits) identifies them for life; it has no
place in a log line nor in a URL, which every proxy, browser history and access log keeps.
"""

from __future__ import annotations

import re

from motcua.core.contact import search_number

# Twelve digits not part of a longer run, however grouped ("001203012345", "001 203 012 345",
# "001.203.012.345"): the personal ID number. A dossier code's groups are shorter.
ID_NUMBER = re.compile(r"(?<![\d])\d{3}(?:[ .\-]?\d{3}){3}(?![\d])")
# A Vietnamese mobile, as people write it ("0912345678", "0912 345 678", "+84 912 345 678").
PHONE = re.compile(r"(?<![\d+])(?:\+84[ .\-]?|0)[35789]\d(?:[ .\-]?\d){7}(?![\d])")
MASK = "[đã che]"


def mask_numbers(text: str) -> str:
    """`text` with every ID number and mobile number in it replaced by a mark."""
    return PHONE.sub(MASK, ID_NUMBER.sub(MASK, text))


def names_a_number(query: str) -> bool:
    """Whether a search is for an ID number or a phone (only digits and separators, at least
    as many digits as a number search needs): such a query never goes into an address."""
    return search_number(query) is not None


def mask_id_number(number: str) -> str:
    """An ID number as another system is shown it: all but the last three digits hidden
    ("*********345"), enough to tell two applicants apart, not to use the number; a number too
    short to keep any digits is the mark alone."""
    digits = number.strip()
    if len(digits) < 9:
        return MASK
    return "*" * (len(digits) - 3) + digits[-3:]
