"""Dossier statuses, actions, and the transition table with its guards (DOMAIN.md §4-§5)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from motcua.core.errors import (
    GuardError,
    PermissionDenied,
    Text,
    TransitionError,
    ValidationError,
    _,
)


class Status(IntEnum):
    """The national status code list used for portal sync (DOMAIN.md §4)."""

    NEW = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    REFUSED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT = 5  # Yêu cầu bổ sung giấy tờ
    PAYMENT = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả

    @property
    def label(self) -> str:
        """The Vietnamese name of the status."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NEW: _("Mới đăng ký"),
    Status.RECEIVED: _("Được tiếp nhận"),
    Status.REFUSED: _("Không được tiếp nhận"),
    Status.PROCESSING: _("Đang xử lý"),
    Status.SUPPLEMENT: _("Yêu cầu bổ sung giấy tờ"),
    Status.PAYMENT: _("Yêu cầu thực hiện nghĩa vụ tài chính"),
    Status.WITHDRAWN: _("Công dân yêu cầu rút hồ sơ"),
    Status.STOPPED: _("Dừng xử lý"),
    Status.DONE: _("Đã xử lý xong"),
    Status.RETURNED: _("Đã trả kết quả"),
}

# "End of processing" for statistics is the first of these (DOMAIN.md §4).
FINISHED = frozenset(
    {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.DONE, Status.RETURNED}
)
# Statuses in which the agency's clock may be running (5 pauses it; 1 has not started it).
OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT})
# Statuses in which the agency's clock runs: open, and not waiting for the citizen.
CLOCK_RUNS = OPEN - {Status.SUPPLEMENT}


