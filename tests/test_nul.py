"""NUL never reaches the database: each input below gave a 500 on PostgreSQL (its text type
cannot hold U+0000, so the query failed), or could have; now the edge refuses the request
with a 400 page that says where the NUL was, and nothing is stored. Run on SQLite and on
PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.desk.models import SignInAttempt
from motcua.edge import nul_in_request
from tests.desk.test_bad_input import rows
from tests.desk.test_pages import NOW, receive, reception_post

N = "\x00"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def root(world):
    get_user_model().objects.create_superuser("root", password="x-rootroot")
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="root"))
    return client


@pytest.fixture
def lan(world):
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="lan"))
    return client


def refusal(response) -> str:
    assert response.status_code == 400, response.status_code
    html = unescape(response.content.decode())
    found = re.search(r'<p class="error" role="alert" data-code="nul_character">(.*?)</p>', html)
    assert found, "not the edge's refusal"
    return found[1]


# Each (who, method, path, data, extra) gave a 500 on PostgreSQL before the edge refused NUL.
ADMIN_FILTERS = [
    ("/admin/organization/division/", "kind"),
    ("/admin/organization/division/", "kind__exact"),
    ("/admin/organization/agency/", "kind"),
    ("/admin/organization/agency/", "kind__exact"),
    ("/admin/organization/staff/", "role"),
    ("/admin/organization/staff/", "role__exact"),
    ("/admin/catalog/procedure/", "level"),
    ("/admin/catalog/procedure/", "level__exact"),
    ("/admin/catalog/procedureversion/", "time_limit_unit"),
    ("/admin/catalog/procedureversion/", "time_limit_unit__exact"),
    ("/admin/organization/workcalendarconfig/", "excluded_holidays__id__exact"),
    ("/admin/dossiers/dossier/", "clock__id__exact"),
]
ADMIN_FOREIGN_KEYS = [
    ("organization/agency", "parent"),
    ("organization/agency", "division"),
    ("organization/agency", "serves"),
    ("organization/unit", "agency"),
    ("organization/staff", "user"),
    ("organization/staff", "agency"),
    ("organization/staff", "unit"),
    ("catalog/procedureversion", "procedure"),
]
ADMIN_ACTIONS = [
    "auth/user",
    "organization/agency",
    "organization/unit",
    "organization/staff",
    "organization/workcalendarconfig",
    "catalog/procedure",
    "catalog/procedureversion",
]


@pytest.mark.parametrize(("path", "param"), ADMIN_FILTERS)
def test_an_admin_list_filter_holding_nul_is_refused(root, path, param):
    message = refusal(root.get(path, {param: N}))
    assert f"tham số “{param}” của địa chỉ trang" in message


def test_the_admin_autocomplete_refuses_nul(root):
    response = root.get(
        "/admin/autocomplete/",
        {"term": N, "app_label": "organization", "model_name": "agency", "field_name": "parent"},
    )
    assert "tham số “term”" in refusal(response)


@pytest.mark.parametrize(("model", "field"), ADMIN_FOREIGN_KEYS)
@pytest.mark.parametrize("page", ["add", "change"])
def test_an_admin_foreign_key_holding_nul_is_refused(world, root, model, field, page):
    app, name = model.split("/")
    path = f"/admin/{model}/add/"
    if page == "change":
        model_class = {
            "agency": type(world.centre),
            "unit": type(world.lan.unit),
        }.get(name)
        if model_class is None:
            from django.apps import apps

            model_class = apps.get_model(app, name)
        path = f"/admin/{model}/{model_class.objects.first().pk}/change/"
    before = rows()
    assert f"mục “{field}” của biểu mẫu" in refusal(root.post(path, {field: N}))
    assert rows() == before


@pytest.mark.parametrize("model", ADMIN_ACTIONS)
def test_an_admin_action_on_a_nul_selection_is_refused(root, model):
    response = root.post(
        f"/admin/{model}/", {"action": "delete_selected", "_selected_action": [N], "index": "0"}
    )
    assert "mục “_selected_action”" in refusal(response)


def test_a_session_cookie_holding_nul_is_refused_and_deleted(world):
    client = Client(raise_request_exception=False)
    response = client.get("/can-bo/", HTTP_COOKIE="sessionid=abcdefgh\x00ijklmnop")
    assert "cookie “sessionid”" in refusal(response)
    assert response.cookies["sessionid"]["max-age"] == 0  # deleted: the next request is fine


def test_a_client_address_that_is_not_an_address_stores_no_sign_in(world):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/can-bo/dang-nhap/",
        {"username": "lan", "password": "sai"},
        REMOTE_ADDR="1.2.3.4\x00",
    )
    assert "địa chỉ máy gửi yêu cầu" in refusal(response)
    assert not SignInAttempt.objects.exists()


# The rest are refused the same way wherever a NUL is put: every place of a request.


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/can-bo/", "q"),
        ("/can-bo/", "procedure"),
        ("/can-bo/", "page"),
        ("/can-bo/tiep-nhan/", "procedure"),
        ("/can-bo/tiep-nhan/thu-tuc/", "q"),
        ("/mau/so-theo-doi/", "from"),
        ("/can-bo/truc-tuyen/", "x"),
        ("/can-bo/dieu-hanh/", "x"),
    ],
)
def test_a_desk_query_holding_nul_is_refused(lan, path, param):
    assert f"tham số “{param}”" in refusal(lan.get(path, {param: N}))


RECEPTION_FIELDS = [
    "procedure",
    "form_key",
    "name",
    "id_number",
    "address",
    "phone",
    "email",
    "rep_name",
    "rep_id",
    "authorisation",
    "request",
    "copies",
    "delivery",
    "outcome",
    "reason",
    "missing",
    "documents",
    "commune",
]


@pytest.mark.parametrize("field", RECEPTION_FIELDS)
def test_a_reception_field_holding_nul_is_refused_and_nothing_stored(world, lan, field):
    before = rows()
    response = lan.post("/can-bo/tiep-nhan/", reception_post(world, **{field: f"A{N}B"}))
    assert f"mục “{field}” của biểu mẫu" in refusal(response)
    assert rows() == before


@pytest.mark.parametrize("field", ["action", "version", "note", "to_user", "missing", "new_due"])
def test_an_action_field_holding_nul_is_refused_and_nothing_stored(world, lan, field):
    d = receive(world)
    before = rows()
    post = {"action": "forward", "version": d.version, field: f"1{N}"}
    assert f"mục “{field}”" in refusal(lan.post(f"/can-bo/ho-so/{d.pk}/thao-tac/", post))
    assert rows() == before
    d.refresh_from_db()
    assert d.version == 1


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/tra-cuu/", {"code": N, "secret": "ABCD-EFGH"}),
        ("/tra-cuu/", {"code": "H26.100-261125-0001", "secret": N}),
        ("/can-bo/dang-nhap/", {"username": f"lan{N}", "password": "x"}),
        ("/can-bo/dang-nhap/", {"username": "lan", "password": N}),
        ("/admin/login/", {"username": N, "password": "x"}),
        ("/i18n/setlang/", {"language": N, "next": "/"}),
    ],
)
def test_a_public_form_holding_nul_is_refused(world, path, data):
    client = Client(raise_request_exception=False)
    refusal(client.post(path, data))
    assert not SignInAttempt.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "place"),
    [
        ({"path": "/mau/1/0\x00/"}, "địa chỉ trang"),
        ({"path": "/tra-cuu/", "HTTP_USER_AGENT": "x\x00"}, "tiêu đề “User-Agent”"),
        ({"path": "/tra-cuu/", "HTTP_HX_REQUEST": "\x00"}, "tiêu đề “Hx-Request”"),
        (
            {"path": "/tra-cuu/", "HTTP_COOKIE": "django_language=v\x00i"},
            "cookie “django_language”",
        ),
        ({"path": "/tra-cuu/", "HTTP_COOKIE": "csrftoken=a\x00b"}, "cookie “csrftoken”"),
        ({"path": "/tra-cuu/", "data": {"code\x00": "x"}}, "tham số “code”"),
    ],
)
def test_nul_in_the_path_a_header_or_a_cookie_is_refused(world, kwargs, place):
    client = Client(raise_request_exception=False)
    assert place in refusal(client.get(**kwargs))


def test_the_refusal_speaks_english_when_chosen(world):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    message = refusal(client.get("/tra-cuu/", {"code": N}))
    assert "NUL" in message
    assert "tham số" not in message


def test_a_request_without_nul_passes(rf):
    assert nul_in_request(rf.get("/tra-cuu/", {"code": "H26.100-261125-0001"})) is None
    assert nul_in_request(rf.post("/tra-cuu/", {"code": "Hà Nội\t\n"})) is None
