"""The outbox: claim (committed), send outside any transaction, then record it sent.

A worker that dies between sending and recording leaves its claim behind; once the lease runs
out the message goes out again, under the same Message-ID and idempotency key, and never
a third time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from motcua.notify.models import OutboxMessage
from motcua.notify.services import (
    idempotency_key,
    message_id,
    outbox_deliver,
    outbox_message,
    outbox_queue,
)
from tests.conftest import at

NOW = at("2026-11-25 09:00")


def queue(count, when=NOW):
    outbox_queue(
        [
            outbox_message(
                recipient=f"cong.dan{i}@example.vn",
                template="dossiers/email",
                context={"action": "receive", "name": f"Công dân {i}", "code": f"X-{i:04d}"},
                dossier_id=None,
                dedupe_key=f"test:{i}",
                now=when,
            )
            for i in range(count)
        ]
    )
    return list(OutboxMessage.objects.order_by("pk"))


class Killed(BaseException):
    """The worker's process dying: nothing after it runs, no handler catches it."""


class DiesAfterSending:
    """A relay that takes the message, then the worker dies before recording it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        raise Killed


class RecordsTransactions:
    """A relay that notes whether a database transaction was open while it sent."""

    seen: list[bool] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages):
        RecordsTransactions.seen.append(connection.in_atomic_block)
        mail.outbox.extend(messages)
        return len(messages)


def test_a_worker_killed_after_sending_leaves_one_duplicate_at_most(db, settings):
    settings.OUTBOX_LEASE_SECONDS = 600
    (message,) = queue(1)
    settings.EMAIL_BACKEND = "tests.notify.test_outbox.DiesAfterSending"
    with pytest.raises(Killed):
        outbox_deliver(now=NOW, worker="w1")
    message.refresh_from_db()
    assert message.sent_at is None
    # Committed before sending; the pass's clock starts at its `now` and runs on.
    assert message.claimed_by == "w1"
    assert NOW <= message.claimed_at < NOW + timedelta(minutes=1)
    assert len(mail.outbox) == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # While the dead worker's lease runs, no other worker sends it again.
    assert outbox_deliver(now=NOW + timedelta(minutes=9), worker="w2") == 0
    assert len(mail.outbox) == 1
    # Once it has run out, one does, under the same Message-ID and key; then never again.
    assert outbox_deliver(now=NOW + timedelta(minutes=10, seconds=1), worker="w2") == 1
    assert outbox_deliver(now=NOW + timedelta(hours=2), worker="w3") == 0
    assert len(mail.outbox) == 2
    first, second = mail.outbox
    assert first.extra_headers == second.extra_headers
    assert first.extra_headers["Message-ID"] == message_id(message)
    assert first.extra_headers["X-Idempotency-Key"] == idempotency_key(message)
    message.refresh_from_db()
    assert message.sent_at is not None and message.claimed_by == "w2"
    assert "X-0000" in message.subject  # the text that went out is kept


def test_each_message_has_its_own_key_the_same_on_every_try(db):
    messages = queue(3)
    keys = {idempotency_key(m) for m in messages}
    assert len(keys) == 3
    assert {idempotency_key(OutboxMessage.objects.get(pk=m.pk)) for m in messages} == keys
    assert all(message_id(m) == f"<{idempotency_key(m)}@localhost>" for m in messages)


@pytest.mark.django_db(transaction=True)
def test_mail_leaves_outside_any_database_transaction(settings):
    settings.EMAIL_BACKEND = "tests.notify.test_outbox.RecordsTransactions"
    RecordsTransactions.seen = []
    queue(3)
    assert outbox_deliver(now=NOW) == 3
    assert RecordsTransactions.seen == [False, False, False]
    assert OutboxMessage.objects.filter(sent_at=None).count() == 0
    # Claimed and recorded by the same pass.
    assert len(set(OutboxMessage.objects.values_list("claimed_by", flat=True))) == 1


def test_a_message_claimed_by_a_live_worker_is_left_to_it(db):
    (message,) = queue(1)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=NOW, claimed_by="other")
    assert outbox_deliver(now=NOW + timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_a_message_that_kills_every_worker_is_given_up_on(db, settings):
    """Each claim counts as a try: a message whose every try died with its worker is kept as
    failed after MAX_ATTEMPTS claims, not taken again forever."""
    from motcua.notify.services import MAX_ATTEMPTS

    (message,) = queue(1)
    settings.EMAIL_BACKEND = "tests.notify.test_outbox.DiesAfterSending"
    when = NOW
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(Killed):
            outbox_deliver(now=when)
        when += timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert outbox_deliver(now=when) == 0
    message.refresh_from_db()
    assert when <= message.failed_at < when + timedelta(minutes=1)
    assert message.sent_at is None
    assert message.attempts == MAX_ATTEMPTS
    assert len(mail.outbox) == MAX_ATTEMPTS


@pytest.mark.parametrize(
    ("queued", "leaves"),
    [
        ("2026-11-25 09:00", "2026-11-25 09:00"),  # Wednesday morning: at once
        ("2026-11-25 12:20", "2026-11-25 13:00"),  # lunch: when the afternoon starts
        ("2026-11-25 18:30", "2026-11-26 08:00"),  # evening: the next morning
        ("2026-11-27 21:00", "2026-11-30 08:00"),  # Friday night: Monday morning
        ("2026-12-31 17:05", "2027-01-04 08:00"),  # New Year's Day, then the weekend
    ],
)
def test_an_officers_reminder_waits_for_office_hours_a_citizens_message_does_not(
    db, settings, queued, leaves
):
    from motcua.core.calendar import WorkCalendar

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    when = at(queued)
    common = dict(template="dossiers/email", dossier_id=None, now=when)
    context = {"action": "receive", "name": "Lan", "code": "X-1"}
    outbox_queue(
        [
            outbox_message(
                recipient="can.bo@example.vn",
                context=context,
                dedupe_key="officer",
                office_hours=WorkCalendar(),
                **common,
            ),
            outbox_message(
                recipient="cong.dan@example.vn", context=context, dedupe_key="citizen", **common
            ),
        ]
    )
    officer = OutboxMessage.objects.get(dedupe_key="officer")
    assert officer.available_at == at(leaves)
    outbox_deliver(now=when)
    expected = {"cong.dan@example.vn"} | ({"can.bo@example.vn"} if leaves == queued else set())
    assert {m.to[0] for m in mail.outbox} == expected
    outbox_deliver(now=at(leaves))
    assert sorted(m.to[0] for m in mail.outbox) == ["can.bo@example.vn", "cong.dan@example.vn"]


def test_a_channel_another_app_adds_is_delivered_by_its_sender_with_backoff(db, monkeypatch):
    from motcua.notify import services

    monkeypatch.setattr(services, "_SENDERS", {})
    tried: list[str] = []

    def flaky(message):
        tried.append(message.body)
        if len(tried) == 1:
            raise ConnectionError("partner down")

    services.outbox_channel("partner", flaky)
    with pytest.raises(ValueError, match="taken"):
        services.outbox_channel("partner", lambda m: None)
    with pytest.raises(ValueError, match="taken"):
        services.outbox_channel("email", lambda m: None)
    message = outbox_message(
        recipient="https://partner.example.vn/in",
        template="",
        context={},
        dossier_id=None,
        dedupe_key="partner:1",
        now=NOW,
        channel="partner",
    )
    message.body = '{"a": 1}'
    outbox_queue([message])
    assert outbox_deliver(now=NOW) == 0
    row = OutboxMessage.objects.get()
    assert (row.attempts, row.sent_at, row.last_error) == (1, None, "partner down")
    # 2 minutes after the try (the pass's clock runs on from NOW with the real one).
    assert timedelta(minutes=2) <= row.available_at - NOW < timedelta(minutes=3)
    assert not mail.outbox
    assert outbox_deliver(now=NOW + timedelta(minutes=1)) == 0
    assert outbox_deliver(now=NOW + timedelta(minutes=3)) == 1
    assert tried == ['{"a": 1}', '{"a": 1}']
    assert not mail.outbox
