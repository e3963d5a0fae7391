"""Logging: each record carries the id of the request it was written during (`request_id`),
and with LOG_FORMAT=json (production's default) every line is one JSON object
(python-json-logger), as log collectors read them. Loaded by settings.LOGGING before the apps:
no model imported here."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger import json as pythonjson
from pythonjsonlogger.core import RESERVED_ATTRS

# The request being answered in this thread (set by operations.middleware.RequestLogMiddleware).
request_id: ContextVar[str] = ContextVar("request_id", default="")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("" outside a request: the worker, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(pythonjson.JsonFormatter):
    """python-json-logger's, without the request object Django's loggers attach
    (django.request, django.security): its text is the whole address, query string and all,
    where ID numbers and tracking secrets travel."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "taskName"])
        super().__init__(*args, **kwargs)