class Role(StrEnum):
    DESK = "desk"  # cán bộ một cửa: receives and returns
    SPECIALIST = "specialist"  # chuyên viên of the competent unit
    UNIT_LEADER = "unit_leader"  # assigns within the unit
    AGENCY_LEADER = "agency_leader"  # approves, signs; head of the agency
    SUPERVISOR = "supervisor"  # the centre's oversight office: reads, never acts
    ADMIN = "admin"  # catalog and system administrators
    CITIZEN = "citizen"
    SYSTEM = "system"  # the worker

    @property
    def label(self) -> str:
        """The Vietnamese name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.DESK: _("Cán bộ một cửa"),
    Role.SPECIALIST: _("Chuyên viên"),
    Role.UNIT_LEADER: _("Lãnh đạo phòng"),
    Role.AGENCY_LEADER: _("Lãnh đạo cơ quan"),
    Role.SUPERVISOR: _("Giám sát"),
    Role.ADMIN: _("Quản trị"),
    Role.CITIZEN: _("Công dân"),
    Role.SYSTEM: _("Hệ thống"),
}


class Action(StrEnum):
    SUBMIT = "submit"  # online or postal submission: a draft awaiting the reception check
    RECEIVE = "receive"  # valid: code, receipt (form 01), clock starts
    REFUSE = "refuse"  # form 03
    REQUEST_SUPPLEMENT = "request_supplement"  # form 02; only once; pauses the clock
    SUPPLEMENT = "supplement"  # the citizen completes the dossier; clock resumes
    ASSIGN = "assign"  # a leader gives the dossier to a specialist of the unit
    FORWARD = "forward"  # hand over to the next step (possibly another agency)
    SEND_BACK = "send_back"  # hand back to the previous step, with a reason
    REQUEST_PAYMENT = "request_payment"
    PAY = "pay"
    PROPOSE = "propose"  # the specialist proposes the result
    APPROVE = "approve"  # the leader approves/signs the result
    MARK_READY = "mark_ready"  # result ready for return
    RETURN_RESULT = "return_result"  # handed over to the citizen
    WITHDRAW = "withdraw"  # the citizen asks to withdraw
    STOP = "stop"  # form 05
    DRAFT_APOLOGY = "draft_apology"  # form 04 drafted with a new date
    APPROVE_APOLOGY = "approve_apology"  # signed by the head of the agency
    WARN = "warn"  # the worker: due soon
    MARK_OVERDUE = "mark_overdue"  # the worker: past due
    # The step held by an agency on another installation (liên thông, motcua.exchange) ended
    # there: it closes with that installation's times and the dossier goes to the next step.
    EXCHANGE_RESULT = "exchange_result"
    # The agency on the other installation that held the step apologised there (form 04,
    # signed by its head): the letter and its new date are recorded here.
    EXCHANGE_APOLOGY = "exchange_apology"

    @property
    def label(self) -> str:
        """The Vietnamese name of the action, as shown on buttons and timelines."""
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: _("Nộp hồ sơ"),
    Action.RECEIVE: _("Tiếp nhận hồ sơ"),
    Action.REFUSE: _("Từ chối tiếp nhận"),
    Action.REQUEST_SUPPLEMENT: _("Yêu cầu bổ sung hồ sơ"),
    Action.SUPPLEMENT: _("Công dân bổ sung hồ sơ"),
    Action.ASSIGN: _("Phân công xử lý"),
    Action.FORWARD: _("Chuyển bước tiếp theo"),
    Action.SEND_BACK: _("Trả lại bước trước"),
    Action.REQUEST_PAYMENT: _("Yêu cầu nộp phí, lệ phí"),
    Action.PAY: _("Đã nộp phí, lệ phí"),
    Action.PROPOSE: _("Đề xuất kết quả"),
    Action.APPROVE: _("Phê duyệt kết quả"),
    Action.MARK_READY: _("Có kết quả, chờ trả"),
    Action.RETURN_RESULT: _("Trả kết quả"),
    Action.WITHDRAW: _("Công dân yêu cầu rút hồ sơ"),
    Action.STOP: _("Dừng giải quyết hồ sơ"),
    Action.DRAFT_APOLOGY: _("Dự thảo văn bản xin lỗi, gia hạn"),
    Action.APPROVE_APOLOGY: _("Ký văn bản xin lỗi, gia hạn"),
    Action.WARN: _("Cảnh báo sắp đến hạn"),
    Action.MARK_OVERDUE: _("Quá hạn xử lý"),
    Action.EXCHANGE_RESULT: _("Nhận kết quả liên thông"),
    Action.EXCHANGE_APOLOGY: _("Nhận văn bản xin lỗi liên thông"),
}

S = Status
R = Role
_STAFF_HANDLERS = frozenset({R.SPECIALIST, R.UNIT_LEADER, R.AGENCY_LEADER})
_LEADERS = frozenset({R.UNIT_LEADER, R.AGENCY_LEADER})
# The roles a step template may name as its signing authority (DOMAIN §5 "Who acts on a step").
SIGNING_ROLES = _LEADERS


@dataclass(frozen=True)
class Rule:
    """One row of the transition table: where an action may start, where it goes, who may act."""

    sources: frozenset[Status | None]  # None: the dossier does not exist yet
    target: Status | None  # None: the status does not change
    roles: frozenset[Role]


TRANSITIONS: dict[Action, Rule] = {
    Action.SUBMIT: Rule(frozenset({None}), S.NEW, frozenset({R.CITIZEN, R.DESK, R.SYSTEM})),
    Action.RECEIVE: Rule(frozenset({None, S.NEW}), S.RECEIVED, frozenset({R.DESK})),
    Action.REFUSE: Rule(frozenset({None, S.NEW}), S.REFUSED, frozenset({R.DESK})),
    # At the desk (None), online before reception (NEW) or during processing; at most once.
    Action.REQUEST_SUPPLEMENT: Rule(
        frozenset({None, S.NEW, S.RECEIVED, S.PROCESSING}),
        S.SUPPLEMENT,
        frozenset({R.DESK}) | _STAFF_HANDLERS,
    ),
    # Target depends on whether reception had happened: resolved by `decide`.
    Action.SUPPLEMENT: Rule(
        frozenset({S.SUPPLEMENT}), S.PROCESSING, frozenset({R.DESK, R.CITIZEN})
    ),
    Action.ASSIGN: Rule(frozenset({S.RECEIVED, S.PROCESSING}), S.PROCESSING, _LEADERS),
    Action.FORWARD: Rule(
        frozenset({S.RECEIVED, S.PROCESSING}), S.PROCESSING, frozenset({R.DESK}) | _STAFF_HANDLERS
    ),
    Action.SEND_BACK: Rule(frozenset({S.PROCESSING}), S.PROCESSING, _STAFF_HANDLERS),
    Action.REQUEST_PAYMENT: Rule(frozenset({S.PROCESSING}), S.PAYMENT, _STAFF_HANDLERS),
    Action.PAY: Rule(
        frozenset({S.PAYMENT}), S.PROCESSING, frozenset({R.DESK, R.CITIZEN, R.SYSTEM})
    ),
    Action.PROPOSE: Rule(frozenset({S.PROCESSING}), None, _STAFF_HANDLERS),
    Action.APPROVE: Rule(frozenset({S.PROCESSING}), None, _LEADERS),
    Action.MARK_READY: Rule(frozenset({S.PROCESSING}), S.DONE, _STAFF_HANDLERS),
    Action.RETURN_RESULT: Rule(frozenset({S.DONE}), S.RETURNED, frozenset({R.DESK})),
    Action.WITHDRAW: Rule(
        frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}),
        S.WITHDRAWN,
        frozenset({R.DESK, R.CITIZEN}),
    ),
    Action.STOP: Rule(
        frozenset({S.WITHDRAWN, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}),
        S.STOPPED,
        frozenset({R.DESK, R.AGENCY_LEADER}),
    ),
    Action.DRAFT_APOLOGY: Rule(
        frozenset({S.RECEIVED, S.PROCESSING, S.PAYMENT}), None, _STAFF_HANDLERS | {R.SYSTEM}
    ),
    Action.APPROVE_APOLOGY: Rule(
        frozenset({S.RECEIVED, S.PROCESSING, S.PAYMENT}), None, frozenset({R.AGENCY_LEADER})
    ),
    # Only while the clock runs: a dossier waiting for the citizen is never due nor overdue.
    Action.WARN: Rule(frozenset(CLOCK_RUNS), None, frozenset({R.SYSTEM})),
    Action.MARK_OVERDUE: Rule(frozenset(CLOCK_RUNS), None, frozenset({R.SYSTEM})),
    # Taken by the system on the other installation's signed result, never by a person.
    Action.EXCHANGE_RESULT: Rule(frozenset({S.PROCESSING}), S.PROCESSING, frozenset({R.SYSTEM})),
    Action.EXCHANGE_APOLOGY: Rule(
        frozenset({S.RECEIVED, S.PROCESSING, S.PAYMENT}), None, frozenset({R.SYSTEM})
    ),
}


@dataclass(frozen=True)
class Post:
    """Who acts, as plain keys: the role, the person, and the agency and unit they sit in.

    Keys are whatever the caller uses consistently (database ids); None for the system and
    for citizens, who hold no post.
    """

    role: Role
    user: int | None = None
    agency: int | None = None
    unit: int | None = None


@dataclass(frozen=True)
class Facts:
    """What the guards and the right to act need to know about a dossier (None status: not
    created yet). Places are the same kind of keys as `Post`'s."""

    status: Status | None = None
    received: bool = False  # reception happened (clock started at least once)
    supplement_requests: int = 0
    step_index: int = 0
    step_count: int = 1
    proposed: bool = False  # a result proposal waits for its signature
    proposed_by: int | None = None  # who proposed it: they may not approve it
    approved: bool = False  # a decision has been signed at some step (NĐ 118 Điều 21)
    signed: bool = False  # the current step's signing authority has signed
    apology: str = "none"  # "none" | "draft" | "approved" | "closed"
    apology_agency: int | None = None  # the agency whose head signs the drafted letter
    overdue: bool = False
    warned: bool = False
    # Where the dossier was received (its desk receives, returns, stops) and who decides.
    received_place: int | None = None
    deciding_agency: int | None = None
    # The open step: what its template assigns, where, and to whom (None: no step open).
    step_name: str = ""
    step_role: Role | None = None
    step_agency: int | None = None
    step_unit: int | None = None
    holder: int | None = None
    step_signs: bool = False  # the step is where its agency signs the decision
    # The step FORWARD leads to (None at the last step).
    next_name: str = ""
    next_role: Role | None = None
    next_agency: int | None = None
    next_unit: int | None = None

    @property
    def last_step(self) -> bool:
        return self.step_index + 1 >= self.step_count


