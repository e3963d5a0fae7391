"""Hostile query strings and addresses on the oversight pages and the public statistics: a NUL,
a right-to-left override, decomposed (NFD) Vietnamese, huge numbers, dates before year 1 or
past 9999, unknown agencies, wrong types, a century-long period. Each is refused plainly: 400
with the Vietnamese page and the field's error, or the same 404 as a missing agency, never a
500 (nor a database error on PostgreSQL, which refuses a NUL in a string)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from tests.oversight.histories import build

DASHBOARD = "/can-bo/giam-sat/"
AGENCY = "/can-bo/giam-sat/co-quan/H26.100/"
DRILL = "/can-bo/giam-sat/ho-so/"
EVIDENCE = "/can-bo/danh-gia-can-bo/"
STATS = "/thong-ke/"
NFD = unicodedata.normalize("NFD", "tháng này")

# (query, the field whose error says what is wrong) — sent to the dashboard, an agency's page
# and the drill-down (with a figure), whose period forms are the same.
PERIOD_PROBES = [
    ({"to": "\u202e2026-11-30"}, "to"),
    ({"preset": NFD}, "preset"),
    ({"preset": "month\u202e"}, "preset"),
    ({"from": "-0001-01-01"}, "from"),
    ({"from": "0000-00-00"}, "from"),
    ({"to": "10000-01-01"}, "to"),
    ({"to": "9999-12-31"}, "to"),
    ({"from": "2026-02-30"}, "from"),
    ({"from": "9" * 400}, "from"),
    ({"from": "1926-01-01", "to": "2026-01-01"}, "from"),  # a century: before any figures
    ({"from": "2001-01-01", "to": "2026-11-30"}, "to"),  # 25 years: too long a period
    ({"order": ["worst", "best"], "preset": ["month", NFD]}, "preset"),  # repeated: the last
]

# Drill-down parameters of the wrong kind or size: (query, what the page says beside it).
DRILL_PROBES = [
    ({"figure": NFD}, "Lựa chọn không hợp lệ"),
    ({"figure": "1"}, "Lựa chọn không hợp lệ"),
    ({"figure": ""}, "Hãy chọn một mục"),
    ({"figure": "late", "page": "9" * 40}, "Trang: "),
    ({"figure": "late", "page": "-1"}, "Trang: "),
    ({"figure": "late", "page": "1e9"}, "Trang: "),
    ({"figure": "late", "procedure": "99999999999999999999"}, "Thủ tục: "),
    ({"figure": "steps", "unit": "2147483648"}, "Đơn vị: "),
    ({"figure": "steps", "holder": "abc"}, "Cán bộ: "),
    ({"figure": "steps", "holder": "-5"}, "Cán bộ: "),
    ({"figure": "late", "agency": "\u202eH26.100"}, "Mã cơ quan: "),
    ({"figure": "late", "agency": "H" * 40}, "Mã cơ quan: "),
]

# Addresses naming an agency that is not there (or that no one could type): the same 404.
UNKNOWN_AGENCIES = [
    "/can-bo/giam-sat/co-quan/ZZZ/",
    f"/can-bo/giam-sat/co-quan/{quote(unicodedata.normalize('NFD', 'Hà-Nội'))}/",
    "/can-bo/giam-sat/co-quan/%E2%80%AEH26.100/",
    f"/can-bo/giam-sat/co-quan/{'9' * 300}/",
    "/can-bo/giam-sat/bao-cao/%E2%80%AEH26.100/2026-11.csv",
    "/can-bo/giam-sat/bao-cao/ZZZ/2026-11.xlsx",
    f"{DRILL}?figure=late&agency=ZZZ",
    f"{DRILL}?figure=late&agency={quote(unicodedata.normalize('NFD', 'Hà Nội'))}",
]

# Months that are not months, on the head's report (its own 404 page says what is expected).
BAD_MONTHS = ["%E2%80%AE2026-11", "-001-01", "99999-01", "2026-00", "0000-01", "9" * 50]


# A NUL anywhere: refused whole at the edge, before any view or the database sees it.
NUL_PROBES = [
    f"{DASHBOARD}?from=2026-11-01%00",
    f"{DASHBOARD}?preset=%00",
    f"{AGENCY}?order=%00",
    f"{DRILL}?figure=late%00",
    f"{DRILL}?figure=late&procedure=1%00",
    f"{DRILL}?figure=late&agency=H26.100%00",
    f"{DRILL}?figure=steps&holder=%00",
    f"{DRILL}?%00=1",
    "/can-bo/giam-sat/co-quan/H26.100%00/",
    "/can-bo/giam-sat/bao-cao/H26.100%00/2026-11/",
    "/can-bo/giam-sat/bao-cao/H26.100/2026-11%00.xlsx",
    f"{EVIDENCE}?year=2026%00&dang=xlsx",
    f"{EVIDENCE}?year=%00&dang=csv",
    f"{STATS}?ky=%00",
    f"{STATS}?ky=2026&ky=%00",
]


@pytest.fixture
def h(world):
    return build(world)


@pytest.fixture
def office(h, client):
    client.force_login(get_user_model().objects.get(username="giamsat"))
    return client


def refused_beside(response, field: str) -> str:
    """The page's HTML, once it is a Vietnamese 400 with the field marked invalid."""
    html = response.content.decode()
    assert response.status_code == 400, html[:300]
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi"' in html
    assert f'<label for="period-{field}">' in html
    start = html.index(f'<label for="period-{field}">')
    assert "invalid" in html[html.rindex("<div", 0, start) : start]
    return html


