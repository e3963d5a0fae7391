"""Codes of the domain: agency e-IDs, dossier codes, tracking secrets, ID numbers, procedures."""

from __future__ import annotations

import hmac
import random
import re
import secrets
from dataclasses import dataclass
from datetime import date

from motcua.core.errors import Text, ValidationError, _

# --- Agency electronic ID (mã định danh điện tử, QĐ 20/2020/QĐ-TTg as amended) ---------------

AGENCY_CODE_MAX_LENGTH = 35
_AGENCY_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.")
_AGENCY_LEVEL_1 = re.compile(r"[A-Z][0-9]{2}")
# [check] Groups below level 1 are usually two digits (H26.22, H15.50.05.13); we accept one to
# three so that a unit numbered 100 or a legacy one-digit code is not refused at the desk.
_AGENCY_LOWER_LEVEL = re.compile(r"[0-9]{1,3}")


def validate_agency_code(s: str) -> str:
    """Check an agency e-ID and return it trimmed and upper-cased."""
    code = s.strip().upper()
    if not code:
        raise ValidationError(_("Mã định danh cơ quan không được để trống."), value=s)
    # Checked before upper-casing too: "ſ".upper() is "S", and such a code must not pass.
    bad = sorted({ch for ch in s.strip() if not ch.isascii() or ch.upper() not in _AGENCY_CHARS})
    if len(code) > AGENCY_CODE_MAX_LENGTH:
        raise ValidationError(
            _("Mã định danh cơ quan dài {length} ký tự, vượt quá {max_length} ký tự cho phép."),
            value=s,
            length=len(code),
            max_length=AGENCY_CODE_MAX_LENGTH,
        )
    if bad:
        shown = ", ".join(f"«{ch}»" for ch in bad)
        raise ValidationError(
            _(
                "Mã định danh cơ quan chứa ký tự không hợp lệ: {shown}; "
                "chỉ được dùng chữ số 0–9, chữ cái A–Z và dấu chấm."
            ),
            value=s,
            characters=bad,
            shown=shown,
        )
    groups = code.split(".")
    if any(not group for group in groups):
        raise ValidationError(
            _(
                "Mã định danh cơ quan có nhóm rỗng "
                "(dấu chấm ở đầu, ở cuối hoặc hai dấu chấm liền nhau)."
            ),
            value=s,
        )
    if not _AGENCY_LEVEL_1.fullmatch(groups[0]):
        raise ValidationError(
            _(
                "Nhóm đầu «{group}» của mã định danh cơ quan phải gồm một chữ cái và hai chữ số "
                "(ví dụ G01, H26)."
            ),
            value=s,
            group=groups[0],
        )
    for level, group in enumerate(groups[1:], start=2):
        if not _AGENCY_LOWER_LEVEL.fullmatch(group):
            raise ValidationError(
                _(
                    "Nhóm cấp {level} «{group}» của mã định danh cơ quan "
                    "phải gồm từ 1 đến 3 chữ số."
                ),
                value=s,
                level=level,
                group=group,
            )
    return code


def is_agency_code(s: str) -> bool:
    """Tell whether a string is a valid agency e-ID."""
    try:
        validate_agency_code(s)
    except ValidationError:
        return False
    return True


def agency_code_level(code: str) -> int:
    """Return the level of an agency e-ID: 1 for H26, 2 for H26.22, and so on."""
    return validate_agency_code(code).count(".") + 1


def agency_code_parent(code: str) -> str | None:
    """Return the e-ID one level up (H26.22.05 -> H26.22), or None at level 1."""
    normalized = validate_agency_code(code)
    parent, dot, _last = normalized.rpartition(".")
    return parent if dot else None


# --- Dossier code (mã hồ sơ) ------------------------------------------------------------------

# The agency part never contains "-", so the code splits without ambiguity. The optional two
# letters are the national variant (TT 04/2025). The sequence is capped at 9 digits so a
# pasted wall of digits is refused instead of parsed; peaks are 10^5 dossiers a day.
_DOSSIER_CODE = re.compile(
    r"(?P<agency>[^-]+)-(?P<day>[0-9]{6})-(?P<prefix>[A-Z]{2})?(?P<seq>[0-9]{4,9})"
)
_DOSSIER_PREFIX = re.compile(r"[A-Z]{2}")
DOSSIER_SEQ_MAX = 999_999_999
_DOSSIER_FORMAT_HINT = Text(_("«mã định danh cơ quan-YYMMDD-số thứ tự» (ví dụ H26.22-261125-0042)"))


@dataclass(frozen=True)
class DossierCode:
    """The parts of a dossier code."""

    agency_code: str
    day: date
    seq: int
    prefix: str = ""

    def __str__(self) -> str:
        """Return the code in its canonical spelling."""
        return format_dossier_code(self.agency_code, self.day, self.seq, self.prefix)