def allowed_actions(facts: Facts, post: Post) -> list[Action]:
    """The actions `post` may take now; what the UI shows as buttons."""
    result = []
    for action in Action:
        try:
            decide(action, facts, post)
        except (TransitionError, PermissionDenied):
            continue
        result.append(action)
    return result


def decide(
    action: Action, facts: Facts, post: Post, *, assignee: Post | None = None
) -> Status | None:
    """Check an action against the table, its guards and the actor's right to act on this
    dossier and step; return the new status (None: unchanged).

    `assignee` is the person FORWARD hands the next step to, or ASSIGN gives this step to
    (ASSIGN needs one; without it, as for the buttons a page offers, only the right to assign
    is checked).
    """
    rule = TRANSITIONS[action]
    if facts.status not in rule.sources:
        raise TransitionError(
            _("Không thể “{action_label}” khi hồ sơ đang ở trạng thái “{status_label}”."),
            action=action.value,
            status=int(facts.status) if facts.status else None,
            action_label=Text(action.label),
            status_label=Text(facts.status.label if facts.status else _("chưa tạo")),
        )
    if post.role not in rule.roles:
        raise PermissionDenied(
            _("{role_label} không có quyền “{action_label}”."),
            action=action.value,
            role=post.role.value,
            role_label=Text(post.role.label),
            action_label=Text(action.label),
        )
    # Whose the dossier is comes before its conditions: a person without the right to act
    # learns nothing more about the dossier than that.
    _check_right(action, facts, post)
    _check_guards(action, facts)
    if assignee is not None:
        _check_assignee(action, facts, assignee)
    if action is Action.SUPPLEMENT and not facts.received:
        return Status.NEW  # supplemented before reception: back to the reception check
    return rule.target


