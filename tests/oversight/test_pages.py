"""The oversight pages through the test client: who sees what (a matrix), the figures each
number links to, the index explained, bad input, and who held a late dossier too long."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import at
from tests.oversight.histories import build

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
DASHBOARD = "/can-bo/giam-sat/"
NOT_FOR_YOU = "Trang dành cho lãnh đạo cơ quan và bộ phận giám sát."


def signin(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def main(response) -> str:
    """The page's <main>, where nothing differs from one request to the next (no token)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def h(world):
    return build(world)


def agency_url(code):
    return f"/can-bo/giam-sat/co-quan/{code}/"


def dossier_url(d):
    return f"/can-bo/giam-sat/ho-so/{d.pk}/"


# Who may open what: the oversight office everything in the province; a commune's head their
# commune; the Department of Justice's head their department; nobody else any of it.
MATRIX = [
    ("giamsat", "H26.100", 200),
    ("giamsat", "H26.101", 200),
    ("giamsat", "H26.32", 200),
    ("long", "H26.100", 200),
    ("long", "H26.101", 404),
    ("long", "H26.32", 404),
    ("nam", "H26.32", 200),
    ("nam", "H26.100", 404),
]


@pytest.mark.parametrize(("who", "code", "status"), MATRIX)
def test_an_agency_page_opens_only_inside_the_scope(h, client, who, code, status):
    response = signin(client, who).get(agency_url(code), NOVEMBER)
    assert response.status_code == status
    if status == 404:
        # The same page as an agency that does not exist: codes cannot be probed.
        missing = client.get(agency_url("H26.999"), NOVEMBER)
        assert missing.status_code == 404
        assert main(response) == main(missing)
        assert "Không tìm thấy cơ quan." in main(response)


@pytest.mark.parametrize(
    ("who", "dossier", "status"),
    [
        ("giamsat", "late", 200),
        ("giamsat", "ba_dinh", 200),
        ("long", "late", 200),
        ("long", "ba_dinh", 404),
        ("long", "justice", 404),
        ("nam", "justice", 200),
        ("nam", "late", 404),
    ],
)
def test_a_dossiers_attribution_opens_only_inside_the_scope(h, client, who, dossier, status):
    response = signin(client, who).get(dossier_url(getattr(h, dossier)))
    assert response.status_code == status
    if status == 404:
        missing = client.get("/can-bo/giam-sat/ho-so/999999/")
        assert main(response) == main(missing)


