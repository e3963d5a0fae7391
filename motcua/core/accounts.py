"""Citizens' accounts: what an e-mail address or a mobile number is, and the rules of the
one-time codes that verify them (how long a code lives, how many tries, how often it may be
sent again). Pure: the clock comes in as `now`, the random source as `rng`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from motcua.core import text
from motcua.core.codes import validate_id_number
from motcua.core.contact import digits, normal_phone
from motcua.core.errors import DomainError, InvalidInput, PermissionDenied, ValidationError, _

EMAIL = "email"
PHONE = "phone"

# Vietnamese mobile numbers after the 2018 renumbering: 10 digits, 03x, 05x, 07x, 08x, 09x.
_MOBILE = re.compile(r"0[35789][0-9]{8}")
# An address a mailbox can have: one "@", a dotted domain, no spaces; the form field checks
# it more closely (Django's EmailValidator), this is the rule the core keeps.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
EMAIL_MAX = 254


@dataclass(frozen=True)
class Contact:
    """An address an account is reached and found by, in normal form."""

    kind: str  # EMAIL or PHONE
    value: str

    def masked(self) -> str:
        """The address shown back without giving it away whole: "l***@example.vn", "0912***678"."""
        if self.kind == EMAIL:
            local, _at, domain = self.value.partition("@")
            return f"{local[:1]}***@{domain}"
        return f"{self.value[:4]}***{self.value[-3:]}"


def normal_mobile(value: str) -> str:
    """A Vietnamese mobile number in national form ("0912345678"), however it was written."""
    number = normal_phone(value.strip())
    if not _MOBILE.fullmatch(number):
        raise ValidationError(
            _(
                "Số điện thoại di động không đúng: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 "
                "hoặc 09 (ví dụ 0912 345 678)."
            ),
            field="phone",
            value=value,
        )
    return number


def normal_email(value: str) -> str:
    """An e-mail address compared without regard to case (and NFC)."""
    address = text.nfc(value.strip()).lower()
    if len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address):
        raise ValidationError(
            _("Địa chỉ thư điện tử không đúng (ví dụ: ten@example.vn)."),
            field="email",
            value=value,
        )
    return address


def parse_contact(value: str) -> Contact:
    """What a person typed to sign up or sign in: an e-mail address (it has "@") or a mobile."""
    if "@" in value:
        try:
            return Contact(EMAIL, normal_email(value))
        except ValidationError as exc:
            raise ValidationError(exc.template, field="identifier", value=value) from None
    try:
        return Contact(PHONE, normal_mobile(value))
    except ValidationError:
        raise ValidationError(
            _(
                "Hãy nhập địa chỉ thư điện tử (ví dụ ten@example.vn) hoặc số điện thoại di động "
                "10 chữ số (ví dụ 0912 345 678)."
            ),
            field="identifier",
            value=value,
        ) from None


# --- one-time codes ----------------------------------------------------------------------


@dataclass(frozen=True)
class CodePolicy:
    """How long a code lives, how many wrong tries it takes, and how often one is sent."""

    lifetime: timedelta = timedelta(minutes=15)
    max_tries: int = 5
    resend_gap: timedelta = timedelta(seconds=60)
    per_hour: int = 5
    digits: int = 6


class CodeRefused(DomainError):
    code = "code_refused"


class ResendTooSoon(PermissionDenied):
    """A code (or a reset link) was sent to this address a moment ago, or too often."""

    code = "resend_too_soon"


def new_code(policy: CodePolicy, rng: secrets.SystemRandom | None = None) -> str:
    """A code of `policy.digits` digits from the system's secure random source."""
    source = rng or secrets.SystemRandom()
    return "".join(str(source.randrange(10)) for _ in range(policy.digits))


def normal_code(value: str) -> str:
    """The digits of what was typed ("123 456", "123-456", full-width digits)."""
    return digits(value.strip()) or ""


@dataclass(frozen=True)
class CodeState:
    """A code as stored: when it was sent and expires, tries so far, whether it was used."""

    expires_at: datetime
    tries: int
    used: bool


def check_code_usable(state: CodeState, policy: CodePolicy, now: datetime) -> None:
    """Refuse a code that was used, has expired or has had all its tries."""
    if state.used:
        raise CodeRefused(
            _("Mã này đã được dùng. Hãy yêu cầu gửi mã mới."), field="code", reason="used"
        )
    if now >= state.expires_at:
        raise CodeRefused(
            _("Mã đã hết hạn. Hãy bấm «Gửi lại mã» để nhận mã mới."), field="code", reason="expired"
        )
    if state.tries >= policy.max_tries:
        raise CodeRefused(
            _("Đã nhập sai quá {tries} lần. Hãy bấm «Gửi lại mã» để nhận mã mới."),
            field="code",
            reason="tries",
            tries=policy.max_tries,
        )


