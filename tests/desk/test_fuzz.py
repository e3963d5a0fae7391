"""Arbitrary text into every field of reception and of each action's form, on SQLite and on
PostgreSQL: never a 500, and a refused post stores nothing (the row counts of every table the
write path touches, and the dossier's version, are as before).

The forms and their fields are found from the code (tests/desk/every_form.py), so a field
added later is fuzzed too. Each example runs in a savepoint rolled back after it, so every
example starts from the same dossier. `MOTCUA_FUZZ_EXAMPLES` sets how many examples each form
gets (50 in the normal suite; more for a longer hunt).
"""

from __future__ import annotations

import os
import unicodedata

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.lifecycle import Role
from motcua.core.text import bad_characters
from motcua.desk.forms import ACTION_FIELDS
from motcua.dossiers.models import Dossier
from tests.desk.every_form import (
    DESK_POSTS,
    EXEMPT,
    GET_PERSONAS,
    RECEPTION,
    SWEPT_ABOVE,
    Variant,
    act_url,
    action_choices,
    action_post,
    all_rows,
    desk_pages,
    desk_post_names,
    get_form_inputs,
    offered,
    reception_data,
    reception_form,
    stored_texts,
)
from tests.desk.test_bad_input import rows
from tests.desk.test_pages import NOW, signin
from tests.factories import _person

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The world and the dossier are made once per form; each example rolls back to them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What has broken forms before, or could: NUL, bidi and zero-width characters, C1 controls,
# separators, the last code points, line endings, format strings, SQL, markup, numbers and
# dates just past a column's or a calendar's range, digits that are not ASCII.
NASTY = st.sampled_from(
    [
        "\x00",
        "\u202e",
        "\u2066",
        "\u200b",
        "\u200d",
        "\ufeff",
        "\u00ad",
        "\x07",
        "\x1b",
        "\x85",
        "\x9f",
        "\u2028",
        "\ue000",
        "\ufffe",
        "\U0010ffff",
        "\r\n",
        "\n",
        "\t",
        " ",
        "%00",
        "%(x)s",
        "{label}",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "-1",
        "2147483648",
        "99999999999999999999",
        "²",
        "١٢",
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        "Nguyễn",
        unicodedata.normalize("NFD", "Nguyễn"),
    ]
)
TEXT = st.one_of(
    st.text(max_size=40),  # any code point but surrogates, which UTF-8 cannot carry
    st.lists(st.one_of(NASTY, st.text(max_size=4)), max_size=8).map("".join),
    # Very long: one character repeated, up to well past every field's bound.
    st.builds(
        lambda ch, n: ch * n, st.one_of(NASTY, st.characters(codec="utf-8")), st.integers(0, 30_000)
    ),
)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def changes(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Arbitrary text into some of the fields, at least one."""
    return st.dictionaries(st.sampled_from(names), TEXT, min_size=1, max_size=len(names))


def check_stored() -> None:
    """What an accepted post stored is NFC and holds no NUL, nor any character a field
    refuses (a note's line breaks and tabs aside)."""
    for where, text in stored_texts():
        assert unicodedata.normalize("NFC", text) == text, where
        assert bad_characters(text, multiline=True) == [], where


def post_and_check(client, url: str, post: dict, dossier: Dossier | None = None) -> None:
    """Post in a savepoint: no 500; refused -> nothing stored; rolled back either way."""
    with transaction.atomic():
        before = rows()
        version = Dossier.objects.get(pk=dossier.pk).version if dossier else None
        response = client.post(url, post)
        assert response.status_code < 500
        if response.status_code == 302:
            check_stored()
        else:
            assert response.status_code in (400, 403, 404, 409)
            assert rows() == before
            if dossier is not None:
                assert Dossier.objects.get(pk=dossier.pk).version == version
        transaction.set_rollback(True)


@pytest.mark.parametrize("who", ["lan", "ha"])
@FUZZ
@given(data=st.data())
def test_reception_survives_arbitrary_text_in_every_field(world, client, who, data):
    signed_in(client, who)
    names = [*reception_form(world, who).fields, "procedure"]
    post = {**reception_data(world, who, text="Ghi chú"), **data.draw(changes(names))}
    post_and_check(client, RECEPTION, post)


@pytest.mark.parametrize("action", list(ACTION_FIELDS), ids=lambda a: a.value)
@FUZZ
@given(data=st.data())
def test_each_action_survives_arbitrary_text_in_every_field(world, client, action, data):
    found = _offered_once(world, action)
    signed_in(client, found.who)
    post = {**action_post(found), **data.draw(changes(list(found.form.fields)))}
    post_and_check(client, act_url(found.dossier), post, found.dossier)


def test_every_desk_post_form_is_swept():
    """Each address of the desk that takes a POST is fuzzed here (or exempt, with a reason);
    one added later fails this test until its variants are in DESK_POSTS."""
    swept = {v.url_name for v in DESK_POSTS} | SWEPT_ABOVE | set(EXEMPT)
    assert desk_post_names() - swept == set(), "add its forms to DESK_POSTS (every_form.py)"
    assert swept - desk_post_names() == set(), "no longer takes a POST: remove it"


def test_every_action_of_a_desk_form_is_swept():
    """A new choice of a form's hidden `action` (a new way to handle a feedback item) needs
    its variant in DESK_POSTS too."""
    for url_name, actions in action_choices().items():
        swept = {v.action for v in DESK_POSTS if v.url_name == url_name}
        assert swept == actions, url_name


@pytest.mark.parametrize("variant", DESK_POSTS, ids=lambda v: v.id)
@FUZZ
@given(data=st.data())
def test_every_other_desk_form_survives_arbitrary_text(world, client, variant, data):
    """Appointments, feedback, the fee at the counter, the desk's device, the sign-in: no 500;
    refused, nothing stored (anywhere in motcua); accepted, only clean NFC text stored."""
    found = _built_once(world, variant)
    if found.who:
        signed_in(client, found.who)
    post = {**found.post, **data.draw(changes(list(found.form.fields)))}
    with transaction.atomic():
        before = all_rows()
        response = client.post(found.url, post)
        assert response.status_code < 500
        if response.status_code == 302:
            check_stored()
        else:
            assert response.status_code in (400, 403, 404, 409, 429)
            if not found.refusal_stores:
                assert all_rows() == before
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", desk_pages())
@FUZZ
@given(data=st.data())
def test_every_desk_page_survives_arbitrary_text_in_its_get_forms(world, client, name, data):
    """The inputs of each page's GET forms (read from the page), any text in them: no 500."""
    url = reverse(f"desk:{name}")
    found = _page_once(world, client, url)
    if found is None:
        return  # no GET form on the page (the sign-in, reception's search as one types, ...)
    who, inputs = found
    signin(client, who)
    query = data.draw(changes(inputs))
    with transaction.atomic():
        assert client.get(url, query).status_code < 500
        transaction.set_rollback(True)


def _page_once(world, client, url: str) -> tuple[str, list[str]] | None:
    """Who sees the page with a GET form, and its inputs (looked up on the first example)."""
    key = (id(world), url)
    if key not in _FOUND:
        _FOUND.clear()
        _FOUND[key] = None
        if not hasattr(world, "giamsat"):  # the oversight office, for its read log
            world.giamsat = _person(
                "giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR
            )
        for who in [*GET_PERSONAS, "giamsat"]:
            page = signin(client, who).get(url)
            inputs = get_form_inputs(page.content.decode()) if page.status_code == 200 else []
            if inputs:
                _FOUND[key] = (who, inputs)
                break
    return _FOUND[key]  # type: ignore[return-value]


def _built_once(world, variant: Variant):
    """What the variant needs, made on the test's first example (see `_offered_once`)."""
    key = (id(world), variant.id)
    if key not in _FOUND:
        _FOUND.clear()
        _FOUND[key] = variant.build(world, text="Ghi chú")
    return _FOUND[key]


def signed_in(client, who: str) -> None:
    """Sign in on the first example only (a session row each time would pile up)."""
    if "_auth_user_id" not in client.session:
        signin(client, who)


_FOUND: dict[tuple[int, str], object] = {}


def _offered_once(world, action):
    """The dossier for this test, made on its first example (hypothesis runs the body many
    times with the same fixtures; the world's id tells one test's from the next)."""
    key = (id(world), action.value)
    if key not in _FOUND:
        _FOUND.clear()
        _FOUND[key] = offered(world, action)
    return _FOUND[key]