@pytest.mark.parametrize("who", ["duc", "son", "lan", "quantri"])
def test_specialists_desk_unit_leaders_and_admins_see_no_dashboard(h, client, who):
    signin(client, who)
    for url in (
        DASHBOARD,
        agency_url("H26.100"),
        "/can-bo/giam-sat/ho-so/?figure=late",
        dossier_url(h.late),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOT_FOR_YOU in response.content.decode()
    assert "Giám sát, đánh giá" not in client.get("/can-bo/").content.decode()


@pytest.mark.parametrize("who", ["giamsat", "long", "nam"])
def test_those_who_see_dashboards_find_the_link_in_the_menu(h, client, who):
    html = signin(client, who).get("/can-bo/").content.decode()
    assert 'href="/can-bo/giam-sat/">Giám sát, đánh giá</a>' in html


def test_the_read_log_still_opens_under_the_same_address(h, client):
    response = signin(client, "giamsat").get("/can-bo/giam-sat/truy-cap/")
    assert response.status_code == 200
    assert "Nhật ký truy cập dữ liệu cá nhân" in response.content.decode()


def test_the_city_dashboard_counts_the_scope_and_links_every_number(h, client):
    html = main(signin(client, "giamsat").get(DASHBOARD, NOVEMBER))
    # Four dossiers received in November: two at Hoàn Kiếm, one at Ba Đình, one for Justice.
    assert re.search(
        r'figure=received&amp;from=2026-11-01&amp;to=2026-11-30"><span class="n">4<', html
    )
    assert re.search(r'figure=late&amp;[^"]*"><span class="n">1<', html)
    assert re.search(r'figure=late_agency&amp;[^"]*"><span class="n">1<', html)
    assert re.search(r'figure=late_open_end&amp;[^"]*"><span class="n">1<', html)
    # The trend: an SVG that names itself, and the table behind it.
    assert '<svg viewBox="0 0 720 260" role="img" aria-labelledby="trend-title trend-desc"' in html
    assert '<th scope="row">11/2026</th>' in html
    # SVG numbers as SVG reads them, whatever the page's language writes decimals with.
    bars = re.findall(r'<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"', html)
    assert len(bars) == 12
    assert all(re.fullmatch(r"\d+(\.\d+)?", n) for bar in bars for n in bar)
    # The ranking: departments and communes apart, each agency linked to its page.
    departments, communes = html.split("<caption>Xã, phường</caption>")
    assert "UBND Phường Hoàn Kiếm" in communes and "UBND Phường Hoàn Kiếm" not in departments
    assert "Sở Tư pháp" in departments


def test_the_ranking_puts_the_worst_first_or_the_best_first(h, client):
    signin(client, "giamsat")
    worst = main(client.get(DASHBOARD, {**NOVEMBER, "order": "worst"}))
    best = main(client.get(DASHBOARD, {**NOVEMBER, "order": "best"}))
    communes = ("UBND Phường Hoàn Kiếm", "UBND Phường Ba Đình")
    # Ba Đình's only dossier is late at the end of the period: it ranks below Hoàn Kiếm.
    assert worst.index(communes[1]) < worst.index(communes[0])
    assert best.index(communes[0]) < best.index(communes[1])


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "Ngày kết thúc phải từ ngày bắt đầu"),
        ({"from": "30/11/2026"}, "from", "Ngày không hợp lệ"),
        ({"from": "1999-01-01"}, "from", "Ngày nằm ngoài khoảng có số liệu"),
        ({"from": "2020-01-01", "to": "2026-11-30"}, "to", "Kỳ dài quá 5 năm"),
        ({"from": "2001-01-01"}, "from", "Kỳ dài quá 5 năm"),
        ({"preset": "decade"}, "preset", "Lựa chọn không hợp lệ"),
    ],
)
def test_a_bad_period_is_refused_beside_its_field(h, client, query, field, message):
    signin(client, "giamsat")
    for url in (DASHBOARD, agency_url("H26.100"), "/can-bo/giam-sat/ho-so/"):
        response = client.get(url, {"figure": "late", **query})
        assert response.status_code == 400, url
        html = main(response)
        beside = re.search(
            rf'<div class="field invalid"><label for="period-{field}">.*?</div>', html, re.S
        )
        assert beside and message in beside.group(0), url


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"figure": "all"}, "Lựa chọn không hợp lệ"),
        ({"figure": "late", "page": "abc"}, "Trang: "),
        ({"figure": "late", "procedure": "x"}, "Thủ tục: "),
        ({"figure": "late", "agency": "H" * 40}, "Mã cơ quan: "),
    ],
)
def test_a_bad_drill_down_request_says_what_is_wrong(h, client, query, message):
    response = signin(client, "giamsat").get("/can-bo/giam-sat/ho-so/", query)
    assert response.status_code == 400
    assert message in main(response)


def test_the_presets_name_this_and_last_month_quarter_and_year(h, client):
    signin(client, "giamsat")
    with time_machine.travel(at("2026-12-03 09:00")):
        for preset, text in [
            ("month", "Kỳ từ 01/12/2026 đến 03/12/2026."),
            ("last_month", "Kỳ từ 01/11/2026 đến 30/11/2026."),
            ("quarter", "Kỳ từ 01/10/2026 đến 03/12/2026."),
            ("year", "Kỳ từ 01/01/2026 đến 03/12/2026."),
        ]:
            assert text in main(client.get(DASHBOARD, {"preset": preset})), preset


