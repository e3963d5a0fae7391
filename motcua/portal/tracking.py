"""The public tracking page's two pieces of machinery: the guessing limits and the cached result.

**Guessing limits.** Every try is counted before the lookup, so that tries sent at once cannot
all pass before any is counted, and a right one is given back: what stays counted are the wrong
(code, secret) pairs. The counters are in Django's cache (Redis with `CACHE_URL`, shared by
every process; one cache per process otherwise, and the limits then hold per process): a try
is counted against all three, each atomically, in one round trip to Redis, and given back in
one more (`motcua/portal/tracking_cache.py`). Three limits (settings.py):

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
(no name, no ID number; the secret is not kept in it: a mark stands in its place), is kept per
code as typed, language and time zone, tagged with exactly those: it is read in the round trip
that counts the try and used only after the secret has been checked against the database, and
only if its tag is the dossier's as the lookup found it. A change is thus never shown stale.
An agency or procedure renamed is shown within `RESULT_TTL_SECONDS`. (Whether a page is kept for a
code changes only the size of the cache's reply, not the answer, the queries or the decoding:
the page is decoded only after a right lookup.)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape

from motcua.core import throttle
from motcua.core.errors import TooManyTries, _
from motcua.core.urgency import overdue
from motcua.dossiers.selectors import PublicKey
from motcua.portal import tracking_cache

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


def _keys(
    address: str | None, code: str, now: float, of: tuple[throttle.Limit, ...] | None = None
) -> dict[str, str]:
    """Each limit's counter key for this window: {scope: key}."""
    source = throttle.source_key(address)
    subjects = {"source_code": (source, code), "source": (source,), "code": (code,)}
    return {
        limit.scope: f"track:{limit.scope}:{_digest(*subjects[limit.scope])}:{limit.window(now)}"
        for limit in (of or limits())
    }


class Attempt:
    """One try at a pair, counted against every limit before the lookup, so that tries sent
    at once cannot all pass before any is counted; a right pair gives its count back. It
    carries the page kept for the code as typed, read in the same round trip."""

    def __init__(
        self, keys: dict[str, str], page_key: str | None, kept: Callable[[], object]
    ) -> None:
        self._keys = keys
        self.page_key = page_key
        self.kept = kept  # what is kept under page_key: to be asked only once the pair is right

    def succeeded(self) -> None:
        """The pair was right: it is not a wrong try."""
        tracking_cache.give_back(list(self._keys.values()))


def begin(address: str | None, code: str, now: float, *, shown_code: str | None = None) -> Attempt:
    """Count a try at `code` from `address`, or raise TooManyTries (counting nothing) if a limit
    covering them is reached. With `shown_code`, the code as typed that the tracking page
    echoes, the page kept for it is read in the same round trip (`page`)."""
    current = limits()
    keys = _keys(address, code, now, current)
    ttls = {limit.scope: limit.seconds_left(now) + 1 for limit in current}
    page_key = None if shown_code is None else _page_key(shown_code)
    counts, kept = tracking_cache.count(keys, ttls, page_key)
    # The counts before this try: a limit of 5 lets the 5th through and refuses the 6th.
    before = {scope: n - 1 for scope, n in counts.items()}
    wait = throttle.refused_for(current, before, now)
    if wait is None:
        return Attempt(keys, page_key, kept)
    tracking_cache.give_back(list(keys.values()))
    raise TooManyTries(
        _(
            "Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần. Vui lòng thử lại sau "
            "{minutes} phút. Cần biết ngay thì liên hệ nơi đã tiếp nhận hồ sơ (số điện "
            "thoại in trên Giấy tiếp nhận hồ sơ)."
        ),
        minutes=math.ceil(wait / 60),
        retry_after=wait,
    )


# What differs between two answers showing one dossier as it is now: the address the language
# switch returns to and the secret in the form. The page is kept with these marks in their
# place and they are filled in at each answer. (It carries no CSRF token: the tracking page
# needs none, its form and its language switch are exempt.)
_NEXT, _SECRET = "\x00next\x00", "\x00secret\x00"


def _page_key(shown_code: str) -> str:
    """One kept page per code as typed, language and time zone; what it shows of the dossier
    is told by its tag (`_tag`), checked after the lookup."""
    language = translation.get_language() or ""
    return "track:page:" + _digest(shown_code, language, timezone.get_current_timezone_name())


def _tag(key: PublicKey, now: datetime) -> str:
    """What the rest of the page depends on: the dossier, its version, whether it is overdue
    and, while a pause runs, the minute (the page counts the pause up to now in minutes)."""
    return _digest(
        str(key.pk),
        str(key.version),
        "late" if overdue(key.status, key.due_at, now=now) else "",
        str(math.floor(now.timestamp() / 60)) if key.may_be_paused else "",
    )


def page(
    attempt: Attempt,
    key: PublicKey,
    now: datetime,
    shown_secret: str,
    next_path: str,
    render: Callable[[], str],
) -> str:
    """The whole page for this dossier as it is now, with the secret as typed in the form and
    `next_path` in the language switch: the kept one if its tag matches, else `render()`ed and
    kept when its per-answer parts can be told apart from the rest of it (else rendered every
    time)."""
    tag = _tag(key, now)
    next_attr = f'name="next" type="hidden" value="{escape(next_path)}"'
    secret_attr = f'value="{escape(shown_secret)}"'
    kept = attempt.kept()
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == tag and isinstance(kept[1], str):
        return kept[1].replace(_NEXT, next_attr).replace(_SECRET, secret_attr)
    html = render()
    if html.count(next_attr) == 1 and html.count(secret_attr) == 1:
        # Exactly one place each: the marks stand for nothing else on the page.
        template = html.replace(next_attr, _NEXT).replace(secret_attr, _SECRET)
        if attempt.page_key is not None:
            tracking_cache.keep(attempt.page_key, (tag, template), RESULT_TTL_SECONDS)
    return html
