"""Messages between installations: the envelope's shape, its canonical bytes, signatures, key
validity and rotation, the receiver's checks in their order, and a remote step's times."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from motcua.core import exchange as ex
from motcua.core.calendar import WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar(tz=VN)
ALICE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # installation "xa-hk"
MALLORY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
ALICE_ID = ex.key_id_of(ex.raw_public(ALICE))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def envelope(**changes: object) -> ex.Envelope:
    fields = {
        "sender": "xa-hk",
        "recipient": "tinh-tp",
        "type": ex.STEP_REQUEST,
        "dossier": "H26.100-261207-0001",
        "step": 1,
        "now": at("2026-12-07 09:00"),
        "key": ALICE_ID,
        "body": {"procedure": "3.000333", "papers": ["Tờ khai"]},
        "message_id": "0b7e3c52-6a0e-4d43-9c1f-2f5a8b1e9d10",
    }
    fields.update(changes)
    return ex.new_envelope(**fields)  # type: ignore[arg-type]


KEYS = [ex.PublicKey(ALICE_ID, ex.raw_public(ALICE), at("2026-01-01 00:00"))]
TOL = ex.Tolerance(max_age=timedelta(hours=24))


def test_it_spells_the_envelope_one_way_whatever_the_key_order():
    data = envelope().as_json()
    shuffled = dict(reversed(list(data.items())))
    assert ex.canonical_bytes(data) == ex.canonical_bytes(shuffled)
    assert ex.canonical_bytes({"b": "Lý lịch", "a": 1}) == '{"a":1,"b":"Lý lịch"}'.encode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("key"), None),
        (lambda d: d.update(extra=1), None),
        (lambda d: d.update(id="not-a-uuid"), "id"),
        (lambda d: d.update(id="0b7e3c52-6a0e-1d43-9c1f-2f5a8b1e9d10"), "id"),  # uuid1
        (lambda d: d.update(type="step.delete"), "type"),
        (lambda d: d.update(step=-1), "step"),
        (lambda d: d.update(step=True), "step"),
        (lambda d: d.update(sent_at="2026-12-07T09:00:00"), "sent_at"),  # naive
        (lambda d: d.update(sent_at="hôm qua"), "sent_at"),
        (lambda d: d.update(body=[]), "body"),
        (lambda d: d.update(body={"fee": 1.5}), "body"),
        (lambda d: d.update({"from": ""}), "from"),
        (lambda d: d.update(to="x" * 65), "to"),
    ],
)
def test_it_refuses_what_is_not_an_envelope(change, field):
    data = envelope().as_json()
    change(data)
    with pytest.raises(ex.MalformedMessage) as caught:
        ex.parse_envelope(data)
    assert caught.value.details.get("field") == field


def test_it_reads_back_the_envelope_it_wrote():
    e = envelope()
    assert ex.parse_envelope(e.as_json()) == e


def test_a_signature_covers_every_field():
    e = envelope()
    signature = ex.sign(ALICE, e)
    public = ex.raw_public(ALICE)
    assert ex.signature_ok(public, e, signature)
    for changed in (
        envelope(step=2),
        envelope(body={"procedure": "3.000334", "papers": ["Tờ khai"]}),
        envelope(recipient="tinh-khac"),
        envelope(now=at("2026-12-07 09:01")),
    ):
        assert not ex.signature_ok(public, changed, signature)
    assert not ex.signature_ok(public, e, ex.sign(MALLORY, e))
    assert not ex.signature_ok(public, e, "không phải base64")


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "sent", "error"),
    [
        ("2026-01-01 00:00", None, "2026-12-07 09:00", None),
        ("2026-01-01 00:00", "2026-12-07 09:00", "2026-12-07 09:00", ex.KeyNotValid),  # end out
        ("2026-01-01 00:00", "2026-12-07 09:01", "2026-12-07 09:00", None),
        ("2026-12-07 09:00", None, "2026-12-07 09:00", None),  # start in
        ("2026-12-07 09:01", None, "2026-12-07 09:00", ex.KeyNotValid),
    ],
)
def test_a_key_signs_only_within_its_validity(valid_from, valid_until, sent, error):
    key = ex.PublicKey("k1", b"x" * 32, at(valid_from), at(valid_until) if valid_until else None)
    if error is None:
        assert ex.pick_key([key], "k1", at(sent)) == key
    else:
        with pytest.raises(error):
            ex.pick_key([key], "k1", at(sent))
    with pytest.raises(ex.UnknownKey):
        ex.pick_key([key], "k2", at(sent))


@pytest.mark.parametrize(
    ("valid_until", "sent", "received", "error"),
    [
        (None, "2026-12-07 09:00", "2026-12-08 09:00", None),
        ("2026-12-07 10:00", "2026-12-07 09:00", "2026-12-07 09:30", None),
        # Ended at 10:00 (leaked): a message claiming 09:00 but arriving after is refused.
        ("2026-12-07 10:00", "2026-12-07 09:00", "2026-12-07 10:00", ex.KeyNotValid),
        ("2026-12-07 10:00", "2026-12-07 09:59", "2026-12-08 09:00", ex.KeyNotValid),
    ],
)
def test_a_key_ended_stops_at_once_whatever_the_sending_time_says(
    valid_until, sent, received, error
):
    key = ex.PublicKey(
        "k1", b"x" * 32, at("2026-01-01 00:00"), at(valid_until) if valid_until else None
    )
    if error is None:
        assert ex.pick_key([key], "k1", at(sent), at(received)) == key
    else:
        with pytest.raises(error):
            ex.pick_key([key], "k1", at(sent), at(received))


def check(e: ex.Envelope, signature: str, **changes: object) -> None:
    options = {
        "us": "tinh-tp",
        "peer_known": True,
        "keys": KEYS,
        "now": at("2026-12-07 09:05"),
        "tolerance": TOL,
    }
    options.update(changes)
    ex.check_incoming(e, signature, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ({}, None),
        ({"peer_known": False}, ex.UnknownInstallation),
        ({"keys": []}, ex.UnknownKey),
        (
            {"keys": [ex.PublicKey(ALICE_ID, ex.raw_public(ALICE), at("2026-12-08 00:00"))]},
            ex.KeyNotValid,
        ),
        ({"signature": "mallory"}, ex.BadSignature),
        ({"us": "tinh-khac"}, ex.NotAddressedToUs),
        ({"now": at("2026-12-08 09:01")}, ex.StaleMessage),  # a day and a minute late
        ({"now": at("2026-12-08 09:00")}, None),  # exactly a day
        ({"now": at("2026-12-07 08:54")}, ex.StaleMessage),  # six minutes ahead
        ({"now": at("2026-12-07 08:56")}, None),  # within the skew
    ],
)
def test_the_receiver_checks_in_order(case, error):
    e = envelope()
    signature = ex.sign(MALLORY if case.pop("signature", None) else ALICE, e)
    if error is None:
        check(e, signature, **case)
    else:
        with pytest.raises(error):
            check(e, signature, **case)


def test_an_unknown_installation_is_refused_before_its_signature_is_read():
    e = envelope()
    with pytest.raises(ex.UnknownInstallation):
        check(e, ex.sign(MALLORY, e), peer_known=False, keys=[])


def test_rotation_retires_the_current_key_and_keeps_it_exported_for_the_grace():
    first = ex.OwnKey("k1", at("2026-01-01 00:00"))
    ring = ex.rotated([first], ex.OwnKey("k2", at("2026-12-07 09:00")), at("2026-12-07 09:00"))
    assert ex.current_key(ring).key_id == "k2"
    assert ring[0].retired_at == at("2026-12-07 09:00")
    grace = timedelta(days=30)
    shown = ex.exported(ring, now=at("2026-12-20 00:00"), grace=grace)
    assert [(k.key_id, k.valid_until) for k in shown] == [
        ("k1", at("2027-01-06 09:00")),
        ("k2", None),
    ]
    later = ex.exported(ring, now=at("2027-01-06 09:00"), grace=grace)
    assert [k.key_id for k in later] == ["k2"]
    with pytest.raises(ex.ValidationError):
        ex.current_key([])


def test_public_keys_travel_as_base64_of_32_bytes():
    raw = ex.raw_public(ALICE)
    assert ex.decode_public(ex.encode_public(raw)) == raw
    for bad in ("", "abc", ex.encode_public(raw[:31])):
        with pytest.raises(ex.ValidationError):
            ex.decode_public(bad)


@pytest.mark.parametrize(
    ("started", "ended", "want_started", "want_ended"),
    [
        ("2026-12-07 10:00", "2026-12-08 15:00", "2026-12-07 10:00", "2026-12-08 15:00"),
        ("2026-12-07 08:00", "2026-12-08 15:00", "2026-12-07 09:00", "2026-12-08 15:00"),
        ("2026-12-07 10:00", "2026-12-09 11:00", "2026-12-07 10:00", "2026-12-09 10:00"),
        ("2026-12-08 10:00", "2026-12-08 09:00", "2026-12-08 10:00", "2026-12-08 10:00"),
    ],
)
def test_a_remote_step_keeps_within_the_hand_over_and_now(started, ended, want_started, want_ended):
    times = ex.step_times(
        ex.RemoteTimes(at(started), at(ended)),
        handed_at=at("2026-12-07 09:00"),
        now=at("2026-12-09 10:00"),
    )
    assert times == ex.RemoteTimes(at(want_started), at(want_ended))


def test_time_in_flight_is_counted_in_working_seconds():
    legs = ex.legs(
        CAL,
        handed_at=at("2026-12-04 16:00"),  # Friday
        times=ex.RemoteTimes(at("2026-12-07 09:00"), at("2026-12-08 11:30")),  # Monday, Tuesday
        received_at=at("2026-12-08 14:00"),
    )
    assert [(leg.leg, leg.seconds) for leg in legs] == [
        ("request", 2 * 3600),  # 16-17 Friday, 08-09 Monday
        ("result", 1.5 * 3600),  # 11:30-12:00, 13:00-14:00
    ]
