"""The tracking page's cache operations: one round trip to Redis per answer.

A try is counted against its three limits, and the page kept for its pair is read, in one
script run on the Redis server (atomic there, as each `INCR` was); a right pair's counts are
given back by one more, sent without waiting for an answer. Django's cache API took two round
trips per counter (`incr` asks whether the key exists first), thirteen per answer in all.

A page is kept with the dossier's stamp as it was before the lookup that made it
(`motcua/dossiers/stamps.py`). When the script finds the kept page's stamp still the dossier's,
the page is current and the pair right (it is kept under a keyed hash of the pair): the script
then only reads the counters, adds nothing, and that one round trip is the whole answer's
(`motcua/portal/tracking.py` decides what the counts mean). With another cache (one per
process, in development and tests) the same operations go through Django's cache API, each
still atomic: only the number of round trips differs. This module only counts and keeps.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from motcua.dossiers import stamps

# KEYS: the counters, the kept page's key, then (when a kept page may answer alone) the
# dossier's stamp. ARGV: each counter's time to live. With a stamp that is the kept page's
# own, the counts are read and nothing is added (the page is current, the pair right: its try
# would only be given back). Otherwise a counter is created by its first INCR and given its
# window's time to live then (the window is in its name). Returns whether the page is current
# (1 or 0), the counts, the kept page (nil: none kept) and the stamp (nil: none).
_COUNT = """
local n = #ARGV
local kept = redis.call('HMGET', KEYS[n + 1], 's', 'p')
local stamp = false
if #KEYS > n + 1 then stamp = redis.call('GET', KEYS[n + 2]) end
local replies = {0}
if stamp and kept[1] == stamp then
  replies[1] = 1
  for i = 1, n do replies[i + 1] = tonumber(redis.call('GET', KEYS[i]) or '0') end
else
  for i = 1, n do
    local c = redis.call('INCR', KEYS[i])
    if c == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i]) end
    replies[i + 1] = c
  end
end
replies[n + 2] = kept[2]
replies[n + 3] = stamp
return replies
"""

# KEYS: the counters, the kept page's key, the dossier's stamp. Reads only: whether the kept
# page's stamp is the dossier's (1 or 0) and, if it is, the counts and the kept page.
_PEEK = """
local n = #KEYS - 2
local kept = redis.call('HMGET', KEYS[n + 1], 's', 'p')
local stamp = redis.call('GET', KEYS[n + 2])
if not stamp or kept[1] ~= stamp then return {0} end
local replies = {1}
for i = 1, n do replies[i + 1] = tonumber(redis.call('GET', KEYS[i]) or '0') end
replies[n + 2] = kept[2]
return replies
"""

# KEYS: the counters to take one from. One whose window ended is not made again.
_GIVE_BACK = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return 0
"""

_scripts: dict[str, Any] = {}  # source -> redis-py Script, which remembers the SHA it loaded
# One client per cache object (Django makes one per thread), on that cache's connection pool:
# Django's `get_client` builds a new one each time, which took longer than the round trip
# (0.24 ms against 0.19 ms on the shared bench machine).
_clients: weakref.WeakKeyDictionary[RedisCache, Any] = weakref.WeakKeyDictionary()
# Whether each cache's server leaves out an answer when told to (`_skips_answers`).
_skipping: weakref.WeakKeyDictionary[RedisCache, bool] = weakref.WeakKeyDictionary()
SKIP = ("CLIENT", "REPLY", "SKIP")


def _cache() -> BaseCache:
    return caches["default"]


def _client(backend: RedisCache) -> Any:
    client = _clients.get(backend)
    if client is None:
        client = _clients[backend] = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    return client


def _run(backend: RedisCache, source: str, keys: Sequence[str], args: Sequence[int]) -> Any:
    client = _client(backend)
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = client.register_script(source)
    # EVALSHA; the script is loaded again if the server has forgotten it. The keys are ours
    # (short, digests): not validated again, as Django's cache would for memcached's sake.
    return script(keys=[backend.make_key(k) for k in keys], args=args, client=client)


def _send_only(backend: RedisCache, source: str, keys: Sequence[str]) -> None:
    """Run a script without waiting for its answer: Redis is told to send none (`CLIENT REPLY
    SKIP`, for the one command after it), so the connection goes back to the pool with nothing
    to read, and the worker does not wait a round trip for it (on a busy machine each wait
    costs a turn at the processor). Redis runs it as soon as it arrives: in practice before
    the visitor's next try, which comes after this answer (were it later, a right try would
    stay counted for that moment). The script goes in full (EVAL): with no answer, a "not
    loaded" one would be lost; Redis keeps it compiled."""
    pool = _client(backend).connection_pool
    connection = pool.get_connection()
    try:
        eval_script = ("EVAL", source, len(keys), *(backend.make_key(k) for k in keys))
        connection.send_packed_command(
            connection.pack_commands([("CLIENT", "REPLY", "SKIP"), eval_script])
        )
    finally:
        pool.release(connection)


def _skips_answers(backend: RedisCache, skip: Sequence[str] = SKIP) -> bool:
    """Whether the server obeys `CLIENT REPLY SKIP`, asked once per cache: some hosted Redis
    refuse CLIENT, and then the answers it sends anyway would be read by the connection's next
    command as its own. The probe waits for its answer; a connection that may still get
    answers nobody will read is closed (the pool opens it afresh)."""
    known = _skipping.get(backend)
    if known is not None:
        return known
    pool = _client(backend).connection_pool
    connection = pool.get_connection()
    try:
        connection.send_packed_command(
            connection.pack_commands([tuple(skip), ("ECHO", "skipped"), ("ECHO", "answered")])
        )
        first = connection.read_response(disable_decoding=True)
        known = first == b"answered"
    except RedisError:  # refused (an error answer) or unreachable: do not skip
        known = False
    finally:
        if not known:
            connection.disconnect()  # answers may still be on their way: nobody reads them
        pool.release(connection)
    _skipping[backend] = known
    return known


