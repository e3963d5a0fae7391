"""The demo's ratings and feedback items, played through the real services: ratings of some
returned dossiers (a few entered on a desk's device), and phản ánh, kiến nghị in every state —
waiting for their address's code, open, forwarded, asked for more and replied, refused,
answered (some published), late and escalated. The choices come from the demo's seed; the
times from `now` backwards, so that the deadlines fall as the states say."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from motcua.catalog.selectors import procedure_names
from motcua.core import feedback as rules
from motcua.core.errors import DomainError
from motcua.core.feedback import Finding, RatingChannel, Subject
from motcua.core.lifecycle import Role
from motcua.dossiers.selectors import returned_dossiers
from motcua.feedback import services
from motcua.feedback.models import Feedback
from motcua.organization.selectors import Actor, default_calendar, staff_actor, staff_by_agency

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
_MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh"]
_GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Sơn", "Yến"]

_COMMENTS = [
    "",
    "",
    "Cán bộ hướng dẫn tận tình.",
    "Trả kết quả đúng hẹn, cảm ơn.",
    "Phải chờ khá lâu ở quầy.",
    "Giấy tờ còn nhiều, nên giảm bớt.",
    "Nhận kết quả qua bưu điện rất tiện.",
]

# What people ask about a procedure, the same in the agency's plain words, and its answer.
_ABOUT_PROCEDURES = [
    (
        "Tôi bị yêu cầu nộp bản sao giấy khai sinh đã có trong cơ sở dữ liệu hộ tịch. "
        "Vì sao vẫn phải nộp?",
        "Có phải nộp bản sao giấy tờ mà cơ quan nhà nước đã có trong cơ sở dữ liệu không?",
        "Không phải nộp. Cán bộ tra cứu cơ sở dữ liệu hộ tịch và dân cư; cơ quan đã nhắc nhở "
        "bộ phận tiếp nhận không yêu cầu lại giấy tờ đã có.",
    ),
    (
        "Lệ phí thủ tục ghi trên cổng dịch vụ công khác với số tiền tôi phải nộp tại quầy.",
        "Lệ phí niêm yết trên cổng dịch vụ công khác với số tiền thu tại quầy thì theo mức nào?",
        "Thu theo mức niêm yết trên cổng dịch vụ công. Cơ quan đã sửa bảng niêm yết tại quầy và "
        "hoàn lại phần thu thừa cho người đã nộp.",
    ),
    (
        "Nộp hồ sơ trực tuyến nhưng vẫn được hẹn lên quầy nộp bản giấy.",
        "Đã nộp hồ sơ trực tuyến có phải nộp thêm bản giấy tại quầy không?",
        "Không phải nộp lại bản giấy khi hồ sơ trực tuyến đã có bản điện tử hợp lệ; chỉ mang "
        "bản chính để đối chiếu khi nhận kết quả nếu thủ tục yêu cầu.",
    ),
    (
        "Thời gian giải quyết ghi 3 ngày làm việc nhưng tôi được hẹn sau 7 ngày.",
        "Vì sao ngày hẹn trả kết quả dài hơn thời hạn giải quyết đã công bố?",
        "Ngày hẹn phải tính đúng thời hạn đã công bố, không cộng thêm ngày. Cơ quan đã kiểm tra "
        "lại lịch làm việc và điều chỉnh cách hẹn cho các hồ sơ sau.",
    ),
    (
        "Xin hỏi có thể nhận kết quả qua bưu điện không, vì tôi ở xa trung tâm.",
        "Có thể nhận kết quả thủ tục qua dịch vụ bưu chính công ích không?",
        "Có. Khi nộp hồ sơ, chọn nhận kết quả qua bưu chính và ghi địa chỉ nhận; cước do người "
        "nhận trả theo giá của bưu điện, trừ thủ tục được miễn.",
    ),
]
_ABOUT_DOSSIERS = [
    "Hồ sơ của tôi đã quá ngày hẹn mà chưa có thông báo gì.",
    "Tôi nhận kết quả nhưng tên trên giấy bị ghi sai một chữ.",
    "Hồ sơ bị yêu cầu bổ sung hai lần, lần sau có giấy tờ lần trước không nói.",
]
_ABOUT_OFFICIALS = [
    "Cán bộ tiếp nhận nói chuyện thiếu tôn trọng và không hướng dẫn rõ.",
    "Cán bộ gợi ý nộp thêm tiền để được giải quyết nhanh.",
    "Cán bộ vắng mặt ở quầy trong giờ làm việc, người dân phải chờ lâu.",
]
_ANSWERS = [
    "Cơ quan đã kiểm tra, làm việc với bộ phận liên quan và xin lỗi ông/bà; hồ sơ đã được xử "
    "lý xong.",
    "Cơ quan đã chấn chỉnh việc tiếp nhận và sẽ theo dõi để không lặp lại.",
    "Cơ quan đã đính chính kết quả và gửi lại bản đúng qua bưu điện.",
]


@dataclass
class DemoFeedback:
    ratings: int = 0
    at_desk: int = 0
    items: int = 0
    pending: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class _Handlers:
    """Who answers at each agency (its head, else a unit leader, else the desk)."""

    by_agency: dict[int, list[Actor]]

    def of(self, agency_id: int, but: int | None = None) -> Actor | None:
        for actor in self.by_agency.get(agency_id, []):
            if actor.user_id != but:
                return actor
        return None


def _handlers() -> _Handlers:
    order = {Role.AGENCY_LEADER.value: 0, Role.UNIT_LEADER.value: 1, Role.DESK.value: 2}
    staff = sorted(
        (s for s in staff_by_agency() if s.role in order),
        key=lambda s: (s.agency_id, order[s.role], s.user_id),
    )
    by_agency: dict[int, list[Actor]] = {}
    for s in staff:
        actor = staff_actor(s.user_id)
        if actor is not None:
            by_agency.setdefault(s.agency_id, []).append(actor)
    return _Handlers(by_agency)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _contact(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return f"nguoidan{rng.randint(1, 10**6)}@example.vn", ""
    return "", f"09{rng.randint(10**7, 10**8 - 1)}"


def _in_office(day: datetime, rng: random.Random) -> datetime:
    """A moment of office hours on that local day."""
    local = day.astimezone(default_calendar().tz)
    return datetime.combine(
        local.date(), time(8 + rng.randint(0, 7), rng.randint(0, 59)), local.tzinfo
    )


def generate_demo_feedback(*, now: datetime, seed: int = 2026) -> DemoFeedback:
    """Ratings and feedback items for the demo, each through its service."""
    rng = random.Random(seed + 7)
    report = DemoFeedback()
    _ratings(rng, now, report)
    _items(rng, now, report)
    report.escalated = sum(services.feedback_escalate(now=now).escalated for _pass in range(2))
    return report


def _ratings(rng: random.Random, now: datetime, report: DemoFeedback) -> None:
    """About a third of the returned dossiers rated, on the citizen's own channel mostly; every
    eighth rating entered on a desk's device (flagged, DOMAIN §13)."""
    for dossier in returned_dossiers(limit=10_000):
        if rng.random() >= 0.35 or dossier.returned_at is None:
            continue
        when = min(dossier.returned_at + timedelta(hours=rng.randint(1, 72)), now)
        desk = report.ratings % 8 == 3
        low = rng.random() < 0.15
        scores = {
            d.value: rng.randint(1, 3) if low else rng.choice([3, 4, 4, 5, 5, 5])
            for d in rules.Dimension
        }
        try:
            services.rating_submit(
                dossier_id=dossier.pk,
                scores=scores,
                comment=rng.choice(_COMMENTS),
                channel=RatingChannel.TRACKING,
                now=when,
                device_at_desk=desk,
            )
        except DomainError:
            continue
        report.ratings += 1
        report.at_desk += desk


