"""The seam for a province's sign-on, against a fake OpenID Connect provider (tests only).

`FakeProvider` answers discovery, token, userinfo and JWKS requests in-process: every HTTP
request Authlib makes goes to it through a patched requests adapter, so nothing leaves the
machine. It signs ID tokens with a key of its own, or, to play an attacker, with another.
"""

from __future__ import annotations

import json
import time
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.jose import JsonWebKey, jwt
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from motcua.citizens.models import Citizen

ISSUER = "https://dinhdanh.example.gov.vn"


class FakeProvider:
    """A test double of an OIDC provider: discovery, token, userinfo, JWKS."""

    def __init__(self) -> None:
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.claims: dict[str, Any] = {}
        self.nonce = ""
        self.issuer = ISSUER
        self.sign_with = self.key
        self.userinfo_sub: str | None = None

    def authorize(self, location: str) -> str:
        """What the browser brings back: the callback's query, with a code and the state."""
        query = parse_qs(urlsplit(location).query)
        self.nonce = query["nonce"][0]
        assert query["client_id"] == ["motcua-test"]
        return f"?code=the-code&state={query['state'][0]}"

    def id_token(self) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": "motcua-test",
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.claims,
        }
        header = {"alg": "RS256", "kid": "k1"}
        return jwt.encode(header, payload, self.sign_with).decode()

    def answer(self, request: requests.PreparedRequest) -> requests.Response:
        url = request.url or ""
        if url.endswith("/.well-known/openid-configuration"):
            body: Any = {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": f"{ISSUER}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        elif url.endswith("/token"):
            body = {
                "access_token": "at",
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(),
            }
        elif url.endswith("/userinfo"):
            body = {**self.claims, "sub": self.userinfo_sub or self.claims["sub"]}
        elif url.endswith("/jwks"):
            body = {"keys": [self.key.as_dict(is_private=False)]}
        else:
            raise AssertionError(f"unexpected request to {url}")
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = url
        response.request = request
        return response


@pytest.fixture
def provider(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "motcua-test"
    settings.OIDC_CLIENT_SECRET = "secret-of-the-test"
    settings.OIDC_CLAIMS = {"id_number": "so_dinh_danh"}
    fake = FakeProvider()

    def send(adapter: Any, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        return fake.answer(request)

    with mock.patch.object(requests.adapters.HTTPAdapter, "send", send):
        yield fake


def go_through(client, provider) -> Any:
    start = client.get(reverse("citizens:provider_start"))
    assert start.status_code == 302 and start.url.startswith(f"{ISSUER}/authorize")
    return client.get(reverse("citizens:provider_back") + provider.authorize(start.url))


CLAIMS = {
    "sub": "vneid-001",
    "name": "Trần Văn Bình",
    "so_dinh_danh": "001203012345",
    "email": "binh@example.vn",
    "email_verified": True,
    "phone_number": "0912345678",
    "phone_number_verified": True,
}


@pytest.mark.django_db
def test_off_by_default(client):
    assert client.get(reverse("citizens:provider_start")).status_code == 404


@pytest.mark.django_db
def test_provider_sign_in_makes_an_account_with_the_claims(client, provider):
    provider.claims = dict(CLAIMS)
    back = go_through(client, provider)
    assert back.status_code == 302 and back.url == reverse("citizens:profile")
    citizen = Citizen.objects.get()
    assert (citizen.full_name, citizen.id_number) == ("Trần Văn Bình", "001203012345")
    assert (citizen.email, citizen.phone) == ("binh@example.vn", "0912345678")
    assert (citizen.provider_issuer, citizen.provider_subject) == (ISSUER, "vneid-001")
    assert citizen.id_verified  # the provider vouches for the ID number
    assert client.get(reverse("citizens:profile")).status_code == 200
    again = client.__class__()
    go_through(again, provider)
    assert Citizen.objects.count() == 1  # the same subject, the same account


@pytest.mark.django_db
def test_links_to_an_account_only_by_a_verified_address(client, provider):
    own = Citizen.objects.create(
        email="binh@example.vn", password=make_password("x" * 12), created_at=timezone.now()
    )
    provider.claims = {**CLAIMS, "email_verified": False, "phone_number_verified": False}
    go_through(client, provider)
    assert Citizen.objects.count() == 2  # not linked on an unverified claim
    own.refresh_from_db()
    assert own.provider_subject == ""
    Citizen.objects.exclude(pk=own.pk).delete()
    provider.claims = dict(CLAIMS)
    go_through(client.__class__(), provider)
    own.refresh_from_db()
    assert own.provider_subject == "vneid-001" and Citizen.objects.count() == 1


@pytest.mark.django_db
def test_a_token_signed_by_another_key_is_refused(client, provider):
    provider.claims = dict(CLAIMS)
    provider.sign_with = JsonWebKey.generate_key(
        "RSA", 2048, is_private=True, options={"kid": "k1"}
    )
    back = go_through(client, provider)
    assert back.status_code == 400 and "Không xác minh được" in back.content.decode()
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_a_token_from_another_issuer_is_refused(client, provider):
    provider.claims = dict(CLAIMS)
    provider.issuer = "https://evil.example"
    back = go_through(client, provider)
    assert back.status_code == 400
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_a_forged_state_is_refused(client, provider):
    provider.claims = dict(CLAIMS)
    client.get(reverse("citizens:provider_start"))
    back = client.get(reverse("citizens:provider_back") + "?code=the-code&state=forged")
    assert back.status_code == 400
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_userinfo_of_someone_else_is_refused(client, provider):
    provider.claims = dict(CLAIMS)
    provider.userinfo_sub = "vneid-999"
    back = go_through(client, provider)
    assert back.status_code == 400
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_a_cancelled_sign_in_says_so(client, provider):
    back = client.get(reverse("citizens:provider_back") + "?error=access_denied")
    assert back.status_code == 400 and "hủy" in back.content.decode()
