"""The public tracking page's two pieces of machinery: the guessing limits and the cached result.

**Guessing limits.** Only wrong (code, secret) pairs are counted, in Django's cache (Redis with
`CACHE_URL`, shared by every process; one per process otherwise, so that the limits then
hold per process), each counter one atomic `add`/`incr`. Three limits (settings.py):

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

import hashlib
import math
from collections.abc import Callable
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


def check(address: str | None, code: str, now: float) -> None:
    """Raise TooManyTries if a limit covering this source or code is reached (one cache read)."""
    keys = _keys(address, code, now)
    found = cache.get_many(list(keys.values()))
    counts = {scope: int(found.get(key, 0)) for scope, key in keys.items()}
    wait = throttle.refused_for(limits(), counts, now)
    if wait is not None:
        raise TooManyTries(
            _(
                "Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần. Vui lòng thử lại sau "
                "{minutes} phút. Cần biết ngay thì liên hệ nơi đã tiếp nhận hồ sơ (số điện "
                "thoại in trên Giấy tiếp nhận hồ sơ)."
            ),
            minutes=math.ceil(wait / 60),
            retry_after=wait,
        )


def count_failure(address: str | None, code: str, now: float) -> None:
    """Count one wrong pair against every limit, each counter created with its window."""
    by_scope = {limit.scope: limit for limit in limits()}
    for scope, key in _keys(address, code, now).items():
        ttl = by_scope[scope].seconds_left(now) + 1
        if cache.add(key, 1, ttl):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls: this try opens a new count
            cache.add(key, 1, ttl)


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
