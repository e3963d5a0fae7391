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
pair (a keyed hash of the code as typed and the secret: the key tells nothing without
`SECRET_KEY`), language and time zone, tagged with exactly those facts, and read in the round
trip that counts the try.

It is kept with the dossier's stamp as it was before the lookup that made it
(`motcua/dossiers/stamps.py`: every write removes it). While that stamp is still there, the
page is current and the pair right (nothing is kept under a wrong one), so the round trip is
the whole answer: the counts are read, not added to (a right pair's try would only be given
back), a limit reached still refuses it, and neither the database nor a give-back is waited
for. This needs a cache every process shares (Redis: `TRACKING_REFRESH_FROM_CACHE`, on with
`CACHE_URL`), or a write made in another process (the worker marking a dossier overdue) would
not reach it. Otherwise, and when the stamp is gone, the secret is checked against the
database and the kept page used only if its tag is the dossier's as the lookup found it. A
change is thus never shown stale. An agency or procedure renamed is shown within
`RESULT_TTL_SECONDS`. A wrong pair never finds a kept page, whether its code exists or not: it
is counted and looked up exactly as a missing code is.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeGuard

from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from motcua.core import throttle
from motcua.core.errors import TooManyTries, _
from motcua.core.urgency import overdue
from motcua.dossiers import stamps
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
    carries the page kept for the pair, read in the same round trip, and `current`, the
    dossier as the page shows it when that page is current (nothing counted, no lookup needed)."""

    def __init__(
        self,
        keys: dict[str, str],
        page_key: str | None,
        found: tracking_cache.Counted | None,
        stamp_key: str | None,
        current: PublicKey | None = None,
    ) -> None:
        self._keys = keys
        self.page_key = page_key
        self.stamp_key = stamp_key
        self.stamp = None if found is None else found.stamp
        self.kept = (lambda: None) if found is None else found.kept  # once the pair is right
        self.current = current

    def succeeded(self) -> None:
        """The pair was right: it is not a wrong try (a current page's try was not counted)."""
        if self.current is None:
            tracking_cache.give_back(list(self._keys.values()))


def begin(
    address: str | None,
    code: str,
    now: float,
    *,
    shown_code: str | None = None,
    secret: str | None = None,
) -> Attempt:
    """Count a try at `code` from `address`, or raise TooManyTries (counting nothing) if a limit
    covering them is reached. With `shown_code`, the code as typed that the tracking page
    echoes, and the `secret` (normalized), the page kept for them is read in the same round
    trip, and when it is current (`Attempt.current`) the try is not counted at all."""
    current = limits()
    keys = _keys(address, code, now, current)
    ttls = {limit.scope: limit.seconds_left(now) + 1 for limit in current}
    page_key = None if shown_code is None or secret is None else _page_key(shown_code, secret)
    stamp_key = (
        stamps.stamp_key(code)
        if page_key is not None and settings.TRACKING_REFRESH_FROM_CACHE
        else None
    )
    found = None
    if page_key is None:
        counts = tracking_cache.count(keys, ttls, _NO_PAGE, None).counts
    else:
        found = tracking_cache.count(keys, ttls, page_key, stamp_key)
        counts = found.counts
        if found.current:
            shown = _current(found.kept(), datetime.fromtimestamp(now, UTC))
            if shown is not None:
                wait = throttle.refused_for(current, counts, now)  # nothing added: as before
                if wait is None:
                    return Attempt(keys, page_key, found, stamp_key, shown)
                raise _refused(wait)
            # Kept under the current stamp, but overdue since or in another minute of a pause:
            # counted as any try, and looked up.
            found = tracking_cache.count(keys, ttls, page_key, None)
            counts = found.counts
    # The counts before this try: a limit of 5 lets the 5th through and refuses the 6th.
    before = {scope: n - 1 for scope, n in counts.items()}
    wait = throttle.refused_for(current, before, now)
    if wait is None:
        return Attempt(keys, page_key, found, stamp_key)
    tracking_cache.give_back(list(keys.values()))
    raise _refused(wait)


def peek(
    address: str | None, code: str, now: float, *, shown_code: str, secret: str
) -> Attempt | None:
    """The try as `begin` would take it when the page kept for the pair is current and no
    limit refuses it, in one round trip that counts nothing; else None, with nothing counted
    (`begin` then takes the try as any other)."""
    if not settings.TRACKING_REFRESH_FROM_CACHE:
        return None
    current = limits()
    keys = _keys(address, code, now, current)
    page_key, stamp_key = _page_key(shown_code, secret), stamps.stamp_key(code)
    found = tracking_cache.peek(keys, page_key, stamp_key)
    if found is None or throttle.refused_for(current, found.counts, now) is not None:
        return None
    shown = _current(found.kept(), datetime.fromtimestamp(now, UTC))
    return None if shown is None else Attempt(keys, page_key, found, stamp_key, shown)


def _refused(wait: int) -> TooManyTries:
    return TooManyTries(
        _(
            "Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần. Vui lòng thử lại sau "
            "{minutes} phút. Cần biết ngay thì liên hệ nơi đã tiếp nhận hồ sơ (số điện "
            "thoại in trên Giấy tiếp nhận hồ sơ)."
        ),
        minutes=math.ceil(wait / 60),
        retry_after=wait,
    )


def _current(kept: object, now: datetime) -> PublicKey | None:
    """The dossier as the kept page shows it, if the page is still right at `now`."""
    if _is_page(kept) and _tag(kept[2], now) == kept[0]:
        return kept[2]
    return None


def _is_page(kept: object) -> TypeGuard[tuple[str, str, PublicKey]]:
    """Whether a kept value is a page: (its tag, the page with its marks, its dossier)."""
    return (
        isinstance(kept, tuple)
        and len(kept) == 3
        and isinstance(kept[0], str)
        and isinstance(kept[1], str)
        and isinstance(kept[2], PublicKey)
    )


# What differs between two answers showing one dossier as it is now: the address the language
# switch returns to and the secret in the form. The page is kept with these marks in their
# place and they are filled in at each answer. (It carries no CSRF token: the tracking page
# needs none, its form and its language switch are exempt.)
_NEXT, _SECRET = "\x00next\x00", "\x00secret\x00"


# Where a try with no page to read (the guessing tests' own) looks: nothing is ever kept there.
_NO_PAGE = "track:page:none"


def _page_key(shown_code: str, secret: str) -> str:
    """One kept page per pair (the code as typed, the secret normalized), language and time
    zone; what it shows of the dossier is told by its tag (`_tag`). Keyed with `SECRET_KEY`, so
    that the keys cannot be matched with pairs by anyone who reads the cache."""
    language = translation.get_language() or ""
    parts = "\x1f".join((shown_code, secret, language, timezone.get_current_timezone_name()))
    return "track:page:" + salted_hmac(_PAGE_SALT, parts, algorithm="sha256").hexdigest()[:32]


_PAGE_SALT = "motcua.portal.tracking.page"


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
    next_attr, secret_attr = _attributes(shown_secret, next_path)
    kept = attempt.kept()
    if _is_page(kept) and kept[0] == tag:
        if attempt.current is None and attempt.stamp is not None:
            _keep(attempt, kept)  # under the stamp seen before this lookup: current from now
        return kept[1].replace(_NEXT, next_attr).replace(_SECRET, secret_attr)
    html = render()
    if html.count(next_attr) == 1 and html.count(secret_attr) == 1:
        # Exactly one place each: the marks stand for nothing else on the page.
        template = html.replace(next_attr, _NEXT).replace(secret_attr, _SECRET)
        _keep(attempt, (tag, template, key))
    return html


def current_page(attempt: Attempt, shown_secret: str, next_path: str) -> str:
    """The current kept page of an attempt `peek` gave, with this answer's own input."""
    kept = attempt.kept()
    assert attempt.current is not None and _is_page(kept)
    next_attr, secret_attr = _attributes(shown_secret, next_path)
    return kept[1].replace(_NEXT, next_attr).replace(_SECRET, secret_attr)


def _attributes(shown_secret: str, next_path: str) -> tuple[str, str]:
    """What stands in the page for the marks: the language switch's return address and the
    secret as typed, escaped as the template escapes them."""
    next_attr = f'name="next" type="hidden" value="{escape(next_path)}"'
    return next_attr, f'value="{escape(shown_secret)}"'


def _keep(attempt: Attempt, kept: tuple[str, str, PublicKey]) -> None:
    if attempt.page_key is not None:
        tracking_cache.keep(
            attempt.page_key, kept, RESULT_TTL_SECONDS, attempt.stamp_key, attempt.stamp
        )
