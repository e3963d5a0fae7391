"""The outbox's messages as an administrator sees them: in which state each is, which can be
sent again or set aside, and how a recipient and an error are shown without exposing a
citizen's address or a subscriber's secret path.

Pure: a message is given as its timestamps and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from motcua.core.errors import ConflictError, _

ERROR_SHOWN = 160  # characters of the last error a list shows


class State(StrEnum):
    WAITING = "waiting"  # never tried yet
    RETRYING = "retrying"  # tried and failed, to be tried again
    GIVEN_UP = "given_up"  # a dead letter: failed MAX_ATTEMPTS times
    DISCARDED = "discarded"  # a dead letter an administrator set aside
    SENT = "sent"


@dataclass(frozen=True)
class Facts:
    """What decides a message's state."""

    sent_at: datetime | None
    failed_at: datetime | None
    discarded_at: datetime | None
    attempts: int


class NotADeadLetter(ConflictError):
    """Replay or discard of a message that is not (or no longer) a dead letter."""

    code = "outbox_not_dead_letter"


def state(facts: Facts) -> State:
    """The message's state: sent, discarded, given up, retrying or waiting."""
    if facts.sent_at is not None:
        return State.SENT
    if facts.discarded_at is not None:
        return State.DISCARDED
    if facts.failed_at is not None:
        return State.GIVEN_UP
    return State.RETRYING if facts.attempts > 0 else State.WAITING


def check_dead_letter(facts: Facts) -> None:
    """Raise NotADeadLetter unless the message is given up and neither sent nor discarded
    (one already sent again, or set aside, is refused: nothing changes)."""
    found = state(facts)
    if found is State.GIVEN_UP:
        return
    messages = {
        State.SENT: _("Tin này đã được gửi đi, không cần gửi lại."),
        State.DISCARDED: _("Tin này đã được bỏ qua trước đó."),
        State.RETRYING: _("Tin này đang được gửi lại, không còn nằm trong danh sách gửi lỗi."),
        State.WAITING: _("Tin này đang chờ gửi, không còn nằm trong danh sách gửi lỗi."),
    }
    raise NotADeadLetter(messages[found], state=found.value)


class KeptInOrder(ConflictError):
    """Discarding a dead letter of a channel whose later messages wait for it (the national
    portal's sync: a dossier's records go in order, each queued by the acknowledgement of the
    one before). Set aside, it would hold the dossier's later records back for good."""

    code = "outbox_kept_in_order"


def check_discard(*, keeps_order: bool) -> None:
    """Raise KeptInOrder for a channel that keeps an order: its dead letters are sent again
    once the receiver works, never set aside."""
    if keeps_order:
        raise KeptInOrder(
            _(
                "Tin của kênh này phải đến theo thứ tự: bỏ qua nó thì các tin sau của hồ sơ sẽ "
                "không bao giờ được gửi. Hãy “Gửi lại” khi bên nhận đã hoạt động lại."
            )
        )


# What an administrator reads for each channel of the outbox; a channel added later without
# a name here is shown by its code.
CHANNEL_NAMES = {
    "email": _("Thư điện tử"),
    "sms": _("Tin nhắn điện thoại"),
    "national": _("Cổng Dịch vụ công quốc gia"),
    "exchange": _("Liên thông giữa các hệ thống"),
    "webhook": _("Webhook (hệ thống đăng ký nhận tin)"),
}


def channel_name(channel: str) -> str:
    """The channel in words (its code when it has no name)."""
    return str(CHANNEL_NAMES.get(channel, channel))


def shown_recipient(channel: str, recipient: str) -> str:
    """The recipient as a list shows it: an e-mail's first letter and domain, a phone's last
    three digits, a web address's scheme and host (its path may carry a token)."""
    recipient = recipient.strip()
    if channel == "email" or ("@" in recipient and "://" not in recipient):
        local, _at, domain = recipient.rpartition("@")
        return f"{local[:1]}***@{domain}" if local else "***"
    if channel == "sms":
        digits = [c for c in recipient if c.isdigit()]
        return "***" + "".join(digits[-3:]) if len(digits) > 3 else "***"
    parts = urlsplit(recipient)
    if parts.scheme and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return (
            f"{parts.scheme}://{parts.hostname}{port}/…"
            if parts.path.strip("/")
            else (f"{parts.scheme}://{parts.hostname}{port}")
        )
    return recipient[:3] + "***" if len(recipient) > 6 else "***"


def shortened(error: str, limit: int = ERROR_SHOWN) -> str:
    """The error's first line, cut at `limit` characters with an ellipsis."""
    line = error.strip().splitlines()[0] if error.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
