"""Who is at the desk: the signed-in staff member's post, attached to the request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from motcua.dossiers.services import dossiers_shown
from motcua.edge import client_address
from motcua.organization.selectors import Actor, actor_for_user

P = ParamSpec("P")


class StaffRequest(HttpRequest):
    """A request from a signed-in staff member in their post (what `staff_required` gives
    its view); `htmx` is django-htmx's middleware's."""

    actor: Actor
    htmx: HtmxDetails


def staff_required(
    view: Callable[Concatenate[StaffRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Sign-in required; the user must hold a post (request.actor is its Actor)."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_for_user(request.user)
        if actor is None:
            return render(request, "desk/no_post.html", status=403)
        staff = cast(StaffRequest, request)
        staff.actor = actor
        return view(staff, *args, **kwargs)

    return wrapper


def record_shown(request: StaffRequest, dossier_ids: Iterable[int], page: str) -> None:
    """The read log: this page showed these dossiers' personal data to the signed-in member
    (who, when, which page, from which address); nothing when it showed none."""
    ids = list(dossier_ids)
    if ids:
        dossiers_shown(
            dossier_ids=ids,
            actor=request.actor,
            now=timezone.now(),
            page=page,
            address=client_address(request),
        )
