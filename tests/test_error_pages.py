"""The pages Django shows for an address that matches nothing and for a server error speak
Vietnamese, like every other page (DEBUG off, as deployed)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_an_unknown_address_gets_a_vietnamese_page(settings):
    settings.DEBUG = False
    answer = Client().get("/ho-so-nhap/abc/")
    assert answer.status_code == 404
    html = answer.content.decode()
    assert 'lang="vi"' in html and "Không tìm thấy trang" in html


@pytest.mark.django_db
def test_a_server_error_gets_a_vietnamese_page(settings):
    from django.urls import path

    from motcua import urls

    def broken(request):
        raise RuntimeError("boom")

    settings.DEBUG = False
    settings.ROOT_URLCONF = type(
        "Conf", (), {"urlpatterns": [path("hong/", broken), *urls.urlpatterns]}
    )
    answer = Client(raise_request_exception=False).get("/hong/")
    assert answer.status_code == 500
    html = answer.content.decode()
    assert 'lang="vi"' in html and "Hệ thống đang gặp sự cố" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/can-bo/dang-xuat/", "/tai-khoan/dang-xuat/"])
def test_a_get_on_a_form_only_address_gets_a_vietnamese_page(settings, url):
    """Django's `require_POST` answers an empty 405; the page says what to do instead, and
    the status and the `Allow` header stay as HTTP wants them."""
    settings.DEBUG = False
    answer = Client().get(url)
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"
    html = answer.content.decode()
    assert 'lang="vi"' in html and "Không mở trực tiếp được trang này" in html


@pytest.mark.django_db
def test_the_405_page_speaks_the_chosen_language(settings):
    settings.DEBUG = False
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answer = client.get("/can-bo/dang-xuat/")
    assert answer.status_code == 405
    assert '<html lang="en">' in answer.content.decode()


def test_a_405_that_has_a_body_is_left_alone(rf):
    """An API's structured 405 keeps its own body."""
    from django.http import HttpResponseNotAllowed

    from motcua.edge import MethodNotAllowedMiddleware

    def api(request):
        return HttpResponseNotAllowed(["PUT"], content=b'{"code": "method"}')

    answer = MethodNotAllowedMiddleware(api)(rf.get("/api/"))
    assert answer.content == b'{"code": "method"}'
    assert answer["Allow"] == "PUT"


@pytest.mark.django_db
def test_a_forbidden_page_gets_a_vietnamese_page_with_a_way_back(settings):
    from django.core.exceptions import PermissionDenied
    from django.urls import path

    from motcua import urls

    def forbidden(request):
        raise PermissionDenied

    settings.DEBUG = False
    settings.ROOT_URLCONF = type(
        "Conf", (), {"urlpatterns": [path("cam/", forbidden), *urls.urlpatterns]}
    )
    answer = Client().get("/cam/")
    assert answer.status_code == 403
    html = answer.content.decode()
    assert 'lang="vi"' in html and "Không có quyền xem trang này" in html
    assert 'href="/"' in html  # the way back


@pytest.mark.django_db
def test_a_bad_request_gets_a_vietnamese_page(settings):
    """An unknown Host header is Django's SuspiciousOperation: handler400's page."""
    settings.DEBUG = False
    answer = Client(HTTP_HOST="ke-la.example").get("/thu-tuc/")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'lang="vi"' in html and "Yêu cầu không hợp lệ" in html
    assert "Trình duyệt đã gửi một yêu cầu" in html


@pytest.mark.django_db
def test_a_form_sent_without_its_token_gets_a_page_that_says_to_send_again(settings):
    settings.DEBUG = False
    answer = Client(enforce_csrf_checks=True).post(
        reverse("desk:login"), {"username": "a", "password": "b"}
    )
    assert answer.status_code == 403
    html = answer.content.decode()
    assert 'lang="vi"' in html and "Trang đã cũ, vui lòng gửi lại" in html
    assert "CSRF verification failed" not in html  # Django's own page


@pytest.mark.django_db
def test_the_server_error_page_needs_no_request_context(settings):
    """Rendered as Django's server_error does, with an empty context: no request, no user."""
    from django.template import loader

    settings.DEBUG = False
    html = loader.get_template("500.html").render()
    assert "Hệ thống đang gặp sự cố" in html and "/static/css/motcua.css" in html
    assert "style=" not in html  # the site's stylesheet, nothing inline (CSP)
