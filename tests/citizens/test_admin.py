"""Citizens' accounts in the admin: found, and closed; what the owner declared stays theirs."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from motcua.citizens.models import Citizen

PASSWORD = "mat-khau-cong-dan-2026"


@pytest.fixture
def admin_client(db, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(username="quyen", password=None))
    return client


@pytest.fixture
def lan(db):
    return Citizen.objects.create(
        email="lan@example.vn",
        phone="0912345678",
        full_name="Nguyễn Thị Lan",
        password=make_password(PASSWORD),
        created_at=timezone.now(),
    )


def test_an_account_is_found_by_phone_and_its_password_never_shown(admin_client, lan):
    page = admin_client.get(
        reverse("admin:citizens_citizen_changelist"), {"q": "0912345678"}, follow=True
    )
    assert "Nguyễn Thị Lan" in page.content.decode()
    assert page.context["cl"].result_count == 1
    change = admin_client.get(reverse("admin:citizens_citizen_change", args=[lan.pk]))
    html = change.content.decode()
    assert "tài khoản công dân" in html.lower()
    assert lan.password not in html and "argon2" not in html and "pbkdf2" not in html


def test_closing_an_account_ends_its_sessions_and_changes_nothing_it_declared(
    admin_client, client, lan
):
    from django.test import Client

    citizen_browser = Client()
    citizen_browser.post(
        reverse("citizens:signin"), {"identifier": "lan@example.vn", "password": PASSWORD}
    )
    assert citizen_browser.get(reverse("citizens:profile")).status_code == 200
    url = reverse("admin:citizens_citizen_change", args=[lan.pk])
    # Sent with other values for what the citizen declared: only is_active is taken.
    answer = admin_client.post(url, {"full_name": "Người khác", "email": "x@example.vn"})
    assert answer.status_code == 302
    lan.refresh_from_db()
    assert (lan.is_active, lan.full_name, lan.email) == (False, "Nguyễn Thị Lan", "lan@example.vn")
    assert citizen_browser.get(reverse("citizens:profile")).status_code == 302


def test_accounts_are_not_made_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:citizens_citizen_add")).status_code == 403
