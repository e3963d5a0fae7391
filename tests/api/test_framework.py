"""The API's framework: keys, scopes, the rate limit, structured errors, ETags, the call chain."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine

from motcua.api.chain import verify_call_chain
from motcua.api.models import ApiCall, ApiClient
from motcua.api.services import client_revoke, client_rotate
from motcua.core import apiclients
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/procedures" in document["paths"]


def test_the_key_is_stored_only_as_a_prefix_and_a_hash(portal):
    client, key = portal
    row = ApiClient.objects.get(pk=client.pk)
    assert key not in (row.key_prefix, row.key_hash)
    assert key.startswith(f"mc_{row.key_prefix}_")
    assert apiclients.key_matches(key, row.key_hash)


def test_a_known_key_reads_the_agencies(client, portal):
    _client, key = portal
    response = client.get("/api/v1/agencies", **bearer(key))
    assert response.status_code == 200
    assert "H26.100" in [a["code"] for a in response.json()]


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("mc_abcdefgh_" + "x" * 43), {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="}],
    ids=["none", "unknown", "other-scheme"],
)
def test_a_call_without_a_known_key_is_refused_and_recorded(client, portal, headers):
    response = client.get("/api/v1/agencies", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    call = ApiCall.objects.latest("seq")
    assert (call.client_id, call.status, call.error_code) == (None, 401, "unauthenticated")


def test_a_revoked_key_is_refused(client, portal):
    api_client, key = portal
    client_revoke(name=api_client.name, now=api_client.created_at)
    response = client.get("/api/v1/agencies", **bearer(key))
    assert response.status_code == 401
    assert ApiCall.objects.latest("seq").status == 401


def test_a_revoked_key_stays_dead_when_the_client_is_made_active_again(client, portal):
    from motcua.api.models import ApiClient

    api_client, key = portal
    client_revoke(name=api_client.name, now=api_client.created_at)
    ApiClient.objects.filter(pk=api_client.pk).update(is_active=True)  # ticked in the admin
    assert client.get("/api/v1/agencies", **bearer(key)).status_code == 401
    new = client_rotate(name=api_client.name, now=api_client.created_at).key
    assert client.get("/api/v1/agencies", **bearer(new)).status_code == 200
    assert client.get("/api/v1/agencies", **bearer(key)).status_code == 401


def test_a_rotated_key_replaces_the_old_one(client, portal):
    api_client, old = portal
    new = client_rotate(name=api_client.name, now=api_client.created_at).key
    assert client.get("/api/v1/agencies", **bearer(old)).status_code == 401
    assert client.get("/api/v1/agencies", **bearer(new)).status_code == 200


def test_a_client_without_the_operation_is_refused(client, make_client):
    _c, key = make_client(operations=["dossiers.read"])
    response = client.get("/api/v1/procedures", **bearer(key))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "out_of_scope"
    assert body["details"]["operation"] == "catalog.read"
    assert ApiCall.objects.latest("seq").error_code == "out_of_scope"


def test_too_many_requests_are_refused_with_retry_after(client, make_client):
    _c, key = make_client(rpm=2)
    # 10 s into a minute: the window ends in 50 s.
    with time_machine.travel(datetime(2026, 12, 4, 3, 0, 10, tzinfo=UTC), tick=False) as clock:
        statuses = [client.get("/api/v1/agencies", **bearer(key)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        response = client.get("/api/v1/agencies", **bearer(key))
        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        assert response["Retry-After"] == "50"
        assert ApiCall.objects.latest("seq").error_code == "rate_limited"
        clock.shift(50)
        assert client.get("/api/v1/agencies", **bearer(key)).status_code == 200


def test_a_read_has_an_etag_and_if_none_match_gives_304(client, portal):
    _c, key = portal
    first = client.get("/api/v1/agencies", **bearer(key))
    etag = first["ETag"]
    again = client.get("/api/v1/agencies", HTTP_IF_NONE_MATCH=etag, **bearer(key))
    assert again.status_code == 304
    assert again["ETag"] == etag
    other = client.get("/api/v1/agencies", HTTP_IF_NONE_MATCH='"other"', **bearer(key))
    assert other.status_code == 200


def test_an_unknown_address_and_a_wrong_method_are_structured(client, portal):
    _c, key = portal
    missing = client.get("/api/v1/nothing-here", **bearer(key))
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong = client.delete("/api/v1/agencies", **bearer(key))
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"
    assert "GET" in wrong["Allow"]


def test_answers_say_their_language_and_stay_out_of_shared_caches(client, portal):
    _c, key = portal
    response = client.get("/api/v1/agencies", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8", **bearer(key))
    assert response["Content-Language"] == "en"
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_errors_are_in_vietnamese_by_default(client, portal):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 401
    assert response.json()["message"] == "Cần khóa API: Authorization: Bearer <khóa>."


def test_the_call_chain_verifies_and_a_tampered_call_is_found(client, portal):
    _c, key = portal
    for _ in range(3):
        client.get("/api/v1/agencies", **bearer(key))
    assert verify_call_chain().problems == []
    call = ApiCall.objects.order_by("seq")[1]
    ApiCall.objects.filter(pk=call.pk).update(status=500)
    problems = verify_call_chain().problems
    assert [seq for seq, _what in problems] == [call.seq]


def test_a_nul_in_an_api_request_is_refused_structured_and_recorded(client, portal):
    _c, key = portal
    response = client.get("/api/v1/changes", {"cursor": "a\x00b"}, **bearer(key))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "nul_character"
    call = ApiCall.objects.latest("seq")
    assert (call.status, call.error_code, call.client_id) == (400, "nul_character", None)


def test_audit_verify_checks_the_call_chain(client, portal):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _c, key = portal
    client.get("/api/v1/agencies", **bearer(key))
    client.get("/api/v1/agencies", **bearer(key))
    call_command("audit", "verify", stdout=io.StringIO())
    ApiCall.objects.filter(seq=2).delete()
    with pytest.raises(CommandError, match=r"sai lệch trong .* 1 lần gọi API"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())
