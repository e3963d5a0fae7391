"""The API's side of the request guard: a request to /api/ carrying a NUL is refused as
`motcua.edge.RequestGuardMiddleware` refuses it (before any reader of the request), but with the
API's structured error, and recorded in the call chain like every other call."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from motcua.api.framework import problem, recorded
from motcua.edge import nul_in_request, nul_refusal

PREFIX = "/api/"


class ApiGuardMiddleware:
    """Before `motcua.edge.RequestGuardMiddleware` in settings.MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        found = nul_in_request(request)
        if found is None:
            return self.get_response(request)
        refusal = nul_refusal(*found)
        return recorded(lambda r: problem(r, refusal))(request)
