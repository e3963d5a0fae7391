"""The lifecycle: the transition table for every state × action × role, the guards, and the
right to act on a step (agency, unit, holder, the role the step names, separation of duties).

Pure: no database. Places are plain keys: agency 1 is a commune (desk unit 11, culture and
society 12, its leadership 13), agency 2 the commune police (registration 21, leadership 23),
agency 3 another agency altogether.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from motcua.core.errors import GuardError, PermissionDenied, TransitionError, ValidationError
from motcua.core.lifecycle import (
    TRANSITIONS,
    Action,
    Facts,
    Post,
    Role,
    Status,
    allowed_actions,
    decide,
)

A = Action
R = Role
S = Status
COMMUNE, POLICE, ELSEWHERE = 1, 2, 3
DESK_UNIT, CULTURE, LEADERSHIP = 11, 12, 13
REGISTRATION = 21

# The table as the law and practice state it (DOMAIN §4-§5), written out by hand: where each
# action may start, who may take it, and the status it leads to ("=": unchanged).
ALL_STAFF = "desk specialist unit_leader agency_leader"
HANDLERS = "specialist unit_leader agency_leader"
LEADERS = "unit_leader agency_leader"
EXPECTED = {
    A.SUBMIT: ("none", "citizen desk system", "1"),
    A.RECEIVE: ("none 1", "desk", "2"),
    A.REFUSE: ("none 1", "desk", "3"),
    A.REQUEST_SUPPLEMENT: ("none 1 2 4", ALL_STAFF, "5"),
    A.SUPPLEMENT: ("5", "desk citizen", "4"),
    A.ASSIGN: ("2 4", LEADERS, "4"),
    A.FORWARD: ("2 4", ALL_STAFF, "4"),
    A.SEND_BACK: ("4", HANDLERS, "4"),
    A.REQUEST_PAYMENT: ("4", HANDLERS, "6"),
    A.PAY: ("6", "desk citizen system", "4"),
    A.PROPOSE: ("4", HANDLERS, "="),
    A.APPROVE: ("4", LEADERS, "="),
    A.MARK_READY: ("4", HANDLERS, "9"),
    A.RETURN_RESULT: ("9", "desk", "10"),
    A.WITHDRAW: ("2 4 5 6", "desk citizen", "7"),
    A.STOP: ("2 4 5 6 7", "desk agency_leader", "8"),
    A.DRAFT_APOLOGY: ("2 4 6", f"{HANDLERS} system", "="),
    A.APPROVE_APOLOGY: ("2 4 6", "agency_leader", "="),
    # Waiting for the citizen (5) pauses the clock: never warned, never overdue.
    A.WARN: ("2 4 6", "system", "="),
    A.MARK_OVERDUE: ("2 4 6", "system", "="),
    # Another installation's signed result of the step it held (motcua.exchange).
    A.EXCHANGE_RESULT: ("4", "system", "4"),
    # The apology signed on that installation for the step it holds (motcua.exchange).
    A.EXCHANGE_APOLOGY: ("2 4 6", "system", "="),
}
STATES: list[Status | None] = [None, *Status]
# Where the right to act narrows the table: before reception, only the desk asks for papers.
DESK_ONLY = {(A.REQUEST_SUPPLEMENT, None), (A.REQUEST_SUPPLEMENT, S.NEW)}


def parse_states(words: str) -> set[Status | None]:
    return {None if w == "none" else Status(int(w)) for w in words.split()}


def post_for(role: Role) -> Post:
    """A person in `role`, sitting in the commune's culture unit (the desk at the desk, the
    head in the leadership unit)."""
    if role in (R.SYSTEM, R.CITIZEN):
        return Post(role=role)
    unit = {R.DESK: DESK_UNIT, R.AGENCY_LEADER: LEADERSHIP}.get(role, CULTURE)
    return Post(role=role, user=100, agency=COMMUNE, unit=unit)


def facts_for(action: Action, status: Status | None, post: Post) -> Facts:
    """Facts under which every guard of `action` holds and `post` sits where it is taken: the
    dossier received at the post's agency, its open step held by the post, in its role."""
    received = status not in (None, S.NEW)
    step_role = R.SPECIALIST if action is A.PROPOSE else post.role
    facts = Facts(
        status=status,
        received=received,
        step_index=1,
        step_count=3,
        received_place=post.agency,
        deciding_agency=post.agency,
        step_name="Bước thử",
        step_role=step_role,
        step_agency=post.agency,
        step_unit=post.unit,
        holder=post.user,
        next_role=R.SPECIALIST,
        next_agency=post.agency,
        next_unit=post.unit,
    )
    if action is A.APPROVE:
        facts = replace(facts, step_signs=True, proposed=True, proposed_by=999)
    if action is A.MARK_READY:
        facts = replace(facts, step_index=2, step_signs=True, signed=True, approved=True)
    if action is A.APPROVE_APOLOGY:
        facts = replace(facts, apology="draft", apology_agency=post.agency)
    return facts


