"""Every stored text is NFC, whatever the browser sent: text posted decomposed (NFD, as some
keyboards and pasted PDFs give it) into every text input of reception and of each action is
stored composed. The inputs, the actions and the stored columns are found from the code
(tests/desk/every_form.py), so a field added later is covered."""

from __future__ import annotations

import unicodedata

import pytest
import time_machine

from motcua.desk.forms import ACTION_FIELDS
from tests.desk.every_form import (
    DESK_POSTS,
    RECEPTION,
    act_url,
    action_post,
    not_nfc,
    offered,
    reception_data,
    stored_texts,
    text_fields,
)
from tests.desk.test_pages import NOW, signin

# Every mark Vietnamese puts on a letter, decomposed: tones, circumflex, breve, horn, đ.
VIETNAMESE = "Nguyễn Thị Ánh Tuyết, số 5 phố Hàng Bạc, Hoàn Kiếm; được ủy quyền, khỏe, Đồng"
NFD = unicodedata.normalize("NFD", VIETNAMESE)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_sample_is_really_decomposed():
    assert NFD != VIETNAMESE and unicodedata.normalize("NFC", NFD) == VIETNAMESE


@pytest.mark.parametrize(
    ("who", "outcome"),
    [("lan", "receive"), ("lan", "supplement"), ("lan", "refuse"), ("ha", "receive")],
)
def test_reception_stores_every_text_nfc(world, client, who, outcome):
    post = reception_data(world, who, text=NFD, outcome=outcome)
    if outcome == "supplement":
        post["documents"] = []

    response = signin(client, who).post(RECEPTION, post)

    assert response.status_code == 302, response.context["form"].errors
    assert not_nfc() == []
    stored = {text for _where, text in stored_texts()}
    assert VIETNAMESE in stored or any(VIETNAMESE in text for text in stored)


@pytest.mark.parametrize("action", list(ACTION_FIELDS), ids=lambda a: a.value)
def test_each_action_stores_every_text_nfc(world, client, action):
    found = offered(world, action)
    post = action_post(found, text=NFD)

    response = signin(client, found.who).post(act_url(found.dossier), post)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not_nfc() == []
    if text_fields(found.form):
        assert any(VIETNAMESE in text for _where, text in stored_texts())


@pytest.mark.parametrize("variant", DESK_POSTS, ids=lambda v: v.id)
def test_every_other_desk_form_stores_every_text_nfc(world, client, variant):
    """Appointments, feedback, the fee at the counter, ...: decomposed text in, composed
    text stored."""
    found = variant.build(world, text=NFD)
    if found.who:
        signin(client, found.who)

    response = client.post(found.url, found.post)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not_nfc() == []
    if NFD in found.post.values():
        assert any(VIETNAMESE in text for _where, text in stored_texts())
