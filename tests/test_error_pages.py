"""The pages Django shows for an address that matches nothing and for a server error speak
Vietnamese, like every other page (DEBUG off, as deployed)."""

from __future__ import annotations

import pytest
from django.test import Client


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
