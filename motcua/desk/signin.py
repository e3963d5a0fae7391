"""Staff sign-in, the one door for the staff workspace and the admin: guessing limits per
account and source, per source and per account (motcua/core/signin.py), counted in the
database by compare-and-set before any password is checked."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core import signin as rule
from motcua.core import throttle
from motcua.core.errors import DomainError, PermissionDenied
from motcua.desk.models import SignInAttempt, SignInCounter
from motcua.organization.selectors import actor_for_user


class SignInLocked(PermissionDenied):
    """Too many failures: refused for a while, even with the right password."""

    code = "signin_locked"


class SignInFailed(DomainError):
    code = "signin_failed"


def policy() -> rule.Policy:
    """The limits, from settings."""
    return rule.Policy(
        pair_tries=settings.SIGNIN_MAX_FAILURES,
        source_tries=settings.SIGNIN_MAX_FAILURES_PER_SOURCE,
        account_tries=settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
        window_seconds=settings.SIGNIN_LOCK_MINUTES * 60,
        account_window_seconds=settings.SIGNIN_ACCOUNT_WINDOW_MINUTES * 60,
        known_source_days=settings.SIGNIN_KNOWN_SOURCE_DAYS,
    )


def _digest(*parts: str) -> str:
    # What was typed never goes into a key as it is (length, characters).
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _locked(refusal: rule.Refusal) -> SignInLocked:
    minutes = math.ceil(refusal.seconds / 60)
    if refusal.scope == rule.ACCOUNT:
        message = _(
            "Tài khoản này đang bị thử mật khẩu nhiều lần từ nơi khác, nên tạm thời chỉ đăng "
            "nhập được từ máy đã từng đăng nhập. Vui lòng thử lại sau %(minutes)s phút hoặc "
            "liên hệ quản trị hệ thống."
        )
    elif refusal.scope == rule.SOURCE:
        message = _(
            "Máy này đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút "
            "hoặc liên hệ quản trị hệ thống."
        )
    else:
        message = _(
            "Tài khoản tạm khóa %(minutes)s phút do đăng nhập sai nhiều lần. "
            "Vui lòng thử lại sau hoặc liên hệ quản trị hệ thống."
        )
    return SignInLocked(message % {"minutes": minutes})


class Attempt:
    """One try, already counted under every limit that applies to it."""

    def __init__(self, username: str, ip: str | None, now: datetime) -> None:
        self.username = username.strip()
        self.ip = ip
        self.now = now
        self.source = throttle.source_key(ip)
        self.policy = policy()
        self._stamp = now.timestamp()
        since = now - timedelta(days=self.policy.known_source_days)
        self.known_source = SignInAttempt.objects.filter(
            username__iexact=self.username, source=self.source, signed_in=True, at__gte=since
        ).exists()
        subjects = rule.subjects(self.username, self.source)
        self.limits = rule.limits(self.policy, known_source=self.known_source)
        self.keys = {
            limit.scope: (limit, _digest(*subjects[limit.scope]), limit.window(self._stamp))
            for limit in self.limits
        }
        self._take()

    def _counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for scope, (_limit, key, window) in self.keys.items():
            row = SignInCounter.objects.filter(scope=scope, key=key, window=window).first()
            counts[scope] = 0 if row is None else row.count
        return counts

    def _take(self) -> None:
        """Count this try under every limit, or raise SignInLocked having counted nothing."""
        refused = None
        with transaction.atomic():
            # One order for every try, so that two tries never wait on each other's rows.
            for scope, (limit, key, window) in sorted(self.keys.items()):
                SignInCounter.objects.filter(scope=scope, key=key, window__lt=window).delete()
                SignInCounter.objects.get_or_create(scope=scope, key=key, window=window)
                raised = SignInCounter.objects.filter(
                    scope=scope, key=key, window=window, count__lt=limit.tries
                ).update(count=F("count") + 1)
                if not raised:
                    refused = limit
                    transaction.set_rollback(True)
                    break
        if refused is not None:
            found = rule.refusal(
                self.policy, self._counts(), known_source=self.known_source, now=self._stamp
            )
            raise _locked(found or rule.Refusal(refused.scope, refused.seconds_left(self._stamp)))

    def failed(self, message: str) -> SignInFailed | SignInLocked:
        """The error for a wrong password or code: locked once the pair's last try is used."""
        self._record(succeeded=False)
        limit = self.keys[rule.PAIR][0]
        left = rule.tries_left(self.policy, self._counts()[rule.PAIR])
        if left <= 0:
            return _locked(rule.Refusal(rule.PAIR, limit.seconds_left(self._stamp)))
        if left <= 2:
            message += " " + _("Còn %(left)s lần thử trước khi tài khoản bị tạm khóa.") % {
                "left": left
            }
        return SignInFailed(message)

    def succeeded(self, *, complete: bool = True) -> None:
        """A right password or code: its try is given back and the pair starts again. Only a
        complete sign-in (not a password awaiting its second factor) makes the source known."""
        self._record(succeeded=True, signed_in=complete)
        with transaction.atomic():
            for scope, (_limit, key, window) in sorted(self.keys.items()):
                rows = SignInCounter.objects.filter(scope=scope, key=key, window=window)
                if scope == rule.PAIR:
                    rows.update(count=0)  # not deleted: a try being counted holds its row
                else:
                    rows.filter(count__gt=0).update(count=F("count") - 1)

    def _record(self, *, succeeded: bool, signed_in: bool = False) -> None:
        SignInAttempt.objects.create(
            username=self.username,
            ip=self.ip,
            source=self.source,
            at=self.now,
            succeeded=succeeded,
            signed_in=signed_in,
        )


def required_for(user: User | AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this user must sign in with a second factor (motcua.core.signin)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    actor = actor_for_user(user)
    return rule.second_factor_required(
        None if actor is None else actor.role, admin_access=user.is_staff or user.is_superuser
    )


def enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def next_step(user: User) -> rule.Next:
    """Where this user's right password leads."""
    return rule.after_password(required=required_for(user), enrolled=enrolled(user))


def signin_check(
    *, username: str, password: str, ip: str | None, now: datetime
) -> tuple[User, rule.Next]:
    """Authenticate, counting the try first; return the user and the step after the
    password, or raise a domain error."""
    attempt = Attempt(username, ip, now)
    user = authenticate(username=attempt.username, password=password)
    if not isinstance(user, User) or not user.is_active:
        raise attempt.failed(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    step = next_step(user)
    attempt.succeeded(complete=step is rule.Next.SIGNED_IN)
    return user, step


def sessions_end_all(*, user: User, now: datetime) -> int:
    """End every live session signed in as this user (sign-out everywhere, a second factor
    reset); return how many. Sessions are not indexed by user: the live ones are read, which
    a staff of thousands keeps small, and this is rare."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
