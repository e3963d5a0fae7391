"""The tracking page's guessing limits on Redis, as deployed: its own scripts, one round trip
each (motcua/portal/tracking_cache.py). The other tests of the limits run on the per-process
cache; these need the Redis server at 127.0.0.1:6379 and are skipped without it."""

from __future__ import annotations

import pytest

from motcua.core.errors import TooManyTries
from tests.conftest import at

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of these tests' own, emptied by each
UNKNOWN = "H26.100-261125-0099"
NOW = at("2026-11-26 09:00:30").timestamp()  # 30 s into a quarter of an hour


@pytest.fixture
def redis_cache(settings):
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    server.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # The limits of a deployment (settings.py): 5 per source and code, 30 per source, 100 per code.
    settings.TRACKING_MAX_FAILURES_PER_SOURCE_CODE = 5
    settings.TRACKING_MAX_FAILURES_PER_SOURCE = 30
    settings.TRACKING_MAX_FAILURES_PER_CODE = 100
    settings.TRACKING_WINDOW_MINUTES = 15
    settings.TRACKING_CODE_WINDOW_MINUTES = 60
    yield server
    server.flushdb()
    server.close()


def counts(server, address: str, code: str) -> dict[str, int]:
    """What Redis holds for each limit's counter of this source and code now."""
    from django.core.cache import cache

    from motcua.portal import tracking

    keys = tracking._keys(address, code, NOW)
    return {scope: int(server.get(cache.make_key(key)) or 0) for scope, key in keys.items()}


class Commands:
    """Counts the commands a Redis client sends (each one round trip)."""

    def __init__(self, monkeypatch):
        import redis

        self.sent: list[str] = []
        original = redis.Redis.execute_command

        def execute_command(client, *args, **options):
            self.sent.append(str(args[0]))
            return original(client, *args, **options)

        monkeypatch.setattr(redis.Redis, "execute_command", execute_command)


def test_the_fifth_try_passes_the_sixth_is_refused_and_a_right_pair_gives_its_try_back(
    redis_cache, monkeypatch
):
    from motcua.portal import tracking

    tracking.begin("192.0.2.1", "H26.100-261125-0001", NOW).succeeded()  # the scripts loaded
    sent = Commands(monkeypatch).sent
    wrong = [tracking.begin("203.0.113.9", UNKNOWN, NOW) for _ in range(5)]  # five wrong tries
    assert len(wrong) == 5
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 5, "source": 5, "code": 5}
    sent.clear()
    with pytest.raises(TooManyTries) as refused:
        tracking.begin("203.0.113.9", UNKNOWN, NOW)
    assert refused.value.details["retry_after"] == 15 * 60 - 30
    # Refused: counted and given back at once, so the counts stay (two round trips).
    assert sent == ["EVALSHA", "EVALSHA"]
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 5, "source": 5, "code": 5}

    # Another source: counted in one round trip, given back in one; its pair's counts go back to
    # nothing, while the code's counter keeps the five wrong tries.
    sent.clear()
    attempt = tracking.begin("198.51.100.7", UNKNOWN, NOW)
    assert sent == ["EVALSHA"]
    assert counts(redis_cache, "198.51.100.7", UNKNOWN) == {
        "source_code": 1,
        "source": 1,
        "code": 6,
    }
    sent.clear()
    attempt.succeeded()
    assert sent == ["EVALSHA"]
    assert counts(redis_cache, "198.51.100.7", UNKNOWN) == {
        "source_code": 0,
        "source": 0,
        "code": 5,
    }


def test_counters_live_as_long_as_their_window_and_a_give_back_makes_none_again(redis_cache):
    from django.core.cache import cache

    from motcua.portal import tracking

    keys = tracking._keys("203.0.113.9", UNKNOWN, NOW)
    tracking.begin("203.0.113.9", UNKNOWN, NOW)
    ttls = {scope: redis_cache.ttl(cache.make_key(key)) for scope, key in keys.items()}
    # The window's time left at NOW (the script sets it: Redis knows nothing of NOW).
    assert 15 * 60 - 30 - 60 < ttls["source_code"] <= 15 * 60 - 30 + 1
    assert 60 * 60 - 30 - 60 < ttls["code"] <= 60 * 60 - 30 + 1

    # A window ended between the count and the give-back: nothing is made again.
    attempt = tracking.begin("203.0.113.9", UNKNOWN, NOW)
    redis_cache.delete(cache.make_key(keys["source_code"]))
    attempt.succeeded()
    assert redis_cache.exists(cache.make_key(keys["source_code"])) == 0
    assert counts(redis_cache, "203.0.113.9", UNKNOWN)["source"] == 1


def test_the_kept_page_is_read_in_the_round_trip_that_counts_the_try(redis_cache, monkeypatch):
    from motcua.portal import tracking, tracking_cache

    first = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN.lower())
    assert first.kept() is None
    assert first.page_key is not None
    tracking_cache.keep(first.page_key, ("tag", "<html>kept</html>"), 60)

    sent = Commands(monkeypatch).sent
    again = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN.lower())
    assert sent == ["EVALSHA"]
    assert again.kept() == ("tag", "<html>kept</html>")
    # The code as typed otherwise: another page.
    assert tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN).kept() is None


def test_the_script_is_loaded_again_when_the_server_forgot_it(redis_cache):
    from motcua.portal import tracking

    tracking.begin("203.0.113.9", UNKNOWN, NOW).succeeded()
    redis_cache.script_flush()
    tracking.begin("203.0.113.9", UNKNOWN, NOW)
    assert counts(redis_cache, "203.0.113.9", UNKNOWN)["source_code"] == 1
