"""Indicator 1.4 (dossiers synced to the national portal) where the 766 index shows: the
agency page, the ranking, `motcua index --json` and the head's report; empty, never 0, when
this installation is not connected."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.core.indicators import Period
from motcua.core.lifecycle import Role
from motcua.notify.services import outbox_deliver
from motcua.oversight import selectors
from motcua.oversight.services import tallies_rebuild
from tests.conftest import at
from tests.factories import _person
from tests.oversight.histories import _birth

pytestmark = pytest.mark.django_db

DECEMBER = {"from": "2026-12-01", "to": "2026-12-02"}
AGENCY_PAGE = "/can-bo/giam-sat/co-quan/H26.100/"
DASHBOARD = "/can-bo/giam-sat/"


def _two_dossiers(world):
    """Two birth registrations received at Hoàn Kiếm on 1/12: the first's record
    acknowledged by the portal, the second's still waiting (never delivered)."""
    first = _birth(world, "2026-12-01 08:30")
    outbox_deliver(now=at("2026-12-01 08:31"))
    second = _birth(world, "2026-12-01 09:00", name="Trần Văn Chờ")
    tallies_rebuild()
    return first, second


def _index_json(code="H26.100"):
    out = io.StringIO()
    call_command("index", agency=code, first=DECEMBER["from"], last=DECEMBER["to"],
                 as_json=True, stdout=out)  # fmt: skip
    return {i["code"]: i for i in json.loads(out.getvalue())["indicators"]}


def _page(client, who, url):
    client.force_login(get_user_model().objects.get(username=who))
    with time_machine.travel(at("2026-12-02 10:00")):
        html = client.get(url, DECEMBER).content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _client():
    return Client()


def _row(html):
    return re.search(r"<tr><td>1\.4</td>.*?</tr>", html, re.S).group(0)


def test_connected_one_of_two_synced_scores_three_of_six(world, portal):
    first, second = _two_dossiers(world)
    assert first.competent_agency_id == second.competent_agency_id
    # `motcua index --json`: 6 × 1 ÷ 2.
    synced = _index_json()["1.4"]
    assert (synced["numerator"], synced["denominator"]) == (1, 2)
    assert synced["score"] == {"value": 3.0, "exact": "3/1"}
    assert synced["ratio"] == {"value": 0.5, "exact": "1/2"}
    assert "÷ hồ sơ tiếp nhận trong kỳ" in synced["formula"]
    # The agency page: 1 / 2, 50%, 3 of 6 points, its formula beside it.
    row = _row(_page(_client(), "long", AGENCY_PAGE))
    assert "<td>1</td>" in row and ">2</a>" in row and "50,0%" in row and "3,00" in row
    assert "đồng bộ đủ" in row


def test_the_ranking_counts_every_agency_in_one_query(world, portal, django_assert_num_queries):
    _two_dossiers(world)
    period = Period(at("2026-12-01 00:00").date(), at("2026-12-02 00:00").date())
    _departments, communes = selectors.ranking(period=period)
    (hoan_kiem,) = [s for s in communes if s.agency.code == "H26.100"]
    assert (hoan_kiem.synced.numerator, hoan_kiem.synced.denominator) == (1, 2)
    # The numerators of all agencies come from one query, whatever their number.
    with django_assert_num_queries(1):
        counts = selectors.sync_by(period=period)
    assert counts is not None and counts[hoan_kiem.agency.pk].synced == 1
    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    html = _page(_client(), "giamsat", DASHBOARD)
    assert "Đồng bộ lên Cổng quốc gia (1.4)" in html
    assert 'title="1 trên 2 hồ sơ">50,0%</a>' in html


def test_the_heads_report_shows_the_sync_indicator(world, portal):
    _two_dossiers(world)
    client = _client()
    client.force_login(get_user_model().objects.get(username="long"))
    with time_machine.travel(at("2026-12-02 10:00")):
        page = client.get(reverse("reports:head", args=["H26.100", "2026-12"])).content.decode()
        raw = client.get(reverse("reports:head_csv", args=["H26.100", "2026-12"])).content
    assert "1/2 hồ sơ, 3,0/6 điểm" in page
    figures = {r[0]: r[1] for r in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) if len(r) == 2}
    assert figures["Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia (chỉ tiêu 1.4)"] == "1/2"
    assert figures["Điểm chỉ tiêu 1.4 (trên 6)"] == "3,0"


def test_not_connected_the_indicator_stays_empty_never_zero(world, portal, settings):
    _two_dossiers(world)  # records made while connected
    settings.NATIONAL_PORTAL_URL = ""
    synced = _index_json()["1.4"]
    assert (synced["numerator"], synced["denominator"], synced["score"]) == (None, None, None)
    assert "chưa kết nối" in synced["formula"]
    row = _row(_page(_client(), "long", AGENCY_PAGE))
    assert row.count("<td>—</td>") == 4 and "<td>0</td>" not in row


def test_the_public_statistics_say_the_score_counts_the_sync_when_connected(world, portal):
    _two_dossiers(world)
    with time_machine.travel(at("2026-12-02 10:00")):
        html = _client().get(reverse("stats:public")).content.decode()
    assert "chỉ số 1.4" in html


def test_the_public_statistics_leave_the_sync_out_when_not_connected(world, settings):
    settings.NATIONAL_PORTAL_URL = ""
    with time_machine.travel(at("2026-12-02 10:00")):
        html = _client().get(reverse("stats:public")).content.decode()
    assert "chỉ số 1.4" not in html
