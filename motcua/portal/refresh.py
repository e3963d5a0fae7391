"""The tracking page's right refresh, answered in front of Django's request handling.

A citizen refreshing the QR link (GET `/tra-cuu/?code=…&secret=…`) is most of the page's
traffic, and while the dossier does not change the answer is the page kept for the pair
(`motcua/portal/tracking.py`: kept under the dossier's stamp, which every write removes). This
WSGI layer answers exactly that case with one round trip to the cache and nothing else: no
database, no middleware stack, no URL resolution. Everything else goes to Django unchanged,
and so does a refresh this layer is not sure of:

- not a GET of the tracking page with a pair the form would take (`TrackForm.plain_pair`);
- a session or messages cookie (a message may wait: the view shows it, never kept);
- anything `RequestGuardMiddleware` would refuse (a NUL, a client address that is not one),
  a host not in ALLOWED_HOSTS, a redirect to https due, `PREPEND_WWW` or
  `DISALLOWED_USER_AGENTS` set (CommonMiddleware's);
- the kept page not current, or a guessing limit reached: the view then counts the try and
  answers (404, 429 with its Vietnamese message), as for any other try; the peek counted
  nothing, so a try is never counted twice.

The answer carries the headers Django gave the last answer of this kind (a 200 of the page,
without cookies, for a request that met the same conditions, in the same language and over the
same scheme): the security headers, Cache-Control: private, no-store, Content-Language, Vary.
Until this process has seen one, it lets Django answer. Business code never sees this module;
`motcua/wsgi.py` wraps the application in it.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.urls import reverse
from django.utils import timezone, translation

from motcua.edge import client_address, nul_in_request
from motcua.operations.middleware import request_answered, request_begins
from motcua.portal import tracking
from motcua.portal.middleware import chosen_language
from motcua.portal.views import TrackForm

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Headers = list[tuple[str, str]]
# Of Django's answer, those not to repeat: this answer's own.
_OWN_HEADERS = frozenset({"content-length", "x-request-id"})


@functools.cache
def _track_path() -> str:
    return reverse("portal:track")


class TrackingRefresh:
    """WSGI middleware: a right refresh of a current kept page answered here, the rest by
    `app`."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        # (language, https) -> the headers of Django's last answer of this kind.
        self.headers: dict[tuple[str, bool], Headers] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") != _track_path()
            or not settings.TRACKING_REFRESH_FROM_CACHE
        ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        request = WSGIRequest(environ)
        kind = _kind(request)
        pair = None if kind is None else _pair(request)
        if kind is None or pair is None:
            return self.app(environ, start_response)
        headers = self.headers.get(kind)
        body = None if headers is None else _answer(request, kind[0], pair)
        if headers is None or body is None:
            return self.app(environ, self._learning(kind, start_response))
        rid = request_begins(request)  # logged as Django's answers are (operations.middleware)
        length = ("Content-Length", str(len(body)))
        start_response("200 OK", [*headers, ("X-Request-ID", rid), length])
        request_answered(request, "portal:track", 200, started)
        return [body]

    def _learning(self, kind: tuple[str, bool], start_response: StartResponse) -> StartResponse:
        """`start_response`, remembering the headers of a 200 for a pair (the dossier's page),
        kept from shared caches and disks, that sets no cookie."""

        def learn(status: str, headers: Headers, *args: Any) -> Callable[[bytes], object]:
            named = {name.lower(): value for name, value in headers}
            if (
                status.startswith("200 ")
                and "set-cookie" not in named
                and "no-store" in named.get("cache-control", "")
            ):
                self.headers[kind] = [(n, v) for n, v in headers if n.lower() not in _OWN_HEADERS]
            return start_response(status, headers, *args)

        return learn


def _kind(request: WSGIRequest) -> tuple[str, bool] | None:
    """(language, https) of a refresh this layer may answer, or None: Django answers it."""
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return None
    secure = request.is_secure()
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None
    if nul_in_request(request) is not None:
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    return chosen_language(cookies), secure


def _pair(request: WSGIRequest) -> tuple[str, str] | None:
    """The QR link's pair, cleaned as the form cleans it: exactly a code and a secret."""
    data = request.GET
    return TrackForm.plain_pair(data) if set(data) == {"code", "secret"} else None


def _answer(request: WSGIRequest, language: str, pair: tuple[str, str]) -> bytes | None:
    """The page for a right pair whose kept page is current and no limit refuses, or None."""
    data = request.GET
    code, secret = pair
    with translation.override(language):
        attempt = tracking.peek(
            client_address(request),
            code,
            timezone.now().timestamp(),
            shown_code=str(data.get("code")),
            secret=secret,
        )
        if attempt is None:
            return None
        html = tracking.current_page(attempt, str(data.get("secret")), request.get_full_path())
    return html.encode()
