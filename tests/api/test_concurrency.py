"""Creates at the same moment, on PostgreSQL's real parallel connections: the same key and body
create one dossier and every request gets its answer; the same national reference under
different keys, likewise."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from motcua.api.chain import verify_call_chain
from motcua.api.models import ApiCall, NationalDossier
from motcua.dossiers.models import Dossier
from tests.api.conftest import bearer
from tests.api.test_dossiers import body
from tests.api.test_national import message
from tests.paperwork.test_numbering import in_threads

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")


def test_two_identical_creates_at_once_create_one_dossier(world, portal):
    _c, key = portal
    payload = json.dumps(body(world))

    def work(_i):
        response = Client().post(
            "/api/v1/dossiers",
            data=payload,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="same",
            **bearer(key),
        )
        return response.status_code, response.json()

    results, errors = in_threads(4, work)
    assert errors == [None] * 4
    assert {status for status, _b in results} == {201}
    assert len({answer["ref"] for _s, answer in results}) == 1
    assert Dossier.objects.count() == 1
    assert ApiCall.objects.count() == 4
    assert verify_call_chain().problems == []


def test_one_national_reference_sent_at_once_under_several_keys_is_one_dossier(world, portal):
    _c, key = portal
    payload = json.dumps(message(world))

    def work(i):
        response = Client().post(
            "/api/v1/national/dossiers",
            data=payload,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"key-{i}",
            **bearer(key),
        )
        return response.status_code, response.json()

    results, errors = in_threads(4, work)
    assert errors == [None] * 4
    assert sorted(status for status, _b in results) == [200, 200, 200, 201]
    assert len({answer["ThamChieu"] for _s, answer in results}) == 1
    assert (Dossier.objects.count(), NationalDossier.objects.count()) == (1, 1)
