"""Payment reads: a dossier's payments, the receipt by its link, and the reconciliation of
what was paid against what was due, per dossier and per day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils.crypto import constant_time_compare

from motcua.catalog.selectors import fee_quote
from motcua.core import fees
from motcua.core import payments as rules
from motcua.core.calendar import local_date
from motcua.core.errors import NotFound, _
from motcua.organization.selectors import centre_tz
from motcua.payments.models import Payment, PaymentNotice

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier


def dossier_payment(dossier: Dossier) -> Payment | None:
    """The dossier's paid payment, if any."""
    return Payment.objects.filter(dossier=dossier, state=Payment.State.PAID).first()


def receipt(*, reference: str, key: str) -> Payment:
    """A paid payment by its receipt link; a wrong key is the same NotFound as none."""
    payment = (
        Payment.objects.select_related("dossier__procedure_version__procedure")
        .filter(reference=reference[:40], state=Payment.State.PAID)
        .first()
    )
    if payment is None or not constant_time_compare(payment.receipt_key, key):
        raise NotFound(_("Không tìm thấy biên lai."))
    return payment


def pending_payment(reference: str) -> Payment | None:
    return Payment.objects.filter(reference=reference[:40]).first()


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = centre_tz()
    return (
        datetime.combine(first, time.min, tz),
        datetime.combine(last + timedelta(days=1), time.min, tz),
    )


def _due(payment: Payment) -> int:
    """What the dossier owes by its rule, for the quantity the payment was counted on."""
    q = payment.quantity or {}
    quantity = fees.Quantity(
        channel=fees.Channel(str(q.get("channel", fees.Channel.IN_PERSON.value))),
        copies=int(str(q.get("copies", 1))),
        pages=int(str(q.get("pages", 1))),
    )
    return fee_quote(payment.dossier.procedure_version, quantity).amount


@dataclass(frozen=True)
class Reconciliation:
    first: date
    last: date
    days: list[rules.DayTotal]
    findings: list[rules.Finding]
    refused: list[PaymentNotice]  # callbacks refused in the period (forged, wrong amount …)


def reconciliation(*, first: date, last: date) -> Reconciliation:
    """Payments made between two local dates: per day, due against paid; per dossier, the
    payments that do not match what its fee rule says; and the callbacks refused."""
    start, end = _bounds(first, last)
    paid = list(
        Payment.objects.select_related("dossier__procedure_version")
        .filter(state=Payment.State.PAID, paid_at__gte=start, paid_at__lt=end)
        .order_by("paid_at")
    )
    tz = centre_tz()
    days = rules.day_totals(
        (local_date(p.paid_at, tz), _due(p), p.amount) for p in paid if p.paid_at is not None
    )
    by_dossier: dict[int, list[Payment]] = {}
    for payment in paid:
        by_dossier.setdefault(payment.dossier_id, []).append(payment)
    findings = rules.reconcile(
        rules.DossierMoney(
            dossier_id=dossier_id,
            code=payments[0].dossier.code or "",
            due=_due(payments[0]),
            paid=tuple(p.amount for p in payments),
        )
        for dossier_id, payments in by_dossier.items()
    )
    refused = list(
        PaymentNotice.objects.filter(
            received_at__gte=start,
            received_at__lt=end,
            outcome__in=[outcome.value for outcome in rules.REFUSED],
        ).order_by("received_at")
    )
    return Reconciliation(first, last, days, findings, refused)


def payment_facts(dossier_ids: Iterable[int]) -> dict[int, bool]:
    """Of the dossiers among `dossier_ids` that owe a fee: whether it was paid online."""
    out: dict[int, bool] = {}
    for dossier_id, method, state in (
        Payment.objects.filter(dossier_id__in=list(dossier_ids), amount_due__gt=0)
        .exclude(state=Payment.State.CANCELLED)
        .values_list("dossier_id", "method", "state")
    ):
        paid = method == Payment.Method.ONLINE and state == Payment.State.PAID
        out[dossier_id] = out.get(dossier_id, False) or paid
    return out