@dataclass(frozen=True)
class Counted:
    """What the round trip of a try found: the counts by counter name (the new ones; the
    current ones, nothing added, when `current`), whether the kept page's stamp is the
    dossier's (`current`), the dossier's stamp (None: none), and `kept`, a function giving the
    kept page or None, decoded only when asked for, once the pair is known right."""

    counts: dict[str, int]
    current: bool
    stamp: str | None
    kept: Callable[[], object]


def count(
    counters: Mapping[str, str], ttls: Mapping[str, int], page_key: str, stamp_key: str | None
) -> Counted:
    """Add one try to each counter ({name: key}), a new one living `ttls[name]` seconds, unless
    what is kept under `page_key` was kept under the stamp now at `stamp_key` (given when a kept
    page may answer alone); read the kept page and the stamp."""
    names = list(counters)
    backend = _cache()
    if isinstance(backend, RedisCache):
        keys = [counters[n] for n in names] + [page_key, *([stamp_key] if stamp_key else [])]
        replies = _run(backend, _COUNT, keys, [ttls[n] for n in names])
        counts = {n: int(c) for n, c in zip(names, replies[1:], strict=False)}
        raw, stamp = replies[len(names) + 1], replies[len(names) + 2]  # Lua's false: None
        serializer = backend._cache._serializer  # type: ignore[attr-defined]

        decoded: list[object] = []

        def kept() -> object:
            if not decoded:  # decoded once, when first asked for
                decoded.append(None if raw is None else serializer.loads(raw))
            return decoded[0]

        text = None if stamp is None else stamp.decode() if isinstance(stamp, bytes) else str(stamp)
        return Counted(counts, replies[0] == 1, text, kept)
    found = backend.get(page_key)
    entry = found if isinstance(found, tuple) and len(found) == 2 else ("", None)
    stamp = backend.get(stamp_key) if stamp_key else None
    if stamp is not None and entry[0] == stamp:
        current = {n: int(backend.get(counters[n], 0)) for n in names}
        return Counted(current, True, stamp, lambda: entry[1])
    new = {n: _bump(backend, counters[n], ttls[n]) for n in names}
    return Counted(new, False, stamp, lambda: entry[1])


def peek(counters: Mapping[str, str], page_key: str, stamp_key: str) -> Counted | None:
    """Whether what is kept under `page_key` was kept under the stamp now at `stamp_key`: if
    so, the counters' counts ({name: key}) and the kept page, with nothing counted; else None."""
    names = list(counters)
    backend = _cache()
    if isinstance(backend, RedisCache):
        replies = _run(backend, _PEEK, [*(counters[n] for n in names), page_key, stamp_key], [])
        if replies[0] != 1:
            return None
        counts = {n: int(c) for n, c in zip(names, replies[1:], strict=False)}
        serializer = backend._cache._serializer  # type: ignore[attr-defined]
        value = serializer.loads(replies[len(names) + 1])
        return Counted(counts, True, None, lambda: value)
    found = backend.get(page_key)
    stamp = backend.get(stamp_key)
    if stamp is None or not (isinstance(found, tuple) and len(found) == 2 and found[0] == stamp):
        return None
    current = {n: int(backend.get(counters[n], 0)) for n in names}
    return Counted(current, True, stamp, lambda: found[1])


def give_back(counters: Sequence[str]) -> None:
    """Take one try off each counter that still exists."""
    backend = _cache()
    if isinstance(backend, RedisCache):
        if _skips_answers(backend):
            _send_only(backend, _GIVE_BACK, counters)
        else:
            _run(backend, _GIVE_BACK, counters, [])
        return
    for key in counters:
        with contextlib.suppress(ValueError):  # its window ended meanwhile: nothing to give
            backend.decr(key)


def keep(key: str, value: object, ttl: int, stamp_key: str | None, stamp: str | None) -> None:
    """Keep `value` under `key` for `ttl` seconds with the dossier's stamp as the try's round
    trip found it (before the lookup). Without a stamp, one is made for the next try
    (`motcua/dossiers/stamps.py`: never under a stamp seen only after the lookup)."""
    backend = _cache()
    made = None if stamp is not None or stamp_key is None else uuid4().hex
    if isinstance(backend, RedisCache):
        serializer = backend._cache._serializer  # type: ignore[attr-defined]
        pipe = _client(backend).pipeline(transaction=False)
        name = backend.make_key(key)
        pipe.hset(name, mapping={"s": stamp or "", "p": serializer.dumps(value)})
        pipe.expire(name, ttl)
        if made is not None:
            assert stamp_key is not None
            pipe.set(backend.make_key(stamp_key), made, ex=stamps.TTL_SECONDS, nx=True)
        pipe.execute()
        return
    backend.set(key, (stamp or "", value), ttl)
    if made is not None:
        assert stamp_key is not None
        backend.add(stamp_key, made, stamps.TTL_SECONDS)


def _bump(backend: BaseCache, key: str, ttl: int) -> int:
    """Add one to a counter, created with its time to live; the new count."""
    try:
        return backend.incr(key)
    except ValueError:  # not there yet (or just expired)
        if backend.add(key, 1, ttl):
            return 1
        return backend.incr(key)  # another process created it first
