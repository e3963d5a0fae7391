"""Shared cached reads: forgotten at once by a write in any process, expired as a safety net."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from motcua.caching import CHECK_SECONDS, TTL_SECONDS, Family
from motcua.catalog.selectors import procedure_versions, steps_of
from motcua.organization.models import Agency
from motcua.organization.selectors import calendar_for
from motcua.settings import env_cache
from tests.conftest import at

# Forgetting registers a second renewal for the commit, which needs a connection.
pytestmark = pytest.mark.django_db


class Source:
    """A row that changes underneath the cache, counting how often it is read."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0

    def load(self) -> str:
        self.reads += 1
        return self.value


def test_it_reads_once_then_serves_the_cached_value():
    family, row = Family("test"), Source("Sở Tư pháp")

    assert family.fetch("agency", "H26.32", load=row.load) == "Sở Tư pháp"
    assert family.fetch("agency", "H26.32", load=row.load) == "Sở Tư pháp"
    assert row.reads == 1


def test_a_stale_value_is_not_served_after_forget():
    family, row = Family("test"), Source("Sở Tư pháp")
    family.fetch("agency", "H26.32", load=row.load)
    row.value = "Sở Tư pháp Hà Nội"

    family.forget()

    assert family.fetch("agency", "H26.32", load=row.load) == "Sở Tư pháp Hà Nội"
    assert row.reads == 2


def test_a_change_in_another_process_is_seen_within_a_second():
    # Two Family objects of one name are what two processes sharing one cache (Redis) see:
    # each keeps its own copies, and they meet only in the cache.
    web, worker, row = Family("test"), Family("test"), Source("8:00")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert worker.fetch("calendar", 1, load=row.load) == "8:00"
        row.value = "7:30"

        web.forget()

        assert web.fetch("calendar", 1, load=row.load) == "7:30"  # the writer: at once
        assert worker.fetch("calendar", 1, load=row.load) == "8:00"  # still its second
        clock.shift(timedelta(seconds=CHECK_SECONDS))
        assert worker.fetch("calendar", 1, load=row.load) == "7:30"


def test_families_are_forgotten_separately():
    places, catalog = Family("test-places"), Family("test-catalog")
    place, procedure = Source("Sở Tư pháp"), Source("Đăng ký khai sinh")
    places.fetch("agency", "H26.32", load=place.load)
    catalog.fetch("versions", "1.001193", load=procedure.load)

    catalog.forget()
    places.fetch("agency", "H26.32", load=place.load)
    catalog.fetch("versions", "1.001193", load=procedure.load)

    assert (place.reads, procedure.reads) == (1, 2)


def test_a_value_the_caller_does_not_keep_is_read_again():
    family, row = Family("test"), Source("")

    family.fetch("agency", "H99", load=row.load, keep=bool)
    family.fetch("agency", "H99", load=row.load, keep=bool)

    assert row.reads == 2


def test_a_change_made_outside_the_services_is_seen_within_the_ttl():
    family, row = Family("test"), Source("8:00")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        family.fetch("calendar", 1, load=row.load)
        row.value = "7:30"  # written by hand in a shell: nobody calls forget()
        clock.shift(timedelta(seconds=TTL_SECONDS - 1))
        assert Family("test").fetch("calendar", 1, load=row.load) == "8:00"

        clock.shift(timedelta(seconds=2))

        assert family.fetch("calendar", 1, load=row.load) == "7:30"


def test_a_code_typed_by_anyone_makes_a_valid_key():
    family, row = Family("test"), Source("not found")
    typed = " 1.001193\n<script>" + "x" * 300

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns about keys memcached would refuse
        family.fetch("versions", typed, load=row.load)
        family.fetch("versions", typed, load=row.load)

    assert row.reads == 1
    keys = list(cache._cache)  # LocMem's own dictionary
    assert keys
    assert all(len(key) < 250 and not any(c.isspace() for c in key) for key in keys)


def test_the_cache_is_per_process_unless_a_redis_url_is_given(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env_cache("CACHE_URL")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/1")
    assert env_cache("CACHE_URL") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }


def test_a_cache_url_of_another_kind_is_refused_without_echoing_it(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "memcached://admin:s3cret@cache:11211")

    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be a redis://") as refused:
        env_cache("CACHE_URL")

    assert "s3cret" not in str(refused.value)


@pytest.fixture
def redis_cache(tmp_path, settings):
    """A Redis of this test's own on a Unix socket, as the default cache."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # blocks until the server says it is ready (or exits)
        if "ready to accept connections" in line.lower():
            break
    else:
        pytest.fail(f"redis-server exited with {process.wait()}")
    settings.CACHES = {"default": env_cache_of(f"unix://{socket}")}
    yield
    process.terminate()
    process.wait()


def env_cache_of(url: str) -> dict:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CACHE_URL", url)
        return env_cache("CACHE_URL")


def test_redis_carries_agencies_calendars_and_versions_between_processes(world, redis_cache):
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    web, worker = Family("test"), Family("test")
    justice = world.justice.code
    assert worker.fetch("agency", justice, load=lambda: Agency.objects.get(code=justice)).name == (
        "Sở Tư pháp"
    )
    Agency.objects.filter(code=justice).update(name="Sở Tư pháp Thành phố Hà Nội")
    web.forget()
    with time_machine.travel(timezone.now() + timedelta(seconds=CHECK_SECONDS), tick=False):
        renamed = worker.fetch("agency", justice, load=lambda: Agency.objects.get(code=justice))
    assert renamed.name == "Sở Tư pháp Thành phố Hà Nội"

    assert calendar_for(world.hoan_kiem).is_working_day(at("2026-11-30 08:00").date())
    assert [s.name for s in steps_of(procedure_versions(world.birth.code)[0])] == [
        "Tiếp nhận",
        "Thẩm định",
        "Ký duyệt",
    ]
