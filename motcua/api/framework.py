"""The framework every /api/v1 route stands on: the NinjaAPI, the bearer key, the scope check,
the rate limit, creates done once per idempotency key, ETags, and every answer (errors
included) in the one structured shape of `motcua.edge`, recorded in the call chain.

A route does `caller = allow(request, "dossiers.read")` first (and `allow(request, op,
agency=code)` where it acts at an agency); a create wraps its work in `create_once(request,
caller, run)`. `recorded` (applied to every URL of the API by motcua/api/urls.py) records the
call and adds ETags to reads.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from ninja import Header, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from motcua.api import selectors, services
from motcua.api.selectors import Caller
from motcua.core import apiclients
from motcua.core.errors import (
    DomainError,
    InvalidInput,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    ServerFault,
    ValidationError,
    _,
)
from motcua.dossiers.events import canonical_json
from motcua.edge import client_address, problem_body, status_for
from motcua.logs import request_id

log = logging.getLogger("motcua.api")

_CALLER = "_api_caller"
_ERROR = "_api_error"
_IDEMPOTENCY = "Idempotency-Key"
_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,100}")


class Problem(Schema):
    """The structured error of every refusal (motcua.edge.problem_body)."""

    code: str
    message: str
    details: dict[str, Any]
    errors: list[dict[str, Any]]


# The header every create declares (so that the OpenAPI document shows it); `create_once` reads it.
IdempotencyKey = Annotated[
    str,
    Header(
        alias=_IDEMPOTENCY,
        pattern=r"^[\x21-\x7e]{1,100}$",
        description="Khóa chống gửi trùng: cùng khóa và cùng nội dung cho cùng kết quả.",
    ),
]

# The statuses every route may answer with a Problem besides its own.
ERRORS = frozenset({400, 401, 403, 404, 409, 429})


class BearerKey(HttpBearer):
    """`Authorization: Bearer <key>`: the client's key, then its rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        caller = selectors.authenticate(token)
        setattr(request, _CALLER, caller)
        services.rate_check(caller=caller, now=timezone.now())
        return caller


