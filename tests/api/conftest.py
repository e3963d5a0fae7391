"""API clients for the API's tests: Zalo-like integrator "Cổng tỉnh" scoped to Phường Hoàn
Kiếm, and helpers to call with its key."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.api.services import client_create


@pytest.fixture
def make_client(world):
    """A client with the given scope; returns (client, key)."""

    def make(name="Cổng tỉnh", agencies=("H26.100",), operations=None, rpm=1000):
        issued = client_create(
            name=name,
            agency_codes=list(agencies),
            operations=list(
                operations
                if operations is not None
                else ["dossiers.read", "dossiers.submit", "catalog.read", "national.submit"]
            ),
            requests_per_minute=rpm,
            now=timezone.now(),
        )
        return issued.client, issued.key

    return make


@pytest.fixture
def portal(make_client):
    """The province's portal: every operation, at Phường Hoàn Kiếm."""
    return make_client()


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
