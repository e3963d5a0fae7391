"""The webhook scheme: signing, verifying with a tolerance, live secrets and rotation, which
changes are announced, what a delivery says, and which addresses may be called."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from motcua.core.webhooks import (
    BadSignature,
    RefusedAddress,
    Secret,
    StatusChange,
    address_is_public,
    announces,
    body_of,
    check_url,
    delivery_id,
    live_secrets,
    parse,
    retire_at_on_rotation,
    sign,
    signature,
    verify,
)

T0 = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
H = timedelta(hours=1)
BODY = b'{"id":"x","type":"dossier.status_changed"}'
STAMP = 1_795_000_000


def test_a_signature_is_the_hmac_of_the_time_and_the_body():
    # Computed independently: hmac.new(b"whsec_a", b"1795000000." + BODY, sha256).hexdigest()
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_a", b"1795000000." + BODY, hashlib.sha256).hexdigest()
    assert signature("whsec_a", STAMP, BODY) == expected
    assert signature("whsec_b", STAMP, BODY) != expected
    assert signature("whsec_a", STAMP + 1, BODY) != expected


def test_the_header_carries_one_v1_per_live_secret_newest_first():
    header = sign(BODY, ["new", "old"], timestamp=STAMP)
    t, found = parse(header)
    assert t == STAMP
    assert found == [signature("new", STAMP, BODY), signature("old", STAMP, BODY)]
    assert header.startswith(f"t={STAMP},v1=")


def test_signing_without_a_secret_is_a_bug():
    with pytest.raises(ValueError):
        sign(BODY, [], timestamp=STAMP)


@pytest.mark.parametrize(
    ("signed_with", "receiver_has", "now", "ok"),
    [
        (["a"], ["a"], STAMP, True),
        (["new", "old"], ["old"], STAMP, True),  # a receiver not yet moved to the new secret
        (["new", "old"], ["new"], STAMP, True),  # one that has
        (["new"], ["old"], STAMP, False),  # after the grace period
        (["a"], ["b"], STAMP, False),
        (["a"], ["a"], STAMP + 300, True),  # at the tolerance
        (["a"], ["a"], STAMP + 301, False),  # an old delivery replayed
        (["a"], ["a"], STAMP - 301, False),  # a clock far ahead
        (["a"], [], STAMP, False),
    ],
)
def test_verification_takes_any_v1_within_the_tolerance(signed_with, receiver_has, now, ok):
    header = sign(BODY, signed_with, timestamp=STAMP)
    if ok:
        assert verify(header, BODY, receiver_has, now=now, tolerance=300) == STAMP
    else:
        with pytest.raises(BadSignature):
            verify(header, BODY, receiver_has, now=now, tolerance=300)


def test_a_changed_body_fails_verification():
    header = sign(BODY, ["a"], timestamp=STAMP)
    with pytest.raises(BadSignature):
        verify(header, BODY + b" ", ["a"], now=STAMP)


@pytest.mark.parametrize(
    "header",
    ["", "t=abc,v1=00", f"t={STAMP}", "v1=00", f"t={STAMP},v0=00", "garbage"],
)
def test_a_malformed_header_is_refused(header):
    with pytest.raises(BadSignature):
        verify(header, BODY, ["a"], now=STAMP)


def test_an_unknown_scheme_beside_v1_is_ignored():
    header = sign(BODY, ["a"], timestamp=STAMP) + ",v2=ffff"
    assert verify(header, BODY, ["a"], now=STAMP) == STAMP


@pytest.mark.parametrize(
    ("secrets", "now", "live"),
    [
        ([Secret("a", T0)], T0, ["a"]),
        ([Secret("a", T0)], T0 - H, []),  # not yet created
        ([Secret("a", T0, T0 + H)], T0 + H - timedelta(seconds=1), ["a"]),
        ([Secret("a", T0, T0 + H)], T0 + H, []),  # retired exactly then
        ([Secret("old", T0, T0 + 24 * H), Secret("new", T0 + H)], T0 + 2 * H, ["new", "old"]),
        ([Secret("old", T0, T0 + 24 * H), Secret("new", T0 + H)], T0 + 25 * H, ["new"]),
        ([Secret("b", T0 + H), Secret("a", T0)], T0 + 2 * H, ["b", "a"]),
    ],
)
def test_the_live_secrets_at_a_moment_newest_first(secrets, now, live):
    assert [s.value for s in live_secrets(secrets, now)] == live


@pytest.mark.parametrize(
    ("retire_at", "expected"),
    [
        (None, T0 + 24 * H),  # the live secret gets its grace period
        (T0 + 2 * H, T0 + 2 * H),  # a second rotation never extends the first's old secret
        (T0 + 48 * H, T0 + 24 * H),
        (T0 - H, T0 - H),  # already retired: unchanged
    ],
)
def test_a_rotation_keeps_the_old_secret_live_for_the_grace_period(retire_at, expected):
    old = Secret("old", T0 - 100 * H, retire_at)
    assert retire_at_on_rotation(old, now=T0, grace=24 * H) == expected


@pytest.mark.parametrize(
    ("action", "before", "after", "told"),
    [
        ("receive", 1, 2, True),
        ("receive", None, 2, True),
        ("forward", 4, 4, False),  # a hand-over inside one status
        ("assign", 2, 4, True),
        ("mark_ready", 4, 9, True),
        ("mark_ready", 9, 9, True),  # the result ready is always told
        ("warn", 4, 4, False),
        ("mark_overdue", 4, 4, False),
        ("return_result", 9, 10, True),
    ],
)
def test_subscribers_hear_of_status_changes_and_the_result_ready(action, before, after, told):
    assert announces(action, from_status=before, to_status=after) is told


def test_a_delivery_says_no_more_than_the_code_the_statuses_and_the_agency():
    change = StatusChange(
        delivery_id=delivery_id("webhook:1:2:3"),
        occurred_at=datetime(2026, 11, 25, 8, 30, tzinfo=UTC),
        code="H26.100-261125-0001",
        status=4,
        previous_status=2,
        seq=3,
        agency="H26.100",
    )
    assert json.loads(body_of(change)) == {
        "id": delivery_id("webhook:1:2:3"),
        "type": "dossier.status_changed",
        "occurred_at": "2026-11-25T08:30:00Z",
        "dossier": {
            "code": "H26.100-261125-0001",
            "status": 4,
            "previous_status": 2,
            "seq": 3,
            "agency": "H26.100",
        },
    }
    assert delivery_id("webhook:1:2:3") == delivery_id("webhook:1:2:3")
    assert delivery_id("webhook:1:2:3") != delivery_id("webhook:1:2:4")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("203.119.8.1", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("2001:4860:4860::8888", True),
    ],
)
def test_only_public_addresses_are_called(address, public):
    assert address_is_public(address) is public


@pytest.mark.parametrize(
    ("url", "https", "private", "refused"),
    [
        ("https://hooks.example.vn/motcua", True, False, False),
        ("http://hooks.example.vn/motcua", True, False, True),
        ("http://hooks.example.vn/motcua", False, False, False),
        ("https://127.0.0.1/in", True, False, True),
        ("https://localhost/in", True, False, True),
        ("https://api.localhost/in", True, False, True),
        ("https://[::1]/in", True, False, True),
        ("https://10.0.0.5/in", True, False, True),
        ("https://169.254.169.254/latest/meta-data", True, False, True),
        ("http://127.0.0.1:8999/in", False, True, False),  # tests, or an explicit setting
        ("ftp://hooks.example.vn/", False, True, True),
        ("https:///in", False, True, True),
        ("https://user:pw@hooks.example.vn/", False, True, True),
        ("javascript:alert(1)", False, True, True),
    ],
)
def test_a_subscribers_address_is_checked(url, https, private, refused):
    if refused:
        with pytest.raises(RefusedAddress) as caught:
            check_url(url, require_https=https, allow_private=private)
        assert caught.value.details["field"] == "url"
    else:
        assert check_url(url, require_https=https, allow_private=private) == url
