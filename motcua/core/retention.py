"""How long each kind of record holding personal data is kept, and what happens after
(issue 11; NĐ 13/2023/NĐ-CP and the Law on Personal Data Protection, in force 01/01/2026).

Personal data is kept only as long as its purpose needs: a record past its period is deleted,
or, when the record itself must stay (a dossier is an archive record, its figures are
statistics), pseudonymised: the person's name, numbers and contacts are replaced, the rest
kept. The periods are configuration (settings.RETENTION_DAYS); the defaults below are
docs/privacy.md's, most of them marked [check] there: no text fixes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Record(StrEnum):
    """A kind of record holding personal data, as the purge knows it."""

    SESSION = "session"  # a browser's sign-in, from its expiry
    SIGNUP_CODE = "signup_code"  # a sign-up or contact code never or once used, from its sending
    SIGN_IN_TRACE = "sign_in_trace"  # sign-in attempts and sendings counted against guessing
    PENDING_FEEDBACK = "pending_feedback"  # a feedback filing whose contact was never verified
    OUTBOX = "outbox"  # a message sent (or given up on): its recipient and text
    READ_LOG = "read_log"  # who was shown which dossier, from where
    CLOSED_DRAFT = "closed_draft"  # an online draft closed unsent: its answers and uploads
    FEEDBACK = "feedback"  # a closed feedback item: who filed it and how to reach them
    DOSSIER = "dossier"  # a finished dossier: the applicant's identity, the scans, the result
    RATING_ADDRESS = "rating_address"  # the network address a rating came from
    BOOKING = "booking"  # a counter booking, from its day: the account and the ticket
    PAYMENT = "payment"  # a fee paid (accounting record): the payer's name and e-mail


class Outcome(StrEnum):
    DELETE = "delete"
    PSEUDONYMISE = "pseudonymise"


@dataclass(frozen=True)
class Rule:
    """Keep `record` for `days` after its moment (expiry, sending, closing …), then act."""

    record: Record
    days: int
    outcome: Outcome

    def cutoff(self, now: datetime) -> datetime:
        """Records whose moment is before this have expired."""
        if now.tzinfo is None:
            raise ValueError("now must be aware")
        return now - timedelta(days=self.days)

    def expired(self, moment: datetime | None, now: datetime) -> bool:
        """Whether a record whose moment is `moment` (None: not yet, e.g. still open) is due."""
        return moment is not None and moment < self.cutoff(now)


DEFAULTS: dict[Record, Rule] = {
    rule.record: rule
    for rule in (
        Rule(Record.SESSION, 0, Outcome.DELETE),
        Rule(Record.SIGNUP_CODE, 7, Outcome.DELETE),
        Rule(Record.SIGN_IN_TRACE, 30, Outcome.DELETE),
        Rule(Record.PENDING_FEEDBACK, 7, Outcome.DELETE),
        Rule(Record.OUTBOX, 90, Outcome.DELETE),
        Rule(Record.READ_LOG, 3 * 365, Outcome.DELETE),
        Rule(Record.CLOSED_DRAFT, 30, Outcome.DELETE),
        Rule(Record.FEEDBACK, 5 * 365, Outcome.PSEUDONYMISE),
        Rule(Record.DOSSIER, 10 * 365, Outcome.PSEUDONYMISE),
        Rule(Record.RATING_ADDRESS, 365, Outcome.DELETE),
        Rule(Record.BOOKING, 365, Outcome.DELETE),
        Rule(Record.PAYMENT, 10 * 365, Outcome.PSEUDONYMISE),
    )
}

# What a pseudonymised person is called: the record keeps its shape, not the person.
PSEUDONYM = "(đã ẩn danh)"


def rules(days: Mapping[str, int] | None = None) -> dict[Record, Rule]:
    """The rules with the configured periods (by record name) in place of the defaults."""
    chosen = dict(DEFAULTS)
    for name, value in (days or {}).items():
        record = Record(name)  # an unknown name is a configuration error: ValueError
        if value < 0:
            raise ValueError(f"RETENTION_DAYS[{name}] must not be negative")
        chosen[record] = replace(chosen[record], days=value)
    return chosen
