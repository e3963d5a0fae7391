"""Guessing limits: how many wrong tries a key may make in a fixed window, and for how long
a key that has made them is refused. Pure: the counts come from a store, the clock is given.

Windows are fixed (aligned on multiples of their length, counted from the epoch): a counter
is one cache entry that expires with its window, so that counting is one atomic increment
and the time left, the `Retry-After`, is known without storing when the first try was. A
guesser may thus fit up to twice the limit around a window's end; the limits allow for it.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most `tries` wrong tries per `window_seconds` for one key of the `scope`."""

    scope: str
    tries: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.tries < 1 or self.window_seconds < 1:
            raise ValueError("a limit needs at least one try and a window of at least 1 s")

    def window(self, now: float) -> int:
        """The window `now` (seconds since the epoch) falls in."""
        return math.floor(now / self.window_seconds)

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the current window ends, at least 1."""
        end = (self.window(now) + 1) * self.window_seconds
        return max(1, math.ceil(end - now))


def refused_for(limits: Sequence[Limit], counts: Mapping[str, int], now: float) -> int | None:
    """Seconds until every limit reached is lifted, or None if no limit is reached.

    `counts` holds each scope's wrong tries in its current window (a scope missing: none)."""
    waits = [
        limit.seconds_left(now) for limit in limits if counts.get(limit.scope, 0) >= limit.tries
    ]
    return max(waits) if waits else None


def source_key(address: str | None) -> str:
    """The key a source is counted under: its IPv4 address, or the /64 network of an IPv6
    address (one subscriber's line gets a whole /64 and may use any address in it)."""
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
