"""The tracking page's guessing limits on Redis, as deployed: its own scripts, one round trip
each (motcua/portal/tracking_cache.py). The other tests of the limits run on the per-process
cache; these need the Redis server at 127.0.0.1:6379 and are skipped without it."""

from __future__ import annotations

import os

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
        # A deployment's limits run on Redis: in CI (which has one) their absence is a failure.
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is required in CI but does not answer at 127.0.0.1:6379")
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
    """What Redis holds for each limit's counter of this source and code now, read through the
    cache's own client: on the connection a give-back was just sent on (the pool hands out the
    last one given back), so after it. Another connection's read might be served first."""
    from django.core.cache import cache, caches

    from motcua.portal import tracking, tracking_cache

    client = tracking_cache._client(caches["default"])
    keys = tracking._keys(address, code, NOW)
    return {scope: int(client.get(cache.make_key(key)) or 0) for scope, key in keys.items()}


class Commands:
    """What the Redis clients send (`sent`: each command's name) and how many answers they
    wait for (`waits`: each one a round trip)."""

    def __init__(self, monkeypatch):
        from redis.connection import AbstractConnection

        self.sent: list[str] = []
        self.waits = 0
        send, read = AbstractConnection.send_packed_command, AbstractConnection.read_response

        def send_packed_command(connection, command, *args, **options):
            for chunk in [command] if isinstance(command, bytes | str) else command:
                text = chunk.decode(errors="replace") if isinstance(chunk, bytes) else chunk
                # RESP: *<count>, $<length>, <name>: each command's name, once per command.
                lines = text.split("\r\n")
                self.sent += [lines[i + 2] for i, line in enumerate(lines) if line[:1] == "*"]
            return send(connection, command, *args, **options)

        def read_response(connection, *args, **options):
            self.waits += 1
            return read(connection, *args, **options)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", send_packed_command)
        monkeypatch.setattr(AbstractConnection, "read_response", read_response)

    def clear(self) -> None:
        self.sent.clear()
        self.waits = 0


def test_the_fifth_try_passes_the_sixth_is_refused_and_a_right_pair_gives_its_try_back(
    redis_cache, monkeypatch
):
    from motcua.portal import tracking

    tracking.begin("192.0.2.1", "H26.100-261125-0001", NOW).succeeded()  # the script loaded
    commands = Commands(monkeypatch)
    wrong = [tracking.begin("203.0.113.9", UNKNOWN, NOW) for _ in range(5)]  # five wrong tries
    assert len(wrong) == 5
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 5, "source": 5, "code": 5}
    commands.clear()
    with pytest.raises(TooManyTries) as refused:
        tracking.begin("203.0.113.9", UNKNOWN, NOW)
    assert refused.value.details["retry_after"] == 15 * 60 - 30
    # Refused: counted (one round trip) and given back at once (sent, no answer waited for).
    assert commands.sent == ["EVALSHA", "CLIENT", "EVAL"] and commands.waits == 1
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 5, "source": 5, "code": 5}

    # Another source: counted in one round trip, then given back; its pair's counts go back to
    # nothing, while the code's counter keeps the five wrong tries.
    commands.clear()
    attempt = tracking.begin("198.51.100.7", UNKNOWN, NOW)
    assert (commands.sent, commands.waits) == (["EVALSHA"], 1)
    assert counts(redis_cache, "198.51.100.7", UNKNOWN) == {
        "source_code": 1,
        "source": 1,
        "code": 6,
    }
    commands.clear()
    attempt.succeeded()
    assert (commands.sent, commands.waits) == (["CLIENT", "EVAL"], 0)
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

    first = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN.lower(), secret=SECRET)
    assert first.kept() is None
    assert first.page_key is not None
    tracking_cache.keep(first.page_key, ("tag", "<html>kept</html>"), 60, None, None)

    commands = Commands(monkeypatch)
    again = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN.lower(), secret=SECRET)
    assert (commands.sent, commands.waits) == (["EVALSHA"], 1)
    assert again.kept() == ("tag", "<html>kept</html>")
    # The code as typed otherwise, or another secret: another page.
    for shown, secret in ((UNKNOWN, SECRET), (UNKNOWN.lower(), "22222222")):
        other = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=shown, secret=secret)
        assert other.kept() is None


SECRET = "ABCDEFGH"  # a normalized secret


def kept_current(now=NOW):
    """A page kept for UNKNOWN's pair under its stamp, as a right lookup leaves it: the first
    right try makes the stamp, the second keeps its page under it."""
    from motcua.dossiers.selectors import PublicKey
    from motcua.portal import tracking

    key = PublicKey(pk=7, version=3, status=2, due_at=None)
    for _ in range(2):
        attempt = tracking.begin("198.51.100.7", UNKNOWN, now, shown_code=UNKNOWN, secret=SECRET)
        assert attempt.current is None
        attempt.succeeded()
        tracking.page(attempt, key, at("2026-11-26 09:00:30"), SECRET, "/", lambda: PAGE)
    return key


PAGE = '<input name="next" type="hidden" value="/"><input value="ABCDEFGH">'


