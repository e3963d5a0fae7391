"""A visit that ends with a supplement request at the counter (form 02): nothing is received,
so it is shown apart ("Đã hướng dẫn bổ sung"), found again by the citizen's name or ID number,
and never counted among running dossiers (inbox counts, the leader's view)."""

from __future__ import annotations

import pytest
import time_machine

from motcua.core.lifecycle import Action
from motcua.core.urgency import Bucket
from motcua.desk.views.common import horizon
from motcua.dossiers.selectors import InboxFilters, agency_staff_load, dossier_inbox
from motcua.dossiers.services import Applicant, dossier_receive
from tests.conftest import at
from tests.desk.test_pages import receive, signin
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.django_db

NOW = at("2026-11-25 10:00")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def guided(world, name="Phạm Thị Hoa", id_number="001303012346"):
    """Lan lists what Hoa must complete (form 02): no dossier is received."""
    person = Applicant(name=name, id_number=id_number)
    return dossier_receive(
        intake=intake(world, applicant=person, documents=[]),
        actor=world.lan,
        now=at("2026-11-25 09:00"),
        outcome=Action.REQUEST_SUPPLEMENT,
    )


def inbox(world, username="lan", **filters):
    actor = getattr(world, username)
    h = horizon(actor, NOW)
    qs, counts = dossier_inbox(
        actor=actor,
        filters=InboxFilters(scope="agency" if username != "lan" else "mine", **filters),
        now=h.now,
        today_end=h.today_end,
        soon=h.soon,
    )
    return [d.applicant_name for d in qs], counts


def test_it_keeps_guided_visits_out_of_the_running_counts(world):
    guided(world)
    receive(world, name="Trần Văn Bình")
    names, counts = inbox(world)
    assert names == ["Trần Văn Bình"]
    assert counts[Bucket.GUIDED.value] == 1
    assert sum(n for key, n in counts.items() if key != Bucket.GUIDED.value) == 1


@pytest.mark.parametrize("q", ["pham thi hoa", "Phạm Thị Hoa", "001303012346"])
def test_it_finds_a_guided_visit_by_name_or_id_number(world, q):
    guided(world)
    receive(world, name="Trần Văn Bình")
    assert inbox(world, q=q)[0] == ["Phạm Thị Hoa"]


def test_it_lists_guided_visits_under_their_own_filter(world):
    guided(world)
    receive(world, name="Trần Văn Bình")
    assert inbox(world, bucket="guided")[0] == ["Phạm Thị Hoa"]


def test_the_inbox_page_shows_guided_visits_apart(world, client):
    guided(world)
    html = signin(client, "lan").get("/can-bo/").content.decode()
    assert 'id="guided-count"' in html
    assert "1 lượt đã hướng dẫn bổ sung tại quầy" in html
    assert 'data-bucket="guided"' not in html
    listed = signin(client, "lan").get("/can-bo/", {"bucket": "guided"}).content.decode()
    assert "Phạm Thị Hoa" in listed
    assert "Đã hướng dẫn bổ sung</span>" in listed


def test_the_leader_load_counts_no_guided_visit(world):
    guided(world)
    held, _staff = agency_staff_load(agency_id=world.lan.agency.pk, now=NOW, soon=NOW)
    assert list(held) == []
