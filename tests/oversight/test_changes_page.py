"""The oversight office's administrative log page: the changes with their filters and the
chain's status; anyone else gets the same 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from motcua.adminlog.models import AdminChange
from motcua.adminlog.services import Change, Who, admin_changes_record
from motcua.core.lifecycle import Role
from tests.factories import _person

pytestmark = pytest.mark.django_db
URL = "/can-bo/giam-sat/thay-doi-quan-tri/"


@pytest.fixture
def hung(world):
    return _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)


def signin(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def record(user, model, name, *, now):
    change = Change(
        kind="change", model=model, object_id="1", object_repr=name, changes={"name": ["A", name]}
    )
    who = Who(source="admin", user_id=user.pk, username=user.username, address="10.0.0.9")
    admin_changes_record(who=who, changes=[change], now=now)


@pytest.fixture
def two_authors(world):
    users = get_user_model().objects
    quantri = users.create_superuser("quantri", password="x-quantri-2026")
    other = users.create_superuser("quantri2", password="x-quantri-2026")
    now = timezone.now()
    record(quantri, "organization.agency", "Phường Một", now=now)
    record(other, "catalog.procedure", "Thủ tục Hai", now=now)
    record(quantri, "organization.agency", "Phường Cũ", now=now - timedelta(days=60))
    return quantri, other


def test_the_oversight_office_sees_the_changes_and_the_chain(client, hung, two_authors):
    page = signin(client, "giamsat").get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nhật ký thay đổi quản trị" in html
    assert "Phường Một" in html and "Thủ tục Hai" in html
    assert "Phường Cũ" not in html  # older than the last 30 days
    assert "Chuỗi nhật ký toàn vẹn" in html and "3 thay đổi" in html


def test_it_filters_by_author_and_kind_of_object(client, hung, two_authors):
    _quantri, other = two_authors
    signin(client, "giamsat")
    html = client.get(URL, {"user": other.pk}).content.decode()
    assert "Thủ tục Hai" in html and "Phường Một" not in html
    html = client.get(URL, {"model": "organization.agency"}).content.decode()
    assert "Phường Một" in html and "Thủ tục Hai" not in html
    today = timezone.localdate()
    old = today - timedelta(days=61)
    html = client.get(
        URL, {"from": old.isoformat(), "to": (old + timedelta(days=2)).isoformat()}
    ).content.decode()
    assert "Phường Cũ" in html and "Phường Một" not in html


def test_a_tampered_row_shows_on_the_page(client, hung, two_authors):
    AdminChange.objects.filter(seq=2).update(object_repr="Đã sửa")
    html = signin(client, "giamsat").get(URL).content.decode()
    assert "Chuỗi nhật ký có 1 sai lệch" in html


@pytest.mark.parametrize("username", ["lan", "son", "long", "nam"])
def test_other_officers_get_a_404(client, world, two_authors, username):
    page = signin(client, username).get(URL)
    assert page.status_code == 404
    assert "Phường Một" not in page.content.decode()


def test_an_administrator_without_a_post_is_refused(client, world, two_authors):
    page = signin(client, "quantri").get(URL)
    assert page.status_code == 403


def test_a_bad_filter_is_a_400(client, hung, two_authors):
    page = signin(client, "giamsat").get(URL, {"from": "2026-12-10", "to": "2026-12-01"})
    assert page.status_code == 400
