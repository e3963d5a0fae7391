"""The staff workspace through the test client: inbox, dossier page, actions, reception."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierAccess
from motcua.dossiers.services import Applicant, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import forward, intake

NOW = at("2026-11-25 10:00")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def signin(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def receive(world, name="Trần Văn Bình", when="2026-11-25 08:30", **kw):
    person = Applicant(name=name, id_number="001203012345")
    return dossier_receive(
        intake=intake(world, applicant=person, **kw), actor=world.lan, now=at(when)
    )


def test_the_inbox_orders_by_urgency_and_counts_buckets(world, client):
    overdue = receive(world, "Lê Văn Quá", when="2026-11-18 08:30")  # due 23/11
    today = receive(world, "Phạm Thị Hôm", when="2026-11-20 14:00")  # due 25/11 14:00
    fresh = receive(world, "Đỗ Văn Mới", when="2026-11-25 09:00")
    page = signin(client, "lan").get("/can-bo/")
    html = page.content.decode()
    assert page.status_code == 200
    order = [html.index(d.code) for d in (overdue, today, fresh)]
    assert order == sorted(order)
    assert 'data-bucket="overdue">1<' in html
    assert 'data-bucket="today">1<' in html


@pytest.mark.parametrize("query", ["tran van binh", "TRẦN VĂN", "Bình", "H26.100-261125"])
def test_the_inbox_search_ignores_accents(world, client, query):
    receive(world)
    receive(world, "Nguyễn Thị Hoa")
    html = signin(client, "lan").get("/can-bo/", {"q": query}, follow=True).content.decode()
    assert "Trần Văn Bình" in html
    if query != "H26.100-261125":
        assert "Nguyễn Thị Hoa" not in html


def test_tone_placement_does_not_matter_in_search(world, client):
    receive(world, "Nguyễn Thị Thuỷ")
    html = signin(client, "lan").get("/can-bo/", {"q": "thủy"}, follow=True).content.decode()
    assert "Thuỷ" in html


def test_the_inbox_query_count_does_not_grow_with_the_list(world, client):
    signin(client, "lan")
    receive(world)
    client.get("/can-bo/")
    with CaptureQueriesContext(connection) as few:
        client.get("/can-bo/")
    for i in range(15):
        receive(world, f"Người Thứ {i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/can-bo/")
    assert len(many) == len(few)
    assert len(many) <= 12


def test_staff_of_another_agency_get_not_found(world, client):
    d = receive(world)
    response = signin(client, "minh").get(f"/can-bo/ho-so/{d.pk}/")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.content.decode()
    missing = client.get("/can-bo/ho-so/999999/")
    assert missing.status_code == 404


def test_opening_a_dossier_is_recorded(world, client):
    d = receive(world)
    signin(client, "lan").get(f"/can-bo/ho-so/{d.pk}/")
    access = DossierAccess.objects.get(dossier=d)
    assert access.user.username == "lan"


def test_the_page_offers_only_allowed_actions(world, client):
    d = receive(world)
    html = signin(client, "lan").get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert 'data-action="forward"' in html
    assert 'data-action="approve"' not in html
    assert 'data-action="return_result"' not in html


def test_a_refused_action_shows_a_clear_message_and_changes_nothing(world, client):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    response = signin(client, "lan").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/", {"action": "approve", "version": d.version}
    )
    assert response.status_code == 403  # the role may not: PermissionDenied
    assert "không có quyền" in response.content.decode()
    d.refresh_from_db()
    assert d.version == 2


def test_a_stale_form_shows_the_conflict_and_the_fresh_state(world, client):
    d = receive(world)
    stale_version = d.version
    forward(d, world.lan, "2026-11-25 09:00")
    response = signin(client, "lan").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/",
        {"action": "request_supplement", "version": stale_version, "missing": "Tờ khai"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in html
    assert "Đang xử lý" in html  # the fresh status
    d.refresh_from_db()
    assert (d.status, d.supplement_requests) == (Status.PROCESSING, 0)


def test_an_action_through_the_page_moves_the_dossier(world, client):
    d = receive(world)
    response = signin(client, "lan").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/", {"action": "forward", "version": d.version}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.step_index, d.current_unit.code) == (1, "van-hoa-xa-hoi")


def test_the_leader_reassigns_from_the_leader_view(world, client):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    html = signin(client, "son").get("/can-bo/dieu-hanh/").content.decode()
    assert d.code in html
    client.post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/",
        {"action": "assign", "version": d.version, "to_user": world.duc.user_id},
    )
    d.refresh_from_db()
    assert d.current_holder_id == world.duc.user_id
    assert "Ngô Văn Đức" in client.get("/can-bo/dieu-hanh/").content.decode()


def reception_post(world, **changes):
    version = world.chain.versions.get()
    data = {
        "procedure": "3.000722",
        "form_key": "k-1",
        "name": "nguyễn văn an",
        "id_number": "001203012345",
        "documents": [str(d.pk) for d in version.documents.all()],
        "delivery": "desk",
        "outcome": "receive",
    }
    data.update(changes)
    return data


def test_reception_receives_and_leads_to_form_01(world, client):
    response = signin(client, "lan").post("/can-bo/tiep-nhan/", reception_post(world))
    d = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mau/{d.pk}/01/"
    assert (d.code, d.applicant_name) == ("H26.100-261125-0001", "Nguyễn Văn An")


def test_a_double_submitted_reception_form_creates_one_dossier(world, client):
    signin(client, "lan")
    first = client.post("/can-bo/tiep-nhan/", reception_post(world))
    second = client.post("/can-bo/tiep-nhan/", reception_post(world))
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


def test_reception_keeps_what_was_typed_when_it_refuses(world, client):
    response = signin(client, "lan").post(
        "/can-bo/tiep-nhan/", reception_post(world, documents=[], address="Số 5 Hàng Bạc")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "chưa đủ thành phần" in html
    assert 'value="Số 5 Hàng Bạc"' in html
    assert Dossier.objects.count() == 0


def test_reception_can_request_a_supplement_or_refuse(world, client):
    signin(client, "lan")
    supplement = client.post(
        "/can-bo/tiep-nhan/",
        reception_post(world, outcome="supplement", documents=[], form_key="k-2"),
    )
    refused_without_reason = client.post(
        "/can-bo/tiep-nhan/", reception_post(world, outcome="refuse", form_key="k-3")
    )
    refused = client.post(
        "/can-bo/tiep-nhan/",
        reception_post(world, outcome="refuse", reason="Không thuộc thẩm quyền", form_key="k-4"),
    )
    assert supplement["Location"].endswith("/02/")
    assert refused_without_reason.status_code == 400
    assert "lý do" in refused_without_reason.content.decode()
    assert refused["Location"].endswith("/03/")
    assert sorted(Dossier.objects.values_list("status", flat=True)) == [3, 5]


def test_reception_finds_procedures_without_accents(world, client):
    html = signin(client, "lan").get("/can-bo/tiep-nhan/thu-tuc/", {"q": "dang ky khai sinh"})
    assert "1.001193" in html.content.decode()
    assert "3.000333" not in html.content.decode()


def test_the_online_queue_shows_the_wait_in_working_hours(world, client):
    dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-24 16:00"),
        outcome=Action.SUBMIT,
    )
    html = signin(client, "lan").get("/can-bo/truc-tuyen/").content.decode()
    assert "3,0 giờ làm việc" in html or "3.0 giờ làm việc" in html
    assert "Quá 2 giờ" in html


def test_sign_in_locks_after_repeated_failures(world, client):
    statuses = [
        client.post("/can-bo/dang-nhap/", {"username": "lan", "password": "sai"}).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 403]  # the fifth failure locks the account
    locked = client.post("/can-bo/dang-nhap/", {"username": "lan", "password": "x-lanlan"})
    assert locked.status_code == 403
    assert "tạm khóa" in locked.content.decode()


def test_sign_in_with_the_right_password_opens_the_inbox(world, client):
    response = client.post("/can-bo/dang-nhap/", {"username": "lan", "password": "x-lanlan"})
    assert response.status_code == 302
    assert client.get("/can-bo/").status_code == 200


def test_pages_need_sign_in(client, db):
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/dang-nhap/")


def test_apology_path_through_pages(world, client):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 09:30")
    signin(client, "tam").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/",
        {"action": "draft_apology", "version": d.version, "note": "Chờ xác minh cư trú."},
    )
    d.refresh_from_db()
    assert d.apology == "draft"
    signin(client, "kien").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/", {"action": "approve_apology", "version": d.version}
    )
    d.refresh_from_db()
    assert d.apology == "approved"


def test_the_desk_accepts_an_online_dossier_from_its_page(world, client):
    d = dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-25 08:00"),
        outcome=Action.SUBMIT,
    )
    signin(client, "lan")
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    for action in ("receive", "request_supplement", "refuse"):
        assert f'data-action="{action}"' in html
    client.post(f"/can-bo/ho-so/{d.pk}/thao-tac/", {"action": "receive", "version": d.version})
    d.refresh_from_db()
    assert (d.status, d.code) == (Status.RECEIVED, "H26.100-261125-0001")
    # Counted from the online submission at 08:00, not from the officer's click at 10:00.
    assert d.due_at == at("2026-11-27 17:00")


def test_a_search_by_id_number_never_travels_in_the_address(world, client):
    person = Applicant(name="Trần Thị Bình", id_number="001190000123")
    dossier_receive(
        intake=intake(world, applicant=person), actor=world.lan, now=at("2026-11-25 09:00")
    )
    signin(client, "lan")
    posted = client.post("/can-bo/", {"q": "001190000123", "scope": "mine"})
    assert posted.status_code == 302
    assert "001190000123" not in posted["Location"] and "s=" in posted["Location"]
    page = client.get(posted["Location"])
    assert "Trần Thị Bình" in page.content.decode()
    assert "001190000123" not in "".join(
        link for link in page.content.decode().split('href="')[1:] if link.startswith("?")
    )
    # Live search (htmx): the list comes back, and the address it pushes has only the token.
    live = client.post("/can-bo/", {"q": "001190000123"}, HTTP_HX_REQUEST="true")
    assert "Trần Thị Bình" in live.content.decode()
    assert "001190000123" not in live["HX-Push-Url"] and "s=" in live["HX-Push-Url"]
    # An old link with the number in it is moved to a token at once.
    old = client.get("/can-bo/", {"q": "001190000123"})
    assert old.status_code == 302 and "001190000123" not in old["Location"]


def test_another_sessions_token_finds_nothing(world, client):
    person = Applicant(name="Trần Thị Bình", id_number="001190000123")
    dossier_receive(
        intake=intake(world, applicant=person), actor=world.lan, now=at("2026-11-25 09:00")
    )
    location = signin(client, "lan").post("/can-bo/", {"q": "001190000123"})["Location"]
    other = Client()
    signin(other, "lan")
    assert other.get(location).context["filters"].q == ""
