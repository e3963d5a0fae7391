"""The Content Security Policy every page carries (settings.py, django-csp), and the
templates that keep to it: no inline script, handler, style attribute or javascript: URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
# What a policy without 'unsafe-inline' stops (e-mails are not pages: their styles stay).
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=|javascript:", re.I)


@pytest.mark.django_db
def test_a_page_carries_the_policy():
    policy = Client().get("/thu-tuc/")["Content-Security-Policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";"))
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_page_template_writes_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if "email" not in path.parts and path.name != "message.html"
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


def test_the_check_would_see_an_inline_handler():
    assert INLINE.search('<button onclick="window.print()">')
    assert INLINE.search("<script>alert(1)</script>")
    assert not INLINE.search('<script src="/static/js/site.js" defer></script>')
