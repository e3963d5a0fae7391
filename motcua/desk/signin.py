"""Staff sign-in with a lockout after repeated failures."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError, PermissionDenied
from motcua.desk.models import SignInAttempt


def _locked_message() -> str:
    return _(
        "Tài khoản tạm khóa %(minutes)s phút do đăng nhập sai nhiều lần. "
        "Vui lòng thử lại sau hoặc liên hệ quản trị hệ thống."
    )


class SignInLocked(PermissionDenied):
    """Too many failures: the account is refused for a while, even with the right password."""

    code = "signin_locked"


class SignInFailed(DomainError):
    code = "signin_failed"


def signin_check(*, username: str, password: str, ip: str | None, now: datetime) -> User:
    """Authenticate, counting failures per account; return the user or raise a domain error."""
    username = username.strip()
    window = timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)
    recent = SignInAttempt.objects.filter(username__iexact=username, at__gte=now - window)
    last_success = recent.filter(succeeded=True).order_by("-at").values_list("at", flat=True)
    failures = recent.filter(succeeded=False)
    if last_success:
        failures = failures.filter(at__gt=last_success[0])
    if failures.count() >= settings.SIGNIN_MAX_FAILURES:
        raise SignInLocked(_locked_message() % {"minutes": settings.SIGNIN_LOCK_MINUTES})
    user = authenticate(username=username, password=password)
    SignInAttempt.objects.create(username=username, ip=ip, at=now, succeeded=user is not None)
    if user is None or not user.is_active:
        left = settings.SIGNIN_MAX_FAILURES - failures.count()  # counts the failure just saved
        if left <= 0:
            raise SignInLocked(_locked_message() % {"minutes": settings.SIGNIN_LOCK_MINUTES})
        message = _("Tên đăng nhập hoặc mật khẩu không đúng.")
        if left <= 2:
            message += " " + _("Còn %(left)s lần thử trước khi tài khoản bị tạm khóa.") % {
                "left": left
            }
        raise SignInFailed(message)
    return user
