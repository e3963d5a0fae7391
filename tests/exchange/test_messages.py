"""Liên thông in one process: A (this installation) hands a step to B (played by a key of the
test's own), takes B's signed result, answers a replay with the same acknowledgement, and
refuses what it cannot trust with a structured error, storing nothing but the refusal's log
row; the outbox's sender retries a peer that is down or whose acknowledgement was lost."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta

import pytest
import requests
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from motcua.core import exchange as core
from motcua.core.lifecycle import Action, Status
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.selectors import dossier_steps
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.exchange import keys
from motcua.exchange.models import Handover, LogEntry, PeerKey, Received, Task, Wait
from motcua.exchange.selectors import (
    exchange_integration_seconds,
    exchange_integration_seconds_of,
    verify_log,
)
from motcua.exchange.services import exchange_follow
from motcua.notify.models import OutboxMessage
from motcua.notify.services import MAX_ATTEMPTS, outbox_deliver
from tests.conftest import at
from tests.exchange.common import checked_intake, checked_procedure

URL = "/lien-thong/v1/messages"


def our_public() -> bytes:
    (entry,) = keys.keys_export(now=at("2026-12-07 00:00"))
    return core.decode_public(entry["public_key"])


def handed_over(world):
    d = dossier_receive(
        intake=checked_intake(checked_procedure()), actor=world.lan, now=at("2026-12-07 08:30")
    )
    return dossier_act(
        dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-07 09:00")
    )


def post(client, wire, when):
    with time_machine.travel(at(when), tick=False):
        raw = wire if isinstance(wire, bytes) else json.dumps(wire, ensure_ascii=False).encode()
        return client.post(URL, data=raw, content_type="application/json")


def request_message() -> OutboxMessage:
    return OutboxMessage.objects.get(channel="exchange", dedupe_key__startswith="exchange:request")


def test_a_forward_to_an_agency_elsewhere_queues_a_signed_step_request(world, peer):
    d = handed_over(world)
    assert d.current_agency == world.justice  # held by the remote agency, waiting
    message = request_message()
    assert message.recipient == "tu-phap"
    envelope = core.parse_envelope(message.context["message"])
    assert core.signature_ok(our_public(), envelope, message.context["signature"])
    assert (envelope.sender, envelope.recipient, envelope.type) == (
        "xa-hk",
        "tu-phap",
        "step.request",
    )
    assert (envelope.dossier, envelope.step) == (d.code, 1)
    body = envelope.body
    assert body["agency"] == "H26.32" and body["procedure"] == "3.000333"
    assert body["step_name"] == "Xác minh lý lịch tư pháp" and body["allotment"] == "2"
    assert body["due_at"] == at("2026-12-09 09:00").isoformat()
    assert body["papers"] == ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]
    assert body["applicant"]["name"] == "Trần Văn Bình"
    handover = Handover.objects.get()
    assert (handover.dossier_id, handover.step_index, handover.request_id) == (d.pk, 1, envelope.id)


def test_a_forward_inside_this_installation_sends_nothing(world, peer):
    d = dossier_receive(
        intake=checked_intake(world.chain), actor=world.lan, now=at("2026-12-07 08:30")
    )
    dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-07 09:00"))
    assert not OutboxMessage.objects.filter(channel="exchange").exists()
    assert not Handover.objects.exists()


def result_wire(peer, d, **body):
    values = {
        "request": Handover.objects.get(dossier_id=d.pk).request_id,
        "code": "H26.32-261207-0001",
        "outcome": "mark_ready",
        "reference": "123/PLLTP",
        "started_at": at("2026-12-07 10:00").isoformat(),
        "ended_at": at("2026-12-08 15:00").isoformat(),
    }
    values.update(body)
    envelope = peer.envelope(dossier=d.code, step=1, now=at("2026-12-09 10:59"), body=values)
    return envelope, peer.wire(envelope)


def test_the_result_closes_the_step_with_bs_times_and_counts_the_time_in_flight(
    world, peer, client
):
    d = handed_over(world)
    envelope, wire = result_wire(peer, d)
    answer = post(client, wire, "2026-12-09 11:00")
    assert answer.status_code == 200, answer.content
    ack = core.parse_envelope(answer.json()["message"])
    assert core.signature_ok(our_public(), ack, answer.json()["signature"])
    assert (ack.type, ack.recipient, ack.body["of"], ack.body["status"]) == (
        "ack",
        "tu-phap",
        envelope.id,
        "applied",
    )
    d.refresh_from_db()
    assert (d.step_index, d.current_agency_id, d.status) == (2, world.hoan_kiem.pk, 4)
    step = dossier_steps(d)[1]
    assert (step.agency_id, step.started_at, step.ended_at, step.outcome) == (
        world.justice.pk,
        at("2026-12-07 10:00"),
        at("2026-12-08 15:00"),
        "early",  # due Wednesday 09:00, done Tuesday: B's agency was early, whatever A's delay
    )
    # In flight: 09:00-10:00 Monday (request), Tuesday 15:00 - Wednesday 11:00 (result).
    assert sorted(Wait.objects.values_list("leg", "seconds")) == [
        ("request", 3600),
        ("result", 5 * 3600),
    ]
    assert exchange_integration_seconds(d.pk) == 6 * 3600
    assert exchange_integration_seconds_of([d.pk, d.pk + 1]) == {d.pk: 6 * 3600}
    assert audit.verify().problems == []
    kinds = list(LogEntry.objects.order_by("seq").values_list("kind", "message_id"))
    assert kinds == [("received", envelope.id), ("ack_sent", envelope.id)]


def test_a_replayed_message_gets_the_same_ack_and_changes_nothing(world, peer, client):
    d = handed_over(world)
    _envelope, wire = result_wire(peer, d)
    first = post(client, wire, "2026-12-09 11:00")
    d.refresh_from_db()
    version = d.version
    again = post(client, wire, "2026-12-09 11:30")
    assert again.status_code == 200
    assert again.json() == first.json()
    d.refresh_from_db()
    assert d.version == version
    assert DossierStep.objects.filter(dossier=d).count() == 2
    assert Wait.objects.count() == 2 and Received.objects.count() == 1
    last = LogEntry.objects.order_by("-seq").first()
    assert (last.kind, last.detail) == ("received", {"duplicate": True})


def test_a_step_sent_back_to_the_agency_elsewhere_is_handed_over_again(world, peer, client):
    d = handed_over(world)
    _envelope, wire = result_wire(peer, d)
    post(client, wire, "2026-12-09 11:00")
    d.refresh_from_db()
    d = dossier_act(
        dossier=d,
        action=Action.SEND_BACK,
        actor=world.duc,
        now=at("2026-12-09 14:00"),
        note="Cần xác minh thêm",
    )
    assert d.step_index == 1 and d.current_agency == world.justice
    first, second = Handover.objects.order_by("handed_at")
    assert second.handed_at == at("2026-12-09 14:00") and second.request_id != first.request_id
    # The first request's result told again under another id: recorded already, nothing moves.
    again = peer.envelope(
        dossier=d.code, step=1, now=at("2026-12-09 14:59"), body=wire["message"]["body"]
    )
    answer = post(client, peer.wire(again), "2026-12-09 15:00")
    assert answer.json()["message"]["body"]["status"] == "already_recorded"
    d.refresh_from_db()
    assert d.step_index == 1


def birth_request(peer, **fields):
    """A step handed to Phường Hoàn Kiếm (which works here): a birth registration."""
    body = {
        "agency": "H26.100",
        "procedure": "1.001193",
        "origin": {"procedure": "3.000722", "name": "Liên thông", "channel": 2},
        "step_name": "Đăng ký khai sinh",
        "allotment": "1",
        "due_at": at("2026-12-08 17:00").isoformat(),
        "papers": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Giấy tờ khác"],
        "applicant": {"name": "Lê Thị Hoa", "id_number": "001303012345"},
    }
    values = {
        "type": "step.request",
        "dossier": "H26.42-261207-0001",
        "step": 2,
        "now": at("2026-12-07 09:00"),
        "body": body,
    }
    values.update(fields)
    return peer.envelope(**values)


def test_a_step_request_opens_a_dossier_here_due_when_the_sender_says(world, peer, client):
    envelope = birth_request(peer)
    answer = post(client, peer.wire(envelope), "2026-12-07 09:01")
    assert answer.status_code == 200, answer.content
    task = Task.objects.get()
    d = Dossier.objects.get(pk=task.dossier_id)
    assert answer.json()["message"]["body"] == {
        "of": envelope.id,
        "status": "accepted",
        "code": d.code,
    }
    assert (d.status, d.received_place_id, d.due_at) == (
        2,
        world.hoan_kiem.pk,
        at("2026-12-08 17:00"),
    )
    assert "H26.42-261207-0001" in d.request
    assert sorted(p.name for p in d.documents.all()) == [
        "Giấy chứng sinh",
        "Giấy tờ khác",
        "Tờ khai đăng ký khai sinh",
    ]
    accepted = OutboxMessage.objects.get(dedupe_key__startswith="exchange:accepted")
    assert accepted.context["message"]["body"]["code"] == d.code

    # Its officers process it in their workspace; its end sends the result back, once.
    now = datetime.fromisoformat("2026-12-07T10:00:00+07:00")
    for actor, action in [
        (world.lan, Action.FORWARD),
        (world.duc, Action.PROPOSE),
        (world.duc, Action.FORWARD),
        (world.long, Action.APPROVE),
        (world.long, Action.MARK_READY),
    ]:
        now += timedelta(minutes=30)
        d = dossier_act(dossier=d, action=action, actor=actor, now=now)
    assert d.status == Status.DONE
    (result,) = OutboxMessage.objects.filter(dedupe_key__startswith="exchange:result")
    wire = result.context
    sent = core.parse_envelope(wire["message"])
    assert (sent.type, sent.recipient, sent.dossier, sent.step) == (
        "step.result",
        "tu-phap",
        "H26.42-261207-0001",
        2,
    )
    assert sent.body["started_at"] == d.received_at.isoformat()
    assert sent.body["ended_at"] == now.isoformat()
    # Told of the same end again (a retried write), it sends nothing more.
    assert exchange_follow(d, d.events.order_by("-seq").first()) == []
    assert OutboxMessage.objects.filter(dedupe_key__startswith="exchange:result").count() == 1


def stored() -> tuple[int, ...]:
    return (
        Dossier.objects.count(),
        Task.objects.count(),
        Received.objects.count(),
        OutboxMessage.objects.count(),
    )


REFUSALS = {
    "bad signature": (403, "exchange_bad_signature"),
    "unknown installation": (403, "exchange_unknown_installation"),
    "expired key": (403, "exchange_key_not_valid"),
    "not addressed to us": (403, "exchange_wrong_recipient"),
    "too old": (400, "exchange_stale"),
    "not json": (400, "exchange_malformed"),
    "not an envelope": (400, "exchange_malformed"),
    "an ack": (400, "exchange_malformed"),
    "no such agency": (404, "not_found"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_it_refuses_what_it_cannot_trust_storing_only_the_refusal(world, peer, client, case):
    envelope = birth_request(peer)
    wire = peer.wire(envelope)
    if case == "bad signature":
        wire = peer.wire(envelope, key=Ed25519PrivateKey.generate())
    elif case == "unknown installation":
        wire = peer.wire(birth_request(peer, sender="ke-la"))
    elif case == "expired key":
        PeerKey.objects.update(valid_until=at("2026-12-01 00:00"))
    elif case == "not addressed to us":
        wire = peer.wire(birth_request(peer, recipient="xa-khac"))
    elif case == "too old":
        wire = peer.wire(birth_request(peer, now=at("2026-12-05 09:00")))
    elif case == "not json":
        wire = b'{"message": '
    elif case == "not an envelope":
        wire = {"message": {"id": envelope.id}, "signature": wire["signature"]}
    elif case == "an ack":
        wire = peer.wire(birth_request(peer, type="ack"))
    elif case == "no such agency":
        wire = peer.wire(
            birth_request(peer, body={**envelope.body, "agency": "H26.32"})  # lives on B
        )
    before = stored()
    answer = post(client, wire, "2026-12-07 09:01")
    status, code = REFUSALS[case]
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert answer.json()["message"]
    assert stored() == before
    (row,) = LogEntry.objects.all()
    assert (row.kind, row.detail["code"]) == ("refused", code)
    # The same message, trusted, is taken: the refusal was about what was wrong with it.
    if case in ("expired key", "bad signature"):
        PeerKey.objects.update(valid_until=None)
        assert post(client, peer.wire(envelope), "2026-12-07 09:01").status_code == 200


class FakePeer:
    """B's receiver, as seen by A's sender: checks A's signature, acknowledges once per id
    (the same ack again for a replay); `down` fails the next tries, `lose_ack` processes a
    message and then loses the answer."""

    def __init__(self, peer):
        self.peer = peer
        self.down = 0
        self.lose_ack = 0
        self.refuse = False
        self.acks: dict[str, dict] = {}
        self.deliveries: list[str] = []

    def post(self, url, data, headers, timeout):
        if self.down:
            self.down -= 1
            raise requests.ConnectionError("B is down")
        wire = json.loads(data)
        envelope = core.parse_envelope(wire["message"])
        assert core.signature_ok(our_public(), envelope, wire["signature"])
        assert url == "http://b.invalid/lien-thong/v1/messages"
        if self.refuse:
            return Answer(400, {"code": "exchange_malformed", "message": "không"})
        self.deliveries.append(envelope.id)
        if envelope.id not in self.acks:
            ack = self.peer.envelope(
                type="ack",
                dossier=envelope.dossier,
                step=envelope.step,
                now=envelope.sent_at,
                body={"of": envelope.id, "status": "accepted"},
            )
            self.acks[envelope.id] = self.peer.wire(ack)
        if self.lose_ack:
            self.lose_ack -= 1
            raise requests.ReadTimeout("the answer was lost")
        return Answer(200, self.acks[envelope.id])


class Answer:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.body = body
        self.text = json.dumps(body)

    def json(self):
        return self.body


@pytest.fixture
def fake_peer(peer, monkeypatch):
    fake = FakePeer(peer)
    monkeypatch.setattr(requests, "post", fake.post)
    return fake


def minute(moment: datetime) -> datetime:
    """The outbox's pass runs on from `now` with the real clock: to the minute it is `now`'s."""
    return moment.replace(second=0, microsecond=0)


def deliver(when: str) -> int:
    with time_machine.travel(at(when), tick=False):
        return outbox_deliver(now=at(when))


def test_the_outbox_retries_a_peer_that_is_down_and_logs_each_step_once(world, fake_peer):
    handed_over(world)
    fake_peer.down = 2
    assert deliver("2026-12-07 09:00") == 0
    message = request_message()
    assert (message.attempts, minute(message.available_at)) == (1, at("2026-12-07 09:02"))
    assert "B is down" in message.last_error
    assert deliver("2026-12-07 09:01") == 0  # not due yet
    assert deliver("2026-12-07 09:02:30") == 0  # down again: 4 minutes more
    message.refresh_from_db()
    assert minute(message.available_at) == at("2026-12-07 09:06")
    assert deliver("2026-12-07 09:07") == 1
    message.refresh_from_db()
    assert minute(message.sent_at) == at("2026-12-07 09:07")
    envelope_id = message.context["message"]["id"]
    kinds = list(LogEntry.objects.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["sent", "acknowledged"]
    assert LogEntry.objects.get(kind="acknowledged").detail["status"] == "accepted"
    assert fake_peer.deliveries == [envelope_id]


def test_a_lost_ack_is_asked_again_and_the_peer_acts_once(world, fake_peer):
    handed_over(world)
    fake_peer.lose_ack = 1
    assert deliver("2026-12-07 09:00") == 0
    assert deliver("2026-12-07 09:02:30") == 1
    envelope_id = request_message().context["message"]["id"]
    assert fake_peer.deliveries == [envelope_id, envelope_id]
    assert len(fake_peer.acks) == 1
    assert LogEntry.objects.filter(kind="acknowledged").count() == 1


def test_a_message_the_peer_keeps_refusing_becomes_a_dead_letter(world, fake_peer):
    handed_over(world)
    fake_peer.refuse = True
    OutboxMessage.objects.filter(channel="exchange").update(attempts=MAX_ATTEMPTS - 1)
    assert deliver("2026-12-07 09:00") == 0
    message = request_message()
    assert minute(message.failed_at) == at("2026-12-07 09:00") and message.sent_at is None
    rejected = LogEntry.objects.get(kind="rejected")
    assert rejected.detail == {"status": 400, "code": "exchange_malformed", "message": "không"}


def test_an_ack_not_signed_by_the_peer_is_not_taken(world, fake_peer):
    handed_over(world)
    fake_peer.peer = type(fake_peer.peer)(
        fake_peer.peer.code, Ed25519PrivateKey.generate(), fake_peer.peer.key_id
    )
    assert deliver("2026-12-07 09:00") == 0
    assert "xác nhận không hợp lệ" in request_message().last_error
    assert not LogEntry.objects.filter(kind="acknowledged").exists()


def test_the_message_log_detects_a_tampered_row(world, peer, client):
    d = handed_over(world)
    _envelope, wire = result_wire(peer, d)
    post(client, wire, "2026-12-09 11:00")
    post(client, b"nope", "2026-12-09 11:00")
    assert verify_log().problems == [] and verify_log().entries == 3
    LogEntry.objects.filter(seq=2).update(detail={"ack": "khác", "status": "applied"})
    assert verify_log().problems == [(2, "nội dung dòng nhật ký đã bị sửa")]
    # `motcua audit verify` reports it with every other chain.
    assert [(p.label, p.seq) for p in audit.verify().problems] == [("nhật ký liên thông", 2)]
    LogEntry.objects.filter(seq=2).delete()
    problems = verify_log().problems
    assert (3, "thiếu dòng số 2") in problems


def test_keys_are_made_0600_rotated_and_exported_for_the_grace(us, settings):
    (first,) = keys.keyring()
    pem = settings.EXCHANGE_KEY_DIR / f"{first.key_id}.pem"
    assert os.stat(pem).st_mode & 0o777 == 0o600
    with pytest.raises(core.ValidationError):
        keys.keys_generate(now=at("2026-12-07 09:00"))
    new = keys.keys_rotate(now=at("2026-12-07 09:00"))
    assert keys.signing_key()[0] == new.key_id != first.key_id
    assert not pem.exists()
    exported = keys.keys_export(now=at("2026-12-08 09:00"))
    assert [(k["key_id"], k["valid_until"]) for k in exported] == [
        (first.key_id, at("2027-01-06 09:00").isoformat()),
        (new.key_id, None),
    ]
    assert [k["key_id"] for k in keys.keys_export(now=at("2027-01-06 09:00"))] == [new.key_id]
