"""The outbox's messages as an administrator sees them: their state, which may be sent again or
set aside, and how recipients and errors are shown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.core.deadletters import (
    Facts,
    NotADeadLetter,
    State,
    check_dead_letter,
    shortened,
    shown_recipient,
    state,
)

T = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(sent_at=None, failed_at=None, discarded_at=None, attempts=0), State.WAITING),
        (Facts(sent_at=None, failed_at=None, discarded_at=None, attempts=3), State.RETRYING),
        (Facts(sent_at=None, failed_at=T, discarded_at=None, attempts=8), State.GIVEN_UP),
        (Facts(sent_at=None, failed_at=T, discarded_at=T, attempts=8), State.DISCARDED),
        (Facts(sent_at=T, failed_at=None, discarded_at=None, attempts=1), State.SENT),
    ],
)
def test_a_message_is_in_one_state(facts, expected):
    assert state(facts) is expected
    if expected is State.GIVEN_UP:
        check_dead_letter(facts)  # the only state replay and discard accept
    else:
        with pytest.raises(NotADeadLetter) as caught:
            check_dead_letter(facts)
        assert caught.value.details["state"] == expected.value


@pytest.mark.parametrize(
    ("channel", "recipient", "shown"),
    [
        ("email", "nguyen.van.binh@example.vn", "n***@example.vn"),
        ("email", "@example.vn", "***"),
        ("sms", "0912345678", "***678"),
        ("sms", "12", "***"),
        ("webhook", "https://hooks.example.vn/in/tok-3f9a", "https://hooks.example.vn/…"),
        ("webhook", "https://hooks.example.vn", "https://hooks.example.vn"),
        ("webhook", "http://127.0.0.1:8999/in", "http://127.0.0.1:8999/…"),
        ("portal", "opaque-recipient", "opa***"),
        ("portal", "abc", "***"),
    ],
)
def test_a_recipient_is_shown_without_what_identifies_or_unlocks_it(channel, recipient, shown):
    assert shown_recipient(channel, recipient) == shown


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        ("", ""),
        ("HTTP 503", "HTTP 503"),
        ("first line\nTraceback …", "first line"),
        ("x" * 200, "x" * 159 + "…"),
    ],
)
def test_an_error_is_shortened_to_its_first_line(error, shown):
    assert shortened(error) == shown
