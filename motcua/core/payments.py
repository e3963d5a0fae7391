"""Payments: the provider's signature, what a callback may do, and reconciliation.

A payment provider tells us the outcome of a checkout by a callback whose fields are signed
with a shared secret (HMAC-SHA256 over the fields in a fixed order, as VNPay, MoMo and the
national payment platform do). The rules here are pure: whether a signature holds, what a
callback does to a payment (pay it, refuse it, or nothing when it is a replay), and which
dossiers' payments do not add up to what was due.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from motcua.core.errors import ConflictError, PermissionDenied, Text, _
from motcua.core.lifecycle import Role, Status

# The fields a callback carries, in the order they are signed.
SIGNED_FIELDS = ("reference", "amount", "status", "transaction")


class State(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """What one callback did; every callback is recorded with its outcome."""

    PAID = "paid"  # the payment is now paid
    REPLAY = "replay"  # already paid by this same transaction: nothing changes
    CANCELLED = "cancelled"  # the citizen cancelled at the provider
    FORGED = "forged"  # the signature does not hold: refused
    UNKNOWN = "unknown"  # no payment has this reference: refused
    WRONG_AMOUNT = "wrong_amount"  # signed, but not the amount due: refused
    CONFLICT = "conflict"  # paid already by another transaction, or closed: refused


REFUSED = frozenset({Outcome.FORGED, Outcome.UNKNOWN, Outcome.WRONG_AMOUNT, Outcome.CONFLICT})

OUTCOME_LABELS = {
    Outcome.PAID: _("Đã thanh toán"),
    Outcome.REPLAY: _("Thông báo lặp lại, đã thanh toán trước đó"),
    Outcome.CANCELLED: _("Người nộp đã hủy thanh toán"),
    Outcome.FORGED: _("Chữ ký không hợp lệ"),
    Outcome.UNKNOWN: _("Không có khoản thanh toán này"),
    Outcome.WRONG_AMOUNT: _("Số tiền không đúng số phải nộp"),
    Outcome.CONFLICT: _("Khoản này đã đóng hoặc đã thanh toán bằng giao dịch khác"),
}


def canonical(fields: Mapping[str, str]) -> bytes:
    """The bytes signed: each signed field as name=value, joined by "&", in a fixed order."""
    return "&".join(f"{name}={fields.get(name, '')}" for name in SIGNED_FIELDS).encode()


def sign(secret: bytes, fields: Mapping[str, str]) -> str:
    """The signature of a callback's fields (hex HMAC-SHA256)."""
    return hmac.new(secret, canonical(fields), hashlib.sha256).hexdigest()


def signature_holds(secret: bytes, fields: Mapping[str, str], signature: str) -> bool:
    """Whether `signature` is the fields' own, compared in constant time."""
    return hmac.compare_digest(sign(secret, fields), signature)


@dataclass(frozen=True)
class Callback:
    """A callback's fields after its signature held."""

    reference: str
    amount: int
    paid: bool  # the provider says the money moved (else: cancelled or failed)
    transaction: str


@dataclass(frozen=True)
class Standing:
    """The payment a callback names, as stored."""

    state: State
    amount_due: int
    transaction: str  # the provider's transaction that paid it, "" while unpaid
    dossier_paid: bool = False  # the dossier's fee was paid by another payment meanwhile


def judge(callback: Callback, standing: Standing | None) -> Outcome:
    """What a signed callback does to the payment it names."""
    if standing is None:
        return Outcome.UNKNOWN
    if standing.state is State.PAID:
        same = callback.paid and callback.transaction == standing.transaction
        return Outcome.REPLAY if same else Outcome.CONFLICT
    if standing.state is State.CANCELLED:
        return Outcome.CONFLICT
    if not callback.paid:
        return Outcome.CANCELLED
    if standing.dossier_paid:  # paid twice (two checkouts, or the desk meanwhile): refund
        return Outcome.CONFLICT
    if callback.amount != standing.amount_due:
        return Outcome.WRONG_AMOUNT
    return Outcome.PAID


def from_status(reference: str, state: State, amount: int, transaction: str) -> Callback | None:
    """What the provider's answer to a status query says, as the callback it stands in for
    when the callback never came (judged by `judge`, like one): None while still pending."""
    if state is State.PENDING:
        return None
    return Callback(
        reference=reference,
        amount=amount,
        paid=state is State.PAID,
        transaction=transaction if state is State.PAID else "",
    )


def poll_due(created_at: datetime, now: datetime, *, after: timedelta) -> bool:
    """Whether a pending payment has waited long enough for its callback that the provider
    is asked what became of it (the citizen may still be on the provider's page before)."""
    return now - created_at >= after


@dataclass(frozen=True)
class DossierMoney:
    """One dossier's money: what its fee rule says is due and each payment made."""

    dossier_id: int
    code: str
    due: int
    paid: tuple[int, ...]


class Mismatch(StrEnum):
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    TWICE = "twice"


MISMATCH_LABELS = {
    Mismatch.UNDERPAID: _("Nộp thiếu"),
    Mismatch.OVERPAID: _("Nộp thừa"),
    Mismatch.TWICE: _("Nộp nhiều lần"),
}


@dataclass(frozen=True)
class Finding:
    dossier_id: int
    code: str
    due: int
    paid: int
    kind: Mismatch


def reconcile(rows: Iterable[DossierMoney]) -> list[Finding]:
    """The dossiers whose payments do not match what was due: paid more than once, or a total
    above or below the amount due. A dossier with nothing paid is not listed (it may still be
    on its way); one paid at all is judged."""
    findings: list[Finding] = []
    for row in rows:
        if not row.paid:
            continue
        total = sum(row.paid)
        if len(row.paid) > 1:
            kind: Mismatch | None = Mismatch.TWICE
        elif total < row.due:
            kind = Mismatch.UNDERPAID
        elif total > row.due:
            kind = Mismatch.OVERPAID
        else:
            kind = None
        if kind is not None:
            findings.append(Finding(row.dossier_id, row.code, row.due, total, kind))
    return findings


@dataclass(frozen=True)
class DayTotal:
    day: date
    due: int
    paid: int
    payments: int

    @property
    def balanced(self) -> bool:
        return self.due == self.paid


def day_totals(payments: Iterable[tuple[date, int, int]]) -> list[DayTotal]:
    """(local day, amount due, amount paid) of each payment -> one total per day, in order."""
    days: dict[date, tuple[int, int, int]] = {}
    for day, due, paid in payments:
        d, p, n = days.get(day, (0, 0, 0))
        days[day] = (d + due, p + paid, n + 1)
    return [DayTotal(day, *days[day]) for day in sorted(days)]


# A fee is paid once the dossier is received and before its result is collected; the desk
# takes it (at reception, when asked to pay, or when the result is ready).
PAYABLE = frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAYMENT, Status.DONE})


def offer_online(status: Status, amount: int, paid: bool) -> bool:
    """Whether the citizen's page of a dossier offers paying its fee online: an amount owed,
    not paid yet, in a state that takes the payment."""
    return amount > 0 and not paid and status in PAYABLE


def check_payable(status: Status, role: Role | None) -> None:
    """Refuses a payment the dossier's state or the person does not allow (role None: the
    citizen paying online)."""
    if role is not None and role is not Role.DESK:
        raise PermissionDenied(_("Chỉ cán bộ Bộ phận một cửa ghi nhận việc nộp phí."))
    if status not in PAYABLE:
        raise ConflictError(
            _("Hồ sơ đang ở trạng thái «{status}», không nộp phí được."),
            status=Text(status.label),
            field="__all__",
        )
