"""Oversight's measures of a dossier and the 766 index of an agency (DOMAIN.md §9).

Pure: a dossier's record (its clock ledger and a few facts) is judged once, and the judgement
becomes **contributions**: counters dated by the centre's local day. Every figure of a period
is a sum of contributions, so a dashboard reads summed rows (`oversight` keeps them) instead
of scanning dossiers, and a test can recompute them from the events and require equality.

A contribution never depends on today's date: the moment an open dossier becomes late is a
contribution too (`late_open`, dated the day it becomes late), so the rows change only when
the dossier does.

Three kinds of time are kept apart in every figure (DOMAIN §13): the agency's (the clock
running), the citizen's (paused awaiting a supplement) and integration time (waiting on
another system). A dossier whose lateness is no more than its integration time is late by
the national formula but not by the agency's own doing (`late_integration`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Self

from motcua.core.calendar import WorkCalendar
from motcua.core.clock import ClockEntry, ClockKind, compute, used_working_seconds
from motcua.core.errors import _


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class Cause(StrEnum):
    """Why a late dossier is late, for attribution."""

    NONE = ""
    AGENCY = "agency"  # the agencies' own time overran
    SUPPLEMENTS = "supplements"  # asked for supplements more than the rule allows
    INTEGRATION = "integration"  # late by no more than the time spent waiting on other systems


@dataclass(frozen=True)
class Rules:
    """The versioned configuration of the on-time rule (DOMAIN §9, indicator 2.1)."""

    version: str = "766-2026.1"
    # More supplement requests than this make a dossier late in every case (motcua's default;
    # the portal applies it only to dossiers still waiting for the citizen [check]).
    supplement_requests_allowed: int = 1


RULES = Rules()


@dataclass(frozen=True)
class DossierRecord:
    """What oversight reads of one received dossier: from its projection, or rebuilt from its
    events (the two must agree)."""

    received_at: datetime
    clock: Sequence[ClockEntry]
    finished_at: datetime | None  # the end of processing (DOMAIN §4: first of 9, 10, 3, 7, 8)
    supplement_requests: int
    online: bool
    integration_seconds: int = 0  # working time spent waiting on other systems
    electronic_result: bool = False  # an electronic copy of the result was issued
    fee_bearing: bool = False  # a fee was due
    paid_online: bool = False
    rating: RatingRecord | None = None


# A rating scores four dimensions from 1 to 5 (conduct, punctuality, guidance, simplicity).
RATING_DIMENSIONS = 4


@dataclass(frozen=True)
class RatingRecord:
    at: datetime
    points: int  # the four dimensions' scores added up (4-20)
    at_desk: bool  # entered on the desk's own device

    @property
    def dislike(self) -> bool:
        """Not satisfied: an average of 2 or less out of 5."""
        return self.points <= 2 * RATING_DIMENSIONS


@dataclass(frozen=True)
class Judgement:
    """A dossier as the on-time rule judges it."""

    outcome: Outcome | None  # None: still open, judged at each period's end by `late_from`
    cause: Cause
    late_from: datetime | None  # while open, late from this moment (None: not as it stands)
    ended_at: datetime | None  # the end the rule uses (the finish, or the waiting citizen's)
    agency_seconds: int  # the clock's working time used, integration time included
    citizen_seconds: int
    integration_seconds: int
    statutory_seconds: int | None  # None for same-day procedures


def judge(calendar: WorkCalendar, record: DossierRecord, rules: Rules = RULES) -> Judgement:
    """The on-time verdict of DOMAIN §9 indicator 2.1.

    On time iff the end is no later than the appointment without any apology's new date
    (the clock's `original_due_at`, citizen pauses already added). A dossier waiting for the
    citizen ends when the supplement was asked for. More requests than allowed: late from the
    request that broke the rule. Early: ended on a day before the appointment's day.
    """
    verdict = _judge(calendar, record, rules)
    if verdict.late_from is not None and verdict.late_from < record.received_at:
        # An online dossier's clock starts at its submission (DOMAIN §5): one accepted after
        # its due moment (a same-day procedure accepted the next morning) counts as open, and
        # late, from its receipt, never before it.
        return replace(verdict, late_from=record.received_at)
    return verdict


def _judge(calendar: WorkCalendar, record: DossierRecord, rules: Rules) -> Judgement:
    entries = list(record.clock)
    pauses = [e for e in entries if e.kind is ClockKind.PAUSE]
    end = record.finished_at or _stopped_at(entries)
    waiting = end is None and bool(entries) and entries[-1].kind is ClockKind.PAUSE
    measured_to = end or (entries[-1].at if waiting else None)
    state = compute(calendar, entries) if entries else None
    statutory = entries[0].working_seconds if entries else None
    if state is None:  # no clock (never started): nothing to judge
        return Judgement(None, Cause.NONE, None, end, 0, 0, record.integration_seconds, None)
    used = used_working_seconds(calendar, entries, at=measured_to) if measured_to else 0
    citizen = state.paused_seconds
    broke_rule = (
        pauses[rules.supplement_requests_allowed].at
        if record.supplement_requests > rules.supplement_requests_allowed
        and len(pauses) > rules.supplement_requests_allowed
        else None
    )
    if waiting:
        # Judged at the request: on time iff it came before the due date (the clock then
        # forgets the original due date while paused; a pause after it keeps it).
        due = state.original_due_at
        if broke_rule is not None:
            return Judgement(None, Cause.SUPPLEMENTS, broke_rule, None, used, citizen, 0, statutory)
        late_from = due if due is not None and entries[-1].at > due else None
        return Judgement(
            None, Cause.AGENCY if late_from else Cause.NONE, late_from, None, used, citizen,
            record.integration_seconds, statutory,
        )  # fmt: skip
    due = state.original_due_at
    assert due is not None
    late_from = due if broke_rule is None else min(due, broke_rule)
    if end is None:
        cause = Cause.SUPPLEMENTS if broke_rule is not None and broke_rule <= due else Cause.NONE
        return Judgement(
            None, cause, late_from, None, used, citizen, record.integration_seconds, statutory
        )
    if broke_rule is not None and broke_rule < end:
        outcome, cause = Outcome.LATE, Cause.SUPPLEMENTS
    elif end > due:
        outcome = Outcome.LATE
        overrun = calendar.working_seconds_between(due, end)
        late_by_integration = 0 < overrun <= record.integration_seconds
        cause = Cause.INTEGRATION if late_by_integration else Cause.AGENCY
    elif end.astimezone(calendar.tz).date() < due.astimezone(calendar.tz).date():
        outcome, cause = Outcome.EARLY, Cause.NONE
    else:
        outcome, cause = Outcome.ON_TIME, Cause.NONE
    return Judgement(
        outcome, cause, late_from, end, used, citizen, record.integration_seconds, statutory
    )


def _stopped_at(entries: Sequence[ClockEntry]) -> datetime | None:
    for entry in entries:
        if entry.kind is ClockKind.STOP:
            return entry.at
    return None


class Counters:
    """Integer counters (the fields of a dataclass) that add up."""

    def add(self, other: Self, sign: int = 1) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            setattr(self, f.name, getattr(self, f.name) + sign * getattr(other, f.name))

    def is_zero(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass
class Tally(Counters):
    """Counters that add up: one day's contributions, or a period's sum."""

    received: int = 0
    received_online: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    late_agency: int = 0
    late_supplements: int = 0
    late_integration: int = 0
    agency_seconds: int = 0  # of the dossiers finished
    citizen_seconds: int = 0
    integration_seconds: int = 0
    statutory_seconds: int = 0  # of the finished dossiers that have a statutory time
    timed: int = 0  # finished dossiers that have one
    electronic_result: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    # Deltas whose running sum is the number of dossiers open, and open and late, at the end
    # of a day.
    open_delta: int = 0
    late_open_delta: int = 0
    ratings: int = 0
    ratings_at_desk: int = 0
    rating_points: int = 0  # the dimensions' scores added up
    rating_points_at_desk: int = 0  # of the ratings entered on a desk's device
    dislikes: int = 0  # ratings averaging 2 or less

    @property
    def ratings_own(self) -> int:
        """Ratings given on the citizen's own channel, not on a desk's device."""
        return self.ratings - self.ratings_at_desk


TALLY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Tally))


def contributions(
    calendar: WorkCalendar, record: DossierRecord, rules: Rules = RULES
) -> dict[date, Tally]:
    """The dossier's counters, by the centre's local day they fall on."""
    verdict = judge(calendar, record, rules)
    out: dict[date, Tally] = {}

    def on(moment: datetime) -> Tally:
        return out.setdefault(moment.astimezone(calendar.tz).date(), Tally())

    day = on(record.received_at)
    day.received += 1
    day.received_online += int(record.online)
    day.open_delta += 1
    finished = verdict.outcome is not None and verdict.ended_at is not None
    if finished:
        assert verdict.ended_at is not None and verdict.outcome is not None
        end = on(verdict.ended_at)
        end.finished += 1
        end.open_delta -= 1
        setattr(end, verdict.outcome.value, getattr(end, verdict.outcome.value) + 1)
        if verdict.outcome is Outcome.LATE:
            name = {
                Cause.AGENCY: "late_agency",
                Cause.SUPPLEMENTS: "late_supplements",
                Cause.INTEGRATION: "late_integration",
            }[verdict.cause]
            setattr(end, name, getattr(end, name) + 1)
        end.agency_seconds += verdict.agency_seconds
        end.citizen_seconds += verdict.citizen_seconds
        end.integration_seconds += verdict.integration_seconds
        if verdict.statutory_seconds is not None:
            end.statutory_seconds += verdict.statutory_seconds
            end.timed += 1
        end.electronic_result += int(record.electronic_result)
        end.fee_bearing += int(record.fee_bearing)
        end.paid_online += int(record.paid_online)
    if verdict.late_from is not None:
        late_day = verdict.late_from.astimezone(calendar.tz).date()
        end_day = verdict.ended_at.astimezone(calendar.tz).date() if verdict.ended_at else None
        if end_day is None or late_day < end_day:
            on(verdict.late_from).late_open_delta += 1
            if end_day is not None:
                out[end_day].late_open_delta -= 1
    if record.rating is not None:
        r = on(record.rating.at)
        r.ratings += 1
        r.ratings_at_desk += int(record.rating.at_desk)
        r.rating_points += record.rating.points
        r.rating_points_at_desk += record.rating.points if record.rating.at_desk else 0
        r.dislikes += int(record.rating.dislike)
    return {d: t for d, t in out.items() if not t.is_zero()}


# ---------------------------------------------------------------------------------------------
# A period's figures


@dataclass(frozen=True)
class Figures:
    """A period's figures for one scope, from the sums of its contributions."""

    period: Tally  # contributions dated inside the period
    carried: int  # open at the start (the running sum of open_delta before it)
    open_end: int  # open at the end
    late_open_end: int  # open and late at the end

    @classmethod
    def of(cls, period: Tally, before: Tally) -> Figures:
        """From the sum inside the period and the sum of everything dated before it."""
        return cls(
            period=period,
            carried=before.open_delta,
            open_end=before.open_delta + period.open_delta,
            late_open_end=before.late_open_delta + period.late_open_delta,
        )

    @property
    def to_process(self) -> int:
        """Dossiers received and processed in the period: carried over plus received."""
        return self.carried + self.period.received

    @property
    def within_time(self) -> int:
        """Finished on time (or early) in the period, or still open and not late at its end."""
        return self.period.early + self.period.on_time + self.open_end - self.late_open_end

    @property
    def on_time_rate(self) -> Fraction | None:
        return Fraction(self.within_time, self.to_process) if self.to_process else None

    @property
    def late_rate(self) -> Fraction | None:
        """Late (finished late in the period, or open and late at its end) over to_process."""
        rate = self.on_time_rate
        return None if rate is None else 1 - rate

    @property
    def agency_late_rate(self) -> Fraction | None:
        """As late_rate, without the dossiers late only by integration time."""
        if not self.to_process:
            return None
        late = self.to_process - self.within_time - self.period.late_integration
        return Fraction(late, self.to_process)

    @property
    def satisfaction(self) -> Fraction | None:
        p = self.period
        """The average score out of 5."""
        return Fraction(p.rating_points, p.ratings * RATING_DIMENSIONS) if p.ratings else None

    @property
    def satisfaction_own(self) -> Fraction | None:
        """The average score out of 5 of the ratings from the citizen's own channel."""
        p = self.period
        own = p.ratings - p.ratings_at_desk
        points = p.rating_points - p.rating_points_at_desk
        return Fraction(points, own * RATING_DIMENSIONS) if own else None

    @property
    def satisfaction_at_desk(self) -> Fraction | None:
        """The average score out of 5 of the ratings entered on a desk's device."""
        p = self.period
        n = p.ratings_at_desk
        return Fraction(p.rating_points_at_desk, n * RATING_DIMENSIONS) if n else None

    @property
    def response_rate(self) -> Fraction | None:
        """Ratings over dossiers finished in the period (the rating comes after the result)."""
        p = self.period
        return Fraction(p.ratings, p.finished) if p.finished else None


# ---------------------------------------------------------------------------------------------
# The 766 index


class Group(StrEnum):
    PUBLICITY = "publicity"
    PROGRESS = "progress"
    ONLINE = "online"
    PAYMENT = "payment"
    DIGITISATION = "digitisation"
    SATISFACTION = "satisfaction"


GROUP_LABELS = {
    Group.PUBLICITY: _("Công khai, minh bạch"),
    Group.PROGRESS: _("Tiến độ giải quyết"),
    Group.ONLINE: _("Dịch vụ trực tuyến"),
    Group.PAYMENT: _("Thanh toán trực tuyến"),
    Group.DIGITISATION: _("Số hóa hồ sơ"),
    Group.SATISFACTION: _("Mức độ hài lòng"),
}
GROUP_POINTS = {
    Group.PUBLICITY: 18,
    Group.PROGRESS: 20,
    Group.ONLINE: 12,
    Group.PAYMENT: 10,
    Group.DIGITISATION: 22,
    Group.SATISFACTION: 18,
}


@dataclass(frozen=True)
class Band:
    floor: Fraction  # the lowest score (out of 100) in the band
    label: str


@dataclass(frozen=True)
class IndexConfig:
    """The versioned configuration of the 766 index (DOMAIN §9: make every weight, threshold
    and formula configuration)."""

    version: str = "766-2026.1"
    rules: Rules = RULES
    online_full_at: Fraction = Fraction(1, 2)  # 3.3: full points at 50% filed online
    satisfaction_full_at: Fraction = Fraction(9, 10)  # 6.4: full points at 90%
    bands: tuple[Band, ...] = (
        Band(Fraction(90), _("Xuất sắc")),
        Band(Fraction(80), _("Tốt")),
        Band(Fraction(65), _("Khá")),
        Band(Fraction(50), _("Trung bình")),
        Band(Fraction(0), _("Yếu")),
    )


INDEX = IndexConfig()


@dataclass(frozen=True)
class Indicator:
    """One indicator: its numbers, its score, and how it was computed."""

    code: str  # as the portal numbers it: "2.1"
    group: Group
    name: str
    maximum: int
    numerator: int | None  # None: the data this system holds cannot give it (shown empty)
    denominator: int | None
    score: Fraction | None
    formula: str

    @property
    def ratio(self) -> Fraction | None:
        if self.numerator is None or not self.denominator:
            return None
        return Fraction(self.numerator, self.denominator)


@dataclass(frozen=True)
class FeedbackFigures:
    """An agency's feedback items of the period, for indicator 6.2."""

    items: int = 0
    on_time: int = 0


@dataclass(frozen=True)
class SyncFigures:
    """An agency's dossiers synced to the national portal in the period, for indicator 1.4.
    None in its place: this installation is not connected to the portal (1.4 stays empty)."""

    synced: int  # dossiers received in the period whose every record of it the portal acknowledged
    # The portal's own count of the agency's dossiers of the period, which may be larger than
    # this installation's (filed there and never handed over, other systems' dossiers): not
    # known here, so None [practice].
    portal_count: int | None = None


@dataclass(frozen=True)
class Index:
    indicators: tuple[Indicator, ...]
    total: Fraction  # the points scored on the indicators that could be computed
    available: int  # their maximum
    score: Fraction | None  # total scaled to 100 over what could be computed
    band: str  # the classification of `score` ("" when there is no score)

    def indicator(self, code: str) -> Indicator:
        """The indicator numbered `code` ("1.4")."""
        return next(i for i in self.indicators if i.code == code)

    def group_total(self, group: Group) -> Fraction:
        return sum(
            (i.score for i in self.indicators if i.group is group and i.score is not None),
            Fraction(0),
        )


def _linear(maximum: int, ratio: Fraction | None, full_at: Fraction = Fraction(1)) -> Fraction:
    if ratio is None:
        return Fraction(maximum)  # nothing to judge: full points, as the portal gives
    return maximum * min(Fraction(1), ratio / full_at)


def synced_indicator(figures: Figures, sync: SyncFigures | None) -> Indicator:
    """Indicator 1.4 (DOMAIN §9): 6 × synced ÷ max(national reporting count, portal count).

    The national reporting count is the dossiers this installation reports for the agency in
    the period: those it received in the period (the tallies' `received`, 3.3's denominator
    too). The portal's count is not known here (`SyncFigures.portal_count` stays None), so the
    denominator is max(ours, the portal's if ever known) [practice]. Not connected: empty,
    never 0. No dossier received: full points, as for the other ratios with nothing to judge.
    """
    name = _("Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia")
    if sync is None:
        missing = _("Chưa có số liệu: hệ thống này chưa kết nối với Cổng Dịch vụ công quốc gia.")
        return Indicator("1.4", Group.PUBLICITY, name, 6, None, None, None, missing)
    denominator = max(figures.period.received, sync.portal_count or 0)
    # A dossier counted synced is one received in the period: never more than the count.
    numerator = min(sync.synced, denominator)
    ratio = Fraction(numerator, denominator) if denominator else None
    return Indicator(
        "1.4", Group.PUBLICITY, name, 6, numerator, denominator, _linear(6, ratio),
        _("6 × hồ sơ đã đồng bộ đủ (mọi trạng thái trong kỳ được Cổng Dịch vụ công quốc gia "
          "xác nhận) ÷ hồ sơ tiếp nhận trong kỳ (hoặc số hồ sơ Cổng ghi nhận nếu lớn hơn; số "
          "này chưa có trong hệ thống)."),
    )  # fmt: skip


def index(
    figures: Figures,
    feedback: FeedbackFigures = FeedbackFigures(),
    config: IndexConfig = INDEX,
    sync: SyncFigures | None = None,
) -> Index:
    """The 766 indicators this system's own data can give, their total and the band.

    Indicators that need data held elsewhere (publication of procedures on the national
    database, the citizen's data store; the sync to the portal when this installation is not
    connected, `sync` None) are listed empty, never as 0 (DOMAIN §9); the score is the total
    scaled to 100 over the indicators computed [check: the portal scores them out of 100 with
    the missing ones at 0 or full, unpublished].
    """
    p = figures.period
    rate = figures.on_time_rate
    online = Fraction(p.received_online, p.received) if p.received else None
    paid = Fraction(p.paid_online, p.fee_bearing) if p.fee_bearing else None
    electronic = Fraction(p.electronic_result, p.finished) if p.finished else None
    handled = Fraction(feedback.on_time, feedback.items) if feedback.items else None
    late = figures.late_rate
    dislike = Fraction(p.dislikes, p.ratings) if p.ratings else Fraction(0)
    happy = None if late is None else max(Fraction(0), 1 - (late + dislike))
    computed = [
        Indicator(
            "2.1", Group.PROGRESS, _("Tỷ lệ hồ sơ giải quyết đúng hạn"), 20,
            figures.within_time, figures.to_process, _linear(20, rate),
            _("20 × (hồ sơ đã giải quyết đúng hạn và đang giải quyết còn hạn) ÷ (hồ sơ kỳ trước "
              "chuyển sang + hồ sơ tiếp nhận trong kỳ); yêu cầu bổ sung quá một lần tính là trễ "
              "hạn; thời gian chờ công dân bổ sung không tính; hạn gia hạn theo văn bản xin lỗi "
              "không dùng."),
        ),
        Indicator(
            "3.3", Group.ONLINE, _("Tỷ lệ hồ sơ nộp trực tuyến"), 6,
            p.received_online, p.received,
            _linear(6, online, config.online_full_at),
            _("6 × (hồ sơ nộp trực tuyến ÷ hồ sơ tiếp nhận) ÷ 50%, tối đa 6 điểm."),
        ),
        Indicator(
            "4.3", Group.PAYMENT, _("Tỷ lệ hồ sơ thanh toán trực tuyến"), 6,
            p.paid_online, p.fee_bearing, _linear(6, paid),
            _("6 × hồ sơ nộp phí, lệ phí trực tuyến ÷ hồ sơ có phí, lệ phí đã giải quyết."),
        ),
        Indicator(
            "5.1", Group.DIGITISATION, _("Tỷ lệ cấp kết quả điện tử"), 6,
            p.electronic_result, p.finished, _linear(6, electronic),
            _("6 × hồ sơ có bản điện tử của kết quả ÷ hồ sơ đã giải quyết."),
        ),
        Indicator(
            "6.2", Group.SATISFACTION, _("Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"), 6,
            feedback.on_time, feedback.items, _linear(6, handled),
            _("6 × phản ánh, kiến nghị xử lý đúng hạn ÷ phản ánh, kiến nghị của kỳ; 6 điểm "
              "khi không có phản ánh."),
        ),
        Indicator(
            "6.4", Group.SATISFACTION, _("Mức độ hài lòng trong giải quyết hồ sơ"), 6,
            None if happy is None else figures.within_time, figures.to_process or None,
            _linear(6, happy, config.satisfaction_full_at),
            _("6 × (100% − (tỷ lệ trễ hạn + tỷ lệ đánh giá không hài lòng)) ÷ 90%, tối đa 6 "
              "điểm."),
        ),
        synced_indicator(figures, sync),
    ]  # fmt: skip
    empty = [
        ("1.1", Group.PUBLICITY, _("Công khai thủ tục hành chính đúng hạn"), 6),
        ("1.2", Group.PUBLICITY, _("Cập nhật thủ tục hành chính đúng hạn"), 4),
        ("1.3", Group.PUBLICITY, _("Công khai đầy đủ các bộ phận của thủ tục"), 2),
        ("3.1", Group.ONLINE, _("Thủ tục cung cấp trực tuyến"), 2),
        ("3.2", Group.ONLINE, _("Dịch vụ trực tuyến có phát sinh hồ sơ"), 4),
        ("4.1", Group.PAYMENT, _("Thủ tục có phí được cung cấp thanh toán trực tuyến"), 2),
        ("4.2", Group.PAYMENT, _("Thủ tục có phát sinh thanh toán trực tuyến"), 2),
        ("5.2", Group.DIGITISATION, _("Số hóa thành phần hồ sơ"), 4),
        ("5.3", Group.DIGITISATION, _("Chứng thực điện tử bản sao từ bản chính"), 2),
        ("5.4", Group.DIGITISATION, _("Tái sử dụng dữ liệu đã số hóa"), 2),
        ("5.5", Group.DIGITISATION, _("Kết nối kho dữ liệu của công dân"), 4),
        ("5.6", Group.DIGITISATION, _("Hồ sơ sử dụng dữ liệu dân cư"), 2),
        ("5.7", Group.DIGITISATION, _("Thủ tục kết nối dữ liệu dân cư"), 2),
        ("6.3", Group.SATISFACTION, _("Mức độ hài lòng về xử lý phản ánh, kiến nghị"), 6),
    ]
    missing = _("Chưa có số liệu trong hệ thống này (cần dữ liệu của Cổng quốc gia).")
    indicators = sorted(
        [
            *computed,
            *(Indicator(c, g, n, m, None, None, None, missing) for c, g, n, m in empty),
        ],
        key=lambda i: tuple(int(x) for x in i.code.split(".")),
    )
    scored = [i for i in indicators if i.score is not None]
    total = sum((i.score for i in scored if i.score is not None), Fraction(0))
    available = sum(i.maximum for i in scored)
    score = total * 100 / available if available and figures.to_process else None
    return Index(tuple(indicators), total, available, score, classify(score, config))


def classify(score: Fraction | None, config: IndexConfig = INDEX) -> str:
    """The band a score (out of 100) falls in: the first whose floor it reaches."""
    if score is None:
        return ""
    for band in config.bands:
        if score >= band.floor:
            return band.label
    return config.bands[-1].label


@dataclass(frozen=True)
class Ranked:
    key: int  # the agency
    score: Fraction | None
    rank: int | None  # 1 = best; None without a score


def rank(scores: Mapping[int, Fraction | None]) -> list[Ranked]:
    """Agencies by score, best first; equal scores share a rank (1, 2, 2, 4); no score last."""
    ordered = sorted(scores.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0), kv[0]))
    out: list[Ranked] = []
    previous: Fraction | None = None
    position = 0
    for i, (key, score) in enumerate(ordered, start=1):
        if score is None:
            out.append(Ranked(key, None, None))
            continue
        if score != previous:
            position, previous = i, score
        out.append(Ranked(key, score, position))
    return out


