"""The seam for a province's own sign-on: an OpenID Connect provider (the national VNeID is
OIDC-like), through Authlib's Django client, configured by settings only and off by default.

Authlib reads the provider's discovery document, sends the citizen there with `state` and a
`nonce` kept in the session, exchanges the code for tokens, and checks the ID token's
signature against the provider's JWKS, its issuer, audience, expiry and nonce. The claims (ID
token and userinfo) become a `ProviderIdentity` (motcua.core.accounts), and that an account.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError  # type: ignore[import-untyped]
from authlib.integrations.django_client import OAuth  # type: ignore[import-untyped]
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from motcua.core.accounts import ProviderIdentity, identity_from_claims
from motcua.core.errors import DomainError, _


class ProviderFailed(DomainError):
    code = "provider_failed"


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def _client() -> Any:
    """A client made from the settings as they are now (tests change them)."""
    oauth = OAuth()
    return oauth.register(
        "province",
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        server_metadata_url=settings.OIDC_DISCOVERY_URL,
        client_kwargs={"scope": settings.OIDC_SCOPES, "timeout": settings.OIDC_TIMEOUT_SECONDS},
    )


def start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """Send the citizen to the provider's sign-in page."""
    try:
        response: HttpResponse = _client().authorize_redirect(request, redirect_uri)
    except (OAuthError, OSError, ValueError, KeyError) as exc:
        raise ProviderFailed(
            _("Không kết nối được dịch vụ đăng nhập. Vui lòng thử lại sau.")
        ) from exc
    return response


def finish(request: HttpRequest) -> tuple[str, ProviderIdentity]:
    """The issuer and the identity the provider vouches for, from its answer to `start`."""
    if "error" in request.GET:
        raise ProviderFailed(_("Đăng nhập qua dịch vụ bên ngoài đã bị hủy hoặc không thành công."))
    client = _client()
    try:
        token = client.authorize_access_token(request)
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        if not claims:
            raise ProviderFailed(_("Dịch vụ đăng nhập không gửi thẻ định danh (ID token)."))
        if client.server_metadata.get("userinfo_endpoint"):
            more = dict(client.userinfo(token=token))
            if more.get("sub") != claims.get("sub"):
                raise ProviderFailed(_("Thông tin người dùng không khớp với thẻ định danh."))
            claims = {**more, **claims}
    except DomainError:
        raise
    except Exception as exc:  # Authlib's, requests' and JOSE's errors: the answer is refused
        raise ProviderFailed(
            _("Không xác minh được kết quả đăng nhập từ dịch vụ bên ngoài. Vui lòng thử lại.")
        ) from exc
    issuer = str(client.server_metadata.get("issuer", settings.OIDC_ISSUER))
    if issuer.rstrip("/") != settings.OIDC_ISSUER or claims.get("iss", issuer) != issuer:
        raise ProviderFailed(_("Dịch vụ đăng nhập trả lời không đúng nhà cung cấp đã cấu hình."))
    return issuer, identity_from_claims(claims, settings.OIDC_CLAIMS)