def format_dossier_code(agency_code: str, day: date, seq: int, prefix: str = "") -> str:
    """Build the dossier code for the seq-th dossier an agency received on a day."""
    agency = validate_agency_code(agency_code)
    if not 2000 <= day.year <= 2099:
        # YYMMDD is read back as 20YY; any other century would not round-trip.
        raise ValidationError(
            _("Ngày tiếp nhận {day} nằm ngoài khoảng 2000–2099 của mã hồ sơ."),
            day=day.isoformat(),
        )
    if not 1 <= seq <= DOSSIER_SEQ_MAX:
        raise ValidationError(
            _("Số thứ tự hồ sơ trong ngày phải từ 1 đến {max_seq}, nhận được {seq}."),
            seq=seq,
            max_seq=DOSSIER_SEQ_MAX,
        )
    letters = prefix.strip().upper()
    if letters and not _DOSSIER_PREFIX.fullmatch(letters):
        raise ValidationError(
            _("Tiền tố «{prefix}» của số thứ tự hồ sơ phải gồm đúng hai chữ cái A–Z."),
            prefix=prefix,
        )
    return f"{agency}-{day:%y%m%d}-{letters}{seq:04d}"


def _bad_dossier_code(s: str, reason: str, part: str, **details: object) -> ValidationError:
    """Build the error for a dossier code that does not parse."""
    return ValidationError(
        _("Mã hồ sơ «{code}» không đúng định dạng {hint}: {reason}"),
        value=s,
        part=part,
        code=s.strip(),
        hint=_DOSSIER_FORMAT_HINT,
        reason=reason,
        **details,
    )


