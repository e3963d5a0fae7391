"""Bodies no parser should choke on: nested beyond reason, or larger than Django takes."""

from __future__ import annotations

import pytest

from motcua.api.models import ApiCall
from motcua.dossiers.models import Dossier
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/national/dossiers"])
def test_a_body_nested_too_deep_is_refused(client, portal, path):
    _c, key = portal
    response = client.post(
        path,
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="deep",
        **bearer(key),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Dossier.objects.count() == 0
    assert ApiCall.objects.latest("seq").status == 400


@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/national/dossiers"])
def test_a_body_too_large_is_refused(client, portal, path, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _c, key = portal
    response = client.post(
        path,
        data='{"x": "' + "a" * 5000 + '"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="big",
        **bearer(key),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "body_too_large"
    call = ApiCall.objects.latest("seq")
    assert (call.status, call.body_digest) == (400, "")
