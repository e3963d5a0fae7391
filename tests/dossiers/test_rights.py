"""The right to act, through the write path: the cases found by trying the workspace as its
users would, inside one commune (issue 7). Each refusal leaves no trace in any table."""

from __future__ import annotations

import pytest

from motcua.core.errors import GuardError, PermissionDenied, ValidationError
from motcua.core.lifecycle import Action, Role, Status
from motcua.dossiers.models import (
    ApologyLetter,
    DailySequence,
    Dossier,
    DossierEvent,
    DossierStep,
)
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from tests.conftest import at
from tests.dossiers.test_services import forward, intake
from tests.factories import _person


def everything() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Dossier, DossierEvent, DossierStep, OutboxMessage, ApologyLetter, DailySequence)
    )


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


@pytest.fixture
def thu(world):
    """Thu, a specialist of the commune's economic unit (Phòng Kinh tế)."""
    return _person("thu", "Đặng Thị Thu", world.hoan_kiem, "kinh-te", Role.SPECIALIST)


@pytest.fixture
def birth(world):
    """A birth registration forwarded by the desk to the commune's culture unit."""
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    return forward(d, world.lan, "2026-11-25 08:45")


def refused(error, d, action, actor, when="2026-11-25 10:00", **kw):
    before = everything()
    with pytest.raises(error) as info:
        act(d, action, actor, when, **kw)
    assert everything() == before
    row = Dossier.objects.get(pk=d.pk)
    assert (row.version, row.status, row.step_index) == (d.version, d.status, d.step_index)
    return info.value


def test_the_desk_cannot_pass_on_a_step_the_back_office_holds(world, birth):
    """Form 06 would otherwise record the unit's examination as done by the desk officer."""
    exc = refused(PermissionDenied, birth, Action.FORWARD, world.lan)
    assert "Bộ phận một cửa không thực hiện bước" in exc.message
    assert (Dossier.objects.get(pk=birth.pk).step_index, birth.steps.count()) == (1, 1)


def test_a_unit_leader_cannot_sign_at_the_chairmans_step(world, birth):
    d = act(birth, Action.PROPOSE, world.duc, "2026-11-25 09:30")
    d = forward(d, world.duc, "2026-11-25 09:40")  # now at the chairman's step
    refused(PermissionDenied, d, Action.APPROVE, world.son)
    refused(PermissionDenied, d, Action.MARK_READY, world.son)
    # The desk cannot return a result nobody signed, and the chairman can.
    refused(GuardError, d, Action.MARK_READY, world.long)
    d = act(d, Action.APPROVE, world.long, "2026-11-25 10:30")
    d = act(d, Action.MARK_READY, world.long, "2026-11-25 10:35")
    assert d.status == Status.DONE


def test_a_specialist_of_another_unit_cannot_propose_or_forward(world, birth, thu):
    d = act(birth, Action.ASSIGN, world.son, "2026-11-25 09:00", to_user_id=world.duc.user_id)
    assert d.current_holder_id == world.duc.user_id
    refused(PermissionDenied, d, Action.PROPOSE, thu)
    refused(PermissionDenied, d, Action.FORWARD, thu)


def test_a_colleague_cannot_take_a_step_assigned_to_someone_else(world, birth):
    hung = _person("hung", "Phạm Văn Hùng", world.hoan_kiem, "van-hoa-xa-hoi", Role.SPECIALIST)
    d = act(birth, Action.ASSIGN, world.son, "2026-11-25 09:00", to_user_id=world.duc.user_id)
    exc = refused(PermissionDenied, d, Action.PROPOSE, hung)
    assert "đã được giao cho người khác" in exc.message
    # The unit's leader can reassign it, and then Hùng takes it.
    d = act(d, Action.ASSIGN, world.son, "2026-11-25 09:10", to_user_id=hung.user_id)
    d = act(d, Action.PROPOSE, hung, "2026-11-25 09:20")
    assert d.proposed_by_id == hung.user_id


def test_the_desk_cannot_forward_to_a_unit_the_procedure_does_not_name(world, thu):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    exc = refused(ValidationError, d, Action.FORWARD, world.lan, to_user_id=thu.user_id)
    assert exc.details["field"] == "to_user"
    d = forward(d, world.lan, "2026-11-25 08:45", to_user_id=world.duc.user_id)
    assert (d.current_unit.code, d.current_holder_id) == ("van-hoa-xa-hoi", world.duc.user_id)


