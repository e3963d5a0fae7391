"""One log line per request (`motcua.request`): method, path without its query string (where
ID numbers and tracking secrets travel), view, status, duration, the signed-in account's id
(never a name) and the request's id, also sent back as X-Request-ID."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from motcua.citizens.session import CITIZEN_KEY
from motcua.logs import request_id
from motcua.operations.metrics import view_name

log = logging.getLogger("motcua.request")
# The proxy's id (nginx: proxy_set_header X-Request-ID $request_id), if it looks like one.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestLogMiddleware:
    """Names the request, and logs it once answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_begins(request)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        request_answered(request, view_name(request), response.status_code, started)
        return response


def request_begins(request: HttpRequest) -> str:
    """The request's id (the proxy's, or a new one), set for every line logged meanwhile. Not
    reset on the way out: Django logs a 404 or 500 (django.request) after the last
    middleware; the next request on this thread sets its own."""
    given = request.headers.get("X-Request-ID", "")
    rid = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
    request_id.set(rid)
    return rid


def request_answered(request: HttpRequest, view: str, status: int, started: float) -> None:
    """The request's one log line (`started`: time.perf_counter() when it came)."""
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        status,
        extra={
            "method": request.method,
            "path": request.path,
            "view": view,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            **_who(request),
        },
    )


def _who(request: HttpRequest) -> dict[str, int]:
    """The staff account's or the citizen's id, when the request already looked it up (no
    query of its own for the log)."""
    who: dict[str, int] = {}
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is not None and wrapped is not empty and wrapped.is_authenticated:
        who["user_id"] = int(wrapped.pk)
    session = getattr(request, "session", None)
    if session is not None and session.accessed and session.get(CITIZEN_KEY) is not None:
        who["citizen_id"] = int(session[CITIZEN_KEY])
    return who
