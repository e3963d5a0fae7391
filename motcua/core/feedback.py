"""Satisfaction ratings and feedback (phản ánh, kiến nghị): the rules, pure (DOMAIN §5, §13).

A rating is given once per returned dossier, on several dimensions of 1–5 and a comment. A
feedback item is routed to the agency concerned, never to the official it complains about,
has working-day deadlines counted by the centre's calendar from when it was received, and is
escalated when late — to the head of the agency, then to the oversight office — without its
clock ever starting again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from motcua.core.calendar import WorkCalendar
from motcua.core.codes import TRACKING_ALPHABET, new_tracking_secret, normalize_tracking_secret
from motcua.core.errors import (
    InvalidInput,
    NotFound,
    TransitionError,
    ValidationError,
    _,
)
from motcua.core.lifecycle import Role, Status
from motcua.core.text import fold

# ---------------------------------------------------------------------------------------------
# Ratings

SCORE_MIN, SCORE_MAX = 1, 5
MAX_COMMENT = 2000


class Dimension(StrEnum):
    """What a citizen rates (the 766 index's satisfaction questions, in plain words)."""

    CONDUCT = "conduct"
    PUNCTUALITY = "punctuality"
    GUIDANCE = "guidance"
    SIMPLICITY = "simplicity"


DIMENSION_LABELS: dict[Dimension, str] = {
    Dimension.CONDUCT: _("Thái độ, tác phong của cán bộ"),
    Dimension.PUNCTUALITY: _("Trả kết quả đúng hẹn"),
    Dimension.GUIDANCE: _("Hướng dẫn rõ ràng, dễ hiểu"),
    Dimension.SIMPLICITY: _("Thủ tục đơn giản, dễ làm"),
}

SCORE_LABELS: dict[int, str] = {
    1: _("Rất không hài lòng"),
    2: _("Không hài lòng"),
    3: _("Bình thường"),
    4: _("Hài lòng"),
    5: _("Rất hài lòng"),
}


class RatingChannel(StrEnum):
    ACCOUNT = "account"  # the citizen signed in, the dossier tied to their account
    TRACKING = "tracking"  # code and tracking secret (the link in the result notice)


def check_rating(
    *, status: int, already_rated: bool, scores: Mapping[str, int | None], comment: str
) -> dict[Dimension, int]:
    """The scores to store, or the reasons refused (state first, then every problem at once)."""
    if status != Status.RETURNED:
        raise TransitionError(
            _("Chỉ đánh giá được sau khi ông/bà đã nhận kết quả của hồ sơ."), field=None
        )
    if already_rated:
        raise TransitionError(
            _("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần."), field=None
        )
    problems: list[ValidationError] = []
    checked: dict[Dimension, int] = {}
    for dimension in Dimension:
        value = scores.get(dimension.value)
        if value is None or not SCORE_MIN <= value <= SCORE_MAX:
            problems.append(
                ValidationError(
                    _("Hãy chọn một mức từ 1 đến 5."),
                    field=dimension.value,
                )
            )
        else:
            checked[dimension] = value
    if len(comment) > MAX_COMMENT:
        problems.append(
            ValidationError(_("Ý kiến tối đa {limit} ký tự."), field="comment", limit=MAX_COMMENT)
        )
    if problems:
        raise InvalidInput(problems)
    return checked


def at_desk(*, staff_session: bool, address_at_desk: bool, device_at_desk: bool) -> bool:
    """Whether a rating was entered on the desk's own device (DOMAIN §13: flagged, since an
    officer may be watching): a staff sign-in in the same browser, an address of the desk's
    network, or a device the desk marked as its own."""
    return staff_session or address_at_desk or device_at_desk


def handlers(step_holders: Sequence[int | None], returned_by: int | None) -> list[int]:
    """Whom a rating is attributed to: each person who held one of the dossier's steps, and
    whoever handed the result over, once each, in the order they held it. Nobody else: a
    leader who never held the dossier is not rated for it (DOMAIN §10, §13)."""
    people: list[int] = []
    for user in [*step_holders, returned_by]:
        if user is not None and user not in people:
            people.append(user)
    return people


@dataclass(frozen=True)
class Rate:
    """A response rate: how many were rated out of how many were returned."""

    rated: int
    returned: int

    @property
    def value(self) -> float | None:
        """rated ÷ returned, None when nothing was returned."""
        return self.rated / self.returned if self.returned else None

    @property
    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


# ---------------------------------------------------------------------------------------------
# Feedback and complaints


class Subject(StrEnum):
    """What a feedback item is about."""

    PROCEDURE = "procedure"  # a procedure (its rules, papers, fees)
    DOSSIER = "dossier"  # one dossier's handling
    OFFICIAL = "official"  # an official's conduct


SUBJECT_LABELS: dict[Subject, str] = {
    Subject.PROCEDURE: _("Về thủ tục hành chính"),
    Subject.DOSSIER: _("Về việc giải quyết một hồ sơ"),
    Subject.OFFICIAL: _("Về thái độ, hành vi của cán bộ"),
}


class State(StrEnum):
    OPEN = "open"  # received, being handled by `agency`
    ANSWERED = "answered"
    REFUSED = "refused"


STATE_LABELS: dict[State, str] = {
    State.OPEN: _("Đang xem xét, xử lý"),
    State.ANSWERED: _("Đã trả lời"),
    State.REFUSED: _("Không xem xét (có lý do)"),
}


class Level(IntEnum):
    """Who watches a late item: its agency, then also the agency's head, then also the
    oversight office. Raising the level never moves a deadline."""

    AGENCY = 0
    HEAD = 1
    OVERSIGHT = 2


LEVEL_LABELS: dict[Level, str] = {
    Level.AGENCY: _("Cơ quan xử lý"),
    Level.HEAD: _("Đã báo người đứng đầu cơ quan"),
    Level.OVERSIGHT: _("Đã báo cơ quan giám sát"),
}


class Event(StrEnum):
    FILE = "file"
    ASK = "ask"  # the agency asks the citizen for more information (once)
    REPLY = "reply"  # the citizen's answer to it
    FORWARD = "forward"
    ANSWER = "answer"
    REFUSE = "refuse"
    ESCALATE = "escalate"
    PUBLISH = "publish"  # the agency makes the question and its answer public


EVENT_LABELS: dict[Event, str] = {
    Event.FILE: _("Tiếp nhận phản ánh, kiến nghị"),
    Event.ASK: _("Đề nghị bổ sung thông tin"),
    Event.REPLY: _("Công dân bổ sung thông tin"),
    Event.FORWARD: _("Chuyển cơ quan có thẩm quyền"),
    Event.ANSWER: _("Trả lời"),
    Event.REFUSE: _("Không xem xét"),
    Event.ESCALATE: _("Báo cáo cấp trên do quá hạn"),
    Event.PUBLISH: _("Công khai trả lời"),
}


@dataclass(frozen=True)
class FeedbackPolicy:
    """Working days allowed, from when the item was received (DOMAIN §5 [practice]: the 766
    index's limits; NĐ 20/2008 for forwarding [law]). Configuration, not constants."""

    refuse_days: int = 2
    supplement_days: int = 5
    forward_days: int = 5
    handle_days: int = 15
    publish_days: int = 2  # after the answer
    # After the handling deadline, how long the head has before the oversight office is told.
    oversight_after_days: int = 2


DEFAULT_FEEDBACK_POLICY = FeedbackPolicy()


@dataclass(frozen=True)
class Deadlines:
    """The item's deadlines: counted once, from the receipt, and never reset."""

    starts: datetime  # when counting starts (after 17:00, on a rest day: the next opening)
    refuse_by: datetime
    supplement_by: datetime
    forward_by: datetime
    handle_by: datetime
    oversight_at: datetime  # when a still unanswered item reaches the oversight office


def deadlines(
    received_at: datetime,
    calendar: WorkCalendar,
    policy: FeedbackPolicy = DEFAULT_FEEDBACK_POLICY,
) -> Deadlines:
    """Each limit in working days of the centre's calendar from when counting starts."""
    starts = calendar.clock_start(received_at)

    def after(days: int) -> datetime:
        return calendar.add_working_days(starts, days)

    return Deadlines(
        starts=starts,
        refuse_by=after(policy.refuse_days),
        supplement_by=after(policy.supplement_days),
        forward_by=after(policy.forward_days),
        handle_by=after(policy.handle_days),
        oversight_at=after(policy.handle_days + policy.oversight_after_days),
    )


def publish_by(
    answered_at: datetime,
    calendar: WorkCalendar,
    policy: FeedbackPolicy = DEFAULT_FEEDBACK_POLICY,
) -> datetime:
    """When the answer must be public at the latest (2 working days after it is given)."""
    return calendar.add_working_days(calendar.clock_start(answered_at), policy.publish_days)


def timing(done_at: datetime, due_at: datetime) -> str:
    """ "in_time" or "late": recorded on the event, never a reason to refuse the act."""
    return "in_time" if done_at <= due_at else "late"


def escalation(
    *, state: State, level: Level, handle_by: datetime, oversight_at: datetime, now: datetime
) -> Level | None:
    """The level an item should be raised to now, or None: an open item past its handling
    deadline goes to the head of its agency, and past `oversight_at` to the oversight office;
    one level per pass, never down, never for a closed item."""
    if state is not State.OPEN:
        return None
    if level < Level.HEAD and now >= handle_by:
        return Level.HEAD
    if level < Level.OVERSIGHT and now >= oversight_at:
        return Level.OVERSIGHT
    return None


@dataclass(frozen=True)
class Official:
    """The official a complaint is about, as plain keys."""

    user: int | None  # None: the name typed matched nobody of the agency
    agency: int
    unit: int | None
    role: Role | None
    at_desk: bool  # sits in a one-stop desk unit (or the citizen says so)


@dataclass(frozen=True)
class Route:
    """Where an item goes, and who of that agency may not handle it (the official)."""

    agency: int
    excluded_user: int | None = None
    reason: str = ""


def route(
    subject: Subject,
    *,
    centre: int | None,
    dossier_agency: int | None = None,
    procedure_agency: int | None = None,
    place: int | None = None,
    official: Official | None = None,
    official_parent: int | None = None,
) -> Route:
    """The agency concerned (DOMAIN §5): a dossier's deciding agency; a procedure's competent
    agency (or the place the citizen names when the procedure is decided where it is lodged);
    an official's agency — except that the one-stop desk and its officers answer to the
    centre (NĐ 309/2026), and a head of agency to the agency above. Never the official."""
    if subject is Subject.DOSSIER:
        if dossier_agency is None:
            raise ValidationError(_("Hãy nhập đúng mã hồ sơ."), field="dossier_code")
        return Route(dossier_agency, reason=_("Cơ quan giải quyết hồ sơ"))
    if subject is Subject.PROCEDURE:
        target = procedure_agency or place or centre
        if target is None:
            raise ValidationError(_("Hãy chọn thủ tục."), field="procedure")
        return Route(target, reason=_("Cơ quan có thẩm quyền giải quyết thủ tục"))
    if official is None:
        raise ValidationError(_("Hãy chọn cán bộ bị phản ánh."), field="official")
    if official.at_desk and centre is not None:
        return Route(centre, official.user, _("Trung tâm Phục vụ hành chính công"))
    if official.role is Role.AGENCY_LEADER:
        target = official_parent or centre
        if target is None:
            raise ValidationError(_("Chưa có cơ quan cấp trên để nhận phản ánh."), field="official")
        return Route(target, official.user, _("Cơ quan cấp trên của người bị phản ánh"))
    return Route(official.agency, official.user, _("Cơ quan quản lý cán bộ"))


# Who handles an item at its agency: leaders always; the desk, for an item not about conduct.
GENERAL_HANDLERS = frozenset({Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.DESK})


@dataclass(frozen=True)
class ItemFacts:
    """What the right to handle an item needs, as plain keys."""

    state: State
    agency: int
    subject: Subject
    excluded_user: int | None = None
    official_unit: int | None = None  # the unit of the official complained about
    official_agency: int | None = None


def may_see(
    role: Role,
    user: int | None,
    agency: int | None,
    unit: int | None,
    item: ItemFacts,
    *,
    level: Level,
) -> bool:
    """Whether a member of staff may read the item: whoever may handle it (never the official
    complained about), and the oversight office once it has been told."""
    if user is not None and user == item.excluded_user:
        return False
    if role is Role.SUPERVISOR:
        return level >= Level.OVERSIGHT
    return _may_handle(role, agency, unit, item)


def _may_handle(role: Role, agency: int | None, unit: int | None, item: ItemFacts) -> bool:
    if agency != item.agency:
        return False
    if item.subject is not Subject.OFFICIAL:
        return role in GENERAL_HANDLERS
    # Conduct: the official's leaders only — the head of the agency, or the leader of the
    # official's own unit when the item stays in the official's agency.
    if role is Role.AGENCY_LEADER:
        return True
    return (
        role is Role.UNIT_LEADER
        and item.official_agency == item.agency
        and (unit is None or unit == item.official_unit)
    )


def check_publish(
    role: Role,
    user: int | None,
    agency: int | None,
    unit: int | None,
    item: ItemFacts,
    *,
    published: bool,
) -> None:
    """Refuse a member of staff who may not publish this item's answer (whoever could have
    answered it), or an item not answered or already published."""
    if user is not None and user == item.excluded_user:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    if not _may_handle(role, agency, unit, item):
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    if item.state is not State.ANSWERED:
        raise TransitionError(_("Chỉ công khai được phản ánh, kiến nghị đã có trả lời."))
    if published:
        raise TransitionError(_("Trả lời này đã được công khai."))


def check_handle(
    role: Role, user: int | None, agency: int | None, unit: int | None, item: ItemFacts
) -> None:
    """Refuse a member of staff who may not answer, forward or refuse this item: NotFound
    when they may not even see it (the same answer as a missing item), else the reason."""
    if user is not None and user == item.excluded_user:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    if not _may_handle(role, agency, unit, item):
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    if item.state is not State.OPEN:
        raise TransitionError(_("Phản ánh, kiến nghị này đã được xử lý xong."))


class Finding(StrEnum):
    """What the agency found when it answered a complaint about an official's conduct."""

    UPHELD = "upheld"  # có cơ sở
    NOT_UPHELD = "not_upheld"  # không có cơ sở


FINDING_LABELS: dict[Finding, str] = {
    Finding.UPHELD: _("Có cơ sở"),
    Finding.NOT_UPHELD: _("Không có cơ sở"),
}


def check_finding(
    item: ItemFacts,
    *,
    finding: Finding | None,
    concerned: int | None,
    closer: int | None,
    staff: Collection[int],
) -> tuple[Finding | None, int | None]:
    """The finding and the official concerned to store with an answer. A complaint about
    conduct is answered with whether it was upheld; the official concerned is the one the
    complaint named (when the name matched one person), else, for an upheld complaint, whoever
    of the official's agency (`staff`) the person closing it names, never themselves, or
    nobody (then it counts for the agency only). Any other item carries no finding. Whoever
    closes it has already passed `check_handle` (the head, or the leader routing names)."""
    if item.subject is not Subject.OFFICIAL:
        if finding is not None or concerned is not None:
            raise ValidationError(
                _("Chỉ phản ánh về thái độ, hành vi của cán bộ mới ghi kết luận."), field="finding"
            )
        return None, None
    problems: list[ValidationError] = []
    if finding is None:
        problems.append(
            ValidationError(
                _("Hãy ghi kết luận: phản ánh có cơ sở hay không có cơ sở."), field="finding"
            )
        )
    named = item.excluded_user
    if named is not None:
        if concerned is not None and concerned != named:
            problems.append(
                ValidationError(
                    _("Phản ánh đã nêu đúng cán bộ; không chọn người khác."), field="concerned"
                )
            )
        chosen: int | None = named
    elif concerned is None or finding is not Finding.UPHELD:
        # Not upheld: nobody is named against a complaint that had no basis.
        chosen = None
    elif concerned == closer or concerned not in staff:
        problems.append(
            ValidationError(_("Hãy chọn cán bộ của cơ quan bị phản ánh."), field="concerned")
        )
        chosen = None
    else:
        chosen = concerned
    if problems:
        raise InvalidInput(problems)
    return finding, chosen


def check_forward(from_agency: int, to_agency: int | None, reason: str) -> None:
    """A forward names another agency and says why."""
    problems: list[ValidationError] = []
    if to_agency is None or to_agency == from_agency:
        problems.append(
            ValidationError(_("Hãy chọn một cơ quan khác để chuyển đến."), field="agency")
        )
    if not reason.strip():
        problems.append(ValidationError(_("Hãy ghi lý do chuyển."), field="reason"))
    if problems:
        raise InvalidInput(problems)


def check_ask(*, asked: bool) -> None:
    """More information is asked for once, in one go (as a dossier's supplement, DOMAIN §5)."""
    if asked:
        raise TransitionError(
            _("Đã đề nghị bổ sung thông tin một lần; chỉ được đề nghị một lần, đủ mọi nội dung.")
        )


def check_reply(*, state: State, asked: bool, replied: bool) -> None:
    """The citizen answers a request for information once, while the item is open."""
    if state is not State.OPEN or not asked:
        raise TransitionError(_("Phản ánh này không cần bổ sung thông tin."))
    if replied:
        raise TransitionError(_("Ông/bà đã bổ sung thông tin cho phản ánh này."))


def check_text(value: str, field: str, message: str) -> None:
    """An answer or a refusal must say something."""
    if not value.strip():
        raise InvalidInput([ValidationError(message, field=field)])


# The citizen's tracking code of an item: "PA-" and 10 characters of the tracking secrets'
# alphabet (31¹⁰ ≈ 8·10¹⁴ values): the page it opens shows the item to whoever holds it.
CODE_LENGTH = 10
_CODE = re.compile(r"^PA([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10})$")


def new_code() -> str:
    """A new tracking code, grouped PA-XXXX-XXXX-XX."""
    chars = "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(CODE_LENGTH))
    return f"PA-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize_code(value: str) -> str:
    """The code as stored, from what a citizen typed (spaces, dashes, case), or refused."""
    compact = re.sub(r"[\s\-]+", "", value).upper()
    found = _CODE.match(compact)
    if found is None:
        raise ValidationError(
            _("Mã phản ánh gồm “PA” và 10 ký tự, ví dụ PA-ABCD-EFGH-JK."), field="code"
        )
    chars = found[1]
    return f"PA-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def new_secret() -> str:
    """An item's tracking secret as stored: 8 characters of the dossiers' secret alphabet."""
    return normalize_tracking_secret(new_tracking_secret())


def shown_secret(secret: str) -> str:
    """The secret as the citizen is shown it, grouped XXXX-XXXX."""
    return f"{secret[:4]}-{secret[4:]}" if len(secret) == 8 else secret


def contact_verified(*, email: str, phone: str, account_addresses: Sequence[str]) -> bool:
    """Whether the address an item is to be answered at is already verified: it is one of the
    signed-in account's own (verified when they were added). Anything else typed, even by a
    signed-in citizen, is verified by a code before the item goes anywhere."""
    given = email or phone
    return bool(given) and given in [a for a in account_addresses if a]


# ---------------------------------------------------------------------------------------------
# Publishing answers: the question and the answer in the agency's words, with nothing that
# tells who asked (DOMAIN §5: published within 2 working days of the answer).

# An e-mail address; a run of 9 or more digits, however spaced or dotted (a phone number, a
# 9- or 12-digit ID number, a tax code); a dossier code or an item's tracking code.
_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_LONG_NUMBER = re.compile(r"(?<![\d])(?:\d[\s.\-]?){8,}\d(?![\d])")
_CODE_LIKE = re.compile(r"\b(?:[A-Z]\d{2}(?:\.[0-9A-Z]+)*-\d{6}-[A-Z]{0,2}\d{4,}|PA-[0-9A-Z]{4}-)")


def personal_data(text: str, names: Sequence[str]) -> list[str]:
    """What in a text would tell who asked or who was complained about: "name" (one of
    `names` of two words or more, compared folded, whole words), "email", "number" (a phone
    or ID number), "code" (a dossier's or an item's code). Empty when it can be published."""
    found: list[str] = []
    folded = f" {fold(text)} "
    for name in names:
        wanted = fold(name)
        # A one-word name ("Bình") is too common a word to refuse a text for.
        if len(wanted.split()) >= 2 and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", folded):
            found.append("name")
            break
    if _EMAIL_LIKE.search(text):
        found.append("email")
    if _LONG_NUMBER.search(text):
        found.append("number")
    if _CODE_LIKE.search(text.upper()):
        found.append("code")
    return found


_PERSONAL_LABELS = {
    "name": _("họ tên"),
    "email": _("địa chỉ thư điện tử"),
    "number": _("số điện thoại hoặc số giấy tờ"),
    "code": _("mã hồ sơ hoặc mã phản ánh"),
}


def check_public_text(*, question: str, answer: str, names: Sequence[str]) -> tuple[str, str]:
    """The question and answer to publish, stripped, or every problem at once: each must say
    something and carry no personal data (the asker's or the official's name, an address, a
    phone or ID number, a code)."""
    problems: list[ValidationError] = []
    checked: dict[str, str] = {}
    for field, value in (("public_question", question), ("public_answer", answer)):
        value = value.strip()
        if not value:
            problems.append(ValidationError(_("Hãy nhập nội dung để công khai."), field=field))
            continue
        kinds = personal_data(value, names)
        if kinds:
            problems.append(
                ValidationError(
                    _("Nội dung công khai không được có thông tin cá nhân; hãy bỏ: {what}."),
                    field=field,
                    what=", ".join(_PERSONAL_LABELS[k] for k in kinds),
                )
            )
        checked[field] = value
    if problems:
        raise InvalidInput(problems)
    return checked["public_question"], checked["public_answer"]
