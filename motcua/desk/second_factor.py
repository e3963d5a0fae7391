"""Staff's second factor, through django-otp: a TOTP device (an authenticator app) confirmed
with a code, ten one-time recovery codes on a static device, the check after the password
(each wrong code counted by the sign-in's limits), and an administrator's reset."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.errors import DomainError
from motcua.desk.signin import Attempt, sessions_end_all

RECOVERY_CODES = 10
APP = "app"  # the name of the TOTP device a person enrols
RECOVERY = "recovery"


class NotEnrolling(DomainError):
    code = "second_factor_not_enrolling"


def enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (a new secret unless one is waiting)."""
    waiting = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if waiting is not None:
        return waiting
    return TOTPDevice.objects.create(user=user, name=APP, confirmed=False)


def enrolment_confirm(*, user: User, code: str, attempt: Attempt) -> list[str]:
    """Confirm the waiting device with a code from it; return the ten recovery codes, shown
    once. Any earlier device of the user is replaced. A wrong code is a wrong try."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise NotEnrolling(_("Hãy bắt đầu lại việc cài đặt xác thực hai lớp."))
        right = device.verify_token(code.strip())
        if right:
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            StaticDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
            recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
            codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
            StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    if not right:
        raise attempt.failed(_("Mã xác thực không đúng hoặc đã hết hạn."))
    attempt.succeeded()
    return codes


def _recovery_code() -> str:
    # 10 characters of an alphabet without look-alikes (0/O, 1/l/I): 50 bits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def second_factor_verify(*, user: User, code: str, attempt: Attempt) -> TOTPDevice | StaticDevice:
    """The device a right code came from: the app's code of a time step not used before, or
    an unused recovery code (then spent). The user's devices are locked while checking, so
    one code sent twice at once is taken once. A wrong code is a wrong try."""
    code = code.strip().replace(" ", "").lower()
    device: TOTPDevice | StaticDevice | None = None
    with transaction.atomic():
        app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        recovery = (
            StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        )
        if app is not None and code.isdigit() and app.verify_token(code):
            device = app
        elif recovery is not None and not code.isdigit() and recovery.verify_token(code):
            device = recovery
    if device is None:
        raise attempt.failed(_("Mã xác thực không đúng hoặc đã được dùng."))
    attempt.succeeded()
    return device


def second_factor_enrol_fixed(*, user: User, secret: str, codes: list[str]) -> None:
    """Enrol a known secret and recovery codes: for the demo only, whose accounts must be
    tried without anyone's phone (the demo prints both)."""
    key = base64.b32decode(secret.replace(" ", "")).hex()
    TOTPDevice.objects.create(user=user, name=APP, key=key, confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)


def second_factor_reset(*, user: User, now: datetime) -> int:
    """Remove the user's devices and end their sessions (an administrator's reset: the admin
    records who and when); the user enrols again at the next sign-in. Returns how many
    devices were removed."""
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    static, _detail = StaticDevice.objects.filter(user=user).delete()
    sessions_end_all(user=user, now=now)
    return int(removed + static)


def confirmed_app(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app."""
    return TOTPDevice.objects.get(user=user, confirmed=True)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