def test_a_current_kept_page_is_the_whole_answer_one_round_trip_nothing_counted(
    redis_cache, monkeypatch
):
    from motcua.portal import tracking

    key = kept_current()
    commands = Commands(monkeypatch)
    attempt = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret=SECRET)
    assert attempt.current == key
    attempt.succeeded()  # nothing to give back
    assert (commands.sent, commands.waits) == (["EVALSHA"], 1)
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 0, "source": 0, "code": 0}
    # What it answers: the kept page with this visitor's own input in it.
    html = tracking.page(attempt, key, at("2026-11-26 09:00:30"), "abcd-efgh", "/x?y", lambda: "")
    assert 'value="/x?y"' in html and 'value="abcd-efgh"' in html


def test_a_write_of_the_dossier_makes_its_kept_page_not_current(redis_cache, db):
    from motcua.dossiers import stamps
    from motcua.portal import tracking

    kept_current()
    stamps.dossier_changed(UNKNOWN)
    attempt = tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret=SECRET)
    assert attempt.current is None  # looked up again, counted until given back
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 1, "source": 1, "code": 1}


def test_a_limit_reached_refuses_even_a_current_kept_page(redis_cache):
    from motcua.portal import tracking

    kept_current()
    for _ in range(5):
        tracking.begin("203.0.113.9", UNKNOWN, NOW)  # five wrong tries from this source
    with pytest.raises(TooManyTries) as refused:
        tracking.begin("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret=SECRET)
    assert refused.value.details["retry_after"] == 15 * 60 - 30
    assert counts(redis_cache, "203.0.113.9", UNKNOWN)["source_code"] == 5  # nothing added
    # Another source still gets the page.
    other = tracking.begin("192.0.2.1", UNKNOWN, NOW, shown_code=UNKNOWN, secret=SECRET)
    assert other.current is not None


def test_the_scripts_work_after_the_server_forgot_them(redis_cache):
    from motcua.portal import tracking

    tracking.begin("203.0.113.9", UNKNOWN, NOW).succeeded()
    redis_cache.script_flush()
    tracking.begin("203.0.113.9", UNKNOWN, NOW)
    assert counts(redis_cache, "203.0.113.9", UNKNOWN)["source_code"] == 1
    redis_cache.script_flush()
    tracking.begin("203.0.113.9", UNKNOWN, NOW).succeeded()
    assert counts(redis_cache, "203.0.113.9", UNKNOWN)["source_code"] == 1


def test_a_connection_given_back_holds_no_answer_to_read(redis_cache):
    """The give-back's connection goes back to the pool: the next command on it must read its
    own answer, not one the give-back left."""
    from django.core.cache import cache

    from motcua.portal import tracking

    for _ in range(3):
        tracking.begin("203.0.113.9", UNKNOWN, NOW).succeeded()
    cache.set("after", "its own value", 60)
    assert cache.get("after") == "its own value"
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 0, "source": 0, "code": 0}


def test_a_server_that_refuses_to_skip_answers_is_found_out_and_the_give_back_waits(redis_cache):
    """Some hosted Redis refuse CLIENT: their answers would be read by the next command. The
    probe finds it out (here a subcommand no server knows stands in for the refused one),
    leaves no answer on a pooled connection, and the give-back then waits for its answer."""
    from django.core.cache import cache, caches

    from motcua.portal import tracking, tracking_cache

    backend = caches["default"]
    assert tracking_cache._skips_answers(backend) is True  # this server obeys
    tracking_cache._skipping.clear()
    assert tracking_cache._skips_answers(backend, ("CLIENT", "NO-SUCH-SUBCOMMAND")) is False
    cache.set("after", "its own value", 60)  # on a pooled connection: nothing left to read
    assert cache.get("after") == "its own value"
    assert tracking_cache._skips_answers(backend) is False  # asked once per cache
    for _ in range(3):
        tracking.begin("203.0.113.9", UNKNOWN, NOW).succeeded()
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 0, "source": 0, "code": 0}
    tracking_cache._skipping.clear()


def test_a_peek_answers_a_current_page_in_one_round_trip_and_never_counts(
    redis_cache, monkeypatch, db
):
    from motcua.dossiers import stamps
    from motcua.portal import tracking

    key = kept_current()
    # The server learns the script on its first use (NOSCRIPT, SCRIPT LOAD, again): whether
    # that already happened depends on what ran before on this Redis. Counted from then on.
    tracking.peek("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret="00000000")
    commands = Commands(monkeypatch)
    attempt = tracking.peek("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret=SECRET)
    assert attempt is not None and attempt.current == key
    assert (commands.sent, commands.waits) == (["EVALSHA"], 1)
    assert tracking.current_page(attempt, "abcd-efgh", "/x") == (
        '<input name="next" type="hidden" value="/x"><input value="abcd-efgh">'
    )
    # Not current (a write), a wrong secret: None, and nothing counted either way.
    assert tracking.peek("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret="22222222") is None
    stamps.dossier_changed(UNKNOWN)
    assert tracking.peek("203.0.113.9", UNKNOWN, NOW, shown_code=UNKNOWN, secret=SECRET) is None
    assert counts(redis_cache, "203.0.113.9", UNKNOWN) == {"source_code": 0, "source": 0, "code": 0}