def test_an_agency_page_explains_its_index_and_leaves_what_it_lacks_empty(h, client):
    html = main(signin(client, "long").get(agency_url("H26.100"), NOVEMBER))
    row = re.search(r"<tr><td>2\.1</td>.*?</tr>", html, re.S).group(0)
    # One of the two dossiers to process was settled within time: 1 / 2, 50%, 10 of 20 points.
    assert ">1</a>" in row and ">2</a>" in row and "50,0%" in row and "10,00" in row
    assert "yêu cầu bổ sung quá một lần tính là trễ hạn" in row
    synced = re.search(r"<tr><td>1\.4</td>.*?</tr>", html, re.S).group(0)
    assert synced.count("<td>—</td>") == 4 and "<td>6</td>" in synced
    assert "<td>0</td>" not in synced


def test_an_agency_page_shows_procedures_units_officials_and_bottlenecks(h, client):
    html = main(signin(client, "giamsat").get(agency_url("H26.100"), NOVEMBER))
    procedures = html[html.index('id="proc-h"') : html.index('id="bottleneck-h"')]
    assert "Đăng ký khai sinh" in procedures
    bottlenecks = html[html.index('id="bottleneck-h"') : html.index('id="units-h"')]
    # The appraisal waits longest: its name comes from the procedure's step templates.
    first = re.search(r'<tbody>\s*<tr><th scope="row">(.*?)</th>', bottlenecks).group(1)
    assert first == "Thẩm định"
    officials = html[html.index('id="officials-h"') : html.index('id="trend-h"')]
    assert officials.index("Ngô Văn Đức") < officials.index("Nguyễn Thị Lan")
    duc = re.search(r"<tr><th scope=\"row\">Ngô Văn Đức</th>.*?</tr>", officials, re.S).group(0)
    # Two appraisals, one late; held 10 hours in all (5 on average), 5,25 hours over.
    counts = re.findall(r"<td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>", duc)
    assert counts[1:] == ["2", "1", "1", "5,0 giờ", "5,2 giờ"]


def test_a_units_and_an_officials_step_counts_drill_down_to_the_steps(h, client):
    html = main(signin(client, "giamsat").get(agency_url("H26.100"), NOVEMBER))
    officials = html[html.index('id="officials-h"') : html.index('id="trend-h"')]
    duc = re.search(r"<tr><th scope=\"row\">Ngô Văn Đức</th>.*?</tr>", officials, re.S).group(0)
    links = dict(
        (figure, (href.replace("&amp;", "&"), int(n)))
        for href, figure, n in re.findall(
            r'<a href="(/can-bo/giam-sat/ho-so/\?figure=(steps\w*)[^"]*)">(\d+)</a>', duc
        )
    )
    assert {f: n for f, (_href, n) in links.items()} == {
        "steps": 2, "steps_in_time": 1, "steps_late": 1,
    }  # fmt: skip
    for figure, (href, number) in links.items():
        page = client.get(href)
        assert page.status_code == 200, figure
        listed = main(page)
        assert listed.count('<a class="code"') == number, figure
        assert "Ngô Văn Đức" in listed
    late = main(client.get(links["steps_late"][0]))
    assert h.late.code in late and h.on_time.code not in late
    units = html[html.index('id="units-h"') : html.index('id="officials-h"')]
    unit_links = re.findall(
        r'href="(/can-bo/giam-sat/ho-so/\?figure=steps&amp;[^"]*)">(\d+)<', units
    )
    assert unit_links
    for href, number in unit_links:
        listed = main(client.get(href.replace("&amp;", "&")))
        assert listed.count('<a class="code"') == int(number)