def _check_guards(action: Action, facts: Facts) -> None:
    """Raise GuardError when an action's condition (beyond the status) is not met."""
    if action is Action.REQUEST_SUPPLEMENT and facts.supplement_requests >= 1:
        # NĐ 118 Điều 17: guidance is given once, listing everything missing.
        raise GuardError(
            _("Chỉ được yêu cầu bổ sung hồ sơ một lần; yêu cầu đã được gửi trước đó."),
            action=action.value,
        )
    if action in (Action.FORWARD, Action.EXCHANGE_RESULT) and facts.last_step:
        raise GuardError(
            _("Đây là bước cuối của quy trình; không còn bước nào để chuyển tiếp."),
            action=action.value,
        )
    if action is Action.FORWARD and facts.step_signs and (not facts.signed or facts.proposed):
        raise GuardError(
            _("Bước “{step}” phải được ký duyệt trước khi chuyển tiếp."),
            action=action.value,
            step=facts.step_name,
        )
    if action is Action.SEND_BACK and facts.step_index == 0:
        raise GuardError(_("Hồ sơ đang ở bước đầu tiên; không có bước trước để trả lại."))
    if action is Action.PROPOSE and facts.step_role is not Role.SPECIALIST:
        # The specialist drafts; leaders initial, sign or forward (DOMAIN §5).
        raise GuardError(
            _("Bước “{step}” không phải bước chuyên viên đề xuất kết quả."),
            action=action.value,
            step=facts.step_name,
        )
    if action is Action.APPROVE:
        if not facts.step_signs:
            raise GuardError(
                _("Bước “{step}” không phải bước ký duyệt kết quả."),
                action=action.value,
                step=facts.step_name,
            )
        if facts.signed and not facts.proposed:
            raise GuardError(_("Kết quả đã được phê duyệt."), action=action.value)
        if not facts.proposed:
            raise GuardError(_("Chưa có đề xuất kết quả để phê duyệt."), action=action.value)
    if action is Action.MARK_READY:
        if not facts.last_step:
            raise GuardError(
                _("Kết quả chỉ có ở bước cuối của quy trình; hãy chuyển hồ sơ tiếp."),
                action=action.value,
            )
        # The last step's own authority signs; a last step that signs nothing (a card issued
        # by a specialist, say) needs a decision signed earlier in the chain. Either way a
        # newer proposal (after a send-back) waits for its own signature.
        signed = facts.signed if facts.step_signs else facts.approved
        if not signed or facts.proposed:
            raise GuardError(_("Kết quả chưa được lãnh đạo phê duyệt."), action=action.value)
    if action in (Action.WITHDRAW, Action.STOP) and facts.approved:
        # NĐ 118 Điều 21: only while no decision has been issued.
        raise GuardError(
            _("Đã có kết quả giải quyết; không thể rút hoặc dừng hồ sơ."), action=action.value
        )
    # Never refused for being late: a late letter is still owed, and recorded as late.
    if action is Action.DRAFT_APOLOGY and facts.apology != "none":
        raise GuardError(
            _("Văn bản xin lỗi và hẹn lại ngày trả chỉ được lập một lần."), action=action.value
        )
    if action is Action.EXCHANGE_APOLOGY and facts.apology not in ("none", "draft"):
        raise GuardError(
            _("Văn bản xin lỗi và hẹn lại ngày trả chỉ được lập một lần."), action=action.value
        )
    if action is Action.APPROVE_APOLOGY and facts.apology != "draft":
        raise GuardError(_("Không có dự thảo văn bản xin lỗi chờ ký."), action=action.value)
    if action is Action.WARN and (facts.warned or facts.overdue):
        raise GuardError(_("Đã cảnh báo."), action=action.value)
    if action is Action.MARK_OVERDUE and facts.overdue:
        raise GuardError(_("Đã đánh dấu quá hạn."), action=action.value)


