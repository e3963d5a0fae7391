"""No ID number nor phone reaches a log line: the handlers mask them (motcua/logmask.py)."""

from __future__ import annotations

import io
import logging

import pytest

from motcua.logmask import MaskNumbers


@pytest.fixture
def console():
    """The root logger's console handler, writing into a buffer for the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if type(h) is logging.StreamHandler  # not pytest's own capturing handlers
    )
    buffer = io.StringIO()
    # Swapped, not setStream(): that flushes the old stream, which may be a capture pytest
    # has already closed when the handler was made under it.
    old, handler.stream = handler.stream, buffer
    yield buffer
    handler.stream = old


def test_every_configured_handler_masks():
    handlers = set(logging.getLogger().handlers)
    for name in ("django", "django.server", "django.request"):
        handlers.update(logging.getLogger(name).handlers)
    ours = [h for h in handlers if not type(h).__module__.startswith("_pytest")]  # its capture
    assert ours
    for handler in ours:
        assert any(isinstance(f, MaskNumbers) for f in handler.filters), handler


@pytest.mark.parametrize("logger", ["motcua.desk", "django.server", "django.request"])
def test_a_logged_id_number_is_read_masked(console, logger):
    logging.getLogger(logger).warning(
        "GET /can-bo/?q=%s from %s", "001203012345", "0912 345 678"
    )
    line = console.getvalue()
    assert "GET /can-bo/?q=" in line
    assert "001203012345" not in line and "0912 345 678" not in line
    assert "[đã che]" in line


def test_an_exception_text_is_masked(console):
    try:
        raise ValueError("bad id 001203012345")
    except ValueError:
        logging.getLogger("motcua.x").exception("failed")
    assert "001203012345" not in console.getvalue()
    assert "bad id [đã che]" in console.getvalue()
