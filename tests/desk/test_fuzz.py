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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.text import bad_characters
from motcua.desk.forms import ACTION_FIELDS
from motcua.dossiers.models import Dossier
from tests.desk.every_form import (
    RECEPTION,
    act_url,
    action_post,
    offered,
    reception_data,
    reception_form,
    stored_texts,
)
from tests.desk.test_bad_input import rows
from tests.desk.test_pages import NOW, signin

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
