"""The one write path: reception, hand-overs, the clock, apologies, conflicts, bad input."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.core.errors import (
    ConflictError,
    GuardError,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from motcua.core.lifecycle import Action, Status
from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import ApologyLetter, Dossier, DossierEvent, DossierStep
from motcua.dossiers.selectors import dossier_due_explanation, dossier_steps
from motcua.dossiers.services import (
    Applicant,
    Handover,
    Intake,
    Papers,
    dossier_act,
    dossier_receive,
)
from motcua.notify.models import OutboxMessage
from motcua.organization.selectors import calendar_for
from tests.conftest import at
from tests.scanfiles import PDF, upload

PERSON = Applicant(
    name="trần   văn  bình", id_number="001203012345", phone="0912345678", email="binh@example.vn"
)


def intake(world, procedure=None, **changes) -> Intake:
    procedure = procedure or world.chain
    docs = [d.pk for d in procedure.versions.get().documents.all()]
    values = dict(
        procedure_code=procedure.code, applicant=PERSON, documents=docs, competent_agency_code=""
    )
    values.update(changes)
    return Intake(**values)


def counts() -> tuple[int, int, int, int]:
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        DossierStep.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_it_receives_a_dossier_with_code_appointment_and_first_event(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))

    assert d.code == "H26.100-261125-0001"
    assert d.status == Status.RECEIVED
    assert d.applicant_name == "Trần Văn Bình"
    # 3 working days from Wed 09:30 -> Mon 09:30 (weekend skipped).
    assert d.due_at == at("2026-11-30 09:30")
    assert any("Hẹn trả" in line for line in dossier_due_explanation(d, d.received_at))
    event = d.events.get()
    assert (event.seq, event.action, event.to_status) == (1, "receive", Status.RECEIVED)
    assert d.version == 1
    # The reception step is open: held in the projection, its row written when it ends.
    assert not d.steps.exists()
    (step,) = dossier_steps(d)
    assert (step.index, step.agency, step.holder_id, step.ended_at) == (
        0,
        world.hoan_kiem,
        world.lan.user_id,
        None,
    )
    assert OutboxMessage.objects.filter(recipient="binh@example.vn").count() == 1
    # Written in plain SQL, yet as saved as after save(): it is not its own duplicate.
    assert not d._state.adding
    d.validate_constraints()


def test_it_numbers_dossiers_per_agency_and_day(world):
    first = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
    second = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 10:00"))
    other = dossier_receive(intake=intake(world), actor=world.mai, now=at("2026-11-25 10:00"))
    next_day = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-26 08:10"))

    assert [first.code, second.code, other.code, next_day.code] == [
        "H26.100-261125-0001",
        "H26.100-261125-0002",
        "H26.101-261125-0001",
        "H26.100-261126-0001",
    ]


def test_it_counts_a_late_afternoon_reception_from_the_next_working_day(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-27 16:30"))
    # Friday 16:30 is in the last working hour: counting starts Monday 08:00, and three full
    # working days end at the close of Wednesday.
    assert d.due_at == at("2026-12-02 17:00")
    assert any("08:00" in line for line in dossier_due_explanation(d, d.received_at))


def test_it_gives_same_day_procedures_the_afternoon_cutoff(world):
    morning = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 14:00")
    )
    late = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 15:30")
    )
    assert morning.due_at == at("2026-11-25 17:00")
    assert late.due_at == at("2026-11-26 17:00")


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"procedure_code": "9.999999"}, NotFound, "procedure_code"),
        ({"applicant": Applicant(name="An", id_number="12345")}, ValidationError, None),
        (
            {"applicant": Applicant(name="", id_number="001203012345")},
            ValidationError,
            "applicant_name",
        ),
        ({"documents": []}, ValidationError, "documents"),
        ({"documents": [999_999]}, ValidationError, None),
        ({"channel": 7}, ValidationError, "channel"),
        (
            {
                "applicant": Applicant(
                    name="An", id_number="001203012345", representative_name="Bình"
                )
            },
            ValidationError,
            "authorisation",
        ),
    ],
)
def test_it_refuses_bad_intake_and_writes_nothing(world, changes, error, field):
    before = counts()
    with pytest.raises(error) as info:
        dossier_receive(
            intake=intake(world, **changes), actor=world.lan, now=at("2026-11-25 09:30")
        )
    assert info.value.message  # a Vietnamese sentence, not a code
    if field:
        assert info.value.details.get("field") == field
    assert counts() == before


def test_it_refuses_a_commune_procedure_at_the_centre_without_a_commune(world):
    with pytest.raises(ValidationError) as info:
        dossier_receive(intake=intake(world), actor=world.ha, now=at("2026-11-25 09:30"))
    assert info.value.details["field"] == "competent_agency"
    d = dossier_receive(
        intake=intake(world, competent_agency_code="H26.100"),
        actor=world.ha,
        now=at("2026-11-25 09:30"),
    )
    # Boundary-free: received at the centre, decided by the commune; the code is the centre's.
    assert d.code.startswith("H26.1-261125-")
    assert d.competent_agency == world.hoan_kiem


def another_province():
    """Đà Nẵng's People's Committee and one of its wards, outside Hà Nội's area."""
    from motcua.organization.models import Agency

    city = Agency.objects.create(
        code="H32", name="UBND Thành phố Đà Nẵng", kind="province", calendar=world_calendar()
    )
    return Agency.objects.create(
        code="H32.100",
        name="UBND Phường Hải Châu",
        kind="commune",
        parent=city,
        calendar=world_calendar(),
    )