def _filed(filing: services.Filing, when: datetime) -> Feedback | None:
    try:
        return services.feedback_file(filing=filing, now=when, contact_verified=True)
    except DomainError:
        return None


def _items(rng: random.Random, now: datetime, report: DemoFeedback) -> None:
    """Items in every state; each filed at a moment that gives its state the deadlines it
    needs (answered ones long ago, late ones past their handling or oversight deadline)."""
    handlers = _handlers()
    codes = [code for code, _name in procedure_names()]
    places = sorted(handlers.by_agency)  # agencies with someone to answer
    if not codes or not places:
        return
    returned = returned_dossiers(limit=200)
    plan = ["published"] * 6 + ["answered"] * 4 + ["open"] * 5 + ["forwarded"] * 2
    plan += ["asked"] * 2 + ["refused"] + ["late_head"] * 2 + ["late_oversight"] * 2
    for n, fate in enumerate(plan):
        # Published answers are about procedures (a question others have too); the rest of
        # every kind in turn.
        kind = 0 if fate == "published" else n % 5
        filing, public = _filing(rng, kind, n, codes, places, returned, handlers)
        when = _filed_at(rng, fate, now)
        item = _filed(filing, when)
        if item is None:
            continue
        report.items += 1
        _play(rng, item, fate, public, when, now, handlers, places)
    # Two filings whose address was never verified: kept, routed nowhere.
    for _n in range(2):
        filing, _public = _filing(rng, 0, 0, codes, places, returned, handlers)
        try:
            services.feedback_hold(filing=filing, now=now - timedelta(hours=rng.randint(1, 20)))
        except DomainError:
            continue
        report.pending += 1


