"""The payment-provider interface, and the sandbox that stands in for a real provider.

A provider is a class named in the PAYMENT_PROVIDER setting with three methods: `checkout`
(start a payment: the address to send the citizen to), `verify` (a callback's fields → the
signed outcome, or None when the signature does not hold) and `status` (ask the provider what
became of a payment). A real provider (the national payment platform, a bank's gateway)
plugs in the same way; `SandboxProvider` is the test double used by the demo and the tests:
it keeps its charges in its own table, shows its own checkout pages (pay / cancel) under
/thanh-toan/thu-nghiem/, and signs its callbacks with PAYMENT_SANDBOX_SECRET.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from motcua.core import payments as rules
from motcua.core.errors import ValidationError, _
from motcua.payments.models import SandboxCharge


@dataclass(frozen=True)
class ProviderStatus:
    """What the provider says of a payment: pending, paid or cancelled (core.payments.State)."""

    state: rules.State
    amount: int
    transaction: str


class PaymentProvider(Protocol):
    name: str

    def checkout(
        self, *, reference: str, amount: int, description: str, return_path: str, now: datetime
    ) -> str:
        """Register a payment with the provider; the address of its checkout page. The
        provider sends the citizen back to `return_path` (on SITE_URL) with the callback."""
        ...

    def verify(self, fields: Mapping[str, str]) -> rules.Callback | None:
        """The callback's outcome when its signature holds, else None."""
        ...

    def status(self, reference: str) -> ProviderStatus | None:
        """The provider's own view of a payment (None: it knows no such payment)."""
        ...


def payment_provider() -> PaymentProvider:
    """The configured provider (PAYMENT_PROVIDER); none configured is a refusal."""
    if not settings.PAYMENT_PROVIDER:
        raise ValidationError(
            _("Chưa thanh toán trực tuyến được; hãy nộp phí tại nơi tiếp nhận hồ sơ."),
            field="__all__",
        )
    provider: PaymentProvider = import_string(settings.PAYMENT_PROVIDER)()
    return provider


def sandbox_secret() -> bytes:
    """The sandbox's signing key: PAYMENT_SANDBOX_SECRET, else derived from SECRET_KEY."""
    if settings.PAYMENT_SANDBOX_SECRET:
        return str(settings.PAYMENT_SANDBOX_SECRET).encode()
    return salted_hmac("motcua.payments.sandbox", "signing key").digest()


def signed_fields(
    *, reference: str, amount: int, paid: bool, transaction: str, secret: bytes
) -> dict[str, str]:
    """A callback's fields with their signature, as a provider sends them."""
    fields = {
        "reference": reference,
        "amount": str(amount),
        "status": "paid" if paid else "cancelled",
        "transaction": transaction,
    }
    return {**fields, "signature": rules.sign(secret, fields)}


def parse_callback(fields: Mapping[str, str], secret: bytes) -> rules.Callback | None:
    """Fields signed under `secret` as a Callback; None when the signature or a value is bad."""
    plain = {name: str(fields.get(name, "")) for name in rules.SIGNED_FIELDS}
    if not rules.signature_holds(secret, plain, str(fields.get("signature", ""))):
        return None
    if not plain["amount"].isascii() or not plain["amount"].isdigit():
        return None
    if plain["status"] not in ("paid", "cancelled"):
        return None
    return rules.Callback(
        reference=plain["reference"],
        amount=int(plain["amount"]),
        paid=plain["status"] == "paid",
        transaction=plain["transaction"],
    )


class SandboxProvider:
    """A TEST DOUBLE of a payment provider, for the demo and the tests: nothing is charged."""

    name = "sandbox"

    def checkout(
        self, *, reference: str, amount: int, description: str, return_path: str, now: datetime
    ) -> str:
        # A real provider needs the whole address (SITE_URL + the path); the sandbox's pages
        # are on this site, so the path serves wherever the site is served.
        SandboxCharge.objects.get_or_create(
            reference=reference,
            defaults={
                "amount": amount,
                "description": description[:300],
                "return_url": return_path,
                "created_at": now,
            },
        )
        return reverse("payments:sandbox", args=[reference])

    def verify(self, fields: Mapping[str, str]) -> rules.Callback | None:
        return parse_callback(fields, sandbox_secret())

    def status(self, reference: str) -> ProviderStatus | None:
        charge = SandboxCharge.objects.filter(reference=reference).first()
        if charge is None:
            return None
        return ProviderStatus(rules.State(charge.state), charge.amount, charge.transaction)


def sandbox_charge(reference: str) -> SandboxCharge | None:
    """The sandbox's pending charge of this reference (its checkout page shows it)."""
    return SandboxCharge.objects.filter(reference=reference).first()


def sandbox_decide(charge: SandboxCharge, *, pay: bool) -> str:
    """The citizen pays or cancels on the sandbox's page: the callback address to go back to,
    signed as a real provider would sign it. Deciding twice returns the same answer."""
    if charge.state == "pending":
        charge.state = "paid" if pay else "cancelled"
        charge.transaction = "SBX" + secrets.token_hex(8).upper() if pay else ""
        SandboxCharge.objects.filter(pk=charge.pk, state="pending").update(
            state=charge.state, transaction=charge.transaction
        )
        charge.refresh_from_db()
    fields = signed_fields(
        reference=charge.reference,
        amount=charge.amount,
        paid=charge.state == "paid",
        transaction=charge.transaction,
        secret=sandbox_secret(),
    )
    return f"{charge.return_url}?{urlencode(fields)}"