def world_calendar():
    from motcua.organization.models import WorkCalendarConfig

    return WorkCalendarConfig.objects.get(name="Hà Nội")


@pytest.mark.parametrize("who", ["ha", "lan"])
def test_it_refuses_a_commune_its_place_does_not_cover(world, who):
    """The centre, and a commune's desk, receive for the communes of Hà Nội, not Đà Nẵng's."""
    hai_chau = another_province()
    before = counts()
    with pytest.raises(ValidationError) as info:
        dossier_receive(
            intake=intake(world, competent_agency_code=hai_chau.code),
            actor=getattr(world, who),
            now=at("2026-11-25 09:30"),
        )
    problem = info.value.problems()[0]
    assert problem.details["field"] == "competent_agency"
    assert "Hải Châu" in problem.message and "không thuộc địa bàn" in problem.message
    assert counts() == before


def test_it_receives_for_another_commune_of_the_province(world):
    """Boundary-free within the province: Hoàn Kiếm's desk takes a dossier for Ba Đình."""
    d = dossier_receive(
        intake=intake(world, competent_agency_code="H26.101"),
        actor=world.lan,
        now=at("2026-11-25 09:30"),
    )
    assert (d.received_place, d.competent_agency) == (world.hoan_kiem, world.ba_dinh)


def test_a_commune_with_no_province_recorded_is_not_covered(world):
    world.ba_dinh.parent = None
    world.ba_dinh.save()
    with pytest.raises(ValidationError) as info:
        dossier_receive(
            intake=intake(world, competent_agency_code="H26.101"),
            actor=world.ha,
            now=at("2026-11-25 09:30"),
        )
    assert "không thuộc địa bàn" in info.value.problems()[0].message


def test_it_refuses_at_the_desk_only_with_reasons(world):
    with pytest.raises(ValidationError):
        dossier_receive(
            intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"), outcome=Action.REFUSE
        )
    d = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 09:30"),
        outcome=Action.REFUSE,
        reason="Không thuộc thẩm quyền.",
    )
    assert (d.status, d.code, d.finished_at) == (Status.REFUSED, None, at("2026-11-25 09:30"))


