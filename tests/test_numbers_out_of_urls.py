"""ID numbers and phones never travel in an address (issue 11): no URL pattern takes one, and
no form sent by GET (nor an element fetching with hx-get) asks for one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Field names and words that mean an ID number or a phone.
PERSONAL_NAME = re.compile(
    r"id_?number|cccd|cmnd|dinh_?danh|identity|phone|dien_?thoai|sdt|mobile", re.IGNORECASE
)
PERSONAL_WORDS = re.compile(r"số định danh|căn cước|số điện thoại", re.IGNORECASE)
FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.DOTALL | re.IGNORECASE)
HX_GET = re.compile(r"<(?:input|select|textarea)\b[^>]*\bhx-get=[^>]*>", re.IGNORECASE)
NAMES = re.compile(r"""\bname=["']([^"']+)["']|\bform\.(\w+)""")


def patterns(resolvers=None, prefix=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def get_forms():
    """Every form sent by GET (method="get", or no method at all) in the templates, and every
    element that fetches with hx-get: (template, its HTML)."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for form in FORM.finditer(text):
            if re.search(r"""method=["']?post""", form["attrs"], re.IGNORECASE):
                continue
            yield str(path.relative_to(TEMPLATES)), form.group(0)
        for element in HX_GET.finditer(text):
            yield str(path.relative_to(TEMPLATES)), element.group(0)


def test_the_walk_finds_the_pages():
    assert len(list(patterns())) > 50
    found = dict(get_forms())
    assert "portal/catalog.html" in found and "desk/reads.html" in found


@pytest.mark.parametrize("route", list(patterns()))
def test_no_url_pattern_takes_an_id_number_or_a_phone(route):
    converters = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    names = [a or b for a, b in converters]
    assert not [n for n in names if PERSONAL_NAME.search(n)], route


@pytest.mark.parametrize(("template", "html"), list(get_forms()))
def test_no_get_form_asks_for_an_id_number_or_a_phone(template, html):
    names = [a or b for a, b in NAMES.findall(html)]
    assert not [n for n in names if PERSONAL_NAME.search(n)], (template, names)
    assert not PERSONAL_WORDS.search(html), template


def test_the_check_would_catch_the_old_inbox_search():
    old = """<form method="get" hx-get="/can-bo/"><label for="q">Tìm mã hồ sơ, tên, số định danh
    hoặc số điện thoại người nộp</label><input id="q" name="q"></form>"""
    with pytest.raises(AssertionError):
        test_no_get_form_asks_for_an_id_number_or_a_phone("desk/inbox.html", old)
    with pytest.raises(AssertionError):
        test_no_url_pattern_takes_an_id_number_or_a_phone("tra-cuu/<str:id_number>/")
