"""The leader's view leads to action: what each unit and person holds, for how long, what is
about to be late; why each dossier needs attention, and where it is; reassignment only to
someone chosen."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.dossiers.models import Dossier
from tests.conftest import at
from tests.desk.test_pages import receive, signin
from tests.dossiers.test_services import forward

pytestmark = pytest.mark.django_db

NOW = at("2026-11-25 10:00")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def late_and_unassigned(world):
    """Received a week ago and handed to the culture unit, where no one took it."""
    return forward(receive(world, when="2026-11-18 08:30"), world.lan, "2026-11-18 09:30")


def row_of(html, table, text):
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    (row,) = [r for r in re.findall(r"<tr.*?</tr>", body, re.S) if text in r]
    return row


def test_it_shows_each_unit_and_who_holds_what_for_how_long(world, client):
    late_and_unassigned(world)
    html = signin(client, "son").get("/can-bo/dieu-hanh/").content.decode()
    unit = row_of(html, "load-units", world.duc.unit.name)
    assert '<td data-count="unassigned">1</td>' in unit
    assert '<span class="badge late">1</span>' in unit
    assert "từ 09:30 18/11/2026" in unit
    person = row_of(html, "load-people", "Chưa phân công")
    assert world.duc.unit.name in person


def test_it_says_why_each_dossier_needs_attention_and_where_it_is(world, client):
    d = late_and_unassigned(world)
    for leader in ("son", "long"):
        html = signin(client, leader).get("/can-bo/dieu-hanh/").content.decode()
        row = row_of(html, "attention", d.code)
        assert '<span class="badge late">Quá hạn trả kết quả</span>' in row
        assert "Chưa phân công người xử lý" in row
        assert world.duc.unit.name in row
        assert (world.hoan_kiem.short_name or world.hoan_kiem.name) in row


def test_nothing_is_preselected_for_reassignment(world, client):
    d = late_and_unassigned(world)
    html = signin(client, "son").get("/can-bo/dieu-hanh/").content.decode()
    select = row_of(html, "attention", d.code).split("<select", 1)[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*selected", select) == ['<option value="" selected']
    assert "— Chọn người —" in select


def test_a_reassignment_without_a_choice_is_refused_beside_the_field(world, client):
    d = late_and_unassigned(world)
    response = signin(client, "son").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/", {"action": "assign", "version": d.version}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(
        r'aria-invalid="true"[^>]*id="assign-to_user"|id="assign-to_user"[^>]*aria-invalid="true"',
        html,
    )
    assert "Hãy chọn người được giao hồ sơ." in html
    assert Dossier.objects.get(pk=d.pk).current_holder_id is None


def test_the_head_sees_what_waits_for_his_signature_first(world, client):
    late = late_and_unassigned(world)
    to_sign = receive(world, name="Vũ Thị Ký", when="2026-11-25 08:30", procedure=world.birth)
    to_sign = forward(
        forward(to_sign, world.lan, "2026-11-25 08:40"), world.duc, "2026-11-25 09:00"
    )
    assert to_sign.current_unit == world.long.unit
    html = signin(client, "long").get("/can-bo/", {"scope": "agency"}).content.decode()
    listed = re.findall(r'class="code">([^<]+)</a>', html.split('id="inbox-list"', 1)[1])
    assert listed.index(to_sign.code) < listed.index(late.code)
    assert '<span class="badge warn">Chờ lãnh đạo ký</span>' in row_of(
        html, "inbox-list", to_sign.code
    )
    # A unit leader signs nothing: the most urgent first, as ever.
    html = signin(client, "son").get("/can-bo/", {"scope": "agency"}).content.decode()
    assert "Chờ lãnh đạo ký" not in html