def parse_dossier_code(s: str) -> DossierCode:
    """Split a dossier code into its parts, checking each one."""
    code = s.strip().upper()
    match = _DOSSIER_CODE.fullmatch(code) if s.strip().isascii() else None
    if match is None:
        raise ValidationError(
            _("Mã hồ sơ «{code}» không đúng định dạng {hint}."),
            value=s,
            part="shape",
            code=s.strip(),
            hint=_DOSSIER_FORMAT_HINT,
        )
    try:
        agency = validate_agency_code(match["agency"])
    except ValidationError as exc:
        # The agency part's own message, with its values, as the reason (translated too).
        inner = {k: v for k, v in exc.details.items() if k != "value"}
        raise _bad_dossier_code(s, Text(exc.template), "agency", **inner) from exc
    digits = match["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError as exc:
        raise _bad_dossier_code(
            s, Text(_("ngày «{digits}» không có trên lịch.")), "day", digits=digits
        ) from exc
    seq_digits = match["seq"]
    # One spelling per dossier: the sequence is padded to four digits and no further.
    if len(seq_digits) > 4 and seq_digits.startswith("0"):
        raise _bad_dossier_code(
            s, Text(_("số thứ tự «{digits}» có chữ số 0 thừa ở đầu.")), "seq", digits=seq_digits
        )
    seq = int(seq_digits)
    if seq < 1:
        raise _bad_dossier_code(s, Text(_("số thứ tự phải từ 1 trở lên.")), "seq")
    return DossierCode(agency_code=agency, day=day, seq=seq, prefix=match["prefix"] or "")


def is_dossier_code(s: str) -> bool:
    """Tell whether a string is a valid dossier code."""
    try:
        parse_dossier_code(s)
    except ValidationError:
        return False
    return True


# --- Tracking secret (mã tra cứu) -------------------------------------------------------------

# No 0/O, 1/I/L: the secret is read aloud over the phone and copied from paper.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_SECRET_LENGTH = 8
_TRACKING_SEPARATORS = re.compile(r"[\s\-]+")


def new_tracking_secret(rng: random.Random | None = None) -> str:
    """Draw a tracking secret, grouped XXXX-XXXX; rng is for tests, secrets otherwise."""
    choose = secrets.choice if rng is None else rng.choice
    chars = "".join(choose(TRACKING_ALPHABET) for _i in range(TRACKING_SECRET_LENGTH))
    half = TRACKING_SECRET_LENGTH // 2
    return f"{chars[:half]}-{chars[half:]}"


def normalize_tracking_secret(s: str) -> str:
    """Return a tracking secret upper-cased without spaces or dashes, or refuse it."""
    compact = _TRACKING_SEPARATORS.sub("", s)
    bad = sorted({ch for ch in compact if not ch.isascii() or ch.upper() not in TRACKING_ALPHABET})
    compact = compact.upper()
    if bad:
        shown = ", ".join(f"«{ch}»" for ch in bad)
        raise ValidationError(
            _(
                "Mã tra cứu chứa ký tự không hợp lệ: {shown}. Mã tra cứu không dùng các ký tự "
                "0, O, 1, I, L."
            ),
            characters=bad,
            shown=shown,
        )
    if len(compact) != TRACKING_SECRET_LENGTH:
        raise ValidationError(
            _("Mã tra cứu phải gồm {expected} ký tự, nhận được {length}."),
            length=len(compact),
            expected=TRACKING_SECRET_LENGTH,
        )
    return compact


def secrets_match(a: str, b: str) -> bool:
    """Compare two tracking secrets in constant time; a malformed one matches nothing."""
    try:
        left = normalize_tracking_secret(a)
        right = normalize_tracking_secret(b)
    except ValidationError:
        return False
    return hmac.compare_digest(left, right)


# --- ID numbers: personal ID, tax code / enterprise code --------------------------------------

# [check] Province (place of birth registration) prefixes of the 12-digit personal ID run from
# 001 (Hà Nội) to 096 (Cà Mau) with gaps (TT 07/2016/TT-BCA); we check only the range, and how
# the 2025 provincial mergers affect newly issued numbers is not confirmed.
PERSONAL_ID_PROVINCE_MIN = 1
PERSONAL_ID_PROVINCE_MAX = 96
# Tax-code check digit: the 10th digit is 10 - (weighted sum of the first nine mod 11).
_TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_ID_SPACES = re.compile(r"\s+")
_BRANCH_TAX_CODE = re.compile(r"([0-9]{10})-?([0-9]{3})")


def _tax_check_digit_ok(code: str) -> bool:
    """Tell whether the 10th digit of a tax code matches the first nine."""
    total = sum(int(d) * w for d, w in zip(code[:9], _TAX_CODE_WEIGHTS, strict=True))
    return (10 - total % 11) == int(code[9])


def validate_id_number(s: str) -> tuple[str, str]:
    """Check a personal ID or organisation code; return (normalized, "personal"|"organisation")."""
    number = _ID_SPACES.sub("", s)
    if not number:
        raise ValidationError(_("Số định danh không được để trống."), value=s)
    branch = _BRANCH_TAX_CODE.fullmatch(number)
    if branch is not None:
        head, unit = branch.groups()
        _check_tax_code(head, s)
        if unit == "000":
            raise ValidationError(
                _("Ba chữ số cuối «{unit}» của mã số thuế đơn vị phụ thuộc phải từ 001 đến 999."),
                value=s,
                unit=unit,
            )
        return f"{head}-{unit}", "organisation"
    if not number.isascii() or not number.isdigit():
        raise ValidationError(
            _(
                "Số định danh chỉ được gồm chữ số (mã số thuế đơn vị phụ thuộc viết dạng "
                "NNNNNNNNNN-NNN)."
            ),
            value=s,
        )
    if len(number) == 12:
        province = int(number[:3])
        if not PERSONAL_ID_PROVINCE_MIN <= province <= PERSONAL_ID_PROVINCE_MAX:
            raise ValidationError(
                _(
                    "Ba chữ số đầu «{province}» của số định danh cá nhân không phải mã tỉnh "
                    "nơi đăng ký khai sinh (001–096)."
                ),
                value=s,
                province=number[:3],
            )
        return number, "personal"
    if len(number) == 10:
        _check_tax_code(number, s)
        return number, "organisation"
    if len(number) == 9:
        raise ValidationError(
            _(
                "Số chứng minh nhân dân 9 chữ số không còn được dùng; vui lòng nhập số định danh "
                "cá nhân 12 chữ số."
            ),
            value=s,
        )
    raise ValidationError(
        _(
            "Số định danh có {length} chữ số; số định danh cá nhân có 12 chữ số, mã số thuế "
            "hoặc mã số doanh nghiệp có 10 chữ số (hoặc 13 chữ số dạng NNNNNNNNNN-NNN)."
        ),
        value=s,
        length=len(number),
    )


def _check_tax_code(code: str, raw: str) -> None:
    """Refuse a 10-digit tax code whose check digit is wrong."""
    if not _tax_check_digit_ok(code):
        raise ValidationError(
            _("Mã số thuế «{code}» sai chữ số kiểm tra (chữ số thứ 10); vui lòng kiểm tra lại."),
            value=raw,
            code=code,
        )


# --- Procedure codes (National Database on Administrative Procedures) -------------------------

# [practice] A national code is one digit, a dot and six digits (1.001612); a published
# instance appends the publishing agency in the portal's four-group form (.000.00.00.H26).
_PROCEDURE_CODE = re.compile(r"[0-9]\.[0-9]{6}(?:\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})?")


def validate_procedure_code(s: str) -> str:
    """Check a procedure code (1.001612 or 2.000908.000.00.00.H26); return it normalized."""
    code = s.strip().upper()
    if not s.strip().isascii() or not _PROCEDURE_CODE.fullmatch(code):
        raise ValidationError(
            _(
                "Mã thủ tục hành chính «{code}» không đúng định dạng: cần dạng 1.001612, "
                "hoặc 2.000908.000.00.00.H26 cho thủ tục đã công bố tại cơ quan."
            ),
            value=s,
            code=s.strip(),
        )
    return code


# The largest row id any of our databases stores (a signed 64-bit integer): an address's
# number past it names nothing, and SQLite cannot even be asked about it (an OverflowError).
MAX_ROW_ID = 2**63 - 1


def is_row_id(value: int) -> bool:
    """Whether a number taken from an address could be a row's id at all."""
    return 0 < value <= MAX_ROW_ID
