"""An e-mail backend for tests with real worker processes: each message a file of its own.

Django's file backend names its files by the second and the backend object's id, which repeat,
and writes them in place; here each message is written under a temporary name and renamed,
so a file that is there is a whole message, whenever the worker is killed.

MOTCUA_TEST_MAIL_HOLD="after:N" stops the worker right after it has sent its N-th message,
before it can record it sent; "before:N" right before sending its N-th. It then writes the file
`held` and waits for a signal: the test kills it there.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

_sent = 0


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        global _sent
        folder = Path(settings.EMAIL_FILE_PATH)
        mode, _, count = os.environ.get("MOTCUA_TEST_MAIL_HOLD", "").partition(":")
        for message in email_messages:
            if mode == "before" and _sent + 1 == int(count):
                _hold(folder)
            name = uuid.uuid4().hex
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes())
            os.replace(temporary, folder / f"{name}.eml")
            _sent += 1
            if mode == "after" and _sent == int(count):
                _hold(folder)
        return len(email_messages)


def _hold(folder: Path) -> None:
    (folder / "held").write_text(str(os.getpid()))
    while True:
        signal.pause()
