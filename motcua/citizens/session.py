"""Who is signed in on the citizens' side: a session key of its own, never Django's.

Staff sign in through django.contrib.auth (`_auth_user_id`); a citizen through these keys. A
session that carries a staff sign-in is never taken for a citizen's, and signing a citizen in
starts a new session (a staff sign-in in the same browser is ended), so neither side ever
accepts the other's session. The hash of the password is kept beside the id: a new password
ends every other session of that account.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY as STAFF_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from motcua.citizens.models import Citizen

CITIZEN_KEY = "_citizen_id"
CITIZEN_HASH = "_citizen_hash"
P = ParamSpec("P")


class CitizenRequest(HttpRequest):
    citizen: Citizen


def _hash(citizen: Citizen) -> str:
    return salted_hmac("motcua.citizens.session", citizen.password or "-").hexdigest()


def sign_in(request: HttpRequest, citizen: Citizen) -> None:
    """A new session (whatever it held, a staff sign-in too, is gone) for this citizen."""
    request.session.flush()
    request.session[CITIZEN_KEY] = citizen.pk
    request.session[CITIZEN_HASH] = _hash(citizen)


def sign_out(request: HttpRequest) -> None:
    request.session.flush()


def current_citizen(request: HttpRequest) -> Citizen | None:
    """The signed-in citizen, or None (also for a session that holds a staff sign-in)."""
    session = request.session
    if STAFF_SESSION_KEY in session or CITIZEN_KEY not in session:
        return None
    try:
        citizen = Citizen.objects.get(pk=int(session[CITIZEN_KEY]), is_active=True)
    except (Citizen.DoesNotExist, TypeError, ValueError):
        return None
    if not constant_time_compare(str(session.get(CITIZEN_HASH, "")), _hash(citizen)):
        return None
    return citizen


def refresh(request: HttpRequest, citizen: Citizen) -> None:
    """Keep this session after the citizen set a new password here (the others end)."""
    request.session.cycle_key()
    request.session[CITIZEN_HASH] = _hash(citizen)


def citizen_required(
    view: Callable[Concatenate[CitizenRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Sign-in as a citizen required; to the citizens' sign-in page otherwise."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        citizen = current_citizen(request)
        if citizen is None:
            target = reverse("citizens:signin") + "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        typed = cast(CitizenRequest, request)
        typed.citizen = citizen
        return view(typed, *args, **kwargs)

    return wrapper
