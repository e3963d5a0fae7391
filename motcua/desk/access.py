"""Who is at the desk: the signed-in staff member's post, attached to the request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.organization.selectors import actor_for_user

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Sign-in required; the user must hold a post (request.actor is its Actor)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_for_user(request.user)
        if actor is None:
            return render(request, "desk/no_post.html", status=403)
        request.actor = actor  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
