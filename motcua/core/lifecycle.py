"""Dossier statuses, actions, and the transition table with its guards (DOMAIN.md §4-§5)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from motcua.core.errors import GuardError, PermissionDenied, Text, TransitionError, _


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
    Status.NEW: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DONE: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}

# "End of processing" for statistics is the first of these (DOMAIN.md §4).
FINISHED = frozenset(
    {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.DONE, Status.RETURNED}
)
# Statuses in which the agency's clock may be running (5 pauses it; 1 has not started it).
OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT})


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

    @property
    def label(self) -> str:
        """The Vietnamese name of the action, as shown on buttons and timelines."""
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "Nộp hồ sơ",
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.REFUSE: "Từ chối tiếp nhận",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Action.SUPPLEMENT: "Công dân bổ sung hồ sơ",
    Action.ASSIGN: "Phân công xử lý",
    Action.FORWARD: "Chuyển bước tiếp theo",
    Action.SEND_BACK: "Trả lại bước trước",
    Action.REQUEST_PAYMENT: "Yêu cầu nộp phí, lệ phí",
    Action.PAY: "Đã nộp phí, lệ phí",
    Action.PROPOSE: "Đề xuất kết quả",
    Action.APPROVE: "Phê duyệt kết quả",
    Action.MARK_READY: "Có kết quả, chờ trả",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.WITHDRAW: "Công dân yêu cầu rút hồ sơ",
    Action.STOP: "Dừng giải quyết hồ sơ",
    Action.DRAFT_APOLOGY: "Dự thảo văn bản xin lỗi, gia hạn",
    Action.APPROVE_APOLOGY: "Ký văn bản xin lỗi, gia hạn",
    Action.WARN: "Cảnh báo sắp đến hạn",
    Action.MARK_OVERDUE: "Quá hạn xử lý",
}

S = Status
R = Role
_STAFF_HANDLERS = frozenset({R.SPECIALIST, R.UNIT_LEADER, R.AGENCY_LEADER})
_LEADERS = frozenset({R.UNIT_LEADER, R.AGENCY_LEADER})


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
    Action.REQUEST_PAYMENT: Rule(
        frozenset({S.PROCESSING}), S.PAYMENT, frozenset({R.DESK}) | _STAFF_HANDLERS
    ),
    Action.PAY: Rule(
        frozenset({S.PAYMENT}), S.PROCESSING, frozenset({R.DESK, R.CITIZEN, R.SYSTEM})
    ),
    Action.PROPOSE: Rule(frozenset({S.PROCESSING}), None, _STAFF_HANDLERS),
    Action.APPROVE: Rule(frozenset({S.PROCESSING}), None, _LEADERS),
    Action.MARK_READY: Rule(
        frozenset({S.PROCESSING}), S.DONE, frozenset({R.DESK}) | _STAFF_HANDLERS
    ),
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
    Action.WARN: Rule(frozenset(OPEN), None, frozenset({R.SYSTEM})),
    Action.MARK_OVERDUE: Rule(frozenset(OPEN), None, frozenset({R.SYSTEM})),
}


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a dossier (None status: not created yet)."""

    status: Status | None = None
    received: bool = False  # reception happened (clock started at least once)
    supplement_requests: int = 0
    step_index: int = 0
    step_count: int = 1
    proposed: bool = False
    approved: bool = False  # a decision/result has been issued
    apology: str = "none"  # "none" | "draft" | "approved"
    apology_in_time: bool = True  # now is at least one working day before the deadline
    overdue: bool = False
    warned: bool = False


def allowed_actions(facts: Facts, role: Role) -> list[Action]:
    """The actions `role` may take now; what the UI shows as buttons."""
    result = []
    for action in Action:
        try:
            decide(action, facts, role)
        except (TransitionError, PermissionDenied):
            continue
        result.append(action)
    return result


def decide(action: Action, facts: Facts, role: Role) -> Status | None:
    """Check an action against the table and its guards; return the new status (None: unchanged)."""
    rule = TRANSITIONS[action]
    if facts.status not in rule.sources:
        raise TransitionError(
            _("Không thể “{action_label}” khi hồ sơ đang ở trạng thái “{status_label}”."),
            action=action.value,
            status=int(facts.status) if facts.status else None,
            action_label=Text(action.label),
            status_label=Text(facts.status.label if facts.status else _("chưa tạo")),
        )
    if role not in rule.roles:
        raise PermissionDenied(
            _("{role_label} không có quyền “{action_label}”."),
            action=action.value,
            role=role.value,
            role_label=Text(role.label),
            action_label=Text(action.label),
        )
    _check_guards(action, facts)
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
    if action is Action.FORWARD and facts.step_index + 1 >= facts.step_count:
        raise GuardError(
            _("Đây là bước cuối của quy trình; không còn bước nào để chuyển tiếp."),
            action=action.value,
        )
    if action is Action.SEND_BACK and facts.step_index == 0:
        raise GuardError(_("Hồ sơ đang ở bước đầu tiên; không có bước trước để trả lại."))
    if action is Action.APPROVE and not facts.proposed:
        raise GuardError(_("Chưa có đề xuất kết quả để phê duyệt."), action=action.value)
    if action is Action.APPROVE and facts.approved:
        raise GuardError(_("Kết quả đã được phê duyệt."), action=action.value)
    if action is Action.MARK_READY and not facts.approved:
        raise GuardError(_("Kết quả chưa được lãnh đạo phê duyệt."), action=action.value)
    if action in (Action.WITHDRAW, Action.STOP) and facts.approved:
        # NĐ 118 Điều 21: only while no decision has been issued.
        raise GuardError(
            _("Đã có kết quả giải quyết; không thể rút hoặc dừng hồ sơ."), action=action.value
        )
    if action is Action.DRAFT_APOLOGY:
        if facts.apology != "none":
            raise GuardError(
                _("Văn bản xin lỗi và hẹn lại ngày trả chỉ được lập một lần."), action=action.value
            )
        if not facts.apology_in_time:
            raise GuardError(
                _(
                    "Văn bản xin lỗi phải được gửi chậm nhất 01 ngày làm việc "
                    "trước hạn trả kết quả."
                ),
                action=action.value,
            )
    if action is Action.APPROVE_APOLOGY and facts.apology != "draft":
        raise GuardError(_("Không có dự thảo văn bản xin lỗi chờ ký."), action=action.value)
    if action is Action.WARN and (facts.warned or facts.overdue):
        raise GuardError(_("Đã cảnh báo."), action=action.value)
    if action is Action.MARK_OVERDUE and facts.overdue:
        raise GuardError(_("Đã đánh dấu quá hạn."), action=action.value)