def test_the_ratings_figures_drill_down_to_the_rated_dossiers(h, client):
    from motcua.core.feedback import RatingChannel
    from motcua.feedback.services import rating_submit
    from motcua.oversight.services import tallies_rebuild

    scores = {"conduct": 5, "punctuality": 4, "guidance": 4, "simplicity": 3}
    rating_submit(
        dossier_id=h.on_time.pk, scores=scores, comment="", channel=RatingChannel.TRACKING,
        now=at("2026-11-25 09:00"),
    )  # fmt: skip
    tallies_rebuild()
    html = main(signin(client, "giamsat").get(agency_url("H26.100"), NOVEMBER))
    found = re.findall(
        r'href="(/can-bo/giam-sat/ho-so/\?figure=(ratings\w*)[^"]*)"><span class="n">(\d+)<', html
    )
    shown = {figure: int(n) for _href, figure, n in found}
    assert shown == {"ratings": 1, "ratings_own": 1, "ratings_at_desk": 0}
    for href, figure, number in found:
        listed = main(client.get(href.replace("&amp;", "&")))
        assert listed.count('<a class="code"') == int(number), figure
        assert (h.on_time.code in listed) is (number == "1"), figure


def test_a_figure_drills_down_to_its_dossiers_and_each_to_who_held_it(h, client):
    signin(client, "giamsat")
    late = client.get(
        "/can-bo/giam-sat/ho-so/", {"figure": "late", "agency": "H26.100", **NOVEMBER}
    )
    assert late.status_code == 200
    html = main(late)
    assert h.late.code in html and h.on_time.code not in html
    assert f'href="/can-bo/giam-sat/ho-so/{h.late.pk}/"' in html
    # No personal data of the applicant on oversight's lists.
    assert "Trần Văn Muộn" not in html
    received = main(client.get("/can-bo/giam-sat/ho-so/", {"figure": "received", **NOVEMBER}))
    assert received.count('href="/can-bo/giam-sat/ho-so/') == 4
    outside = client.get("/can-bo/giam-sat/ho-so/", {"figure": "late", "agency": "H26.999"})
    assert outside.status_code == 404


def test_the_attribution_names_who_held_a_late_dossier_too_long(h, client):
    html = main(signin(client, "giamsat").get(dossier_url(h.late)))
    blamed = re.search(r'<tr class="blamed">.*?</tr>', html, re.S).group(0)
    assert "Thẩm định" in blamed and "Ngô Văn Đức" in blamed and "Quá hạn" in blamed
    assert html.count('class="blamed"') == 1
    assert "<strong>UBND Phường Hoàn Kiếm</strong>" in html
    assert "Trần Văn Muộn" not in html


def test_due_soon_counts_open_dossiers_due_within_a_working_day(h, client):
    signin(client, "nam")
    # Justice's dossier is due 10 working days after 24/11: 08/12.
    with time_machine.travel(at("2026-12-07 10:00")):
        html = main(client.get(DASHBOARD, {"preset": "month"}))
        assert re.search(r'figure=due_soon&amp;[^"]*"><span class="n">1<', html)
        listed = main(client.get("/can-bo/giam-sat/ho-so/", {"figure": "due_soon"}))
        assert h.justice.code in listed
    with time_machine.travel(at("2026-12-01 10:00")):
        html = main(client.get(DASHBOARD, {"preset": "month"}))
        assert re.search(r'figure=due_soon&amp;[^"]*"><span class="n">0<', html)


def test_the_dossier_list_costs_the_same_queries_for_one_row_as_for_many(h, client):
    signin(client, "giamsat")
    url = "/can-bo/giam-sat/ho-so/"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, {"figure": "late", **NOVEMBER}).status_code == 200
    with CaptureQueriesContext(connection) as four:
        assert client.get(url, {"figure": "received", **NOVEMBER}).status_code == 200
    assert len(one) == len(four)


def test_choosing_another_period_keeps_the_rankings_order(h, client):
    html = main(signin(client, "giamsat").get(DASHBOARD, {**NOVEMBER, "order": "best"}))
    assert '<input type="hidden" name="order" value="best">' in html


def test_with_nothing_asked_the_form_says_this_month(h, client):
    page = signin(client, "giamsat").get(DASHBOARD)
    assert page.status_code == 200
    assert re.search(r'<option value="month" selected>', page.content.decode())