# ---------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("last before first")

    def months(self) -> tuple[list[date], list[date], list[date]]:
        """The period as (days before its first whole month, whole months' first days, days
        after its last whole month), so sums can read month rows where a month is whole."""
        head: list[date] = []
        months: list[date] = []
        tail: list[date] = []
        day = self.first
        while day <= self.last:
            month_end = _month_end(day)
            if day.day == 1 and month_end <= self.last:
                months.append(day)
                day = month_end + timedelta(days=1)
            elif months:
                tail.append(day)
                day += timedelta(days=1)
            else:
                head.append(day)
                day += timedelta(days=1)
        return head, months, tail


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class Trend:
    """A month's figures, for the monthly chart."""

    month: date
    figures: Figures = field(compare=False)


# ---------------------------------------------------------------------------------------------
# Steps: who held the dossier, how long, against what allotment (units, officials, bottlenecks)


@dataclass(frozen=True)
class StepRecord:
    """One finished hand-over (form 06's row), as the step rows or the events record it."""

    index: int
    agency: int
    unit: int
    holder: int | None
    started_at: datetime
    due_at: datetime
    ended_at: datetime
    paused_seconds: int  # the citizen's waits inside the step
    outcome: str  # early | on_time | late (core.blame.step_outcome)


@dataclass
class StepTally(Counters):
    """Counters of finished steps that add up."""

    steps: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    held_seconds: int = 0  # the holder's working time on the step, citizen waits excluded
    overrun_seconds: int = 0  # working time past the step's due time: what the holder caused


STEP_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StepTally))


def step_contribution(calendar: WorkCalendar, step: StepRecord) -> tuple[date, StepTally]:
    """A finished step's counters, on the local day it ended."""
    held = calendar.working_seconds_between(step.started_at, step.ended_at)
    tally = StepTally(
        steps=1,
        held_seconds=max(0, held - step.paused_seconds),
        overrun_seconds=calendar.working_seconds_between(step.due_at, step.ended_at),
    )
    name = step.outcome if step.outcome in ("early", "on_time", "late") else "on_time"
    setattr(tally, name, 1)
    return step.ended_at.astimezone(calendar.tz).date(), tally
