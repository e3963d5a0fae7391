"""Reads every process shares, kept in Django's cache and forgotten by the writes.

A family of cached reads (the calendars, the agencies and units, the catalog) has a
generation: a token in the cache that every key of the family carries. Forgetting the family
writes a new token, so each process sharing the cache (Redis, `CACHE_URL`) stops using the
old entries at once. No signals: the services that change the data call `Family.forget()`.
Entries and tokens expire after `TTL_SECONDS`, the safety net for changes made outside the
services (a shell, SQL, a migration).

Each process also keeps what it read under the current token, and reads the token itself
at most once every `CHECK_SECONDS`: a hit then costs a dictionary lookup, not a cache read
(a round trip with Redis), which matters on the write path, where every action asks for its
calendar and places. Another process's change is therefore seen within that second; the
process that made it sees it at once. The values returned are shared between calls: read
them, do not change them.
"""

from __future__ import annotations

import hashlib
import re
import time
import weakref
from collections.abc import Callable, Hashable
from typing import ClassVar, Final, TypeVar, cast
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

TTL_SECONDS: Final = 60
CHECK_SECONDS: Final = 1.0
# Key parts that are safe as they are; anything else (a code typed by a citizen) is hashed,
# so a key never carries spaces or control characters, nor grows without bound.
_PLAIN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_MISSING: Final = object()


class Family:
    """Cached reads forgotten together."""

    _every: ClassVar[weakref.WeakSet[Family]] = weakref.WeakSet()

    def __init__(self, name: str) -> None:
        Family._every.add(self)
        self.name = name
        self._generation_key = f"motcua:{name}:generation"
        # Key parts -> (token, value) read by this process. The token is checked on every hit,
        # so an entry a slower thread stores after a newer token was seen is never served.
        self._local: dict[tuple[Hashable, ...], tuple[str, object]] = {}
        self._local_generation = ""
        self._token, self._checked_at = "", 0.0

    def generation(self) -> str:
        """The family's current token, read from the cache at most every CHECK_SECONDS; a
        new one when none is cached (first use, expiry)."""
        now = time.time()  # the cache's own expiry clock (and the one tests move)
        if self._token and 0 <= now - self._checked_at < CHECK_SECONDS:
            return self._token
        token = cache.get(self._generation_key)
        if token is None:
            token = uuid4().hex
            if not cache.add(self._generation_key, token, TTL_SECONDS):
                token = cache.get(self._generation_key, token)  # another process was first
        self._token, self._checked_at = cast(str, token), now
        return self._token

    def fetch(
        self,
        *parts: Hashable,
        load: Callable[[], T],
        keep: Callable[[T], bool] = lambda _value: True,
        generation: str | None = None,
    ) -> T:
        """The value for these key parts: this process's, the shared cache's, or `load()`'s
        (remembered when `keep` says so)."""
        generation = generation or self.generation()
        local = self._local.get(parts)
        if local is not None and local[0] == generation:
            return cast(T, local[1])
        key = self._key(generation, parts)
        found = cache.get(key, _MISSING)
        if found is not _MISSING:
            value = cast(T, found)
        else:
            value = load()
            if not keep(value):
                return value
            cache.set(key, value, TTL_SECONDS)
        if generation != self._local_generation:
            # Entries read under older tokens are dead: drop them so the dictionary stays small.
            self._local, self._local_generation = {}, generation
        self._local[parts] = (generation, value)
        return value

    def forget(self) -> None:
        """Stop using every entry of the family now, and again when the transaction commits.

        The second time drops what another process cached meanwhile from the rows it could
        still see before the commit.
        """
        self._renew()
        transaction.on_commit(self._renew)

    @classmethod
    def drop_local_copies(cls) -> None:
        """Forget what this process remembers of every family, token included (for tests,
        after emptying the shared cache, which the remembered token would otherwise hide)."""
        for family in cls._every:
            family._local, family._local_generation = {}, ""
            family._token, family._checked_at = "", 0.0

    def _renew(self) -> None:
        token = uuid4().hex
        cache.set(self._generation_key, token, TTL_SECONDS)
        self._token, self._checked_at = token, time.time()

    def _key(self, generation: str, parts: tuple[Hashable, ...]) -> str:
        return ":".join(["motcua", self.name, generation, *(_key_part(p) for p in parts)])


def _key_part(part: object) -> str:
    text = str(part)
    if _PLAIN.fullmatch(text):
        return text
    return "#" + hashlib.sha256(text.encode()).hexdigest()[:32]
