"""Every page that shows personal data records who saw which dossiers, when, from where; the
oversight office reads that log per dossier and per official."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.lifecycle import Action, Role
from motcua.dossiers import audit
from motcua.dossiers.models import DossierAccess
from motcua.dossiers.services import dossier_act
from tests.conftest import at
from tests.desk.test_pages import receive, signin
from tests.factories import _person

NOW = at("2026-11-25 16:00")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def three(world):
    """Three dossiers at Hoàn Kiếm's desk, one of them online and waiting for the check."""
    a = receive(world, "Trần Văn Bình", when="2026-11-25 08:30")
    b = receive(world, "Nguyễn Thị Hoa", when="2026-11-25 09:00")
    c = receive(world, "Lê Văn Cường", when="2026-11-25 09:30")
    return a, b, c


def reads(page):
    return sorted(
        DossierAccess.objects.filter(page=page).values_list("dossier__code", "user__username")
    )


# (who, URL, page recorded, which of the three it shows)
PAGES = [
    ("lan", "/can-bo/", "desk.inbox", (0, 1, 2)),
    ("son", "/can-bo/dieu-hanh/", "desk.leader", ()),  # the desk's dossiers: not the unit's
    ("lan", "/can-bo/ho-so/{a}/", "desk.dossier", (0,)),
    ("lan", "/mau/so-theo-doi/?from=2026-11-25&to=2026-11-25", "ledger", (0, 1, 2)),
    ("lan", "/mau/so-theo-doi/?from=2026-11-25&to=2026-11-25&pdf=1", "ledger.pdf", (0, 1, 2)),
    ("lan", "/mau/{a}/01/", "form.01", (0,)),
    ("lan", "/mau/{a}/01/pdf/", "form.01.pdf", (0,)),
]


@pytest.mark.parametrize(("who", "url", "page", "shown"), PAGES, ids=[p[2] for p in PAGES])
def test_each_page_that_shows_personal_data_records_it(world, client, three, who, url, page, shown):
    response = signin(client, who).get(url.format(a=three[0].pk), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert reads(page) == sorted((three[i].code, who) for i in shown)
    for row in DossierAccess.objects.filter(page=page):
        assert (row.at, row.address) == (NOW, "10.1.2.3")


def test_the_leader_view_records_the_dossiers_it_lists(world, client, three):
    for d in three:
        dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 10:00"))
    signin(client, "son").get("/can-bo/dieu-hanh/")
    assert reads("desk.leader") == sorted((d.code, "son") for d in three)


def test_the_online_queue_records_the_dossiers_it_lists(world, client):
    from motcua.dossiers.services import dossier_receive
    from tests.dossiers.test_services import intake

    d = dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-25 09:00"),
        outcome=Action.SUBMIT,
    )
    signin(client, "lan").get("/can-bo/truc-tuyen/")
    assert [r.dossier_id for r in DossierAccess.objects.filter(page="desk.online")] == [d.pk]


def test_a_list_records_its_reads_in_one_statement(world, client, three):
    signin(client, "lan").get("/can-bo/")
    with CaptureQueriesContext(connection) as few:
        client.get("/can-bo/")
    for i in range(10):
        receive(world, f"Người Thứ {i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/can-bo/")
    assert len(many) == len(few)
    assert DossierAccess.objects.filter(page="desk.inbox").count() == 3 + 3 + 13


@pytest.mark.parametrize(
    ("header_setting", "meta", "recorded"),
    [
        ("", {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.5"),
        (
            "HTTP_X_FORWARDED_FOR",
            {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"},
            "203.0.113.9",
        ),
        ("HTTP_X_FORWARDED_FOR", {"REMOTE_ADDR": "10.0.0.5"}, "10.0.0.5"),
        ("HTTP_X_FORWARDED_FOR", {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "x"}, None),
    ],
    ids=["no proxy: the header is ignored", "trusted proxy", "no header", "not an address"],
)
def test_the_address_is_the_proxys_only_when_trusted(
    world, client, three, settings, header_setting, meta, recorded
):
    settings.TRUSTED_PROXY_HEADER = header_setting
    signin(client, "lan").get(f"/can-bo/ho-so/{three[0].pk}/", **meta)
    assert DossierAccess.objects.get().address == recorded


@pytest.fixture
def hung(world):
    return _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)


def test_the_oversight_screen_lists_reads_per_dossier_per_official_and_each(
    world, client, three, hung
):
    a, b, _c = three
    signin(client, "lan").get("/can-bo/")
    signin(client, "son").get(f"/can-bo/ho-so/{a.pk}/", REMOTE_ADDR="10.9.9.9")
    signin(client, "giamsat")
    per_dossier = client.get("/can-bo/giam-sat/truy-cap/")
    html = per_dossier.content.decode()
    assert per_dossier.status_code == 200
    assert "Nhật ký truy cập dữ liệu cá nhân" in html
    assert all(d.code in html for d in three)
    assert "Trần Văn Bình" not in html  # the oversight screen shows codes, not applicants
    per_official = client.get("/can-bo/giam-sat/truy-cap/", {"view": "official"})
    html = per_official.content.decode()
    assert "Nguyễn Thị Lan" in html and "Lý Văn Sơn" in html
    rows = client.get("/can-bo/giam-sat/truy-cap/", {"view": "rows", "code": a.code.lower()})
    html = rows.content.decode()
    assert html.count('<tr><td class="nowrap">') == 2
    assert "10.9.9.9" in html and "Trang hồ sơ" in html and "Danh sách việc" in html
    only_son = client.get("/can-bo/giam-sat/truy-cap/", {"view": "rows", "user": world.son.user_id})
    assert only_son.content.decode().count('<tr><td class="nowrap">') == 1
    assert b.code not in only_son.content.decode()
    # Reading the log is not itself a read of personal data.
    assert DossierAccess.objects.filter(user__username="giamsat").count() == 0


@pytest.mark.parametrize(
    "query",
    [{"from": "2026-11-30", "to": "2026-11-01"}, {"from": "not a date"}, {"user": "999999"}],
)
def test_bad_filters_are_refused_with_a_message(world, client, hung, query):
    response = signin(client, "giamsat").get("/can-bo/giam-sat/truy-cap/", query)
    assert response.status_code == 400
    assert "Bộ lọc chưa hợp lệ" in response.content.decode()


def test_the_period_filters_by_local_dates(world, client, three, hung):
    signin(client, "lan").get("/can-bo/")  # at 16:00 local on 25/11
    signin(client, "giamsat")
    same = client.get("/can-bo/giam-sat/truy-cap/", {"from": "2026-11-25", "to": "2026-11-25"})
    assert all(d.code in same.content.decode() for d in three)
    before = client.get("/can-bo/giam-sat/truy-cap/", {"from": "2026-11-24", "to": "2026-11-24"})
    assert "Không có lượt truy cập nào" in before.content.decode()


@pytest.mark.parametrize("who", ["lan", "son", "long"])
def test_only_the_oversight_office_sees_the_log(world, client, who):
    response = signin(client, who).get("/can-bo/giam-sat/truy-cap/")
    assert response.status_code == 404
    assert "bộ phận giám sát" in response.content.decode()


def test_the_anchor_covers_reads_made_from_the_pages(world, client, three):
    signin(client, "lan").get("/can-bo/")
    anchor = audit.make_anchor(NOW)
    assert anchor["reads"]["count"] == 3
    DossierAccess.objects.filter(dossier=three[1]).delete()
    assert [str(p) for p in audit.verify(anchor).problems] == [
        "nhật ký truy cập: còn 2 dòng, khi neo có 3"
    ]
