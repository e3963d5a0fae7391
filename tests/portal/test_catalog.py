"""The public procedure catalog: search, filters, paging, a procedure's page, bad input."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.catalog.selectors import catalog_cache_clear
from motcua.catalog.services import catalog_import, default_catalog_dir
from motcua.organization.selectors import agency_by_code

URL = reverse("portal:catalog")


@pytest.fixture
def shipped(db):
    """The catalog files shipped in catalog/procedures."""
    catalog_import(paths=[default_catalog_dir()])


def names(response) -> list[str]:
    return [row.procedure.name for row in response.context["rows"]]


@pytest.mark.parametrize(
    "query",
    ["dang ky khai sinh", "đăng ký khai sinh", "dăng kí khai sinh", "dang ki khai sin"],
)
def test_every_spelling_finds_birth_registration_first(client, shipped, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert names(response)[0] == "Đăng ký khai sinh"
    assert "Đăng ký khai sinh" in response.content.decode()


def test_the_list_says_time_online_level_and_fee_in_plain_words(client, shipped):
    response = client.get(URL, {"q": "1.001193"})
    row = response.context["rows"][0]
    assert (row.time_limit, row.online, row.fee) == (
        "Trong ngày làm việc",
        "Trực tuyến toàn trình",
        "Không mất phí",
    )
    shown = re.sub(r"<[^>]*>", " ", response.content.decode())  # the text, not the markup
    assert "same_day" not in shown and "commune" not in shown


def test_empty_query_lists_everything_by_name(client, shipped):
    response = client.get(URL)
    assert response.status_code == 200
    listed = names(response)
    assert len(listed) == response.context["count"] == response.context["total_procedures"] > 10


def test_filters_by_field_level_and_agency(client, shipped):
    by_field = client.get(URL, {"field": "Hộ tịch"})
    assert by_field.status_code == 200
    assert {r.procedure.field for r in by_field.context["rows"]} == {"Hộ tịch"}
    by_level = client.get(URL, {"level": "province"})
    assert {r.procedure.level for r in by_level.context["rows"]} == {"province"}
    by_agency = client.get(URL, {"agency": "commune", "q": "khai sinh"})
    assert by_agency.context["rows"]
    assert {r.procedure.competent for r in by_agency.context["rows"]} == {"commune"}
    both = client.get(URL, {"field": "Hộ tịch", "level": "province"})
    assert both.context["count"] == 0
    assert "Không tìm thấy thủ tục nào" in both.content.decode()


def test_pages_of_twenty(client, shipped, settings):
    from motcua.portal import catalog

    settings.DEBUG = False
    catalog.PAGE_SIZE, saved = 5, catalog.PAGE_SIZE
    try:
        first = client.get(URL)
        second = client.get(URL, {"page": "2"})
        far = client.get(URL, {"page": "9999"})
    finally:
        catalog.PAGE_SIZE = saved
    assert len(names(first)) == 5
    assert not set(names(first)) & set(names(second))
    assert far.status_code == 200 and far.context["page"] == far.context["pages"]
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "khai\u202esinh"}, "ký tự đảo chiều chữ"),
        ({"q": "khai\x07sinh"}, "ký tự điều khiển"),
        ({"q": "x" * 201}, "Tối đa 200 ký tự"),
        ({"field": "Không có"}, "Lựa chọn không hợp lệ"),
        ({"level": "galaxy"}, "Lựa chọn không hợp lệ"),
        ({"agency": "H99.99"}, "Lựa chọn không hợp lệ"),
        ({"page": "abc"}, "Nhập một số nguyên"),
        ({"page": "-1"}, "Nhập một số nguyên"),
        ({"page": "٣"}, "Nhập một số nguyên"),
    ],
)
def test_bad_input_is_a_clear_message_not_an_error_page(client, shipped, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "rows" not in response.context


def test_repeated_or_unknown_parameters_are_harmless(client, shipped):
    response = client.get(URL + "?q=khai+sinh&q=ket+hon&utm=x&page=1&page=2")
    assert response.status_code == 200


def test_a_procedure_page_has_papers_fee_time_and_result(client, shipped):
    response = client.get(reverse("portal:procedure", args=["1.001193"]))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Mang theo bản chính để cán bộ xem, không phải nộp.",
        "Nộp 1 bản chính.",
        "Không mất phí",
        "Miễn lệ phí",
        "Trong ngày làm việc",
        "Giấy khai sinh (bản chính)",
        "Nộp trực tuyến được toàn bộ",
        "Gửi qua bưu chính",
        "Ủy ban nhân dân xã, phường",
        "Chưa có nơi tiếp nhận nào được công bố.",
        "Luật Hộ tịch 2014",
    ]:
        assert expected in page, expected
    assert "đang được cơ quan kiểm tra lại" not in page  # 1.001193 is verified


def test_a_procedure_with_values_to_confirm_says_so(client, shipped):
    from django.utils import timezone

    from motcua.catalog.selectors import public_catalog
    from motcua.core.calendar import local_date
    from motcua.organization.selectors import centre_tz

    listed = public_catalog(local_date(timezone.now(), centre_tz())).procedures.values()
    unverified = next(p for p in listed if not p.verified)
    page = client.get(reverse("portal:procedure", args=[unverified.code])).content.decode()
    assert "đang được cơ quan kiểm tra lại" in page


def test_a_procedure_page_lists_the_places_that_receive_it(client, world):
    response = client.get(reverse("portal:procedure", args=[world.record.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.centre.name in page and world.hoan_kiem.name in page
    assert page.index(world.centre.name) < page.index(world.hoan_kiem.name)  # centres first
    assert world.police_hk.name not in page  # police desks are not where citizens hand in
    competent = agency_by_code(world.record.versions.get().competent)
    assert competent is not None and f"{competent.name} · Cấp tỉnh" in page


def test_working_days_in_words_on_the_page(client, shipped):
    response = client.get(reverse("portal:procedure", args=["2.000635"]))
    assert response.status_code == 200
    assert "ngày làm việc" in response.content.decode()


@pytest.mark.parametrize("code", ["9.999999", "<script>", "1.001193x", "x" * 300, "%E2%80%AE"])
def test_an_unknown_code_is_a_404_page_that_says_so(client, shipped, code):
    response = client.get(f"/thu-tuc/{code}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không có thủ tục này" in page
    assert "<script>" not in page


def test_a_new_import_is_seen_at_once(client, db):
    assert client.get(URL, {"q": "khai sinh"}).context["count"] == 0
    catalog_import(paths=[default_catalog_dir() / "1.001193.toml"])
    assert names(client.get(URL, {"q": "khai sinh"})) == ["Đăng ký khai sinh"]
    catalog_cache_clear()


def test_the_site_links_the_catalog(client, db):
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{URL}"' in home
    assert 'action="/thu-tuc/"' in home and 'name="q"' in home
    assert '<html lang="vi">' in home
