"""The titles above a signature (NĐ 30/2020 Phụ lục I, mục II): who signs for whom.

A People's Committee is a collective body: its chairman signs "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
a vice-chairman "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH". Any other body is led by its
head: the head signs under their own title ("GIÁM ĐỐC"), a deputy "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC".
Which applies is read from the signer's post (its title), never assumed.
"""

from __future__ import annotations

import unicodedata

COLLECTIVE_KINDS = frozenset({"commune", "province"})  # Ủy ban nhân dân at either tier
COLLECTIVE = "ỦY BAN NHÂN DÂN"
CHAIRMAN = "CHỦ TỊCH"
HEAD = "THỦ TRƯỞNG CƠ QUAN"  # a head whose post gives no title


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).upper()


def is_deputy(title: str) -> bool:
    """Whether a post is a deputy's: 'Phó Chủ tịch', 'Phó Giám đốc', 'Phó Trưởng Công an'."""
    return _upper(title).startswith("PHÓ ")


def signature_titles(*, kind: str, title: str) -> list[str]:
    """The lines above the signature of the head of a body of this kind, or of a deputy
    signing for the head (KT.), read from the signer's post title."""
    deputy = is_deputy(title)
    if kind in COLLECTIVE_KINDS:
        lines = [f"TM. {COLLECTIVE}"]
        return [*lines, f"KT. {CHAIRMAN}", f"PHÓ {CHAIRMAN}"] if deputy else [*lines, CHAIRMAN]
    shown = _upper(title)
    if not shown:
        return [HEAD]
    if deputy:
        head = shown.removeprefix("PHÓ ").strip()
        return [f"KT. {head}", shown]
    return [shown]