api = NinjaAPI(
    title="motcua API",
    version="1",
    description=(
        "API của hệ thống một cửa motcua cho các hệ thống kết nối (docs/integration.md). "
        "Mọi yêu cầu cần khóa API: `Authorization: Bearer <khóa>`."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
    auth=BearerKey(),
)


def caller_of(request: HttpRequest) -> Caller | None:
    """The authenticated client of the request, if it got that far."""
    caller = getattr(request, _CALLER, None)
    return caller if isinstance(caller, Caller) else None


def allow(request: HttpRequest, operation: str, *, agency: str | None = None) -> Caller:
    """The request's client, if it may do `operation` (at `agency`); else the 403."""
    caller = caller_of(request)
    if caller is None:
        raise NotAuthenticated(_("Khóa API không hợp lệ hoặc đã bị thu hồi."))
    apiclients.require_operation(caller.operations, operation)
    if agency is not None:
        apiclients.require_agency(caller.agency_codes, agency)
    return caller


def note(request: HttpRequest, code: str) -> None:
    """Put `code` in the call's record as its error code (a replay answered, not refused)."""
    setattr(request, _ERROR, code)


class BodyTooLarge(ValidationError):
    code = "body_too_large"


def _body(request: HttpRequest) -> bytes | None:
    """The request's body, or None when it is larger than Django reads
    (settings.DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    try:
        return request.body
    except RequestDataTooBig:
        return None


def read_json(request: HttpRequest) -> Any:
    """The request's body as JSON data; a body that is not JSON, or nested too deep to read, is
    a 400 (never a server error)."""
    raw = _body(request) or b""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ValidationError(_("Nội dung gửi không phải là JSON hợp lệ.")) from None


def body_digest(request: HttpRequest) -> str:
    """The digest of the request's body as data (the same JSON however it is spaced)."""
    raw = _body(request) or b""
    try:
        return hashlib.sha256(canonical_json(json.loads(raw)).encode()).hexdigest()
    except (ValueError, RecursionError):
        return hashlib.sha256(raw).hexdigest()


def idempotency_key(request: HttpRequest) -> str:
    """The request's Idempotency-Key header, required on every create."""
    key = request.headers.get(_IDEMPOTENCY, "")
    if not _KEY_SHAPE.fullmatch(key):
        raise ValidationError(
            _("Cần tiêu đề Idempotency-Key (1–100 ký tự ASCII in được) cho mọi yêu cầu tạo mới."),
            field=_IDEMPOTENCY,
        )
    return key


def create_once(
    request: HttpRequest, caller: Caller, create: Callable[[], services.Answer]
) -> services.Answer:
    """Run a create once per the client's Idempotency-Key (motcua.api.services.create_once)."""
    return services.create_once(
        caller=caller,
        key=idempotency_key(request),
        operation=f"{request.method} {request.path}",
        body_digest=body_digest(request),
        now=timezone.now(),
        create=create,
    )


# --- Errors ------------------------------------------------------------------------------------


def problem(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The structured error of `exc`, with its status (and Retry-After for a 429)."""
    setattr(request, _ERROR, exc.code)
    response = api.create_response(request, problem_body(exc), status=status_for(exc))
    retry = exc.details.get("retry_after")
    if isinstance(retry, int):
        response["Retry-After"] = str(retry)
    if isinstance(exc, NotAuthenticated):
        response["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return response


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as a path: ("body", "payload", "TaiLieuNop", 1, "DuocSoHoa")
    → `TaiLieuNop[1].DuocSoHoa` (the part of the request and the argument's name dropped)."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
        if len(parts) > 1 and isinstance(parts[0], str) and parts[0] in {"payload", "filters"}:
            parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _invalid(request: HttpRequest, exc: Any) -> HttpResponse:
    problems = [
        ValidationError(
            _("Giá trị không hợp lệ ở “{field}”: {reason}"),
            field=_location(error.get("loc", ())),
            reason=str(error.get("msg", "")),
            kind=str(error.get("type", "")),
        )
        for error in exc.errors
    ] or [ValidationError(_("Yêu cầu không hợp lệ."))]
    return problem(request, InvalidInput(problems))


def _unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem(request, NotAuthenticated(_("Cần khóa API: Authorization: Bearer <khóa>.")))


def _domain(request: HttpRequest, exc: Any) -> HttpResponse:
    assert isinstance(exc, DomainError)
    return problem(request, exc)


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    if exc.status_code == 404:
        return problem(request, NotFound(_("Không tìm thấy.")))
    # Ninja's own 400 is a body its parser could not read.
    return problem(request, ValidationError(_("Nội dung gửi không phải là JSON hợp lệ.")))


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem(request, NotFound(_("Không tìm thấy.")))


def _server_fault(request: HttpRequest, exc: Any) -> HttpResponse:
    log.exception("API: lỗi hệ thống", exc_info=exc)
    return problem(request, ServerFault(_("Lỗi hệ thống; vui lòng thử lại sau.")))


api.add_exception_handler(NinjaValidationError, _invalid)
api.add_exception_handler(AuthenticationError, _unauthenticated)
api.add_exception_handler(DomainError, _domain)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(Exception, _server_fault)
api.add_exception_handler(Http404, _not_found)


# --- Every call: recorded, in the reader's language, reads with ETags ---------------------------


def _etag(response: HttpResponse) -> str:
    return '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    given = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",") if tag.strip()}
    return "*" in tags or etag in tags


def _language(request: HttpRequest) -> str:
    """Vietnamese unless the caller asks for English (Accept-Language)."""
    wanted = request.headers.get("Accept-Language", "")
    first = wanted.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def _finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code == 405 and getattr(request, _ERROR, None) is None:
        allowed = response.get("Allow", "")
        exc = MethodNotAllowed(
            _("Địa chỉ này không nhận phương thức {method}; được dùng: {allowed}."),
            method=request.method or "",
            allowed=allowed,
        )
        response = problem(request, exc)
        response["Allow"] = allowed
    if request.method in {"GET", "HEAD"} and response.status_code == 200:
        etag = _etag(response)
        if _not_modified(request, etag):
            response = HttpResponseNotModified()
        response["ETag"] = etag
    return response


def _plain(text: str) -> str:
    """What the caller sent, as the record may keep it: no NUL (PostgreSQL refuses it)."""
    return text.replace("\x00", "")


def recorded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` answering in the caller's language, with ETags on reads, and every call recorded
    in the chain (refusals included: no key, an unknown or revoked one, out of scope, bad
    input)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = _language(request)
        raw = _body(request)
        with translation.override(language):
            if raw is None:
                response = problem(
                    request,
                    BodyTooLarge(
                        _("Nội dung gửi lớn quá {limit} byte."),
                        limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                    ),
                )
            else:
                response = _finish(request, view(request, *args, **kwargs))
        # An answer depends on the key (its scope) and the language; no shared cache keeps it,
        # and a client revalidates it with its ETag.
        response["Content-Language"] = language
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Authorization", "Accept-Language"])
        caller = caller_of(request)
        services.call_record(
            call=services.Call(
                client_id=caller.id if caller else None,
                client_name=caller.name if caller else "",
                method=_plain(request.method or ""),
                path=_plain(request.path),
                status=response.status_code,
                error_code=str(getattr(request, _ERROR, "") or ""),
                idempotency_key=_plain(request.headers.get(_IDEMPOTENCY, "")),
                body_digest=hashlib.sha256(raw).hexdigest() if raw else "",
                request_id=_plain(request_id.get() or ""),
                address=client_address(request),
            ),
            now=timezone.now(),
        )
        return response

    return wrapper


def unknown_address(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any address under /api/v1/ that is no route: the structured 404."""
    return problem(request, NotFound(_("Không có địa chỉ này trong API.")))
