"""A staff session whose second factor is missing is ended, wherever it goes.

The sign-in marks each session it completes: verified with a second factor, or not needing
one. A session without the mark (made before the second factor was asked, or by other
means) is judged once: someone who must use a second factor (motcua.core.signin) is signed
out and sent to the sign-in; anyone else is marked and let through."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

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