@pytest.mark.parametrize("action", list(Action))
def test_every_state_action_and_role_follows_the_table(action):
    sources, roles, target = EXPECTED[action]
    allowed_states = parse_states(sources)
    allowed_roles = {Role(r) for r in roles.split()}
    for status in STATES:
        for role in Role:
            post = post_for(role)
            facts = facts_for(action, status, post)
            if status not in allowed_states:
                with pytest.raises(TransitionError):
                    decide(action, facts, post)
            elif role not in allowed_roles or (
                (action, status) in DESK_ONLY and role is not R.DESK
            ):
                with pytest.raises(PermissionDenied):
                    decide(action, facts, post)
            else:
                result = decide(action, facts, post)
                want = None if target == "=" else Status(int(target))
                if action is A.SUPPLEMENT and not facts.received:
                    want = S.NEW  # supplemented before reception: back to the check
                assert result == want, (action, status, role)


def test_the_table_names_every_action_once():
    assert set(TRANSITIONS) == set(Action) == set(EXPECTED)


def test_supervisors_and_administrators_never_act():
    for role in (R.SUPERVISOR, R.ADMIN):
        post = post_for(role)
        for status in STATES:
            for action in Action:
                assert action not in allowed_actions(facts_for(action, status, post), post)


# --- Guards ---------------------------------------------------------------------------------

SPECIALIST = Post(role=R.SPECIALIST, user=1, agency=COMMUNE, unit=CULTURE)
OTHER_SPECIALIST = Post(role=R.SPECIALIST, user=2, agency=COMMUNE, unit=CULTURE)
UNIT_LEADER = Post(role=R.UNIT_LEADER, user=3, agency=COMMUNE, unit=CULTURE)
HEAD = Post(role=R.AGENCY_LEADER, user=4, agency=COMMUNE, unit=LEADERSHIP)
DESK = Post(role=R.DESK, user=5, agency=COMMUNE, unit=DESK_UNIT)
DESK_COLLEAGUE = Post(role=R.DESK, user=6, agency=COMMUNE, unit=DESK_UNIT)
POLICE_OFFICER = Post(role=R.SPECIALIST, user=7, agency=POLICE, unit=REGISTRATION)
OTHER_UNIT_LEADER = Post(role=R.UNIT_LEADER, user=8, agency=COMMUNE, unit=99)
POLICE_HEAD = Post(role=R.AGENCY_LEADER, user=9, agency=POLICE, unit=23)

# A birth registration in the commune: reception (desk), examination (specialist), signature
# (the chairman); the dossier is received at the commune and decided there.
RECEPTION = Facts(
    status=S.RECEIVED,
    received=True,
    step_index=0,
    step_count=3,
    received_place=COMMUNE,
    deciding_agency=COMMUNE,
    step_name="Tiếp nhận",
    step_role=R.DESK,
    step_agency=COMMUNE,
    step_unit=DESK_UNIT,
    holder=DESK.user,
    next_name="Thẩm định",
    next_role=R.SPECIALIST,
    next_agency=COMMUNE,
    next_unit=CULTURE,
)
EXAMINATION = replace(
    RECEPTION,
    status=S.PROCESSING,
    step_index=1,
    step_name="Thẩm định",
    step_role=R.SPECIALIST,
    step_unit=CULTURE,
    holder=None,
    next_name="Ký duyệt",
    next_role=R.AGENCY_LEADER,
    next_unit=LEADERSHIP,
)
SIGNATURE = replace(
    EXAMINATION,
    step_index=2,
    step_name="Ký duyệt",
    step_role=R.AGENCY_LEADER,
    step_unit=LEADERSHIP,
    step_signs=True,
    proposed=True,
    proposed_by=SPECIALIST.user,
    next_name="",
    next_role=None,
    next_agency=None,
    next_unit=None,
)


