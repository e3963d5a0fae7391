"""The one HTTP edge: what a `DomainError` becomes at the boundary of the application.

Input is parsed and bounded by Django forms (their fields in `motcua.fields`); what the
domain then refuses comes back as a `DomainError`, and this module is the one place that
turns it into an HTTP status, into messages beside a form's fields, into a page, or into
the structured body of the JSON API. Every message is in the reader's language
(`motcua.i18n.error_text`).

Before any of that, `RequestGuardMiddleware` refuses a request that carries a NUL anywhere
(the path, the query string, a cookie, a header, a form field, a file's name) or whose
client address is not an address: no view, form, session or admin lookup ever hands such a
value to the database (PostgreSQL refuses NUL in text with an error, so each was a 500).

On the way out, `MethodNotAllowedMiddleware` turns Django's empty 405 (a GET on an address
that only takes a form's POST, `require_POST`) into a page in the reader's language.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from motcua.core.errors import (
    ConflictError,
    DomainError,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ServerFault,
    Text,
    TooManyTries,
    ValidationError,
    _,
)
from motcua.i18n import error_text

# The most specific class wins: a subclass of PermissionDenied is a 403 too. Everything else
# (ValidationError, InvalidInput, TransitionError, GuardError, ...) is the request's fault: 400.
_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (ConflictError, 409),
    (TooManyTries, 429),
    (NotAuthenticated, 401),
    (MethodNotAllowed, 405),
    (ServerFault, 500),
)

# Input names of one interface for the fields the service names, e.g. {"applicant_name":
# "name"}; a field missing from the table keeps the service's name.
FieldNames = Mapping[str, str]


def status_for(exc: DomainError) -> int:
    """The HTTP status of a domain error: 404, 403, 409, 429, 401, 405, 500, else 400."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def field_of(problem: DomainError, names: FieldNames) -> str | None:
    """The input a problem is about, in the interface's names, or None for the whole request."""
    field = problem.details.get("field")
    if not isinstance(field, str) or not field:
        return None
    return names.get(field, field)


def add_to_form(form: forms.Form, exc: DomainError, names: FieldNames) -> None:
    """Each problem of the error beside the form field it names, else above the form."""
    for problem in exc.problems():
        field = field_of(problem, names)
        form.add_error(field if field in form.fields else None, error_text(problem))


def render_error(
    request: HttpRequest,
    template: str,
    exc: DomainError,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A page that shows the error's message (`message`, and `error_code`) with its status."""
    page = {**(context or {}), "message": error_text(exc), "error_code": exc.code}
    return render(request, template, page, status=status_for(exc))


def problem_body(exc: DomainError, names: FieldNames | None = None) -> dict[str, Any]:
    """The API's structured error: a stable `code`, the `message` in the reader's language,
    the `details`, and `errors`, one per problem with the `field` it is about (or None)."""
    names = names or {}
    return {
        "code": exc.code,
        "message": error_text(exc),
        "details": _plain(exc.details),
        "errors": [
            {
                "field": field_of(problem, names),
                "code": problem.code,
                "message": error_text(problem),
                "details": _plain(problem.details),
            }
            for problem in exc.problems()
        ],
    }


def _plain(value: object) -> Any:
    """The value as JSON can carry it: dates as ISO text, anything unknown as its text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)  # a `Text` detail travels as plain text
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


# ---------------------------------------------------------------------------------------------
# NUL never passes the edge

BAD_REQUEST = "bad_request.html"


class NulCharacter(ValidationError):
    """A request carried a NUL (U+0000): refused whole, before any view sees it."""

    code = "nul_character"


# Where in the request the NUL was, as the message says it; `{name}` is the input's name.
_PLACES = {
    "path": _("địa chỉ trang"),
    "query": _("tham số “{name}” của địa chỉ trang"),
    "form": _("mục “{name}” của biểu mẫu"),
    "file": _("tên tệp gửi ở mục “{name}”"),
    "cookie": _("cookie “{name}” (đã được xóa; hãy tải lại trang)"),
    "header": _("tiêu đề “{name}” của yêu cầu"),
    "address": _("địa chỉ máy gửi yêu cầu"),
}


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def nul_in_request(request: HttpRequest) -> tuple[str, str] | None:
    """Where the request carries a NUL, as (place, name), or None; a client address that is
    not an IP address counts too (it is stored with sign-ins and reads)."""
    if "\x00" in request.path or "\x00" in request.path_info:
        return "path", ""
    for key, values in request.GET.lists():
        if _has_nul([key, *values]):
            return "query", key.replace("\x00", "")
    for key, value in request.COOKIES.items():
        if _has_nul([key, value]):
            return "cookie", key.replace("\x00", "")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return "header", key.removeprefix("HTTP_").replace("_", "-").title()
    address = request.META.get("REMOTE_ADDR")
    if address:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return "address", ""
    if request.method == "POST":
        for key, values in request.POST.lists():
            if _has_nul([key, *values]):
                return "form", key.replace("\x00", "")
        for key, files in request.FILES.lists():
            if _has_nul([key, *(f.name or "" for f in files)]):
                return "file", key.replace("\x00", "")
    return None


def nul_refusal(place: str, name: str) -> NulCharacter:
    """The refusal of a request with a NUL at `place` (`nul_in_request`'s answer)."""
    return NulCharacter(
        _(
            "Yêu cầu có ký tự NUL (U+0000) ở {place}, một ký tự không bao giờ có trong "
            "văn bản; yêu cầu bị từ chối và không có gì được lưu."
        ),
        field=name if place == "form" else "",
        place=Text(_PLACES[place]),
        where=place,
        name=name,
    )


class RequestGuardMiddleware:
    """Refuse, with a 400 page that says where, a request carrying a NUL (see the module's
    docstring); a cookie holding one is deleted, so the next request goes through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = nul_in_request(request)
        if found is None:
            return self.get_response(request)
        place, name = found
        exc = nul_refusal(place, name)
        response = render_error(request, BAD_REQUEST, exc)
        if place == "cookie":
            for key in [k for k, v in request.COOKIES.items() if "\x00" in k + v]:
                response.delete_cookie(key.replace("\x00", ""))
        return response


# ---------------------------------------------------------------------------------------------
# A wrong method gets a page, not an empty body

NOT_ALLOWED = "405.html"


class MethodNotAllowedMiddleware:
    """Answer Django's empty 405 with a page that says what to do, keeping its status and its
    `Allow` header; a 405 that already has a body (an API's structured error) is left alone.

    Django has no `handler405`: `require_POST`, `require_http_methods` and class-based views
    all return a bare `HttpResponseNotAllowed`, so this is the one place that dresses it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response
        page = render(request, NOT_ALLOWED, status=405)
        page["Allow"] = response["Allow"]
        return page


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, for the read log: REMOTE_ADDR, or where a reverse
    proxy is trusted (settings.TRUSTED_PROXY_HEADER) the last address it put in its header,
    the one it saw itself (earlier ones are the client's to write). None if not an address."""
    value = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_HEADER:
        forwarded = request.META.get(settings.TRUSTED_PROXY_HEADER, "")
        value = forwarded.split(",")[-1].strip() or value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal (settings.CSRF_FAILURE_VIEW) as a page in the reader's language
    that says what to do; the reason is for the log, not the citizen."""
    return render(request, "csrf_failure.html", status=403)