def _filing(
    rng: random.Random,
    kind: int,
    n: int,
    codes: list[str],
    places: list[int],
    returned: list[Dossier],
    handlers: _Handlers,
) -> tuple[services.Filing, tuple[str, str] | None]:
    """The n-th item's filing (3: about a dossier, 4: about an official, else a procedure),
    and for one about a procedure its public question and answer."""
    email, phone = _contact(rng)
    name = _name(rng)
    if kind == 3 and returned:
        dossier = rng.choice(returned)
        return (
            services.Filing(
                subject=Subject.DOSSIER,
                content=rng.choice(_ABOUT_DOSSIERS),
                dossier_id=dossier.pk,
                name=name,
                email=email,
                phone=phone,
            ),
            None,
        )
    if kind == 4:
        place = rng.choice(places)
        staff = [a for a in handlers.by_agency.get(place, []) if a.role is Role.DESK]
        official = staff[0] if staff else None
        return (
            services.Filing(
                subject=Subject.OFFICIAL,
                content=rng.choice(_ABOUT_OFFICIALS),
                place_id=place,
                official_name=official.name if official is not None else "",
                official_at_desk=official is not None,
                name=name,
                email=email,
                phone=phone,
            ),
            None,
        )
    content, question, answer = _ABOUT_PROCEDURES[n % len(_ABOUT_PROCEDURES)]
    return (
        services.Filing(
            subject=Subject.PROCEDURE,
            content=content,
            procedure_code=rng.choice(codes),
            place_id=rng.choice(places),
            name=name,
            email=email,
            phone=phone,
        ),
        (question, answer),
    )


def _filed_at(rng: random.Random, fate: str, now: datetime) -> datetime:
    """When an item of this fate was filed: late ones past their deadlines now, open ones
    within them, handled ones long enough ago for their answers to be in the past."""
    calendar = default_calendar()
    if fate.startswith("late"):
        for days in range(20, 60):
            when = _in_office(now - timedelta(days=days), rng)
            limits = rules.deadlines(when, calendar)
            if fate == "late_head" and limits.handle_by <= now < limits.oversight_at:
                return when
            if fate == "late_oversight" and limits.oversight_at <= now:
                return when
    if fate in ("open", "forwarded", "asked"):
        return _in_office(now - timedelta(days=rng.randint(1, 8)), rng)
    return _in_office(now - timedelta(days=rng.randint(12, 40)), rng)


def _play(
    rng: random.Random,
    item: Feedback,
    fate: str,
    public: tuple[str, str] | None,
    when: datetime,
    now: datetime,
    handlers: _Handlers,
    places: list[int],
) -> None:
    """Take the item to its fate through the services (each step in its own time)."""
    actor = handlers.of(item.agency_id, but=item.official_id)
    if actor is None or fate in ("open", "late_head", "late_oversight"):
        return
    step = min(when + timedelta(days=rng.randint(1, 3)), now)
    try:
        if fate == "forwarded":
            others = [p for p in places if p != item.agency_id]
            services.feedback_forward(
                item_id=item.pk,
                actor=actor,
                to_agency_id=rng.choice(others),
                reason="Nội dung thuộc thẩm quyền của cơ quan khác.",
                expected_version=item.version,
                now=step,
            )
        elif fate == "asked":
            item = services.feedback_ask(
                item_id=item.pk,
                actor=actor,
                question="Đề nghị cho biết ngày nộp hồ sơ và nơi đã nộp.",
                expected_version=item.version,
                now=step,
            )
            services.feedback_reply(
                code=item.code,
                reply="Tôi nộp tại quầy số 2 vào buổi sáng.",
                now=min(step + timedelta(hours=5), now),
            )
        elif fate == "refused":
            services.feedback_refuse(
                item_id=item.pk,
                actor=actor,
                reason="Nội dung đã được trả lời ở phản ánh trước của cùng người gửi.",
                expected_version=item.version,
                now=step,
            )
        else:
            _answer(rng, item, fate, public, step, now, actor)
    except DomainError:
        return


def _answer(
    rng: random.Random,
    item: Feedback,
    fate: str,
    public: tuple[str, str] | None,
    step: datetime,
    now: datetime,
    actor: Actor,
) -> None:
    answer = public[1] if public is not None else rng.choice(_ANSWERS)
    answered_at = min(step + timedelta(days=rng.randint(1, 6)), now)
    # A conduct complaint's finding: one in three upheld, by its id (the random draws stay).
    conduct = item.subject == Subject.OFFICIAL.value
    found = Finding.UPHELD if item.pk % 3 == 0 else Finding.NOT_UPHELD
    item = services.feedback_answer(
        item_id=item.pk,
        actor=actor,
        answer=answer,
        expected_version=item.version,
        now=answered_at,
        finding=found if conduct else None,
    )
    if fate != "published" or public is None:
        return
    services.feedback_publish(
        item_id=item.pk,
        actor=actor,
        question=public[0],
        answer=public[1],
        expected_version=item.version,
        now=min(answered_at + timedelta(days=rng.choice([0, 1, 1, 4])), now),
    )
