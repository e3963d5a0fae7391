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

**The kept page.** What the page shows of a dossier changes only when the dossier does (its
`version`, raised by every write), when it becomes overdue, and, during a pause, each minute
(the explanation counts the pause up to now). The rendered page, which holds no personal data
(no name, no ID number; the secret is not kept in it: a mark stands in its place), is kept under
exactly those, with the language, the time zone and the code as typed: a change is never shown
stale, and the secret is checked against the database on every request before anything is
shown. An agency or procedure renamed is shown within `RESULT_TTL_SECONDS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.html import escape

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


# What differs between two answers showing one dossier as it is now: the CSRF token (masked
# afresh for each answer), the address the language switch returns to, and the secret in the
# form. The page is kept with these marks in their place and they are filled in at each answer.
_TOKEN, _NEXT, _SECRET = "\x00token\x00", "\x00next\x00", "\x00secret\x00"


def page(
    request: HttpRequest,
    key: PublicKey,
    now: datetime,
    shown: tuple[str, str],
    render: Callable[[str], str],
) -> str:
    """The whole page for this dossier as it is now, with the code and secret `shown` in the form
    as typed: kept, else `render(csrf_token)`ed and kept when its per-answer parts can be told
    apart from the rest of it (else rendered every time)."""
    shown_code, shown_secret = shown
    parts = [
        shown_code,
        str(key.pk),
        str(key.version),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        "late" if overdue(key.status, key.due_at, now=now) else "",
        # A running pause is counted up to now on the page, which shows minutes.
        str(math.floor(now.timestamp() / 60)) if key.may_be_paused else "",
    ]
    cache_key = "track:page:" + _digest(*parts)  # the rest of the page depends on none of them
    token = get_token(request)
    next_attr = f'name="next" type="hidden" value="{escape(request.get_full_path())}"'
    secret_attr = f'value="{escape(shown_secret)}"'
    kept = cache.get(cache_key)
    if isinstance(kept, str):
        return kept.replace(_TOKEN, token).replace(_NEXT, next_attr).replace(_SECRET, secret_attr)
    html = render(token)
    if html.count(next_attr) == 1 and html.count(secret_attr) == 1 and token in html:
        # Exactly one place each: the marks stand for nothing else on the page.
        template = html.replace(next_attr, _NEXT).replace(secret_attr, _SECRET)
        cache.set(cache_key, template.replace(token, _TOKEN), RESULT_TTL_SECONDS)
    return html