# Where the actor must sit for each action (DOMAIN §5 "Who acts on a step").
# The counter's work: the desk of the place that received the dossier.
_AT_DESK = frozenset(
    {
        Action.RECEIVE,
        Action.REFUSE,
        Action.SUPPLEMENT,
        Action.PAY,
        Action.RETURN_RESULT,
        Action.WITHDRAW,
    }
)
# The step's work: whoever holds the open step.
_ON_STEP = frozenset(
    {
        Action.FORWARD,
        Action.SEND_BACK,
        Action.PROPOSE,
        Action.APPROVE,
        Action.MARK_READY,
        Action.REQUEST_PAYMENT,
    }
)


def _check_right(action: Action, facts: Facts, post: Post) -> None:
    """Raise PermissionDenied unless `post` sits where `action` is taken on this dossier."""
    if post.role in (Role.SYSTEM, Role.CITIZEN):
        return  # the worker; a citizen's own dossier is checked by the channel they use
    if post.agency is None:
        raise PermissionDenied(_("Tài khoản chưa được gán cơ quan công tác."))
    before_reception = facts.status in (None, Status.NEW)
    if action in _AT_DESK or (action is Action.REQUEST_SUPPLEMENT and before_reception):
        _require_desk(action, facts, post)
    elif action in _ON_STEP or action is Action.REQUEST_SUPPLEMENT:
        _require_step(action, facts, post)
    elif action is Action.ASSIGN:
        _require_step_leader(facts, post)
    elif action is Action.STOP:
        # The desk issues the stop notice (NĐ 118 Điều 21); the deciding agency's head may too.
        if post.role is not Role.AGENCY_LEADER or post.agency != facts.deciding_agency:
            _require_desk(action, facts, post)
    elif action is Action.DRAFT_APOLOGY:
        if post.agency != facts.step_agency:
            raise _not_yours(action)
    elif action is Action.APPROVE_APOLOGY and facts.apology_agency not in (None, post.agency):
        raise PermissionDenied(_("Chỉ thủ trưởng cơ quan gây chậm trễ được ký văn bản xin lỗi."))


