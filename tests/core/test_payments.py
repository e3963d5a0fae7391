"""Payment rules: signatures, what a callback does, reconciliation (core.payments)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from motcua.core.errors import ConflictError, PermissionDenied
from motcua.core.lifecycle import Role, Status
from motcua.core.payments import (
    Callback,
    DossierMoney,
    Mismatch,
    Outcome,
    Standing,
    State,
    check_payable,
    day_totals,
    from_status,
    judge,
    offer_online,
    poll_due,
    reconcile,
    sign,
    signature_holds,
)

KEY = b"sandbox-key"
FIELDS = {"reference": "TT1", "amount": "16000", "status": "paid", "transaction": "T1"}
PAID = Callback("TT1", 16_000, True, "T1")


def test_a_signature_holds_only_for_its_own_fields_and_key():
    signature = sign(KEY, FIELDS)
    assert signature_holds(KEY, FIELDS, signature)
    assert not signature_holds(b"other", FIELDS, signature)
    assert not signature_holds(KEY, {**FIELDS, "amount": "1000"}, signature)
    assert not signature_holds(KEY, FIELDS, "")


@pytest.mark.parametrize(
    ("callback", "standing", "outcome"),
    [
        (PAID, Standing(State.PENDING, 16_000, ""), Outcome.PAID),
        (PAID, None, Outcome.UNKNOWN),
        (
            Callback("TT1", 1000, True, "T1"),
            Standing(State.PENDING, 16_000, ""),
            Outcome.WRONG_AMOUNT,
        ),
        (PAID, Standing(State.PAID, 16_000, "T1"), Outcome.REPLAY),
        (Callback("TT1", 16_000, True, "T2"), Standing(State.PAID, 16_000, "T1"), Outcome.CONFLICT),
        (
            Callback("TT1", 16_000, False, ""),
            Standing(State.PENDING, 16_000, ""),
            Outcome.CANCELLED,
        ),
        (PAID, Standing(State.CANCELLED, 16_000, ""), Outcome.CONFLICT),
        (PAID, Standing(State.PENDING, 16_000, "", dossier_paid=True), Outcome.CONFLICT),
    ],
)
def test_what_a_signed_callback_does(callback, standing, outcome):
    assert judge(callback, standing) is outcome


@pytest.mark.parametrize(
    ("paid", "kind"),
    [
        ((), None),
        ((16_000,), None),
        ((8000,), Mismatch.UNDERPAID),
        ((20_000,), Mismatch.OVERPAID),
        ((16_000, 16_000), Mismatch.TWICE),
    ],
)
def test_reconciliation_lists_what_does_not_match(paid, kind):
    found = reconcile([DossierMoney(1, "H26.100-261125-0001", 16_000, paid)])
    assert [f.kind for f in found] == ([kind] if kind else [])


def test_day_totals_add_up_per_day():
    totals = day_totals(
        [(date(2026, 11, 25), 8000, 8000), (date(2026, 11, 26), 5, 0), (date(2026, 11, 25), 2, 2)]
    )
    assert [(t.day.day, t.due, t.paid, t.payments, t.balanced) for t in totals] == [
        (25, 8002, 8002, 2, True),
        (26, 5, 0, 1, False),
    ]


@pytest.mark.parametrize(
    ("status", "role", "error"),
    [
        (Status.RECEIVED, Role.DESK, None),
        (Status.PAYMENT, None, None),
        (Status.DONE, Role.DESK, None),
        (Status.NEW, Role.DESK, ConflictError),
        (Status.RETURNED, Role.DESK, ConflictError),
        (Status.WITHDRAWN, None, ConflictError),
        (Status.PROCESSING, Role.SPECIALIST, PermissionDenied),
    ],
)
def test_who_records_a_payment_and_when(status, role, error):
    if error is None:
        check_payable(status, role)
    else:
        with pytest.raises(error):
            check_payable(status, role)


@pytest.mark.parametrize(
    ("status", "amount", "paid", "offered"),
    [
        (Status.RECEIVED, 8000, False, True),
        (Status.PAYMENT, 8000, False, True),
        (Status.DONE, 8000, False, True),
        (Status.RECEIVED, 8000, True, False),  # paid already
        (Status.RECEIVED, 0, False, False),  # nothing owed
        (Status.NEW, 8000, False, False),  # sent online, not received yet
        (Status.RETURNED, 8000, False, False),  # the result collected
    ],
)
def test_the_citizen_s_page_offers_paying_online(status, amount, paid, offered):
    assert offer_online(status, amount, paid) is offered


@pytest.mark.parametrize(
    ("state", "amount", "transaction", "callback"),
    [
        (State.PENDING, 16_000, "", None),  # not decided yet: nothing to judge
        (State.PAID, 16_000, "T1", PAID),
        (State.PAID, 1000, "T1", Callback("TT1", 1000, True, "T1")),  # judged: wrong amount
        (State.CANCELLED, 16_000, "T9", Callback("TT1", 16_000, False, "")),
    ],
)
def test_a_status_answer_stands_for_the_callback(state, amount, transaction, callback):
    assert from_status("TT1", state, amount, transaction) == callback


def test_a_status_answer_is_judged_like_its_callback():
    standing = Standing(State.PENDING, 16_000, "")
    paid = from_status("TT1", State.PAID, 16_000, "T1")
    assert paid is not None and judge(paid, standing) is Outcome.PAID
    short = from_status("TT1", State.PAID, 1000, "T1")
    assert short is not None and judge(short, standing) is Outcome.WRONG_AMOUNT
    # Paid already (the callback came meanwhile): the same transaction changes nothing.
    assert judge(paid, Standing(State.PAID, 16_000, "T1")) is Outcome.REPLAY


START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("waited", "due"),
    [
        (timedelta(0), False),
        (timedelta(minutes=14, seconds=59), False),
        (timedelta(minutes=15), True),
        (timedelta(days=2), True),
    ],
)
def test_the_provider_is_asked_only_after_the_wait(waited, due):
    assert poll_due(START, START + waited, after=timedelta(minutes=15)) is due
