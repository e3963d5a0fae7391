"""The guessing limits' arithmetic: fixed windows, the wait until every limit is lifted."""

from __future__ import annotations

import pytest

from motcua.core.throttle import Limit, refused_for, source_key

QUARTER = Limit("source", 5, 900)
HOUR = Limit("code", 100, 3600)


@pytest.mark.parametrize(
    ("now", "window", "left"),
    [
        (0.0, 0, 900),
        (899.2, 0, 1),  # part of a second left is a whole one: Retry-After counts seconds
        (900.0, 1, 900),
        (1_764_122_430.0, 1_960_136, 870),
    ],
)
def test_windows_are_fixed_and_say_how_long_is_left(now, window, left):
    assert QUARTER.window(now) == window
    assert QUARTER.seconds_left(now) == left


@pytest.mark.parametrize(
    ("counts", "wait"),
    [
        ({}, None),
        ({"source": 4, "code": 99}, None),
        ({"source": 5}, 870),
        ({"code": 100}, 3570),
        ({"source": 9, "code": 100}, 3570),  # the longest wait of the limits reached
    ],
)
def test_a_key_is_refused_once_its_count_reaches_the_limit(counts, wait):
    assert refused_for([QUARTER, HOUR], counts, 1_764_122_430.0) == wait


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        (None, "unknown"),
    ],
)
def test_a_source_is_an_ipv4_address_or_an_ipv6_subscribers_64(address, key):
    assert source_key(address) == key


@pytest.mark.parametrize(("tries", "window"), [(0, 900), (5, 0)])
def test_a_limit_allows_at_least_one_try_in_at_least_a_second(tries, window):
    with pytest.raises(ValueError):
        Limit("source", tries, window)
