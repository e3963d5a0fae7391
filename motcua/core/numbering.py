"""Numbers of the official forms (TT 03/2025 Phụ lục I): "Số: 0001/TNHS-UBND".

The number is the issuing body's own: a sequence kept per form, per body and per year, then the
form's prefix and the body's symbol (ký hiệu viết tắt tên cơ quan, NĐ 30/2020 Phụ lục I) — a
ward's People's Committee writes UBND, the centre TTPVHCC, never another body's. The sequence
is allocated once and kept: a reprint shows the number first given.
"""

from __future__ import annotations

import re
import unicodedata

from motcua.core.errors import ValidationError, _

NUMBER_DIGITS = 4  # "0001": the usual width; a body issuing 10,000 a year writes "10000"
SYMBOL_MAX_LENGTH = 20
# [check] The usual symbols by kind of body when none is recorded: NĐ 30/2020 abbreviates a
# People's Committee as UBND at every level; the centres of TT 03/2025 write TTPVHCC.
KIND_SYMBOLS = {"commune": "UBND", "province": "UBND", "centre": "TTPVHCC"}
# Words an abbreviation leaves out (Sở Giáo dục và Đào tạo → SGDĐT).
_SKIPPED_WORDS = frozenset({"và", "của"})
_SYMBOL = re.compile(r"[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*")


def validate_symbol(s: str) -> str:
    """An issuing body's symbol as recorded: capitals (Đ included), digits, inner hyphens."""
    typed = unicodedata.normalize("NFC", s.strip())
    symbol = typed.upper()
    # Checked before upper-casing too: "ſ".upper() is "S", and such a symbol must not pass.
    foreign = any(not (ch.isascii() or ch in "Đđ") for ch in typed)
    if foreign or len(symbol) > SYMBOL_MAX_LENGTH or not _SYMBOL.fullmatch(symbol):
        raise ValidationError(
            _(
                "Ký hiệu cơ quan «{value}» không hợp lệ: chỉ gồm chữ in hoa, chữ số và dấu "
                "gạch nối giữa các nhóm, tối đa {max_length} ký tự (ví dụ UBND, TTPVHCC, STP)."
            ),
            value=s,
            max_length=SYMBOL_MAX_LENGTH,
        )
    return symbol


def initials(name: str) -> str:
    """The capital initials of a body's name, Đ kept: 'Sở Tư pháp' → 'STP'."""
    letters = []
    for word in unicodedata.normalize("NFC", name).split():
        if word.lower() in _SKIPPED_WORDS or not word[0].isalpha():
            continue
        first = unicodedata.normalize("NFD", word[0].upper())[0]
        letters.append(first)
    return "".join(letters)


def issuer_symbol(*, recorded: str, kind: str, name: str) -> str:
    """The symbol a body writes after its forms' prefix: the one recorded for it, else the usual
    one of its kind (UBND, TTPVHCC), else its name's initials [check]."""
    if recorded.strip():
        return validate_symbol(recorded)
    return KIND_SYMBOLS.get(kind) or initials(name)


def form_number(seq: int | None, *, prefix: str, symbol: str, blank: str = "……") -> str:
    """'0001/TNHS-UBND' for the body's sequence; with no sequence yet (a draft), the blank to
    write in by hand before the prefix and the symbol."""
    if seq is not None and seq < 1:
        raise ValidationError(_("Số thứ tự của văn bản phải từ 1 trở lên."), value=seq)
    shown = blank if seq is None else f"{seq:0{NUMBER_DIGITS}d}"
    return f"{shown}/{prefix}-{symbol}"