@pytest.mark.parametrize(
    ("action", "facts", "post", "message"),
    [
        (A.REQUEST_SUPPLEMENT, replace(EXAMINATION, supplement_requests=1), SPECIALIST, "một lần"),
        (A.FORWARD, SIGNATURE, HEAD, "bước cuối"),
        (A.FORWARD, replace(SIGNATURE, step_index=1, step_count=4), HEAD, "ký duyệt trước"),
        (A.SEND_BACK, replace(EXAMINATION, step_index=0), SPECIALIST, "bước đầu tiên"),
        (A.PROPOSE, replace(SIGNATURE, proposed=False), HEAD, "không phải bước chuyên viên"),
        (A.APPROVE, replace(EXAMINATION, proposed=True), UNIT_LEADER, "không phải bước ký"),
        (A.APPROVE, replace(SIGNATURE, proposed=False), HEAD, "Chưa có đề xuất"),
        (
            A.APPROVE,
            replace(SIGNATURE, signed=True, approved=True, proposed=False),
            HEAD,
            "đã được phê duyệt",
        ),
        (A.MARK_READY, EXAMINATION, SPECIALIST, "bước cuối"),
        (A.MARK_READY, SIGNATURE, HEAD, "chưa được lãnh đạo phê duyệt"),
        (A.WITHDRAW, replace(SIGNATURE, approved=True), DESK, "Đã có kết quả"),
        (A.STOP, replace(SIGNATURE, approved=True), DESK, "Đã có kết quả"),
        (A.DRAFT_APOLOGY, replace(EXAMINATION, apology="draft"), SPECIALIST, "một lần"),
        (A.DRAFT_APOLOGY, replace(EXAMINATION, apology="closed"), SPECIALIST, "một lần"),
        (A.APPROVE_APOLOGY, EXAMINATION, HEAD, "Không có dự thảo"),
        (
            A.EXCHANGE_APOLOGY,
            replace(EXAMINATION, apology="approved"),
            Post(role=R.SYSTEM),
            "một lần",
        ),
        (A.WARN, replace(EXAMINATION, warned=True), Post(role=R.SYSTEM), "Đã cảnh báo"),
        (A.WARN, replace(EXAMINATION, overdue=True), Post(role=R.SYSTEM), "Đã cảnh báo"),
        (A.MARK_OVERDUE, replace(EXAMINATION, overdue=True), Post(role=R.SYSTEM), "quá hạn"),
    ],
)
def test_a_guard_refuses_with_its_reason(action, facts, post, message):
    with pytest.raises(GuardError) as info:
        decide(action, facts, post)
    assert message in info.value.message


def test_the_signing_step_signs_then_hands_on_or_marks_the_result_ready():
    signed = replace(SIGNATURE, signed=True, approved=True, proposed=False)
    assert decide(A.APPROVE, SIGNATURE, HEAD) is None
    assert decide(A.MARK_READY, signed, HEAD) is S.DONE
    middle = replace(signed, step_count=4, next_role=R.SPECIALIST, next_agency=POLICE)
    assert decide(A.FORWARD, middle, HEAD) is S.PROCESSING


def test_a_last_step_that_signs_nothing_needs_a_decision_signed_earlier():
    card = replace(
        EXAMINATION, step_index=2, step_agency=POLICE, step_unit=REGISTRATION, holder=None
    )
    with pytest.raises(GuardError):
        decide(A.MARK_READY, card, POLICE_OFFICER)
    with pytest.raises(GuardError):  # signed, but a newer proposal waits for its signature
        decide(A.MARK_READY, replace(card, approved=True, proposed=True), POLICE_OFFICER)
    assert decide(A.MARK_READY, replace(card, approved=True), POLICE_OFFICER) is S.DONE


# --- The right to act on a step --------------------------------------------------------------

ALLOW = "allow"
DENY = PermissionDenied

