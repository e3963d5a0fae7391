"""Small things a user notices: the activity log says each apology reason once; codes are
kept whole and tall enough to tap."""

from __future__ import annotations

import pytest
import time_machine

from motcua.core.lifecycle import Action
from motcua.dossiers.services import dossier_act
from tests.conftest import at
from tests.desk.test_clock_pages import at_specialist
from tests.desk.test_pages import signin

pytestmark = pytest.mark.django_db

NOW = at("2026-11-25 10:00")
REASON = "Phải xác minh thêm nơi cư trú tại Công an phường"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_log_says_the_apology_reason_once(world, client):
    d = at_specialist(world, "Lê Văn Trễ", "2026-11-18 08:00")
    d = dossier_act(dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=NOW, note=REASON)
    dossier_act(dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=NOW)
    html = signin(client, "duc").get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    log = html.split('id="h-events"', 1)[1].split("</ol>", 1)[0]
    entries = [e for e in log.split("<li>") if REASON in e]
    assert [e.count(REASON) for e in entries] == [1, 1]  # drafted, then signed
