"""A citizen's own answers on their dossier through the write path: the supplement once and in
time, the withdrawal, the result's electronic copy; another citizen gets "not found"."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from motcua.citizens.models import Citizen
from motcua.core.errors import (
    ConflictError,
    GuardError,
    InvalidInput,
    NotFound,
    TransitionError,
    ValidationError,
)
from motcua.core.lifecycle import Action, Status
from motcua.dossiers import audit
from motcua.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierResult,
    DossierScan,
)
from motcua.dossiers.selectors import citizen_dossier, citizen_dossiers, citizen_view
from motcua.dossiers.services import (
    Handover,
    Papers,
    dossier_act,
    dossier_answer_supplement,
    dossier_receive,
    dossier_request_withdrawal,
)
from motcua.notify.models import OutboxMessage
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.scanfiles import EXE, PDF, PNG, upload


@pytest.fixture
def an(db):
    return Citizen.objects.create(
        email="an@example.vn", full_name="Trần An", created_at=timezone.now()
    )


@pytest.fixture
def binh(db):
    return Citizen.objects.create(email="binh2@example.vn", created_at=timezone.now())


def asked_at_reception(world, citizen, when="2026-11-25 08:30"):
    """Form 02 at the counter: the certificate is missing (the declaration was handed in)."""
    declaration, certificate = world.birth.versions.get().documents.order_by("order")
    return dossier_receive(
        intake=intake(world, world.birth, documents=[declaration.pk], citizen_id=citizen.pk),
        actor=world.lan,
        now=at(when),
        outcome=Action.REQUEST_SUPPLEMENT,
        missing=[certificate.name],
    )


def asked_in_processing(world, citizen):
    d = dossier_receive(
        intake=intake(world, world.chain, citizen_id=citizen.pk),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    return dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-25 09:00"),
        missing=["Bản sao sổ hộ khẩu", "Ảnh 3x4"],
    )


def stored() -> tuple[int, int, int, int]:
    return (
        DossierEvent.objects.count(),
        DossierDocument.objects.count(),
        DossierScan.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_an_answer_before_reception_goes_back_to_the_desks_check_complete(world, an):
    d = asked_at_reception(world, an)
    d = dossier_answer_supplement(
        dossier=d,
        citizen_id=an.pk,
        files={0: upload(PDF, "chung-sinh.pdf")},
        now=at("2026-11-26 10:00"),
    )
    assert d.status == Status.NEW
    event = d.events.get(seq=2)
    assert (event.action, event.actor_role, event.payload["online"]) == (
        "supplement",
        "citizen",
        True,
    )
    paper = DossierDocument.objects.get(dossier=d, event_seq=2)
    assert paper.required is not None  # the certificate of the procedure, by its catalog entry
    scan = DossierScan.objects.get(document=paper)
    assert scan.uploaded_by_id is None and default_storage.exists(scan.file.name)
    assert event.payload["papers"][0]["scan"] == scan.sha256
    # The desk finds the dossier complete: reception's own rule.
    d = dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-11-26 10:30"))
    assert d.status == Status.RECEIVED and d.code
    assert audit.verify().problems == []


def test_an_answer_during_processing_resumes_the_clock(world, an):
    d = asked_in_processing(world, an)
    due_before = d.step_due_at
    d = dossier_answer_supplement(
        dossier=d,
        citizen_id=an.pk,
        files={0: upload(PDF, "ho-khau.pdf"), 1: upload(PNG, "anh.png")},
        now=at("2026-11-26 09:00"),
    )
    assert d.status == Status.PROCESSING
    assert d.clock[-1]["kind"] == "resume"
    assert d.step_due_at > due_before  # the wait is the citizen's time
    assert DossierScan.objects.filter(dossier=d).count() == 2


def test_a_second_answer_is_refused_and_stores_nothing(world, an):
    d = asked_in_processing(world, an)
    files = {0: upload(PDF), 1: upload(PNG)}
    dossier_answer_supplement(dossier=d, citizen_id=an.pk, files=files, now=at("2026-11-26 09:00"))
    before = stored()
    fresh = Dossier.objects.get(pk=d.pk)
    with pytest.raises(GuardError) as info:
        dossier_answer_supplement(
            dossier=fresh, citizen_id=an.pk, files=files, now=at("2026-11-26 09:05")
        )
    assert "không còn chờ bổ sung" in info.value.message
    assert stored() == before


def test_a_replayed_answer_from_a_stale_page_is_refused_in_plain_words(world, an):
    d = asked_in_processing(world, an)
    files = {0: upload(PDF), 1: upload(PNG)}
    dossier_answer_supplement(dossier=d, citizen_id=an.pk, files=files, now=at("2026-11-26 09:00"))
    before = stored()
    with pytest.raises(TransitionError):  # the caller's copy still says "waiting"
        dossier_answer_supplement(
            dossier=d, citizen_id=an.pk, files=files, now=at("2026-11-26 09:01")
        )
    assert stored() == before


def test_an_answer_after_the_window_is_refused(world, an, settings):
    settings.SUPPLEMENT_ANSWER_WORKING_DAYS = 2
    d = asked_in_processing(world, an)  # asked Wed 25/11 09:00: closes Fri 27/11 09:00
    before = stored()
    with pytest.raises(GuardError) as info:
        dossier_answer_supplement(
            dossier=d,
            citizen_id=an.pk,
            files={0: upload(PDF), 1: upload(PNG)},
            now=at("2026-11-27 09:00"),
        )
    assert info.value.details["closes"] == "09:00 Thứ Sáu 27/11/2026"  # local time
    assert stored() == before
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT


def test_every_missing_or_bad_file_is_named_and_nothing_stored(world, an):
    d = asked_in_processing(world, an)
    before = stored()
    with pytest.raises(InvalidInput) as info:
        dossier_answer_supplement(
            dossier=d,
            citizen_id=an.pk,
            files={1: upload(EXE, "anh.pdf")},
            now=at("2026-11-26 09:00"),
        )
    # The file missing and the file refused, both at once.
    assert [p.details["field"] for p in info.value.problems()] == ["paper_0", "paper_1"]
    with pytest.raises(InvalidInput) as info:
        dossier_answer_supplement(
            dossier=d,
            citizen_id=an.pk,
            files={0: upload(EXE, "ho-khau.pdf"), 1: upload(b"", "anh.png")},
            now=at("2026-11-26 09:00"),
        )
    assert [p.details["field"] for p in info.value.problems()] == ["paper_0", "paper_1"]
    assert stored() == before


def test_another_citizens_dossier_is_not_found(world, an, binh):
    d = asked_in_processing(world, an)
    with pytest.raises(NotFound):
        dossier_answer_supplement(
            dossier=d,
            citizen_id=binh.pk,
            files={0: upload(PDF), 1: upload(PNG)},
            now=at("2026-11-26 09:00"),
        )
    with pytest.raises(NotFound):
        dossier_request_withdrawal(
            dossier=d, citizen_id=binh.pk, reason="x", now=at("2026-11-26 09:00")
        )
    with pytest.raises(NotFound):
        citizen_dossier(citizen_id=binh.pk, pk=d.pk)
    assert citizen_dossier(citizen_id=an.pk, pk=d.pk) == d
    assert list(citizen_dossiers(binh.pk)) == []


def test_a_dossier_of_no_account_is_nobodys(world, an):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    with pytest.raises(NotFound):
        dossier_request_withdrawal(
            dossier=d, citizen_id=an.pk, reason="x", now=at("2026-11-26 09:00")
        )


def test_a_withdrawal_reaches_the_desk_which_stops_it(world, an):
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    with pytest.raises(ValidationError):
        dossier_request_withdrawal(
            dossier=d, citizen_id=an.pk, reason="  ", now=at("2026-11-25 09:00")
        )
    d = dossier_request_withdrawal(
        dossier=d, citizen_id=an.pk, reason="Nộp nhầm thủ tục", now=at("2026-11-25 09:00")
    )
    assert d.status == Status.WITHDRAWN
    event = d.events.get(seq=2)
    assert (event.action, event.actor_role, event.payload["note"]) == (
        "withdraw",
        "citizen",
        "Nộp nhầm thủ tục",
    )
    told = OutboxMessage.objects.filter(dedupe_key=f"dossier:{d.pk}:2")
    assert told.count() == 1
    context = told.get().context
    assert (context["action"], context["reason"]) == ("withdraw", "Nộp nhầm thủ tục")
    assert context["mine_url"].endswith(f"/tai-khoan/ho-so-da-nop/{d.pk}/")
    with pytest.raises(GuardError):  # asked once
        dossier_request_withdrawal(
            dossier=Dossier.objects.get(pk=d.pk),
            citizen_id=an.pk,
            reason="x",
            now=at("2026-11-25 09:05"),
        )
    d = dossier_act(
        dossier=d,
        action=Action.STOP,
        actor=world.lan,
        now=at("2026-11-25 10:00"),
        note="Theo đề nghị của công dân",
    )
    assert d.status == Status.STOPPED
    assert OutboxMessage.objects.get(dedupe_key=f"dossier:{d.pk}:3").context["withdrawn"] is True


def test_no_withdrawal_once_a_decision_is_signed(world, an):
    d = dossier_receive(
        intake=intake(world, world.birth, citizen_id=an.pk),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 08:40"))
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 09:05"))
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 09:30"))
    before = stored()
    with pytest.raises(GuardError):
        dossier_request_withdrawal(
            dossier=d, citizen_id=an.pk, reason="Thôi", now=at("2026-11-25 09:40")
        )
    assert stored() == before


def signed(world, citizen, delivery="desk"):
    d = dossier_receive(
        intake=intake(world, world.birth, citizen_id=citizen.pk, delivery=delivery),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 08:40"))
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 09:05"))
    return dossier_act(
        dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 09:30")
    )


def test_the_result_copy_is_attached_when_ready_with_its_hash_audited(world, an):
    d = signed(world, an)
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=upload(PDF, "giay-khai-sinh.pdf"),
    )
    copy = DossierResult.objects.get(dossier=d)
    assert (copy.attached_by_id, copy.event_seq, copy.content_type) == (
        world.long.user_id,
        d.version,
        "application/pdf",
    )
    assert copy.file.name.startswith(f"results/{d.pk}/") and default_storage.exists(copy.file.name)
    event = d.events.get(seq=d.version)
    assert event.payload["result_copy"] == {"sha256": copy.sha256, "size": len(PDF)}
    assert audit.verify().problems == []
    view = citizen_view(d, at("2026-11-25 10:00"))
    assert view.result == copy and view.todo == "collect"


def test_the_result_copy_must_be_a_pdf_and_is_never_replaced(world, an):
    d = signed(world, an)
    before = stored()
    with pytest.raises(InvalidInput) as info:
        dossier_act(
            dossier=d,
            action=Action.MARK_READY,
            actor=world.long,
            now=at("2026-11-25 09:35"),
            result=upload(PNG, "kq.png"),
        )
    assert [p.details["field"] for p in info.value.problems()] == ["result"]
    assert stored() == before and not DossierResult.objects.exists()
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=upload(PDF),
    )
    with pytest.raises(InvalidInput) as info:
        dossier_act(
            dossier=d,
            action=Action.RETURN_RESULT,
            actor=world.lan,
            now=at("2026-11-25 14:00"),
            handover=Handover("electronic", "15/GKS", confirmed=True),
            result=upload(PDF.replace(b"1.4", b"1.5")),
        )
    assert "result" in [p.details["field"] for p in info.value.problems()]
    assert DossierResult.objects.count() == 1


def test_an_electronic_return_needs_the_copy_and_may_bring_it(world, an):
    d = signed(world, an, delivery="electronic")
    d = dossier_act(
        dossier=d, action=Action.MARK_READY, actor=world.long, now=at("2026-11-25 09:35")
    )
    view = citizen_view(d, at("2026-11-25 10:00"))
    assert view.result is None and view.todo == "wait"
    handover = Handover("electronic", "15/GKS", confirmed=True)
    before = stored()
    with pytest.raises(InvalidInput) as info:
        dossier_act(
            dossier=d,
            action=Action.RETURN_RESULT,
            actor=world.lan,
            now=at("2026-11-25 14:00"),
            handover=handover,
        )
    assert [p.details["field"] for p in info.value.problems()] == ["result"]
    assert stored() == before
    d = dossier_act(
        dossier=d,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-11-25 14:00"),
        handover=handover,
        result=upload(PDF),
    )
    assert d.status == Status.RETURNED and d.delivery == "electronic"
    assert citizen_view(d, at("2026-11-25 15:00")).todo == "download"


def test_the_ready_and_withdrawal_mails_link_the_citizens_page(world, an):
    d = signed(world, an, delivery="electronic")
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=upload(PDF),
    )
    (message,) = OutboxMessage.objects.filter(dedupe_key=f"dossier:{d.pk}:{d.version}")
    assert message.context["mine_url"].endswith(f"/tai-khoan/ho-so-da-nop/{d.pk}/")


def test_an_answer_after_the_counter_took_the_papers_is_refused(world, an):
    d = asked_in_processing(world, an)
    files = {0: upload(PDF), 1: upload(PNG)}
    # Someone else moved the dossier on between the page and the answer (the desk took the
    # papers at the counter): the answer is told the dossier no longer waits.
    dossier_act(
        dossier=d,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-26 08:00"),
        papers=Papers(others=["Bản sao sổ hộ khẩu", "Ảnh 3x4"]),
    )
    before = stored()
    with pytest.raises((GuardError, ConflictError, TransitionError)):
        dossier_answer_supplement(
            dossier=d, citizen_id=an.pk, files=files, now=at("2026-11-26 09:00")
        )
    assert stored() == before