@pytest.mark.parametrize("url", NUL_PROBES)
def test_a_nul_anywhere_is_refused_whole_with_the_vietnamese_page(office, url):
    response = office.get(url)
    html = response.content.decode()
    assert response.status_code == 400, html[:300]
    assert '<html lang="vi"' in html
    assert "Yêu cầu không hợp lệ" in html and "ký tự NUL (U+0000)" in html


@pytest.mark.parametrize(("query", "field"), PERIOD_PROBES)
@pytest.mark.parametrize("url", [DASHBOARD, AGENCY, DRILL])
def test_a_hostile_period_is_refused_beside_its_field(office, url, query, field):
    response = office.get(url, {"figure": "late", **query})
    refused_beside(response, field)


@pytest.mark.parametrize(("query", "message"), DRILL_PROBES)
def test_a_hostile_drill_down_is_refused_saying_what_is_wrong(office, query, message):
    response = office.get(DRILL, query)
    html = response.content.decode()
    assert response.status_code == 400, html[:300]
    assert '<html lang="vi"' in html
    assert "Yêu cầu chưa hợp lệ, xem các ô được đánh dấu." in html
    assert message in html


@pytest.mark.parametrize("url", UNKNOWN_AGENCIES)
def test_an_unknown_or_garbled_agency_is_not_found_as_a_missing_one(office, url):
    response = office.get(url)
    html = response.content.decode()
    assert response.status_code == 404, html[:300]
    assert '<html lang="vi"' in html
    assert "Không tìm thấy cơ quan." in html


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize("suffix", ["/", ".csv", ".xlsx", ".pdf"])
def test_a_month_that_is_not_one_is_refused_in_vietnamese(office, month, suffix):
    response = office.get(f"/can-bo/giam-sat/bao-cao/H26.100/{month}{suffix}")
    html = response.content.decode()
    assert response.status_code == 404, html[:300]
    assert "không hợp lệ: hãy ghi năm và tháng, ví dụ 2026-11." in html


@pytest.mark.parametrize("year", ["\u202e2026", "9" * 30, "-2026", "2026.5", "", "١٢٣٤"])
@pytest.mark.parametrize("kind", ["", "csv", "xlsx"])
def test_a_hostile_year_on_the_evidence_sheets_gets_the_page_and_its_error(office, year, kind):
    response = office.get(EVIDENCE, {"year": year, "dang": kind})
    html = response.content.decode()
    assert response.status_code == 400, html[:300]
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi"' in html and 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    "ky",
    ["\u202e2026", NFD, "9" * 400, "-2026", "2026-13", "1900", "2026-Q9", ["2026", NFD]],
)
def test_a_hostile_period_on_the_public_statistics_is_refused(client, h, ky):
    response = client.get(STATS, {"ky": ky})
    html = response.content.decode()
    assert response.status_code == 400, html[:300]
    assert '<html lang="vi"' in html
    assert "Không có số liệu cho khoảng thời gian đã chọn; hãy chọn trong danh sách." in html


def test_the_public_statistics_ignore_what_they_do_not_ask(client, h):
    response = client.get(STATS, {"co_quan": "\u202e", "page": "9" * 50})
    assert response.status_code == 200


@pytest.mark.parametrize("pk", ["0", "2147483648", "9223372036854775808", "9" * 30])
def test_a_dossier_or_warning_number_past_any_id_is_not_found(office, pk):
    response = office.get(f"/can-bo/giam-sat/ho-so/{pk}/")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ." in response.content.decode()
    response = office.post(f"/can-bo/giam-sat/canh-bao/{pk}/", {"action_taken": "Đã nhắc."})
    assert response.status_code == 404
    assert '<html lang="vi"' in response.content.decode()
