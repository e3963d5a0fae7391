"""Staff sign-in's guessing limits: which counters a try is counted under, and which of
them refuses it. Pure: the counts come from a store, the clock is given.

A wrong password (or a wrong second-factor code) is counted three ways:

- per account and source (`pair`): the officer who mistypes at their own counter PC is held
  there, as the old lockout did, and nobody elsewhere is;
- per source (`source`): one address trying many accounts (password spraying) is held,
  whatever account it names;
- per account from anywhere (`account`): many addresses guessing one account are slowed to
  a ceiling far above the pair's. This limit is not applied to a source the account has
  signed in from before (`known_source`), so an attacker hammering an officer's name from
  elsewhere cannot keep the officer out of their own counter PC.

A try is counted before its password is checked, under every limit at once, and refused
(counting nothing) if any limit is already reached: tries sent together cannot all pass
before any is counted. A right password gives its try back and clears the pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from motcua.core.lifecycle import Role
from motcua.core.throttle import Limit, refused_for

PAIR = "pair"
SOURCE = "source"
ACCOUNT = "account"


@dataclass(frozen=True)
class Policy:
    """The limits' sizes; the defaults are settings' (SIGNIN_*)."""

    pair_tries: int = 5
    source_tries: int = 30
    account_tries: int = 50
    window_seconds: int = 15 * 60
    account_window_seconds: int = 60 * 60
    known_source_days: int = 30


@dataclass(frozen=True)
class Refusal:
    """A try refused: the limit that refused it (the longest wait) and the seconds left."""

    scope: str
    seconds: int


def limits(policy: Policy, *, known_source: bool) -> tuple[Limit, ...]:
    """The limits a try is counted under: the account's ceiling only from unknown sources."""
    found = [
        Limit(PAIR, policy.pair_tries, policy.window_seconds),
        Limit(SOURCE, policy.source_tries, policy.window_seconds),
    ]
    if not known_source:
        found.append(Limit(ACCOUNT, policy.account_tries, policy.account_window_seconds))
    return tuple(found)


def subjects(username: str, source: str) -> dict[str, tuple[str, ...]]:
    """What each limit counts: the account name is compared case-folded (as sign-in does)."""
    account = username.strip().casefold()
    return {PAIR: (account, source), SOURCE: (source,), ACCOUNT: (account,)}


def refusal(
    policy: Policy, counts: Mapping[str, int], *, known_source: bool, now: float
) -> Refusal | None:
    """Why a try with these counts (wrong tries already counted in each limit's window) is
    refused, or None if it may go on to the password check."""
    current = limits(policy, known_source=known_source)
    wait = refused_for(current, counts, now)
    if wait is None:
        return None
    reached = [
        limit for limit in current if counts.get(limit.scope, 0) >= limit.tries
    ]  # the order of `limits`: the pair first, the message most useful to the officer
    return Refusal(reached[0].scope, wait)


def tries_left(policy: Policy, pair_count: int) -> int:
    """Wrong tries left at this source before it is held (the countdown on the page)."""
    return max(0, policy.pair_tries - pair_count)


# Whose sign-in needs a second factor: those who sign, administer or see every agency.
SECOND_FACTOR_ROLES = frozenset({Role.AGENCY_LEADER, Role.ADMIN, Role.SUPERVISOR})


def second_factor_required(role: Role | None, *, admin_access: bool) -> bool:
    """Whether this person must sign in with a second factor: a head of agency, an
    administrator or the oversight office by post, or anyone the admin lets in."""
    return admin_access or role in SECOND_FACTOR_ROLES


class Next(StrEnum):
    """Where a right password leads."""

    SIGNED_IN = "signed_in"
    VERIFY = "verify"  # a code from the enrolled device (or a recovery code)
    ENROL = "enrol"  # nothing else until a device is enrolled


def after_password(*, required: bool, enrolled: bool) -> Next:
    """The step after a right password: whoever enrolled gives a code, required or not."""
    if enrolled:
        return Next.VERIFY
    return Next.ENROL if required else Next.SIGNED_IN
