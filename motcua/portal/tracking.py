"""The public tracking page's two pieces of machinery: the guessing limits and the cached result.

**Guessing limits.** Every try is counted before the lookup, so that tries sent at once cannot
all pass before any is counted, and a right one is given back: what stays counted are the wrong
(code, secret) pairs. The counters are in Django's cache (Redis with `CACHE_URL`, shared by
every process; one cache per process otherwise, and the limits then hold per process), each
change one atomic `incr`/`add`/`decr`. Three limits (settings.py):

- per source and code (5 per 15 minutes): one person mistyping, or one guesser at one code;
- per source (30 per 15 minutes): one guesser going through many codes;
- per code, from anywhere (100 per hour): many addresses guessing at one code.

A limit reached refuses every pair it covers, the right one included, until its window ends:
were the right secret still let through, "refused" would tell a guesser "wrong" as plainly as
"not found" does, and the limit would limit nothing. The price is that a guesser can keep the
citizen from tracking; the per-code limit, the only one a guesser can reach without being the
citizen's own address, is set high and short so that only a guess spread over many addresses
reaches it, and the citizen is told when to come back and that the centre can answer at once.
The secret (31⁸ ≈ 8.5·10¹¹ values) is what protects the dossier; the limits make guessing it
hopeless: 100 tries an hour at one code would take millions of years on average.

A missing code is counted exactly as an existing one, so the limits tell nothing either.

**The cached result.** What the page shows of a dossier changes only when the dossier does (its
`version`, raised by every write), when it becomes overdue, and, during a pause, each minute
(the explanation counts the pause up to now). The rendered result, which holds no personal data,
is kept under exactly those, with the language and time zone: a change is never shown stale,
and the secret is checked against the database on every request before anything is shown. An
agency or procedure renamed is shown within `RESULT_TTL_SECONDS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from motcua.core import throttle
from motcua.core.errors import TooManyTries, _
from motcua.core.urgency import overdue
from motcua.dossiers.selectors import PublicKey

RESULT_TTL_SECONDS = 600


def limits() -> tuple[throttle.Limit, ...]:
    window = settings.TRACKING_WINDOW_MINUTES * 60
    return (
        throttle.Limit("source_code", settings.TRACKING_MAX_FAILURES_PER_SOURCE_CODE, window),
        throttle.Limit("source", settings.TRACKING_MAX_FAILURES_PER_SOURCE, window),
        throttle.Limit(
            "code",
            settings.TRACKING_MAX_FAILURES_PER_CODE,
            settings.TRACKING_CODE_WINDOW_MINUTES * 60,
        ),
    )


def _digest(*parts: str) -> str:
    # What a citizen typed never goes into a key as it is (length, characters).
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _keys(address: str | None, code: str, now: float) -> dict[str, str]:
    """Each limit's counter key for this window: {scope: key}."""
    source = throttle.source_key(address)
    subjects = {"source_code": (source, code), "source": (source,), "code": (code,)}
    return {
        limit.scope: f"track:{limit.scope}:{_digest(*subjects[limit.scope])}:{limit.window(now)}"
        for limit in limits()
    }


class Attempt:
    """One try at a pair, counted against every limit before the lookup, so that tries sent
    at once cannot all pass before any is counted; a right pair gives its count back."""

    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = keys

    def succeeded(self) -> None:
        """The pair was right: it is not a wrong try."""
        _give_back(self._keys.values())


def begin(address: str | None, code: str, now: float) -> Attempt:
    """Count a try at `code` from `address`, or raise TooManyTries (counting nothing) if a limit
    covering them is reached."""
    keys = _keys(address, code, now)
    by_scope = {limit.scope: limit for limit in limits()}
    # The counts before this try: a limit of 5 lets the 5th through and refuses the 6th.
    before = {
        scope: _bump(key, by_scope[scope].seconds_left(now) + 1) - 1 for scope, key in keys.items()
    }
    wait = throttle.refused_for(limits(), before, now)
    if wait is None:
        return Attempt(keys)
    _give_back(keys.values())
    raise TooManyTries(
        _(
            "Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần. Vui lòng thử lại sau "
            "{minutes} phút. Cần biết ngay thì liên hệ nơi đã tiếp nhận hồ sơ (số điện "
            "thoại in trên Giấy tiếp nhận hồ sơ)."
        ),
        minutes=math.ceil(wait / 60),
        retry_after=wait,
    )


def _bump(key: str, ttl: int) -> int:
    """Add one to a counter, created with its window's time to live; the new count."""
    try:
        return cache.incr(key)
    except ValueError:  # not there yet (or just expired)
        if cache.add(key, 1, ttl):
            return 1
        return cache.incr(key)  # another process created it first


def _give_back(keys: Iterable[str]) -> None:
    for key in keys:
        with contextlib.suppress(ValueError):  # its window ended meanwhile: nothing to give
            cache.decr(key)


def result_html(key: PublicKey, now: datetime, render: Callable[[], str]) -> str:
    """The rendered result for this dossier as it is now: from the cache, else `render()`d
    and kept."""
    parts = [
        str(key.pk),
        str(key.version),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        "late" if overdue(key.status, key.due_at, now=now) else "",
        # A running pause is counted up to now on the page, which shows minutes.
        str(math.floor(now.timestamp() / 60)) if key.may_be_paused else "",
    ]
    cache_key = "track:result:" + _digest(*parts)
    html = cache.get(cache_key)
    if not isinstance(html, str):
        html = render()
        cache.set(cache_key, html, RESULT_TTL_SECONDS)
    return html
