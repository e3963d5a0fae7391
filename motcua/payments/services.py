"""Payment writes: start an online payment, take the provider's callback (or, when it never
came, ask the provider: the worker's pass), record a payment at the desk. Each in one
transaction; a paid dossier awaiting payment moves on through the dossier write path (PAY),
and the electronic receipt goes out through the outbox.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from motcua.catalog.selectors import fee_quote
from motcua.core import fees
from motcua.core import payments as rules
from motcua.core.calendar import format_vn, local_date
from motcua.core.errors import ConflictError, InvalidInput, ValidationError, _
from motcua.core.lifecycle import Action, Status
from motcua.core.retention import PSEUDONYM
from motcua.core.text import check_characters, nfc
from motcua.dossiers.selectors import channel_online, tracking_url
from motcua.dossiers.services import dossier_act
from motcua.notify.services import outbox_message, outbox_queue
from motcua.online.selectors import declared_pages
from motcua.organization.selectors import Actor, centre_tz
from motcua.payments.models import Payment, PaymentNotice
from motcua.payments.providers import payment_provider

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier
    from motcua.notify.models import OutboxMessage

RECEIPT_TEMPLATE = "payments/email/receipt"


def dossier_quantity(dossier: Dossier, pages: int | None = None) -> fees.Quantity:
    """What a dossier's fee is counted on: its channel, its copies, the pages the desk counted
    (or, not counted, those the citizen declared when lodging it online)."""
    return fees.Quantity(
        channel=fees.Channel.ONLINE if channel_online(dossier) else fees.Channel.IN_PERSON,
        copies=dossier.copies,
        pages=pages or declared_pages(dossier.pk) or 1,
    )


def dossier_amount_due(dossier: Dossier, pages: int | None = None) -> fees.Quote:
    """The amount a dossier owes by its procedure version's fee rule."""
    return fee_quote(dossier.procedure_version, dossier_quantity(dossier, pages))


def _quantity_json(quantity: fees.Quantity) -> dict[str, object]:
    return {
        "channel": quantity.channel.value,
        "copies": quantity.copies,
        "pages": quantity.pages,
    }


def _reference(now: datetime) -> str:
    return f"TT{local_date(now, centre_tz()):%y%m%d}{secrets.token_hex(5).upper()}"


def _require_unpaid(dossier: Dossier) -> None:
    if Payment.objects.filter(dossier=dossier, state=Payment.State.PAID).exists():
        raise ConflictError(_("Lệ phí của hồ sơ này đã được nộp."), field="__all__")


@dataclass(frozen=True)
class Checkout:
    payment: Payment
    redirect_url: str


def payment_start(
    *, dossier: Dossier, citizen_id: int, payer_name: str, payer_email: str, now: datetime
) -> Checkout:
    """Start paying a dossier's fee online: a pending payment of the amount due, registered
    with the provider; where to send the citizen."""
    quantity = dossier_quantity(dossier)
    quote = fee_quote(dossier.procedure_version, quantity)
    if quote.amount <= 0:
        raise ValidationError(_("Hồ sơ này không phải nộp phí."), field="__all__")
    if not dossier.code:
        raise ValidationError(
            _("Hồ sơ chưa được tiếp nhận; khi có mã hồ sơ mới nộp phí được."), field="__all__"
        )
    rules.check_payable(Status(dossier.status), None)
    provider = payment_provider()
    with transaction.atomic():
        _require_unpaid(dossier)
        payment = Payment.objects.create(
            dossier=dossier,
            reference=_reference(now),
            method=Payment.Method.ONLINE,
            state=Payment.State.PENDING,
            provider=provider.name,
            amount_due=quote.amount,
            quantity=_quantity_json(quantity),
            receipt_key=secrets.token_urlsafe(16),
            payer_name=payer_name,
            payer_email=payer_email,
            citizen_id=citizen_id,
            created_at=now,
        )
        url = provider.checkout(
            reference=payment.reference,
            amount=quote.amount,
            description=f"{dossier.code} {dossier.procedure_version.procedure.name}",
            return_path=reverse("payments:callback"),
            now=now,
        )
    return Checkout(payment, url)


@dataclass(frozen=True)
class CallbackResult:
    outcome: rules.Outcome
    payment: Payment | None


