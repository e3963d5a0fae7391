"""Issue 11: administrative changes are recorded in the keyed chain, with their diff, who,
when and from where, atomically; `audit verify` catches a tampered row; only the oversight
office reads them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from motcua.adminlog.hooks import AuditedAdmin
from motcua.adminlog.models import AdminChainHead, AdminChange
from motcua.dossiers import audit
from motcua.organization.models import Agency
from tests.adminlog.forms import admin_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def quantri(client):
    user = get_user_model().objects.create_superuser("quantri", password="x-quantri-2026")
    client.force_login(user)
    return user


def test_every_admin_page_is_audited():
    plain = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, AuditedAdmin)
    ]
    assert plain == [], plain


def test_a_change_through_the_admin_is_recorded_with_its_diff(world, client, quantri):
    url = f"/admin/organization/agency/{world.hoan_kiem.pk}/change/"
    data = admin_form(client, url)
    old = world.hoan_kiem.name
    data["name"] = ["Ủy ban nhân dân phường Hoàn Kiếm (mới)"]
    answer = client.post(url, data, REMOTE_ADDR="10.1.2.3")
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = AdminChange.objects.get(model="organization.agency")
    assert row.kind == "change"
    assert row.changes == {"name": [old, "Ủy ban nhân dân phường Hoàn Kiếm (mới)"]}
    assert (row.user_id, row.username, row.address, row.source) == (
        quantri.pk,
        "quantri",
        "10.1.2.3",
        "admin",
    )
    assert row.object_id == str(world.hoan_kiem.pk)
    assert audit.verify().problems == []


def test_an_unchanged_save_records_nothing(world, client, quantri):
    url = f"/admin/organization/agency/{world.hoan_kiem.pk}/change/"
    client.post(url, admin_form(client, url))
    assert not AdminChange.objects.exists()


def test_groups_and_permissions_of_a_user_are_recorded(world, client, quantri):
    desk = Group.objects.create(name="Một cửa")
    lan = get_user_model().objects.get(username="lan")
    url = f"/admin/auth/user/{lan.pk}/change/"
    data = admin_form(client, url)
    data["groups"] = [str(desk.pk)]
    data["is_staff"] = ["on"]
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = AdminChange.objects.get(model="auth.user")
    assert row.changes["groups"] == [[], [desk.pk]]
    assert row.changes["is_staff"] == [False, True]
    assert "password" not in row.changes


def test_a_password_change_records_changed_without_the_hash(world, client, quantri):
    lan = get_user_model().objects.get(username="lan")
    url = f"/admin/auth/user/{lan.pk}/password/"
    answer = client.post(
        url,
        {
            "password1": "Mat-khau-moi-2026!",
            "password2": "Mat-khau-moi-2026!",
            "usable_password": "true",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    lan.refresh_from_db()
    row = AdminChange.objects.get(model="auth.user")
    assert row.changes == {"password": "changed"}
    stored = repr(AdminChange.objects.values().get())
    assert lan.password not in stored
    assert lan.password.split("$")[-1] not in stored


def test_a_deletion_through_the_admin_is_recorded(world, client, quantri):
    group = Group.objects.create(name="Tạm")
    answer = client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    row = AdminChange.objects.get(model="auth.group")
    assert row.kind == "delete"
    assert row.changes["name"] == ["Tạm", None]


def test_a_bulk_delete_action_is_recorded_per_row(world, client, quantri):
    groups = [Group.objects.create(name=f"Nhóm {i}") for i in range(3)]
    answer = client.post(
        "/admin/auth/group/",
        {
            "action": "delete_selected",
            "_selected_action": [g.pk for g in groups[:2]],
            "post": "yes",
        },
    )
    assert answer.status_code == 302
    deleted = AdminChange.objects.filter(model="auth.group", kind="delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(
        str(g.pk) for g in groups[:2]
    )
    assert Group.objects.count() == 1


def test_an_inline_row_changed_with_its_agency_is_recorded(world, client, quantri):
    url = f"/admin/organization/agency/{world.hoan_kiem.pk}/change/"
    data = admin_form(client, url)
    name_keys = [k for k in data if k.startswith("units-") and k.endswith("-name")]
    first = sorted(name_keys)[0]
    data[first] = ["Bộ phận đổi tên"]
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = AdminChange.objects.get(model="organization.unit")
    assert row.changes["name"][1] == "Bộ phận đổi tên"


def _two_changes(client, world):
    url = f"/admin/organization/agency/{world.hoan_kiem.pk}/change/"
    for name in ("Tên một", "Tên hai"):
        data = admin_form(client, url)
        data["name"] = [name]
        client.post(url, data)
    assert AdminChange.objects.count() == 2


def test_verify_catches_an_edited_row(world, client, quantri):
    _two_changes(client, world)
    AdminChange.objects.filter(seq=1).update(changes={"name": ["A", "B"]})
    problems = [str(p) for p in audit.verify().problems]
    assert problems == ["nhật ký quản trị sự kiện 1: nội dung thay đổi đã bị sửa"]


def test_verify_catches_a_deleted_row_and_a_cut_tail(world, client, quantri):
    _two_changes(client, world)
    AdminChange.objects.filter(seq=1).delete()
    assert any("thiếu thay đổi số 1" in str(p) for p in audit.verify().problems)
    AdminChange.objects.all().delete()
    assert any("thay đổi cuối cùng" in str(p) for p in audit.verify().problems)


def test_a_refused_change_records_nothing(world, client, quantri):
    url = f"/admin/organization/agency/{world.hoan_kiem.pk}/change/"
    data = admin_form(client, url)
    data["name"] = [""]
    answer = client.post(url, data)
    assert answer.status_code == 200  # the form again, with its error
    assert not AdminChange.objects.exists()
    assert Agency.objects.get(pk=world.hoan_kiem.pk).name == world.hoan_kiem.name


def test_the_head_follows_the_chain(world, client, quantri):
    _two_changes(client, world)
    head = AdminChainHead.objects.get()
    assert (head.seq, head.hash) == (2, AdminChange.objects.get(seq=2).hash)


def test_a_calendar_override_removed_inline_is_recorded_as_deleted(world, client, quantri):
    from datetime import date

    from motcua.organization.models import CalendarOverride

    override = CalendarOverride.objects.create(
        calendar=world.calendar,
        day=date(2026, 12, 26),
        working=True,
        reason="Làm bù",
        decided_at=timezone.now(),
    )
    url = f"/admin/organization/workcalendarconfig/{world.calendar.pk}/change/"
    data = admin_form(client, url)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == [str(override.pk)])
    data[prefix.removesuffix("-id") + "-DELETE"] = ["on"]
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = AdminChange.objects.get(model="organization.calendaroverride")
    assert row.kind == "delete"
    assert row.object_repr == "26/12/2026: Làm bù"
    assert row.changes["working"] == [True, None]


def test_a_catalog_import_is_recorded_with_its_files(db, tmp_path):
    from motcua.catalog.services import catalog_import, default_catalog_dir

    first = sorted(default_catalog_dir().glob("*.toml"))[0]
    catalog_import(paths=[first])
    row = AdminChange.objects.get()
    assert (row.kind, row.model, row.source) == ("import", "catalog.procedure", "catalog import")
    assert list(row.changes["files"]) == [str(first)]
    assert row.changes["procedures"] == 1
    catalog_import(paths=[first], dry_run=True)
    assert AdminChange.objects.count() == 1  # a dry run records nothing
    assert audit.verify().problems == []


def test_an_admin_search_for_a_phone_leaves_the_address(world, client, quantri):
    from motcua.citizens.models import Citizen

    Citizen.objects.create(phone="0912345678", full_name="Lê Văn Cường", created_at=timezone.now())
    url = "/admin/citizens/citizen/"
    moved = client.get(url, {"q": "0912 345 678"})
    assert moved.status_code == 302
    assert "0912" not in moved["Location"] and "s=" in moved["Location"]
    page = client.get(moved["Location"])
    assert page.status_code == 200
    assert "Lê Văn Cường" in page.content.decode()
    assert client.get(url, {"q": "Cường"}).status_code == 200  # a name is searched in place


def test_a_chain_rewritten_with_a_leaked_key_is_caught_by_the_anchor(world, client, quantri):
    from motcua.adminlog.chain import seal

    _two_changes(client, world)
    anchor = audit.make_anchor(timezone.now())
    assert anchor["admin"] == {"seq": 2, "hash": AdminChange.objects.get(seq=2).hash}
    row = AdminChange.objects.get(seq=2)
    row.changes = {"name": ["Tên một", "Tên khác"]}
    seal(row, row.prev_hash)  # the forger holds the audit key
    row.save()
    AdminChainHead.objects.update(hash=row.hash)
    assert audit.verify().problems == []  # the key's own hashes: verify alone cannot tell
    problems = [str(p) for p in audit.verify(anchor).problems]
    assert problems == ["nhật ký quản trị sự kiện 2: thay đổi đã neo bị thay thế"]


def test_a_citizens_account_changed_in_the_admin_is_named_by_its_id(world, client, quantri):
    """The admin edits only whether the account is active; the log names it by its id, so that
    the person's name is not in the append-only log (their identity fields are masked anyway:
    tests/core/test_adminlog.py)."""
    from motcua.citizens.models import Citizen

    an = Citizen.objects.create(
        email="an@example.vn",
        full_name="Trần An",
        id_number="001190000111",
        created_at=timezone.now(),
    )
    url = f"/admin/citizens/citizen/{an.pk}/change/"
    data = admin_form(client, url)
    data.pop("is_active", None)
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row = AdminChange.objects.get(model="citizens.citizen")
    assert row.changes == {"is_active": [True, False]}
    assert row.object_repr == f"#{an.pk}"
    stored = repr(AdminChange.objects.values().get())
    assert "Trần" not in stored and "001190000111" not in stored and "an@example" not in stored
