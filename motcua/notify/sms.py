"""Text messages: one interface, a backend per provider, chosen by SMS_BACKEND.

A province plugs in its SMS gateway (a brand-name sender through a telecom) by writing a
class with `send(recipient, text, idempotency_key)` and naming it in SMS_BACKEND. The demo
uses the console backend; the tests use the in-memory one, whose `outbox` they read.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, recipient: str, text: str, idempotency_key: str) -> None:
        """Hand one message to the provider; raise when it was not accepted."""


@dataclass(frozen=True)
class Sms:
    recipient: str
    text: str
    idempotency_key: str


class ConsoleSmsBackend:
    """Writes each message to standard output (the demo): nothing leaves the machine."""

    def send(self, recipient: str, text: str, idempotency_key: str) -> None:
        sys.stdout.write(f"SMS to {recipient} [{idempotency_key}]:\n{text}\n")
        sys.stdout.flush()


class LocmemSmsBackend:
    """Keeps each message in `outbox`, like Django's locmem e-mail backend (the tests)."""

    outbox: list[Sms] = []

    def send(self, recipient: str, text: str, idempotency_key: str) -> None:
        LocmemSmsBackend.outbox.append(Sms(recipient, text, idempotency_key))


def send_sms(recipient: str, text: str, idempotency_key: str) -> None:
    """Send through the configured backend."""
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    backend.send(recipient, text, idempotency_key)
