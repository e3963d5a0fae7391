"""Staff sessions: one whose second factor is missing is ended, wherever it goes; one left
idle too long is signed out; no signed-in page is kept by a browser or a proxy.

The sign-in marks each session it completes: verified with a second factor, or not needing
one. A session without the mark (made before the second factor was asked, or by other
means) is judged once: someone who must use a second factor (motcua.core.signin) is signed
out and sent to the sign-in; anyone else is marked and let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from motcua.citizens.session import CITIZEN_KEY
from motcua.desk.signin import enrolled, required_for

SECOND_FACTOR = "_second_factor"
VERIFIED = "verified"
NOT_REQUIRED = "not_required"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            mark = request.session.get(SECOND_FACTOR)
            if mark not in (VERIFIED, NOT_REQUIRED):
                user = request.user
                if required_for(user) or (isinstance(user, User) and enrolled(user)):
                    logout(request)
                    messages.warning(request, _("Vui lòng đăng nhập lại, với mã xác thực hai lớp."))
                    return redirect_to_login(request.get_full_path())
                request.session[SECOND_FACTOR] = NOT_REQUIRED
        return self.get_response(request)


LAST_SEEN = "_staff_last_seen"
# The last-seen time is written at most this often: not a session write on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


class StaffIdleMiddleware:
    """A staff session idle for MOTCUA_STAFF_IDLE_MINUTES is signed out: the next request
    goes to the sign-in with a message, and back to the page after it (the dossier being
    worked on is server state: nothing of it is lost)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            now = timezone.now()
            seen = request.session.get(LAST_SEEN)
            if seen is not None and idle(datetime.fromisoformat(seen), now):
                logout(request)
                messages.warning(
                    request,
                    _(
                        "Bạn đã không thao tác trong %(minutes)s phút nên đã được đăng xuất "
                        "để giữ an toàn cho máy dùng chung. Vui lòng đăng nhập lại: hồ sơ "
                        "đang làm vẫn còn nguyên."
                    )
                    % {"minutes": settings.STAFF_IDLE_MINUTES},
                )
                target = request.get_full_path() if request.method == "GET" else None
                return redirect_to_login(target or "/can-bo/")
            if (
                seen is None
                or (now - datetime.fromisoformat(seen)).total_seconds()
                >= LAST_SEEN_RESOLUTION_SECONDS
            ):
                request.session[LAST_SEEN] = now.isoformat()
        return self.get_response(request)


def idle(seen: datetime, now: datetime) -> bool:
    """Whether a session last seen then has been idle too long by now."""
    return now - seen > timedelta(minutes=settings.STAFF_IDLE_MINUTES)


# Where pages carry personal data or a sign-in's state, whoever is signed in.
PRIVATE_PREFIXES = ("/can-bo/", "/admin/", "/tai-khoan/", "/mau/")


class PrivateResponseMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in staff member or
    citizen and on every staff, admin, account and form page: counter PCs are shared, and
    neither the browser nor a proxy may keep a copy (PDFs and CSVs included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES) or self._signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop("Expires", None)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)  # none when refused before authentication
        signed_in = user is not None and user.is_authenticated
        return signed_in or CITIZEN_KEY in request.session
