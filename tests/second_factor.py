"""Giving the second factor as a person would: the code their authenticator app shows."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(key: bytes, *, steps_ahead: int = 0, at: float | None = None) -> str:
    """The 6 digits an app holding this key shows now (or `steps_ahead` 30 s steps later)."""
    totp = TOTP(key)
    totp.time = (time.time() if at is None else at) + 30 * steps_ahead
    return f"{totp.token():06d}"


def code_from_secret(secret_text: str, **kw) -> str:
    """The code for the secret as the enrolment page prints it (base32 in groups)."""
    text = secret_text.replace(" ", "")
    return code_for(base64.b32decode(text + "=" * (-len(text) % 8)), **kw)


def unused_code(username: str) -> str:
    """A code the user's app would show that the server has not taken yet: this step's, the
    next one's (within the tolerance of one step), else one of the recovery codes."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now_t = int(time.time() // 30)
    for ahead in (0, 1):
        if now_t + ahead > device.last_t:
            return code_for(device.bin_key, steps_ahead=ahead)
    token = StaticToken.objects.filter(device__user__username=username).first()
    assert token is not None, "the recovery codes are spent"
    return token.token