def payment_callback(*, fields: Mapping[str, str], now: datetime) -> CallbackResult:
    """Take a provider's callback: a forged signature, an unknown reference, a wrong amount or
    a second transaction is refused; a replay changes nothing; every callback is recorded."""
    plain = {name: str(value)[:200] for name, value in fields.items()}
    callback = payment_provider().verify(plain)
    with transaction.atomic():
        return _settle(callback, plain, now)


def _settle(
    callback: rules.Callback | None, plain: Mapping[str, str], now: datetime
) -> CallbackResult:
    """Judge what the provider said of a payment (a callback, or its answer to a status
    query), record it, and pay or cancel the payment; inside a transaction."""
    payment = None
    if callback is None:
        outcome = rules.Outcome.FORGED
    else:
        # Locked: two deliveries of the same callback at once (or a callback and the
        # worker's status query) pay once.
        payment = (
            Payment.objects.select_for_update()
            .select_related("dossier__procedure_version__procedure")
            .filter(reference=callback.reference)
            .first()
        )
        standing = None
        if payment is not None:
            others = Payment.objects.filter(dossier_id=payment.dossier_id, state="paid")
            standing = rules.Standing(
                rules.State(payment.state),
                payment.amount_due,
                payment.transaction,
                dossier_paid=others.exclude(pk=payment.pk).exists(),
            )
        outcome = rules.judge(callback, standing)
    PaymentNotice.objects.create(
        payment=payment,
        reference=str(plain.get("reference", ""))[:100],
        outcome=outcome.value,
        amount=callback.amount if callback is not None else None,
        transaction=callback.transaction[:100] if callback is not None else "",
        fields=dict(plain),
        received_at=now,
    )
    if payment is not None and callback is not None:
        if outcome is rules.Outcome.PAID:
            _paid(
                payment,
                amount=callback.amount,
                transaction=callback.transaction,
                receipt_number="",
                actor=Actor.system(),
                now=now,
            )
        elif outcome is rules.Outcome.CANCELLED:
            payment.state = Payment.State.CANCELLED
            payment.save(update_fields=["state"])
    return CallbackResult(outcome, payment)


@dataclass
class PollReport:
    asked: int = 0  # status queries made
    paid: int = 0
    cancelled: int = 0
    refused: int = 0  # the answer was judged and refused (wrong amount, conflict)

    @property
    def settled(self) -> int:
        return self.paid + self.cancelled + self.refused


def payments_poll(*, now: datetime, batch: int = 100) -> PollReport:
    """The worker's pass: each online payment still pending after PAYMENT_POLL_AFTER_MINUTES
    (its callback never came) is settled by asking its provider; the answer is judged and
    recorded exactly as a callback is (amount, replay, a payment settled once)."""
    report = PollReport()
    if not settings.PAYMENT_PROVIDER:
        return report
    provider = payment_provider()
    after = timedelta(minutes=settings.PAYMENT_POLL_AFTER_MINUTES)
    waiting = (
        Payment.objects.filter(
            state=Payment.State.PENDING,
            method=Payment.Method.ONLINE,
            provider=provider.name,
            created_at__lte=now - after,
        )
        # An answer refused once (a wrong amount, a conflict) is for the reconciliation and
        # a person, not asked again on every pass.
        .exclude(notices__outcome__in=[o.value for o in rules.REFUSED])
        .order_by("created_at", "pk")
        .values_list("reference", "created_at")[:batch]
    )
    for reference, created_at in waiting:
        if not rules.poll_due(created_at, now, after=after):
            continue
        answer = provider.status(reference)
        report.asked += 1
        if answer is None:
            continue  # the provider knows no such payment: left for the reconciliation
        callback = rules.from_status(reference, answer.state, answer.amount, answer.transaction)
        if callback is None:
            continue  # still pending at the provider: asked again on a later pass
        plain = {
            "reference": reference,
            "amount": str(answer.amount),
            "status": answer.state.value,
            "transaction": answer.transaction[:100],
            "source": "status",
        }
        with transaction.atomic():
            settled = _settle(callback, plain, now)
        if settled.outcome is rules.Outcome.PAID:
            report.paid += 1
        elif settled.outcome is rules.Outcome.CANCELLED:
            report.cancelled += 1
        elif settled.outcome in rules.REFUSED:
            report.refused += 1
    return report


DESK_INPUTS = {"receipt_number": "receipt_number", "pages": "pages", "payer_name": "payer_name"}