def test_a_double_submission_creates_one_dossier(world):
    a = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 09:30"),
        idempotency_key="form-123",
    )
    b = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 09:30"),
        idempotency_key="form-123",
    )
    assert a.pk == b.pk
    assert Dossier.objects.count() == 1


def forward(d, actor, when, **kw):
    return dossier_act(dossier=d, action=Action.FORWARD, actor=actor, now=at(when), **kw)


def test_it_moves_a_dossier_across_agencies_and_records_each_hand_over(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 15:00")
    assert d.current_agency == world.police_hk
    d = forward(d, world.tam, "2026-11-27 15:00")  # 1 day allotted, used ~1.9 days: late
    assert d.current_agency == world.social
    with pytest.raises(GuardError):  # no approved result yet
        dossier_act(
            dossier=d, action=Action.MARK_READY, actor=world.bao, now=at("2026-11-30 09:00")
        )

    steps = dossier_steps(d)
    assert [s.agency.code for s in steps] == ["H26.100", "H26.100", "H26.41.001", "H26.42"]
    assert [s.outcome for s in steps] == ["on_time", "on_time", "late", ""]
    # Who held each finished step: the desk officer, then whoever handed it on unassigned.
    assert [s.holder_id for s in steps[:3]] == [
        world.lan.user_id,
        world.duc.user_id,
        world.tam.user_id,
    ]


def test_mark_ready_needs_an_approved_result(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:45")
    with pytest.raises(GuardError):
        dossier_act(
            dossier=d, action=Action.MARK_READY, actor=world.duc, now=at("2026-11-25 10:00")
        )
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 10:00"))
    d = forward(d, world.duc, "2026-11-25 10:05")
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 11:00"))
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 11:05"),
        result=upload(PDF, "kq.pdf"),
    )
    d = dossier_act(
        dossier=d,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-11-25 14:00"),
        handover=Handover(
            "desk", "12/QĐ-UBND", "applicant", id_number=PERSON.id_number, confirmed=True
        ),
    )

    assert d.status == Status.RETURNED
    assert d.finished_at == at("2026-11-25 11:05")
    outcomes = list(d.steps.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["on_time", "on_time", "on_time"]
    assert [e.action for e in d.events.all()] == [
        "receive",
        "forward",
        "propose",
        "forward",
        "approve",
        "mark_ready",
        "return_result",
    ]
    assert verify_chains() == []


def test_it_judges_each_hand_over_against_its_allotment(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")  # 0.25 day allotted: on time
    d = forward(d, world.duc, "2026-11-27 15:00")  # 0.75 day allotted: late
    steps = dossier_steps(d)
    assert [s.outcome for s in steps[:2]] == ["on_time", "late"]
    assert steps[2].agency == world.police_hk and steps[2].ended_at is None
    assert d.steps.count() == 2  # only finished hand-overs have rows


def test_a_supplement_request_pauses_the_clock_and_is_allowed_once(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    due_before = d.due_at
    d = dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 10:00"),
        missing=["Giấy chứng sinh bản chính"],
    )
    assert d.status == Status.SUPPLEMENT
    # The citizen takes exactly two working days (Wed 10:00 -> Fri 10:00).
    d = dossier_act(
        dossier=d,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-27 10:00"),
        papers=Papers(others=["Giấy chứng sinh bản chính"]),
    )
    cal = calendar_for(world.hoan_kiem)
    assert d.status == Status.PROCESSING
    assert d.due_at == cal.add_working_seconds(due_before, 2 * cal.working_day_seconds)
    assert d.original_due_at == d.due_at  # a pause is not an extension
    with pytest.raises(GuardError) as info:
        dossier_act(
            dossier=d,
            action=Action.REQUEST_SUPPLEMENT,
            actor=world.duc,
            now=at("2026-11-27 11:00"),
            missing=["Thêm giấy tờ"],
        )
    assert "một lần" in info.value.message


def test_a_supplement_request_must_list_what_is_missing(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    before = counts()
    with pytest.raises(ValidationError):
        dossier_act(
            dossier=d,
            action=Action.REQUEST_SUPPLEMENT,
            actor=world.lan,
            now=at("2026-11-25 09:00"),
            missing=["  "],
        )
    assert counts() == before
    d.refresh_from_db()
    assert (d.status, d.supplement_requests, d.version) == (Status.RECEIVED, 0, 1)


def test_an_online_dossier_counts_from_the_complete_submission(world):
    d = dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-25 09:00"),
        outcome=Action.SUBMIT,
    )
    assert (d.status, d.code) == (Status.NEW, None)
    d = dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-25 10:00"),
        missing=["Giấy chứng sinh"],
    )
    d = dossier_act(
        dossier=d,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-26 14:00"),
        papers=Papers(others=["Giấy chứng sinh"]),
    )
    assert d.status == Status.NEW
    d = dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-11-27 09:00"))
    assert d.code == "H26.100-261127-0001"
    # The clock started when the complete dossier arrived (Thu 14:00), not at the click.
    assert d.due_at == at("2026-12-01 14:00")


def test_two_officers_acting_at_once_one_wins_the_other_gets_a_conflict(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    stale = Dossier.objects.get(pk=d.pk)
    forward(d, world.lan, "2026-11-25 09:00")
    before = counts()
    with pytest.raises(ConflictError) as info:
        dossier_act(
            dossier=stale,
            action=Action.REFUSE,
            actor=world.lan,
            now=at("2026-11-25 09:01"),
            note="x",
        )
    assert "người khác" in info.value.message
    assert counts() == before


def test_a_write_failing_after_the_compare_and_set_rolls_the_whole_action_back(world):
    """The step, event and outbox writes go out pipelined on PostgreSQL: a failure among them
    must still undo the dossier's update, not surface after a half-written commit."""
    from django.db import IntegrityError

    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    taken = DossierEvent.objects.get(dossier=d, seq=d.version)
    taken.pk, taken.seq = None, d.version + 1  # squats on the seq the forward will append
    taken.save()
    before = counts()
    with pytest.raises(IntegrityError):
        forward(d, world.lan, "2026-11-25 09:00")
    assert counts() == before
    row = Dossier.objects.get(pk=d.pk)
    assert (row.version, row.chain_head, row.step_index) == (d.version, d.chain_head, 0)
    assert not DossierStep.objects.filter(dossier=d).exists()


def test_staff_of_another_agency_cannot_act(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    with pytest.raises(PermissionDenied):
        forward(d, world.minh, "2026-11-25 10:00")
    with pytest.raises(PermissionDenied):
        dossier_act(dossier=d, action=Action.APPROVE, actor=world.duc, now=at("2026-11-25 10:00"))
    d.refresh_from_db()
    assert d.version == 2


def test_an_action_not_allowed_in_the_state_is_refused_with_a_clear_message(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    with pytest.raises(TransitionError) as info:
        dossier_act(
            dossier=d, action=Action.RETURN_RESULT, actor=world.lan, now=at("2026-11-25 09:00")
        )
    assert "Được tiếp nhận" in info.value.message


def test_the_late_agency_drafts_the_apology_and_its_head_signs_it(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 15:00")
    original = d.due_at  # Mon 30/11 08:30
    # The police step is running over; Thursday 09:00 is still > 1 working day before due.
    d = dossier_act(
        dossier=d,
        action=Action.DRAFT_APOLOGY,
        actor=world.tam,
        now=at("2026-11-26 09:00"),
        note="Chờ xác minh cư trú.",
    )
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.agency == world.police_hk
    assert letter.new_due_at > original
    with pytest.raises(GuardError):
        dossier_act(
            dossier=d, action=Action.DRAFT_APOLOGY, actor=world.tam, now=at("2026-11-26 09:30")
        )
    with pytest.raises(PermissionDenied):
        dossier_act(
            dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=at("2026-11-26 10:00")
        )
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    assert d.due_at == letter.new_due_at
    assert d.original_due_at == original  # still late for statistics
    assert d.apology == "approved"


def test_a_late_apology_is_drafted_and_signed_and_recorded_as_late(world):
    """Friday 10:00, less than a working day before Monday 08:30: the letter is still drafted
    (a breach of the one-day rule, recorded against the commune); signed after the deadline
    itself, the signature is recorded late too. Nothing is refused."""
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    original = d.due_at
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=at("2026-11-27 10:00")
    )
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.agency == world.hoan_kiem
    assert (letter.draft_timing, letter.drafted_in_time, letter.late) == ("late", False, True)
    drafted = DossierEvent.objects.get(dossier=d, action="draft_apology")
    assert drafted.payload["in_time"] is False and drafted.payload["timing"] == "late"

    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=at("2026-11-30 09:00")
    )
    letter.refresh_from_db()
    assert letter.sign_timing == "after_deadline" and letter.signed_in_time is False
    signed = DossierEvent.objects.get(dossier=d, action="approve_apology")
    assert signed.payload["in_time"] is False and signed.payload["timing"] == "after_deadline"
    assert d.apology == "approved" and d.due_at == letter.new_due_at
    assert d.original_due_at == original


def test_a_letter_signed_after_the_date_it_proposed_promises_a_date_still_ahead(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=at("2026-11-27 10:00")
    )
    proposed = ApologyLetter.objects.get(dossier=d).new_due_at
    signed_at = at("2026-12-10 09:00")
    assert proposed < signed_at
    d = dossier_act(dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=signed_at)
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.new_due_at > signed_at and d.due_at == letter.new_due_at
    event = DossierEvent.objects.get(dossier=d, action="approve_apology")
    assert datetime.fromisoformat(event.payload["proposed_due_at"]) == proposed
    assert datetime.fromisoformat(event.payload["new_due_at"]) == letter.new_due_at


def test_an_apology_in_time_is_recorded_in_time(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=at("2026-11-26 09:00")
    )
    # Signed Friday 08:30: exactly one working day before Monday 08:30, still in time.
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=at("2026-11-27 08:30")
    )
    letter = ApologyLetter.objects.get(dossier=d)
    assert (letter.draft_timing, letter.sign_timing, letter.late) == ("in_time", "in_time", False)
    events = DossierEvent.objects.filter(dossier=d, action__in=["draft_apology", "approve_apology"])
    assert [e.payload["in_time"] for e in events.order_by("seq")] == [True, True]


@pytest.mark.parametrize(
    ("action", "status"),
    [(Action.WITHDRAW, Status.WITHDRAWN), (Action.STOP, Status.STOPPED)],
)
def test_a_draft_waiting_for_its_signature_closes_with_the_dossier(world, action, status):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=at("2026-11-27 10:00")
    )
    d = dossier_act(
        dossier=d,
        action=action,
        actor=world.lan,
        now=at("2026-11-27 11:00"),
        note="Công dân đề nghị.",
    )
    letter = ApologyLetter.objects.get(dossier=d)
    assert d.status == status and d.apology == "closed"
    assert letter.closed_at == at("2026-11-27 11:00") and letter.approved_at is None
    assert "văn bản xin lỗi chưa ký được đóng" in letter.closed_reason
    event = DossierEvent.objects.get(dossier=d, action=action.value)
    assert event.payload["apology_closed"] == letter.closed_reason
    with pytest.raises(TransitionError):  # no longer signable
        dossier_act(
            dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=at("2026-11-27 12:00")
        )


def test_a_draft_closes_in_the_same_transaction_as_the_action_that_ends_the_dossier(world):
    """The letter's closing is written behind the compare-and-set: when the action loses its
    race, neither the status nor the letter changes."""
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=at("2026-11-27 10:00")
    )
    Dossier.objects.filter(pk=d.pk).update(version=d.version + 1)  # someone else acted first
    with pytest.raises(ConflictError):
        dossier_act(dossier=d, action=Action.WITHDRAW, actor=world.lan, now=at("2026-11-27 11:00"))
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.closed_at is None and letter.closed_reason == ""
    assert Dossier.objects.get(pk=d.pk).apology == "draft"


def test_audit_detects_a_tampered_event(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    forward(d, world.lan, "2026-11-25 09:00")
    assert verify_chains() == []
    DossierEvent.objects.filter(dossier=d, seq=1).update(payload={"code": "forged"})
    problems = verify_chains()
    assert [(seq, "thay đổi" in msg) for _, seq, msg in problems] == [(1, True)]


def test_audit_detects_a_deleted_last_event(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    forward(d, world.lan, "2026-11-25 09:00")
    DossierEvent.objects.filter(dossier=d, seq=2).delete()
    assert len(verify_chains()) == 1


def mails(when="2026-11-25 17:00"):
    """Deliver the outbox, as the worker does, and return what was sent."""
    from django.core import mail

    from motcua.notify.services import outbox_deliver

    outbox_deliver(now=at(when))
    return mail.outbox


def test_the_citizen_hears_of_status_changes_not_of_every_internal_step(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:45")  # 2 -> 4: the citizen is told
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 10:00"))
    d = forward(d, world.duc, "2026-11-25 10:05")  # 4 -> 4: internal
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 11:00"))
    assert [m.subject for m in mails()] == [
        "Hồ sơ H26.100-261125-0001: Được tiếp nhận",
        "Hồ sơ H26.100-261125-0001: Đang xử lý",
    ]
    # What was sent is kept with the message.
    kept = OutboxMessage.objects.order_by("id").values_list("subject", flat=True)
    assert list(kept) == [m.subject for m in mails()]


def test_the_citizens_mail_gives_the_appointment_in_local_time_with_the_tracking_link(world):
    """A 09:30 appointment reads 09:30 (not the 02:30 stored in UTC), in Vietnamese even when
    the officer's screen is in English, with the link and code to follow the dossier."""
    from django.utils import translation

    with translation.override("en"):
        d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
        (message,) = mails()
    assert message.subject == "Hồ sơ H26.100-261125-0001: Được tiếp nhận"
    assert message.to == ["binh@example.vn"]
    assert "Kính gửi: Trần Văn Bình" in message.body
    assert "Hồ sơ của ông/bà đã được tiếp nhận." in message.body
    assert "Hẹn trả kết quả: 09:30 Thứ Hai 30/11/2026 (giờ Việt Nam)." in message.body
    assert f"tra-cuu/?code=H26.100-261125-0001&secret={d.tracking_secret}" in message.body
    ((html, kind),) = message.alternatives
    assert kind == "text/html" and "<li>" not in message.body
    assert "Hẹn trả kết quả: 09:30" in html and "&amp;secret=" in html  # the link, escaped


def test_a_supplement_request_tells_the_citizen_what_to_bring_and_that_the_clock_stops(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 10:00"),
        missing=["Giấy chứng sinh bản chính", "Sổ hộ khẩu <cũ>"],
    )
    message = mails()[-1]
    assert message.subject.endswith(": Yêu cầu bổ sung giấy tờ")
    assert "  1. Giấy chứng sinh bản chính\n  2. Sổ hộ khẩu <cũ>" in message.body
    assert "không tính vào thời hạn giải quyết" in message.body
    assert "Hẹn trả kết quả" not in message.body  # unknown while paused
    assert "<li>Sổ hộ khẩu &lt;cũ&gt;</li>" in message.alternatives[0][0]


def test_the_apology_reaches_the_citizen_with_the_agency_and_the_new_date(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 15:00")
    d = dossier_act(
        dossier=d,
        action=Action.DRAFT_APOLOGY,
        actor=world.tam,
        now=at("2026-11-26 09:00"),
        note="Chờ xác minh cư trú.",
    )
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    message = mails("2026-11-26 10:05")[-1]
    new_due = d.due_at.astimezone(calendar_for(world.hoan_kiem).tz)
    assert message.subject == "Hồ sơ H26.100-261125-0001: hẹn lại ngày trả kết quả"
    assert "Công an Phường Hoàn Kiếm xin lỗi" in message.body
    assert "Lý do: Chờ xác minh cư trú." in message.body
    assert f"Hẹn trả kết quả: {new_due:%H:%M}" in message.body


def test_a_stop_while_waiting_for_the_citizen_counts_the_wait_as_the_citizens(world):
    """Stopped after five weeks without the citizen's papers: the Department held the step
    a quarter of an hour; form 06 records the rest as citizen time, not as its delay."""
    d = dossier_receive(
        intake=intake(world, world.record), actor=world.ha, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.ha, "2026-11-25 08:45")
    d = dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.minh,
        now=at("2026-11-25 09:00"),
        missing=["Bản sao căn cước"],
    )
    d = dossier_act(
        dossier=d, action=Action.STOP, actor=world.ha, now=at("2026-12-30 09:00"), note="Dừng"
    )
    step = DossierStep.objects.get(dossier=d, index=1)
    cal = calendar_for(world.centre)
    assert step.paused_seconds == cal.working_seconds_between(
        at("2026-11-25 09:00"), at("2026-12-30 09:00")
    )
    assert step.outcome != "late"


def test_a_page_key_covers_one_intake_at_one_desk(world):
    """A double click is the same dossier; the same page sent again with another applicant
    (the back button keeps the key), or another desk's page with the same key, is not."""
    first = dossier_receive(
        intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"), idempotency_key="k1"
    )
    again = dossier_receive(
        intake=intake(world), actor=world.lan, now=at("2026-11-25 08:31"), idempotency_key="k1"
    )
    other = intake(world, applicant=Applicant(name="Lê Thị Hoa", id_number="001303012345"))
    second = dossier_receive(
        intake=other, actor=world.lan, now=at("2026-11-25 08:40"), idempotency_key="k1"
    )
    elsewhere = dossier_receive(
        intake=intake(world, competent_agency_code="H26.100"),
        actor=world.ha,
        now=at("2026-11-25 08:45"),
        idempotency_key="k1",
    )
    assert again.pk == first.pk
    assert second.pk != first.pk and second.applicant_name == "Lê Thị Hoa"
    assert elsewhere.pk not in (first.pk, second.pk)
    assert elsewhere.received_place == world.centre


def test_the_citizen_is_told_where_to_collect_the_result_and_why_a_dossier_stopped(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:45")
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00"))
    d = forward(d, world.duc, "2026-11-25 09:05")
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 09:10"))
    dossier_act(dossier=d, action=Action.MARK_READY, actor=world.long, now=at("2026-11-25 09:15"))
    ready = mails()[-1]
    assert "Mời ông/bà đến nhận kết quả tại Bộ phận một cửa – UBND Phường Hoàn Kiếm" in ready.body

    other = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 10:00"))
    dossier_act(
        dossier=other,
        action=Action.STOP,
        actor=world.lan,
        now=at("2026-11-25 10:30"),
        note="Công dân đề nghị dừng để bổ sung giấy tờ khác.",
    )
    stopped = mails()[-1]
    assert "Hồ sơ đã dừng giải quyết. Lý do: Công dân đề nghị dừng" in stopped.body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"applicant": Applicant(name="Trần Bình", id_number="001203012345", address="A\x00")},
            "applicant_address",
        ),
        (
            {
                "applicant": Applicant(
                    name="Trần Bình", id_number="001203012345", authorisation="Số 5\u202e"
                )
            },
            "authorisation",
        ),
        ({"request": "Cấp\u200b bản sao"}, "request"),
    ],
)
def test_the_service_refuses_what_no_field_may_hold_whoever_calls_it(world, changes, field):
    """Not only the desk's forms: NUL never reaches the database (a 500 on PostgreSQL)."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        dossier_receive(
            intake=intake(world, **changes), actor=world.lan, now=at("2026-11-25 09:30")
        )
    assert field in {p.details.get("field") for p in info.value.problems()}
    assert counts() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"note": "Chuyển\x00"}, "note"), ({"note": "\u202e"}, "note")],
)
def test_an_action_refuses_a_note_no_field_may_hold(world, kwargs, field):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    before = counts()
    with pytest.raises(ValidationError) as info:
        forward(d, world.lan, "2026-11-25 09:00", **kwargs)
    assert info.value.details["field"] == field
    assert counts() == before


def test_a_supplement_request_refuses_a_paper_no_field_may_hold(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    before = counts()
    with pytest.raises(ValidationError) as info:
        dossier_act(
            dossier=d,
            action=Action.REQUEST_SUPPLEMENT,
            actor=world.duc,
            now=at("2026-11-25 09:10"),
            missing=["Giấy chứng sinh", "Tờ\x00khai"],
        )
    assert info.value.details["field"] == "missing"
    assert counts() == before


def test_it_ties_a_dossier_to_a_citizens_account_in_its_first_event(world):
    from django.utils import timezone

    from motcua.citizens.models import Citizen
    from motcua.dossiers import audit

    citizen = Citizen.objects.create(email="an@example.vn", created_at=timezone.now())
    d = dossier_receive(
        intake=intake(world, citizen_id=citizen.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d.refresh_from_db()
    assert d.citizen_id == citizen.pk
    assert d.events.get(seq=1).payload["set"]["citizen_id"] == citizen.pk
    assert audit.verify().problems == []
    Dossier.objects.filter(pk=d.pk).update(citizen=None)  # a dossier moved off its account
    assert any("citizen_id" in str(p) for p in audit.verify().problems)


@pytest.fixture
def follower(monkeypatch):
    """A system following every dossier (as the portal's sync does): one message per event."""
    from motcua.dossiers import notices
    from motcua.notify.services import outbox_message

    monkeypatch.setattr(notices, "_FOLLOWERS", [])
    heard: list[tuple[int, int, str]] = []

    def follow(dossier, event):
        heard.append((dossier.pk, event.seq, event.action))
        return [
            outbox_message(
                recipient="https://follower.example.vn/in",
                template="",
                context={"seq": event.seq, "status": event.to_status},
                dossier_id=dossier.pk,
                dedupe_key=f"follower:{dossier.pk}:{event.seq}",
                now=event.at,
                channel="follower",
            )
        ]

    notices.dossier_followers_add(follow)
    notices.dossier_followers_add(follow)  # once only
    return heard


def test_followers_hear_of_every_change_in_its_transaction_or_not_at_all(world, follower):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    stale = Dossier.objects.get(pk=d.pk)
    forward(d, world.lan, "2026-11-25 09:00")
    assert follower == [(d.pk, 1, "receive"), (d.pk, 2, "forward")]
    sent = OutboxMessage.objects.filter(channel="follower").order_by("pk")
    assert [(m.dossier_id, m.context) for m in sent] == [
        (d.pk, {"seq": 1, "status": int(Status.RECEIVED)}),
        (d.pk, {"seq": 2, "status": int(Status.PROCESSING)}),
    ]
    with pytest.raises(ConflictError):
        dossier_act(
            dossier=stale, action=Action.REFUSE, actor=world.lan, now=at("2026-11-25 09:01"),
            note="x",
        )  # fmt: skip
    assert sent.count() == 2  # the lost race sent nothing
