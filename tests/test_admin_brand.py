"""The admin says it is motcua's, in Vietnamese, not Django's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_admin_is_branded_motcua():
    get_user_model().objects.create_superuser("root", password="x-rootroot")
    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "<title>Danh mục quản trị | Quản trị motcua</title>" in html
    assert "Quản trị hệ thống một cửa motcua" in html
    assert "Django" not in html.split("<body", 1)[1].split("</header>", 1)[0]