def payment_record_at_desk(
    *,
    dossier: Dossier,
    actor: Actor,
    receipt_number: str,
    payer_name: str,
    pages: int | None,
    now: datetime,
) -> Payment:
    """Record a fee paid in cash or by card at the counter, with its receipt number."""
    rules.check_payable(Status(dossier.status), actor.role)
    receipt_number, payer_name = nfc(receipt_number.strip()), nfc(payer_name.strip())
    problems: list[ValidationError] = []
    for value, name, label in (
        (receipt_number, "receipt_number", _("Số biên lai")),
        (payer_name, "payer_name", _("Người nộp tiền")),
    ):
        if not value:
            problems.append(ValidationError(_("Không được để trống."), field=name))
        else:
            try:
                check_characters(value, field=name, label=label)
            except ValidationError as exc:
                problems.append(exc)
    if problems:
        raise InvalidInput(problems)
    quantity = dossier_quantity(dossier, pages)
    quote = fee_quote(dossier.procedure_version, quantity)
    if quote.amount <= 0:
        raise ValidationError(_("Hồ sơ này không phải nộp phí."), field="__all__")
    try:
        with transaction.atomic():
            _require_unpaid(dossier)
            payment = Payment.objects.create(
                dossier=dossier,
                reference=_reference(now),
                method=Payment.Method.DESK,
                state=Payment.State.PENDING,
                amount_due=quote.amount,
                quantity=_quantity_json(quantity),
                receipt_key=secrets.token_urlsafe(16),
                payer_name=payer_name,
                payer_email=dossier.applicant_email,
                citizen_id=dossier.citizen_id,
                recorded_by_id=actor.user_id,
                created_at=now,
            )
            _paid(
                payment,
                amount=quote.amount,
                transaction="",
                receipt_number=receipt_number,
                actor=actor,
                now=now,
            )
    except IntegrityError:
        # Another payment won the race, or this receipt number is already used.
        if Payment.objects.filter(receipt_number=receipt_number).exists():
            raise ConflictError(
                _("Số biên lai {number} đã được ghi cho một khoản khác."),
                field="receipt_number",
                number=receipt_number,
            ) from None
        raise ConflictError(_("Lệ phí của hồ sơ này đã được nộp."), field="__all__") from None
    return payment


def _paid(
    payment: Payment,
    *,
    amount: int,
    transaction: str,
    receipt_number: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Mark the payment paid, give it its receipt, tell the payer, and move a dossier that
    awaited its payment on (PAY)."""
    payment.state = Payment.State.PAID
    payment.amount = amount
    payment.transaction = transaction
    payment.paid_at = now
    payment.receipt_number = receipt_number or f"BL{payment.reference[2:]}"
    payment.save(update_fields=["state", "amount", "transaction", "paid_at", "receipt_number"])
    dossier = payment.dossier
    if dossier.status == Status.PAYMENT:
        dossier_act(
            dossier=dossier,
            action=Action.PAY,
            actor=actor,
            now=now,
            note=f"Biên lai {payment.receipt_number}",
        )
    recipient = payment.payer_email or dossier.applicant_email
    if recipient:
        outbox_queue([receipt_message(payment, recipient=recipient, now=now)])


def receipt_url(payment: Payment) -> str:
    """The electronic receipt's address (its secret key in the path)."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "payments:receipt", args=[payment.reference, payment.receipt_key]
    )


def receipt_message(payment: Payment, *, recipient: str, now: datetime) -> OutboxMessage:
    dossier = payment.dossier
    assert payment.paid_at is not None
    return outbox_message(
        recipient=recipient,
        template=RECEIPT_TEMPLATE,
        context={
            "number": payment.receipt_number,
            "payer": payment.payer_name,
            "amount": fees.money(payment.amount),
            "procedure": dossier.procedure_version.procedure.name,
            "code": dossier.code or "",
            "paid_at": format_vn(payment.paid_at, centre_tz()),
            "method": payment.method,
            "url": receipt_url(payment),
            "track": tracking_url(dossier) if dossier.code else "",
        },
        dossier_id=dossier.pk,
        dedupe_key=f"payment:{payment.pk}:receipt",
        now=now,
    )


def payments_pseudonymise(*, before: datetime, apply: bool) -> int:
    """Payments made (or started) before `before`: the payer's name replaced, the e-mail and
    the account's link emptied; the amounts, references, receipts' numbers and the providers'
    callbacks stay, for the accounts; how many."""
    due = Payment.objects.filter(created_at__lt=before).exclude(payer_name=PSEUDONYM)
    count = due.count()
    if apply:
        due.update(payer_name=PSEUDONYM, payer_email="", citizen=None)
    return count
