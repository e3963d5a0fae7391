"""Personas and a small world shared by the database tests.

Personas: Lan (desk officer at Phường Hoàn Kiếm), Đức (specialist there), Sơn (unit
leader), Long (chairman, head of the commune), Tâm (commune police), Hà (desk officer at the
city centre), Minh (specialist at the Department of Justice), Nam (its director).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    """A local Hà Nội time from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashes passwords slowly on purpose; tests create a dozen users each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _refresh_from_cache(settings):
    """The tracking page answers a right refresh from its kept page, as deployed with Redis:
    the tests' cache is one process's, but so is everything a test writes."""
    settings.TRACKING_REFRESH_FROM_CACHE = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached: on SQLite a rolled-back test's ids come back."""
    from django.core.cache import cache

    from motcua.caching import Family

    cache.clear()
    Family.drop_local_copies()


@pytest.fixture
def world(db):
    """Two communes with their police, the city centre, one department, their staff, and a
    catalog of three procedures (same-day, 3 working days across two agencies, provincial)."""
    from tests.factories import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Scans go to a directory of the test's own, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _force_login_completes_the_second_factor(monkeypatch):
    """A test's `client.force_login(user)` is a finished sign-in, second factor included (as
    if the user had given the code); `tests/desk/test_second_factor.py` plays the real steps,
    and `ClientMixin.force_login` stays the password-only session an adversary might hold."""
    from django.test import Client
    from django.test.client import ClientMixin
    from django.utils import timezone

    from motcua.desk.middleware import LAST_SEEN, SECOND_FACTOR, VERIFIED

    def force_login(self, user, backend=None):
        ClientMixin.force_login(self, user, backend)
        session = self.session
        session[SECOND_FACTOR] = VERIFIED
        session[LAST_SEEN] = timezone.now().isoformat()  # as the sign-in does
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _no_idle_sign_out(settings):
    """Tests play whole days on a moved clock while signed in; the idle sign-out has its own
    tests (tests/desk/test_sessions.py), which set the real limit."""
    settings.STAFF_IDLE_MINUTES = 60 * 24 * 3650