# Who may take the step's work (forward, here): the step named by the template, its unit, and
# its holder decide; the desk only takes desk steps (DOMAIN §5 "Who acts on a step").
STEP_RIGHTS = [
    # facts, post, expected, why
    (RECEPTION, DESK, ALLOW, "the desk officer who received it"),
    (RECEPTION, DESK_COLLEAGUE, ALLOW, "the desk's steps belong to the whole counter"),
    (RECEPTION, SPECIALIST, DENY, "a back office does not take the desk's step"),
    (EXAMINATION, SPECIALIST, ALLOW, "unassigned: anyone of the unit in the step's role"),
    (EXAMINATION, UNIT_LEADER, ALLOW, "the unit's leader"),
    (EXAMINATION, DESK, DENY, "the desk does not complete a back-office step"),
    (EXAMINATION, HEAD, DENY, "the head is not of the unit the step names"),
    (EXAMINATION, OTHER_UNIT_LEADER, DENY, "the leader of another unit"),
    (EXAMINATION, POLICE_OFFICER, DENY, "staff of another agency"),
    (replace(EXAMINATION, holder=SPECIALIST.user), SPECIALIST, ALLOW, "its holder"),
    (replace(EXAMINATION, holder=SPECIALIST.user), OTHER_SPECIALIST, DENY, "not its holder"),
    (replace(EXAMINATION, holder=SPECIALIST.user), UNIT_LEADER, ALLOW, "the unit's leader"),
    (replace(EXAMINATION, step_role=R.UNIT_LEADER), SPECIALIST, DENY, "a leader's step"),
    (replace(EXAMINATION, step_role=R.UNIT_LEADER), UNIT_LEADER, ALLOW, "the leader's step"),
]


@pytest.mark.parametrize(("facts", "post", "expected", "why"), STEP_RIGHTS)
def test_the_step_decides_who_may_take_its_work(facts, post, expected, why):
    for action in (A.FORWARD, A.SEND_BACK, A.REQUEST_SUPPLEMENT):
        if action is A.SEND_BACK and (facts.step_index == 0 or post.role is R.DESK):
            continue  # the first step has nothing behind it; the desk does not send back
        if expected is ALLOW:
            decide(action, facts, post)
        else:
            with pytest.raises(expected):
                decide(action, facts, post)
        assert (action in allowed_actions(facts, post)) is (expected is ALLOW), why


def test_who_proposes_does_not_approve_and_only_the_named_authority_signs():
    """A unit leader at the chairman's step cannot sign; the chairman cannot sign his own
    proposal; the head of another agency cannot sign the commune's decision."""
    with pytest.raises(PermissionDenied):
        decide(A.APPROVE, SIGNATURE, UNIT_LEADER)
    leader_in_leadership = replace(UNIT_LEADER, unit=LEADERSHIP)
    with pytest.raises(PermissionDenied) as info:
        decide(A.APPROVE, SIGNATURE, leader_in_leadership)
    assert "Lãnh đạo cơ quan" in info.value.message  # only the role the step names signs
    with pytest.raises(PermissionDenied) as info:
        decide(A.APPROVE, replace(SIGNATURE, proposed_by=HEAD.user), HEAD)
    assert "đề xuất" in info.value.message
    with pytest.raises(PermissionDenied):
        decide(A.APPROVE, SIGNATURE, POLICE_HEAD)
    assert decide(A.APPROVE, SIGNATURE, HEAD) is None


def test_the_desk_receives_returns_and_stops_only_what_its_own_counter_received():
    other_desk = Post(role=R.DESK, user=50, agency=ELSEWHERE, unit=77)
    done = replace(SIGNATURE, status=S.DONE, step_role=None, step_agency=None, step_unit=None)
    assert decide(A.RETURN_RESULT, done, DESK) is S.RETURNED
    for action, facts in [
        (A.RETURN_RESULT, done),
        (A.WITHDRAW, EXAMINATION),
        (A.STOP, EXAMINATION),
        (A.SUPPLEMENT, replace(EXAMINATION, status=S.SUPPLEMENT)),
        (A.RECEIVE, replace(RECEPTION, status=S.NEW, received=False)),
    ]:
        with pytest.raises(PermissionDenied):
            decide(action, facts, other_desk)
    # The deciding agency's head may stop processing too; another agency's head may not.
    assert decide(A.STOP, EXAMINATION, HEAD) is S.STOPPED
    with pytest.raises(PermissionDenied):
        decide(A.STOP, EXAMINATION, POLICE_HEAD)