def test_assignment_stays_within_the_unit_that_takes_the_step(world, birth, thu):
    exc = refused(ValidationError, birth, Action.ASSIGN, world.son, to_user_id=thu.user_id)
    assert exc.details["field"] == "to_user"
    refused(ValidationError, birth, Action.ASSIGN, world.son)  # nobody chosen
    refused(PermissionDenied, birth, Action.ASSIGN, world.kien, to_user_id=world.duc.user_id)


def test_who_proposes_does_not_approve(world, birth):
    """Even the chairman, if he drafted the result at the unit's step, does not sign it."""
    d = act(birth, Action.ASSIGN, world.son, "2026-11-25 09:00", to_user_id=world.son.user_id)
    d = act(d, Action.PROPOSE, world.son, "2026-11-25 09:30")
    d = forward(d, world.son, "2026-11-25 09:40")
    chairman = _person(
        "chutich", "Trịnh Văn Chính", world.hoan_kiem, "lanh-dao", Role.AGENCY_LEADER
    )
    Dossier.objects.filter(pk=d.pk).update(proposed_by_id=chairman.user_id)  # as if he drafted
    d.refresh_from_db()
    exc = refused(PermissionDenied, d, Action.APPROVE, chairman)
    assert "đề xuất" in exc.message
    act(d, Action.APPROVE, world.long, "2026-11-25 10:00")


def test_a_signing_step_of_a_chain_signs_before_it_hands_on(world):
    """The chain's factory plan has no leader steps; give the commune's examination step a
    chairman's signature in front of the police, as the catalog's chains do."""
    from decimal import Decimal

    from django.db.models import F

    from motcua.catalog.models import StepTemplate

    version = world.chain.versions.get()
    StepTemplate.objects.filter(version=version, order__gte=2).update(order=F("order") + 10)
    StepTemplate.objects.create(
        version=version,
        order=2,
        name="Ký Giấy khai sinh, chuyển liên thông",
        agency_ref="competent",
        unit_code="lanh-dao",
        role="agency_leader",
        allotment=Decimal("0.25"),
    )
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 08:45")
    d = act(d, Action.PROPOSE, world.duc, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 09:10")
    exc = refused(GuardError, d, Action.FORWARD, world.long)
    assert "phải được ký duyệt trước" in exc.message
    d = act(d, Action.APPROVE, world.long, "2026-11-25 10:00")
    d = forward(d, world.long, "2026-11-25 10:05")
    assert d.current_agency == world.police_hk
    assert (d.approved, d.proposed, d.signed_step) == (True, False, 2)


def test_after_a_send_back_the_new_draft_is_signed_again_before_the_result(world, birth):
    """The chairman signs, then sends the dossier back; the specialist's new proposal may not
    go out under the old signature: the chairman signs it, and only then is it ready."""
    d = act(birth, Action.PROPOSE, world.duc, "2026-11-25 09:00")
    d = forward(d, world.duc, "2026-11-25 09:10")
    d = act(d, Action.APPROVE, world.long, "2026-11-25 09:20")
    d = act(d, Action.SEND_BACK, world.long, "2026-11-25 09:25", note="Sai ngày sinh")
    d = act(d, Action.PROPOSE, world.duc, "2026-11-25 09:40")
    d = forward(d, world.duc, "2026-11-25 09:50")
    refused(GuardError, d, Action.MARK_READY, world.long, "2026-11-25 10:00")
    d = act(d, Action.APPROVE, world.long, "2026-11-25 10:05")
    d = act(d, Action.MARK_READY, world.long, "2026-11-25 10:10")
    assert d.status == Status.DONE


@pytest.fixture
def residence(world):
    """1.004222 as the catalog has it: competent "commune", every step at its police."""
    from tests.factories import _procedure

    return _procedure(
        "1.004222",
        "Đăng ký thường trú",
        "commune",
        "commune",
        "7",
        "working_days",
        [
            ("Tiếp nhận", "receiving", "mot-cua", "desk", "0.5"),
            ("Thẩm định", "commune_police", "dang-ky-cu-tru", "specialist", "5.5"),
            ("Phê duyệt", "commune_police", "lanh-dao", "agency_leader", "1"),
        ],
        ["Tờ khai thay đổi thông tin cư trú"],
    )


def test_the_head_of_the_deciding_agency_may_stop_not_the_procedures_nominal_one(world, residence):
    """Residence registration is decided by the commune police, although the catalog names
    the commune as competent (its steps are the police's): the police head may stop it,
    the chairman may not."""
    d = dossier_receive(
        intake=intake(world, residence), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:45")
    refused(PermissionDenied, d, Action.STOP, world.long, note="Thử")
    d = act(d, Action.STOP, world.kien, "2026-11-25 09:05", note="Công dân đề nghị dừng")
    assert d.status == Status.STOPPED
