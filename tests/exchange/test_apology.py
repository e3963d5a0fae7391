"""The apology of a step held on another installation (DOMAIN §5 "Late dossiers"): the agency
that held it apologises where its head works (B), and the letter and its new date come back
to the dossier here (A) in a signed step.apology. In-process, B played by a key of the test's."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from motcua.core import exchange as core
from motcua.core.apology import new_due_after_step
from motcua.core.lifecycle import Action
from motcua.core.routing import seconds_after
from motcua.dossiers import audit
from motcua.dossiers.deadlines import process_deadlines
from motcua.dossiers.models import ApologyLetter, Dossier, DossierStep
from motcua.dossiers.selectors import dossier_plan
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.exchange.models import Handover, LogEntry, Received, Task
from motcua.notify.models import OutboxMessage
from motcua.organization.selectors import Actor, calendar_for
from tests.conftest import at
from tests.exchange.common import PERSON, checked_intake, checked_procedure
from tests.exchange.test_messages import birth_request, our_public, post, result_wire
from tests.paperwork.test_forms import page, sign_in, text

EMAIL = "binh@example.vn"


def handed_over(world) -> Dossier:
    """A's dossier, its middle step handed to the Department of Justice (on B) Monday 09:00,
    due there Wednesday 09:00; the applicant has an e-mail address."""
    applicant = dataclasses.replace(PERSON, email=EMAIL)
    d = dossier_receive(
        intake=checked_intake(checked_procedure(), applicant=applicant),
        actor=world.lan,
        now=at("2026-12-07 08:30"),
    )
    return dossier_act(
        dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-12-07 09:00")
    )


def apology_wire(peer, d, key=None, sent="2026-12-08 08:01", **body):
    values = {
        "request": Handover.objects.get(dossier_id=d.pk).request_id,
        "code": "H26.32-261207-0001",
        "agency": "H26.32",
        "new_due_at": at("2026-12-11 09:00").isoformat(),
        "reason": "Cần xác minh thêm thông tin tại cơ quan công an.",
        "signer_name": "Hoàng Văn Nam",
        "signer_title": "Giám đốc Sở Tư pháp",
        "signed_at": at("2026-12-08 08:00").isoformat(),
    }
    values.update(body)
    envelope = peer.envelope(
        type=core.STEP_APOLOGY, dossier=d.code, step=1, now=at(sent), body=values
    )
    return envelope, peer.wire(envelope, key=key)


def test_the_worker_does_not_draft_for_an_agency_elsewhere_but_marks_it_overdue(world, peer):
    d = handed_over(world)
    # The step at B ran over (due Wednesday 09:00): here no letter is drafted for B's agency.
    report = process_deadlines(now=at("2026-12-10 09:00"))
    assert report.apologies == 0
    d.refresh_from_db()
    assert d.apology == "none" and not ApologyLetter.objects.exists()
    # Past the dossier's own appointment it is still marked overdue, at B's agency.
    assert d.due_at is not None
    report = process_deadlines(now=at("2026-12-15 10:00"))
    d.refresh_from_db()
    assert (report.overdue, report.apologies) == (1, 0)
    assert d.overdue_at == at("2026-12-15 10:00")
    assert d.current_agency_id == world.justice.pk
    assert not ApologyLetter.objects.exists()


def test_the_worker_still_drafts_for_an_agency_here(world, peer):
    d = dossier_receive(
        intake=checked_intake(world.chain), actor=world.lan, now=at("2026-12-07 08:30")
    )
    report = process_deadlines(now=at("2026-12-21 09:00"))
    assert report.apologies == 1
    assert ApologyLetter.objects.get(dossier=d).agency_id == d.current_agency_id


def test_signing_the_apology_of_a_dossier_opened_for_a_step_elsewhere_sends_it_back(
    world, peer, client
):
    envelope = birth_request(peer)
    assert post(client, peer.wire(envelope), "2026-12-07 09:01").status_code == 200
    task = Task.objects.get()
    d = Dossier.objects.get(pk=task.dossier_id)
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=Actor.system(), now=at("2026-12-08 08:00")
    )
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="exchange:apology").exists()
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=at("2026-12-08 08:30")
    )
    letter = ApologyLetter.objects.get(dossier=d)
    (message,) = OutboxMessage.objects.filter(dedupe_key__startswith="exchange:apology")
    sent = core.parse_envelope(message.context["message"])
    assert core.signature_ok(our_public(), sent, message.context["signature"])
    assert (sent.type, sent.recipient, sent.dossier, sent.step) == (
        "step.apology",
        "tu-phap",
        "H26.42-261207-0001",
        2,
    )
    assert sent.body["request"] == envelope.id
    new_due = datetime.fromisoformat(sent.body["new_due_at"])
    assert new_due == letter.new_due_at == d.due_at
    assert sent.body["reason"] == letter.reason
    assert sent.body["signer_name"] == "Trịnh Văn Long"
    assert sent.body["signer_title"]
    assert datetime.fromisoformat(sent.body["signed_at"]) == at("2026-12-08 08:30")


def test_a_signed_apology_from_elsewhere_sets_the_new_date_here(world, peer, client):
    d = handed_over(world)
    old_due = d.due_at
    OutboxMessage.objects.all().delete()
    envelope, wire = apology_wire(peer, d)
    answer = post(client, wire, "2026-12-08 08:02")
    assert answer.status_code == 200, answer.content
    assert answer.json()["message"]["body"] == {"of": envelope.id, "status": "applied"}
    d.refresh_from_db()
    letter = ApologyLetter.objects.get(dossier=d)
    assert (letter.agency_id, letter.step_index, letter.approved_by_id) == (
        world.justice.pk,
        1,
        None,
    )
    assert (letter.signer_name, letter.signer_title) == ("Hoàng Văn Nam", "Giám đốc Sở Tư pháp")
    assert letter.reason == "Cần xác minh thêm thông tin tại cơ quan công an."
    assert letter.approved_at == at("2026-12-08 08:00")
    assert letter.original_due_at == old_due
    calendar = calendar_for(d.received_place)
    expected = new_due_after_step(
        calendar,
        step_new_due=at("2026-12-11 09:00"),
        seconds_after=seconds_after(dossier_plan(d), 1, calendar),
        due_at=old_due,
    )
    assert letter.new_due_at == d.due_at == expected > old_due
    # The step keeps its due: judged against it when B's result comes, B's delay stays B's.
    assert d.step_due_at == at("2026-12-09 09:00")
    assert d.apology == "approved"
    assert d.original_due_at == old_due  # the appointment synced to the portal stays
    event = d.events.order_by("-seq").first()
    assert event.action == "exchange_apology"
    assert event.payload["step_new_due_at"] == at("2026-12-11 09:00").isoformat()
    assert event.payload["exchange"]["signer_name"] == "Hoàng Văn Nam"
    (notice,) = OutboxMessage.objects.filter(recipient=EMAIL)
    assert notice.context["action"] == "approve_apology"
    assert notice.context["agency"] == world.justice.name
    assert notice.context["reason"] == letter.reason
    assert audit.verify().problems == []
    # Form 04 on A shows B's head as its signer, and oversight names B's agency.
    sign_in(client, world.lan)
    words = text(page(client, d, "04"))
    assert "DỰ THẢO" not in words
    assert "GIÁM ĐỐC SỞ TƯ PHÁP" in words and "Hoàng Văn Nam" in words
    assert ApologyLetter.objects.filter(agency=world.justice).count() == 1


def test_a_replayed_apology_gets_the_same_ack_and_changes_nothing(world, peer, client):
    d = handed_over(world)
    _envelope, wire = apology_wire(peer, d)
    first = post(client, wire, "2026-12-08 08:02")
    d.refresh_from_db()
    version, outbox = d.version, OutboxMessage.objects.count()
    again = post(client, wire, "2026-12-08 08:30")
    assert again.status_code == 200
    assert again.json() == first.json()
    d.refresh_from_db()
    assert d.version == version and OutboxMessage.objects.count() == outbox
    assert ApologyLetter.objects.count() == 1 and Received.objects.count() == 1
    # A second letter (another message) is not applied: the new date is set only once.
    _other, wire = apology_wire(peer, d, new_due_at=at("2026-12-18 09:00").isoformat())
    answer = post(client, wire, "2026-12-08 09:00")
    assert answer.json()["message"]["body"]["status"] == "not_applied"
    d.refresh_from_db()
    assert d.version == version


def test_an_apology_for_a_step_already_closed_changes_nothing(world, peer, client):
    d = handed_over(world)
    _result, wire = result_wire(peer, d)
    assert post(client, wire, "2026-12-09 11:00").status_code == 200
    d.refresh_from_db()
    version, due = d.version, d.due_at
    _envelope, wire = apology_wire(peer, d, sent="2026-12-09 11:04")
    answer = post(client, wire, "2026-12-09 11:05")
    assert answer.status_code == 200
    assert answer.json()["message"]["body"]["status"] == "not_applied"
    d.refresh_from_db()
    assert (d.version, d.due_at, d.apology) == (version, due, "none")
    assert not ApologyLetter.objects.exists()


def test_an_apology_with_a_bad_signature_is_refused(world, peer, client):
    d = handed_over(world)
    _envelope, wire = apology_wire(peer, d, key=Ed25519PrivateKey.generate())
    answer = post(client, wire, "2026-12-08 08:02")
    assert answer.status_code == 403
    assert answer.json()["code"] == "exchange_bad_signature"
    d.refresh_from_db()
    assert d.apology == "none" and not ApologyLetter.objects.exists()
    assert not Received.objects.exists()
    assert LogEntry.objects.get().kind == "refused"


def test_an_apology_without_its_date_is_malformed(world, peer, client):
    d = handed_over(world)
    _envelope, wire = apology_wire(peer, d, new_due_at="sớm")
    answer = post(client, wire, "2026-12-08 08:02")
    assert answer.status_code == 400
    assert answer.json()["code"] == "exchange_malformed"
    assert not ApologyLetter.objects.exists()


def test_a_draft_left_here_for_the_agency_elsewhere_is_signed_by_its_letter(world, peer, client):
    d = handed_over(world)
    # Drafted here before this rule (the worker of an older version): never signable here.
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=Actor.system(), now=at("2026-12-08 07:00")
    )
    _envelope, wire = apology_wire(peer, d)
    answer = post(client, wire, "2026-12-08 08:02")
    assert answer.json()["message"]["body"]["status"] == "applied"
    d.refresh_from_db()
    (letter,) = ApologyLetter.objects.all()
    assert (letter.agency_id, letter.signer_name) == (world.justice.pk, "Hoàng Văn Nam")
    assert letter.reason == "Cần xác minh thêm thông tin tại cơ quan công an."
    assert letter.approved_at == at("2026-12-08 08:00") and letter.new_due_at == d.due_at
    assert d.apology == "approved"
    assert audit.verify().problems == []


def test_after_the_apology_the_step_is_still_judged_late_against_its_due(world, peer, client):
    d = handed_over(world)
    _envelope, wire = apology_wire(peer, d)
    assert post(client, wire, "2026-12-08 08:02").status_code == 200
    _result, wire = result_wire(peer, d, ended_at=at("2026-12-09 10:00").isoformat())
    assert post(client, wire, "2026-12-09 11:00").json()["message"]["body"]["status"] == "applied"
    step = DossierStep.objects.get(dossier=d, index=1)
    assert (step.agency_id, step.outcome) == (world.justice.pk, "late")
    assert audit.verify().problems == []