def test_assignment_is_the_unit_leaders_or_the_heads_and_stays_within_the_unit():
    assert decide(A.ASSIGN, EXAMINATION, UNIT_LEADER, assignee=SPECIALIST) is S.PROCESSING
    assert decide(A.ASSIGN, EXAMINATION, HEAD, assignee=SPECIALIST) is S.PROCESSING
    with pytest.raises(PermissionDenied):
        decide(A.ASSIGN, EXAMINATION, OTHER_UNIT_LEADER, assignee=SPECIALIST)
    with pytest.raises(PermissionDenied):
        decide(A.ASSIGN, EXAMINATION, POLICE_HEAD, assignee=SPECIALIST)
    kinh_te = Post(role=R.SPECIALIST, user=30, agency=COMMUNE, unit=14)
    for assignee in (kinh_te, POLICE_OFFICER, DESK, HEAD):
        with pytest.raises(ValidationError) as info:
            decide(A.ASSIGN, EXAMINATION, UNIT_LEADER, assignee=assignee)
        assert info.value.details["field"] == "to_user"


def test_forwarding_goes_only_to_the_next_steps_unit():
    assert decide(A.FORWARD, RECEPTION, DESK, assignee=SPECIALIST) is S.PROCESSING
    kinh_te = Post(role=R.SPECIALIST, user=30, agency=COMMUNE, unit=14)
    for assignee in (kinh_te, POLICE_OFFICER, HEAD, DESK_COLLEAGUE):
        with pytest.raises(ValidationError) as info:
            decide(A.FORWARD, RECEPTION, DESK, assignee=assignee)
        assert "Thẩm định" in info.value.message


def test_the_apology_is_drafted_by_the_agency_holding_it_and_signed_by_the_late_agencys_head():
    late = replace(EXAMINATION, step_agency=POLICE, step_unit=REGISTRATION)
    assert decide(A.DRAFT_APOLOGY, late, POLICE_OFFICER) is None
    with pytest.raises(PermissionDenied):
        decide(A.DRAFT_APOLOGY, late, SPECIALIST)
    draft = replace(late, apology="draft", apology_agency=POLICE)
    assert decide(A.APPROVE_APOLOGY, draft, POLICE_HEAD) is None
    with pytest.raises(PermissionDenied):
        decide(A.APPROVE_APOLOGY, draft, HEAD)


def test_staff_without_an_agency_cannot_act():
    nowhere = Post(role=R.SPECIALIST, user=1)
    with pytest.raises(PermissionDenied) as info:
        decide(A.FORWARD, EXAMINATION, nowhere)
    assert "chưa được gán cơ quan" in info.value.message


def test_the_worker_and_the_citizen_are_not_asked_where_they_sit():
    assert decide(A.MARK_OVERDUE, EXAMINATION, Post(role=R.SYSTEM)) is None
    supplement = replace(EXAMINATION, status=S.SUPPLEMENT)
    assert decide(A.SUPPLEMENT, supplement, Post(role=R.CITIZEN)) is S.PROCESSING


def test_the_buttons_offered_are_exactly_what_decide_allows():
    for facts in (RECEPTION, EXAMINATION, SIGNATURE):
        for post in (SPECIALIST, UNIT_LEADER, HEAD, DESK, POLICE_OFFICER):
            offered = set(allowed_actions(facts, post))
            for action in Action:
                try:
                    decide(action, facts, post)
                except (TransitionError, PermissionDenied):
                    assert action not in offered
                else:
                    assert action in offered


def test_the_desk_is_told_it_does_not_take_a_back_office_step():
    """Form 06 must never show Phòng Kinh tế's appraisal as done by the desk officer."""
    for action in (A.FORWARD, A.REQUEST_SUPPLEMENT):
        with pytest.raises(PermissionDenied) as info:
            decide(action, EXAMINATION, DESK)
        assert "Bộ phận một cửa không thực hiện bước “Thẩm định”" in info.value.message


def test_a_new_proposal_after_a_send_back_needs_its_own_signature():
    """The chairman signed, sent the dossier back, and the specialist proposed again: the old
    signature does not cover the new draft."""
    resigned = replace(SIGNATURE, signed=True, approved=True, proposed=True)
    for action in (A.MARK_READY, A.FORWARD):
        facts = resigned if action is A.MARK_READY else replace(resigned, step_count=4)
        with pytest.raises(GuardError):
            decide(action, facts, HEAD)
    assert decide(A.APPROVE, resigned, HEAD) is None


def test_the_head_of_the_deciding_agency_may_stop_and_no_other_head():
    police_decides = replace(EXAMINATION, deciding_agency=POLICE)
    assert decide(A.STOP, police_decides, POLICE_HEAD) is S.STOPPED
    with pytest.raises(PermissionDenied):
        decide(A.STOP, police_decides, HEAD)