def _require_desk(action: Action, facts: Facts, post: Post) -> None:
    if post.role is not Role.DESK or post.agency != facts.received_place:
        raise PermissionDenied(
            _("Chỉ Bộ phận một cửa nơi tiếp nhận hồ sơ được “{action_label}”."),
            action=action.value,
            action_label=Text(action.label),
        )


def _require_step(action: Action, facts: Facts, post: Post) -> None:
    """The open step's unit acts on it: the person it is assigned to, or that unit's leader;
    while unassigned, anyone of the unit in the role the step names. The desk's steps belong
    to the whole counter, and the desk takes no other unit's step."""
    if facts.step_role is None or post.agency != facts.step_agency:
        raise _not_yours(action)
    step = facts.step_name
    if post.role is Role.DESK and facts.step_role is not Role.DESK:
        raise PermissionDenied(
            _("Bộ phận một cửa không thực hiện bước “{step}” của đơn vị chuyên môn."),
            action=action.value,
            step=step,
        )
    if post.unit != facts.step_unit:
        raise PermissionDenied(
            _("Bước “{step}” do đơn vị khác thực hiện."), action=action.value, step=step
        )
    unit_leader = post.role is Role.UNIT_LEADER
    if facts.step_role is Role.DESK:
        if post.role is not Role.DESK:
            raise PermissionDenied(
                _("Bước “{step}” do Bộ phận một cửa thực hiện."), action=action.value, step=step
            )
    elif facts.holder is not None:
        if post.user != facts.holder and not unit_leader:
            raise PermissionDenied(
                _("Bước “{step}” đã được giao cho người khác xử lý."),
                action=action.value,
                step=step,
            )
    elif post.role is not facts.step_role and not unit_leader:
        raise PermissionDenied(
            _("Bước “{step}” dành cho {role_label}."),
            action=action.value,
            step=step,
            role_label=Text(facts.step_role.label),
        )
    if action is Action.APPROVE and facts.step_signs and post.role is not facts.step_role:
        # Only the signing authority the step names signs (a deputy holds the same role).
        raise PermissionDenied(
            _("Chỉ {role_label} được ký duyệt ở bước “{step}”."),
            action=action.value,
            step=step,
            role_label=Text(facts.step_role.label),
        )
    if action is Action.APPROVE and post.user is not None and post.user == facts.proposed_by:
        raise PermissionDenied(
            _("Người đề xuất kết quả không được tự phê duyệt kết quả đó."), action=action.value
        )


def _require_step_leader(facts: Facts, post: Post) -> None:
    """Assignment: the leader of the step's unit, or the head of its agency."""
    if post.agency != facts.step_agency:
        raise _not_yours(Action.ASSIGN)
    if post.role is Role.UNIT_LEADER and post.unit != facts.step_unit:
        raise PermissionDenied(
            _("Chỉ lãnh đạo đơn vị thực hiện bước “{step}” được phân công lại."),
            action=Action.ASSIGN.value,
            step=facts.step_name,
        )


def _check_assignee(action: Action, facts: Facts, assignee: Post) -> None:
    """Forwarding goes to the next step's unit, assignment stays within the step's unit, and
    either goes to someone in the role the step names (or that unit's leader)."""
    if action is Action.FORWARD:
        name, role, agency, unit = (
            facts.next_name,
            facts.next_role,
            facts.next_agency,
            facts.next_unit,
        )
    elif action is Action.ASSIGN:
        name, role, agency, unit = (
            facts.step_name,
            facts.step_role,
            facts.step_agency,
            facts.step_unit,
        )
    else:
        raise TransitionError(
            _("Thao tác “{action_label}” không giao hồ sơ cho ai."),
            action=action.value,
            action_label=Text(action.label),
        )
    fits = assignee.role is role or assignee.role is Role.UNIT_LEADER
    if assignee.agency != agency or assignee.unit != unit or not fits or role is None:
        raise ValidationError(
            _("Người được giao phải là cán bộ của đơn vị thực hiện bước “{step}”."),
            field="to_user",
            step=name,
        )


def _not_yours(action: Action) -> PermissionDenied:
    return PermissionDenied(_("Hồ sơ không do cơ quan của bạn đang xử lý."), action=action.value)