def wrong_code(state: CodeState, policy: CodePolicy) -> CodeRefused:
    """The error for a wrong code, once the failed try is counted in `state`."""
    left = policy.max_tries - state.tries
    if left <= 0:
        return CodeRefused(
            _("Mã không đúng. Đã nhập sai quá {tries} lần; hãy bấm «Gửi lại mã» để nhận mã mới."),
            field="code",
            reason="tries",
            tries=policy.max_tries,
        )
    return CodeRefused(
        _("Mã không đúng. Còn {left} lần thử."), field="code", reason="wrong", left=left
    )


def check_resend(sent: Sequence[datetime], policy: CodePolicy, now: datetime) -> None:
    """Refuse to send another code or link to an address sent one `resend_gap` ago, or
    `per_hour` within the last hour (`sent`: when each earlier one went, any order)."""
    recent = [t for t in sent if now - timedelta(hours=1) < t <= now]
    if recent and now - max(recent) < policy.resend_gap:
        wait = policy.resend_gap - (now - max(recent))
        raise ResendTooSoon(
            _("Mã vừa được gửi. Vui lòng đợi {seconds} giây rồi thử lại."),
            seconds=max(1, int(wait.total_seconds())),
        )
    if len(recent) >= policy.per_hour:
        oldest = min(recent)
        wait = oldest + timedelta(hours=1) - now
        raise ResendTooSoon(
            _("Đã gửi {count} lần trong một giờ. Vui lòng thử lại sau {minutes} phút."),
            count=len(recent),
            minutes=max(1, int(wait.total_seconds() // 60) + 1),
        )


# --- an external identity provider's claims ----------------------------------------------

# Which claim holds what, by default the names of OpenID Connect's standard claims; a province
# whose provider names the ID number otherwise sets it in OIDC_CLAIMS.
DEFAULT_CLAIMS: Mapping[str, str] = {
    "subject": "sub",
    "full_name": "name",
    "id_number": "id_number",
    "phone": "phone_number",
    "phone_verified": "phone_number_verified",
    "email": "email",
    "email_verified": "email_verified",
    "address": "address",
}


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in: its subject, and what of the profile it vouches for.
    An address is kept only when the provider says it verified it; a malformed value is
    dropped rather than stored."""

    subject: str
    full_name: str = ""
    id_number: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""


def _claim(claims: Mapping[str, object], names: Mapping[str, str], key: str) -> object:
    return claims.get(names.get(key, DEFAULT_CLAIMS[key]))


def _text_claim(value: object, limit: int) -> str:
    if isinstance(value, Mapping):  # OIDC's address claim is an object with "formatted"
        value = value.get("formatted", "")
    if not isinstance(value, str):
        return ""
    cleaned = " ".join(text.nfc(value).split())
    return cleaned[:limit] if not text.bad_characters(cleaned) else ""


def identity_from_claims(
    claims: Mapping[str, object], names: Mapping[str, str] | None = None
) -> ProviderIdentity:
    """The identity in a provider's claims (ID token and userinfo merged)."""
    names = names or {}
    subject = _claim(claims, names, "subject")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        raise ValidationError(_("Dịch vụ đăng nhập không cho biết người đăng nhập là ai."))
    id_number = ""
    raw_id = _text_claim(_claim(claims, names, "id_number"), 40)
    if raw_id:
        try:
            id_number = validate_id_number(raw_id)[0]
        except ValidationError:
            id_number = ""
    email = ""
    raw_email = _text_claim(_claim(claims, names, "email"), EMAIL_MAX)
    if raw_email and _claim(claims, names, "email_verified") is True:
        try:
            email = normal_email(raw_email)
        except ValidationError:
            email = ""
    phone = ""
    raw_phone = _text_claim(_claim(claims, names, "phone"), 30)
    if raw_phone and _claim(claims, names, "phone_verified") is True:
        try:
            phone = normal_mobile(raw_phone)
        except ValidationError:
            phone = ""
    return ProviderIdentity(
        subject=subject.strip(),
        full_name=_text_claim(_claim(claims, names, "full_name"), 200),
        id_number=id_number,
        address=_text_claim(_claim(claims, names, "address"), 300),
        email=email,
        phone=phone,
    )


# ---------------------------------------------------------------------------------------------
# Closing an account


def check_closing(*, has_password: bool, password_ok: bool, confirmed: bool) -> None:
    """Whether the signed-in citizen may close the account now: they must say they understand
    (`confirmed`), and an account with a password must be given it again (a session left open
    on a shared computer is not enough to erase someone's account). An account made by an
    identity provider has no password: the confirmation alone closes it. Every problem at
    once."""
    problems = []
    if not confirmed:
        problems.append(
            ValidationError(
                _("Hãy đánh dấu xác nhận rằng bạn hiểu việc đóng tài khoản không hoàn tác được."),
                field="confirm",
            )
        )
    if has_password and not password_ok:
        problems.append(ValidationError(_("Mật khẩu không đúng."), field="password"))
    if problems:
        raise InvalidInput(problems)
