"""Dead letters: a message given up on after MAX_ATTEMPTS is counted, listed, sent again on
the next pass after a replay, or set aside for good by a discard; neither applies twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.core.deadletters import NotADeadLetter
from motcua.core.errors import NotFound
from motcua.notify import services
from motcua.notify.models import OutboxMessage
from motcua.notify.selectors import dead_letter_row, dead_letters, outbox_counts
from motcua.notify.services import (
    MAX_ATTEMPTS,
    outbox_deliver,
    outbox_discard,
    outbox_message,
    outbox_queue,
    outbox_replay,
    outbox_replay_channel,
)
from tests.conftest import at

pytestmark = pytest.mark.django_db
NOW = at("2026-11-25 09:00")


class Receiver:
    """A channel's far end: down (every send raises) until it is brought up."""

    def __init__(self) -> None:
        self.up = False
        self.got: list[int] = []

    def __call__(self, message: OutboxMessage) -> None:
        if not self.up:
            raise ConnectionError("HTTP 503 from the receiver\nand a second line")
        self.got.append(message.pk)


@pytest.fixture
def receiver(monkeypatch):
    found = Receiver()
    monkeypatch.setattr(services, "_SENDERS", {"test": found})
    return found


def queue(*keys: str, channel: str = "test") -> list[OutboxMessage]:
    outbox_queue(
        [
            outbox_message(
                recipient="https://hooks.example.vn/in/secret-path",
                template="",
                context={},
                dossier_id=None,
                dedupe_key=key,
                now=NOW,
                channel=channel,
            )
            for key in keys
        ]
    )
    return list(OutboxMessage.objects.filter(dedupe_key__in=keys).order_by("pk"))


def give_up(start=NOW) -> object:
    """Pass after pass, a day apart (past any backoff), until every try is spent."""
    when = start
    for _ in range(MAX_ATTEMPTS):
        outbox_deliver(now=when, worker="w")
        when += timedelta(days=1)
    return when


def test_a_message_that_keeps_failing_becomes_a_dead_letter(receiver):
    (m,) = queue("a")
    counts = {c.channel: c for c in outbox_counts()}
    assert (counts["test"].waiting, counts["test"].retrying, counts["test"].given_up) == (1, 0, 0)
    outbox_deliver(now=NOW, worker="w")
    counts = {c.channel: c for c in outbox_counts()}
    assert (counts["test"].waiting, counts["test"].retrying, counts["test"].given_up) == (0, 1, 0)
    give_up(NOW + timedelta(days=1))
    counts = {c.channel: c for c in outbox_counts()}
    assert (counts["test"].waiting, counts["test"].retrying, counts["test"].given_up) == (0, 0, 1)
    assert {"email", "sms", "test"} <= set(counts)
    (row,) = [dead_letter_row(x) for x in dead_letters()]
    assert row.id == m.pk
    assert row.attempts == MAX_ATTEMPTS
    assert row.error == "HTTP 503 from the receiver"
    assert row.recipient == "https://hooks.example.vn/…"  # the path may carry a token


def test_a_replayed_dead_letter_goes_out_on_the_next_pass(receiver):
    (m,) = queue("a")
    later = give_up()
    assert outbox_deliver(now=later, worker="w") == 0
    change = outbox_replay(message_id=m.pk, now=later)
    assert change.changes["attempts"] == [MAX_ATTEMPTS, 0]
    assert change.changes["failed_at"][1] is None
    assert list(dead_letters()) == []
    receiver.up = True
    assert outbox_deliver(now=later, worker="w") == 1
    assert receiver.got == [m.pk]
    m.refresh_from_db()
    assert m.sent_at is not None and m.attempts == 1


def test_a_replay_of_a_replayed_message_is_refused_and_changes_nothing(receiver):
    (m,) = queue("a")
    later = give_up()
    outbox_replay(message_id=m.pk, now=later)
    m.refresh_from_db()
    before = (m.attempts, m.failed_at, m.available_at, m.discarded_at)
    with pytest.raises(NotADeadLetter):
        outbox_replay(message_id=m.pk, now=later + timedelta(minutes=1))
    with pytest.raises(NotADeadLetter):
        outbox_discard(message_id=m.pk, now=later + timedelta(minutes=1))
    m.refresh_from_db()
    assert (m.attempts, m.failed_at, m.available_at, m.discarded_at) == before


def test_a_discarded_dead_letter_is_kept_and_never_sent(receiver):
    (m,) = queue("a")
    later = give_up()
    outbox_discard(message_id=m.pk, now=later)
    receiver.up = True
    for day in range(3):
        outbox_deliver(now=later + timedelta(days=day), worker="w")
    assert receiver.got == []
    m.refresh_from_db()
    assert m.discarded_at == later and m.sent_at is None and m.failed_at is not None
    assert list(dead_letters()) == []
    with pytest.raises(NotADeadLetter):
        outbox_replay(message_id=m.pk, now=later)


def test_a_message_still_waiting_is_no_dead_letter(receiver):
    (m,) = queue("a")
    with pytest.raises(NotADeadLetter):
        outbox_replay(message_id=m.pk, now=NOW)
    with pytest.raises(NotFound):
        outbox_discard(message_id=m.pk + 1000, now=NOW)


def test_a_channels_dead_letters_are_replayed_together_after_an_outage(receiver, monkeypatch):
    monkeypatch.setitem(services._SENDERS, "other", Receiver())
    a, b = queue("a", "b")
    (c,) = queue("c", channel="other")
    later = give_up()
    changes = outbox_replay_channel(channel="test", now=later)
    assert sorted(x.message_id for x in changes) == [a.pk, b.pk]
    assert [x.id for x in map(dead_letter_row, dead_letters())] == [c.pk]
    assert [x.id for x in map(dead_letter_row, dead_letters(channel="test"))] == []
    receiver.up = True
    assert outbox_deliver(now=later, worker="w") == 2
    assert sorted(receiver.got) == [a.pk, b.pk]
