"""The API's clients, kept by `motcua apiclient` and the admin: each change in the
administrative log, the key shown once and stored only as a hash."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.adminlog.chain import verify_admin_chain
from motcua.adminlog.models import AdminChange
from motcua.api.models import ApiClient
from motcua.core import apiclients
from tests.adminlog.forms import admin_form
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("apiclient", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_the_command_creates_rotates_and_revokes_a_client(client, world):
    key = run(
        "create", "Cổng tỉnh", "--agency", "H26.100", "--operation", "catalog.read", "--rate", "30"
    )
    row = ApiClient.objects.get(name="Cổng tỉnh")
    assert (row.operations, row.requests_per_minute) == (["catalog.read"], 30)
    assert apiclients.key_matches(key, row.key_hash)
    assert client.get("/api/v1/agencies", **bearer(key)).status_code == 200
    new = run("rotate", "Cổng tỉnh")
    assert client.get("/api/v1/agencies", **bearer(key)).status_code == 401
    assert client.get("/api/v1/agencies", **bearer(new)).status_code == 200
    run("revoke", "Cổng tỉnh")
    assert client.get("/api/v1/agencies", **bearer(new)).status_code == 401
    kinds = list(AdminChange.objects.order_by("seq").values_list("source", "kind"))
    assert kinds == [
        ("apiclient create", "add"),
        ("apiclient rotate", "change"),
        ("apiclient revoke", "change"),
    ]
    assert all(
        key not in str(c.changes) and new not in str(c.changes) for c in AdminChange.objects.all()
    )
    assert verify_admin_chain().problems == []


def test_the_command_refuses_an_unknown_agency(world):
    with pytest.raises(CommandError):
        run("create", "X", "--agency", "H99.1")
    assert not ApiClient.objects.exists()


def test_the_admin_shows_the_key_once_and_records_the_client(client, world):
    admin_user = get_user_model().objects.create_superuser("quantri", password="x-quantri-2026")
    client.force_login(admin_user)
    url = "/admin/api/apiclient/add/"
    data = admin_form(client, url)
    data.update(
        name=["Hệ thống ngành"],
        agencies=[str(world.hoan_kiem.pk)],
        operations=["dossiers.read"],
        requests_per_minute=["60"],
        is_active=["on"],
    )
    answer = client.post(url, data, follow=True)
    assert answer.status_code == 200
    row = ApiClient.objects.get(name="Hệ thống ngành")
    shown = [str(m) for m in answer.context["messages"]]
    key = next(m for m in shown if "mc_" in m).rsplit(" ", 1)[-1]
    assert apiclients.key_matches(key, row.key_hash)
    change = client.get(f"/admin/api/apiclient/{row.pk}/change/").content.decode()
    assert key not in change and row.key_hash not in change
    logged = AdminChange.objects.get(model="api.apiclient")
    assert logged.kind == "add"
    assert logged.changes["key_hash"] == "changed"
    assert client.get("/api/v1/dossiers/1", **bearer(key)).status_code == 404
