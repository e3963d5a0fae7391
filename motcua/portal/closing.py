"""Closing a citizen's account (issue 11, docs/privacy.md): one transaction across the apps
that hold what the account owns — its drafts emptied, its bookings given back, the account
emptied of every personal value. The dossiers it lodged stay with their agencies."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from motcua.appointments.services import bookings_cancel_for_citizen
from motcua.citizens.services import citizen_close, citizen_hold, closing_password_ok
from motcua.online.services import drafts_close_for_citizen


def account_close(*, citizen_id: int, password: str, confirmed: bool, now: datetime) -> None:
    """Close the account, or raise InvalidInput (no confirmation, a wrong password) having
    changed nothing but the count of wrong passwords (SignInLocked after too many)."""
    password_ok = closing_password_ok(citizen_id=citizen_id, password=password, now=now)
    with transaction.atomic():
        citizen_hold(citizen_id=citizen_id)  # one closing at a time, and no draft started now
        citizen_close(citizen_id=citizen_id, password_ok=password_ok, confirmed=confirmed, now=now)
        drafts_close_for_citizen(citizen_id=citizen_id, now=now)
        bookings_cancel_for_citizen(citizen_id=citizen_id, now=now)
