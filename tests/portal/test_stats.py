"""The public statistics page: per agency the on-time rate, satisfaction with the citizen's own
ratings apart from the desk's, and the 766 score; nothing personal; cached per period."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.oversight import services
from tests.conftest import at
from tests.feedback.test_services import rate, returned

NAMES = ["Trần Văn Bình", "trần   văn  bình", "Nguyễn Thị Lan", "Ngô Văn Đức", "Trịnh Văn Long"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at("2026-12-03 09:00"), tick=False):
        yield


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(response.content.decode())))


def two_returned_and_rated(w):
    """Two birth registrations returned at Hoàn Kiếm on 25/11, on time: one rated 16/20 by the
    citizen through the tracking link, the other 20/20 on the desk's tablet."""
    own, desk = returned(w, "2026-11-25 14:00"), returned(w, "2026-11-25 14:30")
    rate(own)
    rate(desk, scores={"conduct": 5, "punctuality": 5, "guidance": 5, "simplicity": 5},
         device_at_desk=True)  # fmt: skip
    services.tallies_rebuild()
    return own, desk


def test_it_shows_each_agencys_figures_for_this_year_by_default(world, client):
    two_returned_and_rated(world)

    response = client.get(reverse("stats:public"))

    assert response.status_code == 200
    words = text(response)
    assert "Công khai kết quả giải quyết hồ sơ" in words
    assert "Xã, phường · Năm 2026 (đến ngày 03/12)" in words
    (row,) = [r for r in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
              if "Hoàn Kiếm" in r]  # fmt: skip
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(c))).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]  # fmt: skip
    assert cells[:4] == ["1", "UBND Phường Hoàn Kiếm", "2", "100,0%"]
    # The citizen's own rating (16/20 = 4/5) and its response rate, the desk's apart.
    assert cells[4] == "4,0/5 (1 lượt) 50,0% người nhận kết quả đã đánh giá"
    assert cells[5] == "5,0/5 (1 lượt)"
    # 44 of the 50 points the system can compute (nothing filed online: 0 of 6 on 3.3).
    assert cells[6] == "88,0/100 · Tốt"


def test_nothing_personal_is_published(world, client):
    own, _desk = two_returned_and_rated(world)
    html = unescape(client.get(reverse("stats:public")).content.decode())
    for name in NAMES:
        assert name not in html
    for code in Dossier.objects.values_list("code", flat=True):
        assert code not in html
    assert own.code[:4] == "H26." and "261125" not in html


def test_a_month_without_figures_says_so(world, client):
    two_returned_and_rated(world)
    response = client.get(reverse("stats:public"), {"ky": "2026-10"})
    assert response.status_code == 200
    words = text(response)
    assert "Xã, phường · Tháng 10/2026" in words
    assert "Chưa có số liệu trong thời gian này." in words
    assert 'value="2026-10" selected' in response.content.decode()


@pytest.mark.parametrize("value", ["2026-13", "2027", "2026-q5", "'; drop"])
def test_a_period_not_offered_is_refused_in_vietnamese(world, client, value):
    response = client.get(reverse("stats:public"), {"ky": value})
    assert response.status_code == 400
    assert "Không có số liệu cho khoảng thời gian đã chọn; hãy chọn trong danh sách." in text(
        response
    )


def test_the_periods_offered_are_years_quarters_and_months_up_to_today(world, client):
    html = client.get(reverse("stats:public")).content.decode()
    select = re.search(r'<select name="ky".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]+)"', select)
    assert values[:3] == ["2026", "2025", "2026-q4"]
    assert "2026-12" in values and "2026-01" in values and "2025-12" not in values  # 12 months
    assert "2026-q1" in values and "2025-q1" in values


def test_it_is_cached_per_period(world, client):
    two_returned_and_rated(world)
    before = text(client.get(reverse("stats:public")))
    returned(world, "2026-11-26 10:00")
    services.tallies_rebuild()
    # The year's page is served from the cache; another period is computed afresh.
    assert text(client.get(reverse("stats:public"))) == before
    assert "UBND Phường Hoàn Kiếm 3 " in text(
        client.get(reverse("stats:public"), {"ky": "2026-11"})
    )
    cache.clear()
    assert "UBND Phường Hoàn Kiếm 3 " in text(client.get(reverse("stats:public")))


def test_the_home_page_links_to_it(world, client):
    assert reverse("stats:public") in client.get(reverse("portal:home")).content.decode()
