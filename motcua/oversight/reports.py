"""What a head of agency answers for in a month (issue 10's head-of-agency report), and the
public statistics page's figures (at the end): plain dataclasses gathered from the tallies and
the owning apps' selectors, rendered by `views_reports` (HTML, PDF, CSV) and `portal.stats`.

Definitions chosen here (marked [check] where they are a guess):
- The month's figures are the 766 figures of the month (`core.indicators.Figures`): dossiers
  the agency settles (its index counts them), the late ones split by cause.
- Overdue: open and late at the month's end (the tallies' `late_open_end`), with who held each
  one then and since when (the step spanning that moment).
- Apologies: the agency's letters drafted or signed in the month; a late one broke the one-day
  rule by its draft or its signature (`core.apology.Timing`).
- Breaches: apology letters drafted or signed late, supplement requests beyond a dossier's
  first made by the agency, online dossiers its desk did not accept in time (the reception
  watch turned late in the month).
- Feedback: the agency's items received in the month, closed in it, or still open at its end;
  late when answered after the deadline or open past it. Conduct complaints: those listed,
  and apart those answered in the month with the finding "upheld".
- Rank: among the province's departments and branches, or among its communes (DOMAIN §9), over
  every agency with figures in the month [check: the national portal ranks its own way].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.translation import gettext

from motcua.core.apology import Timing
from motcua.core.errors import NotFound, _
from motcua.core.indicators import RATING_DIMENSIONS, Figures, Index, Indicator, Period
from motcua.dossiers.selectors import (
    Holding,
    apology_letters_in,
    dossiers_held_at,
    repeated_supplements,
)
from motcua.feedback.selectors import ReportItem, feedback_for_report, ratings_by_channel
from motcua.online.selectors import receptions_late
from motcua.organization.selectors import Actor, agency_by_code, centre_tz
from motcua.oversight.selectors import (
    COMMUNE_KINDS,
    AgencyScore,
    agency_index,
    dossiers_behind,
    ranking,
    scope_of,
)

if TYPE_CHECKING:
    from motcua.organization.models import Agency

MISSING_AGENCY = _("Không tìm thấy cơ quan.")
_MONTH = re.compile(r"(\d{4})-(\d{2})")

TIMING_LABELS = {
    Timing.IN_TIME.value: _("Đúng quy định"),
    Timing.LATE.value: _("Muộn (còn dưới một ngày làm việc)"),
    Timing.AFTER_DEADLINE.value: _("Muộn (đã quá hạn)"),
}


def parse_month(text: str, *, today: date) -> Period:
    """The month named 'yyyy-mm', up to today when it is the current one; NotFound for a
    malformed or future month, with a message saying what is expected."""
    match = _MONTH.fullmatch(text)
    month = int(match.group(2)) if match else 0
    if match is None or not 1 <= month <= 12 or not 2000 <= int(match.group(1)) <= 2099:
        raise NotFound(
            _("Tháng “{month}” không hợp lệ: hãy ghi năm và tháng, ví dụ 2026-11."), month=text
        )
    first = date(int(match.group(1)), month, 1)
    if first > today:
        raise NotFound(
            _("Tháng {month} chưa đến nên chưa có báo cáo."), month=f"{month:02d}/{first.year}"
        )
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first, min(last, today))


def previous_month(period: Period) -> Period:
    last = period.first - timedelta(days=1)
    return Period(last.replace(day=1), last)


def report_agency(*, actor: Actor | None, code: str) -> Agency:
    """The agency whose report this member of staff may read: its head (or the head of an
    agency above it) and the oversight office whose scope holds it; the same NotFound as for
    a missing agency otherwise."""
    agency = agency_by_code(code.strip().upper())
    if agency is None or agency.pk not in scope_of(actor).agencies:
        raise NotFound(MISSING_AGENCY)
    return agency


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = centre_tz()
    start = datetime.combine(period.first, time(), tzinfo=tz)
    return start, datetime.combine(period.last + timedelta(days=1), time(), tzinfo=tz)


@dataclass(frozen=True)
class Overdue:
    """A dossier open and late at the period's end."""

    code: str
    procedure: str
    received_at: datetime | None
    due_at: datetime | None  # the first appointment (an apology's new date is not used)
    late_on: date | None
    held: Holding | None


@dataclass(frozen=True)
class Apology:
    code: str
    procedure: str
    drafted_at: datetime
    draft_timing: str
    approved_at: datetime | None
    signer: str
    sign_timing: str
    new_due_at: datetime
    late: bool  # the one-day rule broken by the draft or the signature
    closed: bool  # closed unsigned with its dossier

    @property
    def draft_label(self) -> str:
        return gettext(TIMING_LABELS.get(self.draft_timing, self.draft_timing))

    @property
    def sign_label(self) -> str:
        return gettext(TIMING_LABELS.get(self.sign_timing, "")) if self.sign_timing else ""


@dataclass(frozen=True)
class Breach:
    kind: str
    code: str
    at: datetime
    detail: str


@dataclass(frozen=True)
class Standing:
    """The 766 score and its place among the agency's group, this month and the one before."""

    score: Fraction | None
    band: str
    rank: int | None
    ranked: int  # agencies with a score in the group
    group: str
    previous_score: Fraction | None
    previous_rank: int | None

    @property
    def change(self) -> Fraction | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


@dataclass(frozen=True)
class HeadReport:
    agency_name: str
    agency_code: str
    period: Period
    month: str  # "yyyy-mm"
    complete: bool  # the month is over (else: up to `period.last`)
    figures: Figures
    index: Index
    standing: Standing
    overdue: list[Overdue]
    apologies: list[Apology]
    breaches: list[Breach]
    feedback: list[ReportItem]

    @property
    def synced(self) -> Indicator:
        """Indicator 1.4: the dossiers synced to the national portal (empty when this
        installation is not connected)."""
        return self.index.indicator("1.4")

    @property
    def apologies_drafted(self) -> int:
        start, end = _bounds(self.period)
        return sum(1 for a in self.apologies if start <= a.drafted_at < end)

    @property
    def apologies_signed(self) -> int:
        start, end = _bounds(self.period)
        return sum(1 for a in self.apologies if a.approved_at and start <= a.approved_at < end)

    @property
    def apologies_late(self) -> int:
        return sum(1 for a in self.apologies if a.late)

    @property
    def feedback_late(self) -> list[ReportItem]:
        return [f for f in self.feedback if f.late]

    @property
    def feedback_open(self) -> list[ReportItem]:
        return [f for f in self.feedback if f.open_at_end]

    @property
    def conduct(self) -> list[ReportItem]:
        return [f for f in self.feedback if f.conduct]

    @property
    def conduct_upheld(self) -> list[ReportItem]:
        """The conduct complaints answered in the month and found upheld."""
        return [f for f in self.conduct if f.upheld]

    @property
    def listed_feedback(self) -> list[ReportItem]:
        """What the head answers for: items unanswered at the end, answered late, or about an
        official's conduct."""
        return [f for f in self.feedback if f.open_at_end or f.late or f.conduct]


def _standing(agency: Agency, period: Period) -> Standing:
    def place(p: Period) -> tuple[AgencyScore | None, list[AgencyScore]]:
        departments, communes = ranking(period=p)
        group = communes if agency.kind in COMMUNE_KINDS else departments
        return next((s for s in group if s.agency.pk == agency.pk), None), group

    now, group = place(period)
    before, _group = place(previous_month(period))
    return Standing(
        score=now.index.score if now else None,
        band=now.index.band if now else "",
        rank=now.rank if now else None,
        ranked=sum(1 for s in group if s.rank is not None),
        group=gettext("xã, phường")
        if agency.kind in COMMUNE_KINDS
        else gettext("sở, ban, ngành và cơ quan khác"),
        previous_score=before.index.score if before else None,
        previous_rank=before.rank if before else None,
    )


def _overdue(agency: Agency, period: Period, end: datetime) -> list[Overdue]:
    rows = list(
        dossiers_behind(figure="late_open_end", period=period, agencies=[agency.pk])
        .select_related("dossier__procedure_version__procedure")
        .order_by("late_on", "dossier_id")
    )
    held = dossiers_held_at([r.dossier_id for r in rows], end)
    return [
        Overdue(
            code=r.dossier.code or "",
            procedure=r.dossier.procedure_version.procedure.name,
            received_at=r.dossier.received_at,
            due_at=r.dossier.original_due_at or r.dossier.due_at,
            late_on=r.late_on,
            held=held.get(r.dossier_id),
        )
        for r in rows
    ]


def _apologies(agency: Agency, start: datetime, end: datetime) -> list[Apology]:
    out = []
    for letter in apology_letters_in(agency_id=agency.pk, start=start, end=end):
        signer = letter.approved_by
        out.append(
            Apology(
                code=letter.dossier.code or "",
                procedure=letter.dossier.procedure_version.procedure.name,
                drafted_at=letter.drafted_at,
                draft_timing=letter.draft_timing,
                approved_at=letter.approved_at,
                # Signed on another installation: the name it sent (no account here).
                signer=(signer.get_full_name() or signer.get_username())
                if signer
                else letter.signer_name,
                sign_timing=letter.sign_timing,
                new_due_at=letter.new_due_at,
                late=letter.late,
                closed=letter.closed_at is not None,
            )
        )
    return out


def _breaches(
    agency: Agency, apologies: list[Apology], start: datetime, end: datetime
) -> list[Breach]:
    out: list[Breach] = []
    for a in apologies:
        if a.draft_timing != Timing.IN_TIME.value and start <= a.drafted_at < end:
            kind = gettext("Văn bản xin lỗi soạn muộn")
            out.append(Breach(kind, a.code, a.drafted_at, a.draft_label))
        signed_late = a.sign_timing not in ("", Timing.IN_TIME.value)
        if signed_late and a.approved_at is not None and start <= a.approved_at < end:
            kind = gettext("Văn bản xin lỗi ký muộn")
            out.append(Breach(kind, a.code, a.approved_at, a.sign_label))
    for r in repeated_supplements(agency_id=agency.pk, start=start, end=end):
        detail = gettext("Lần thứ %(number)s, do %(by)s yêu cầu") % {
            "number": r.number,
            "by": r.by or "—",
        }
        out.append(Breach(gettext("Yêu cầu bổ sung hồ sơ quá một lần"), r.code, r.at, detail))
    tz = centre_tz()
    for code, _arrived, late_at, done_at in receptions_late(
        place_id=agency.pk, start=start, end=end
    ):
        detail = (
            gettext("Đã xử lý lúc %(at)s") % {"at": f"{done_at.astimezone(tz):%H:%M %d/%m/%Y}"}
            if done_at is not None
            else gettext("Chưa xử lý")
        )
        kind = gettext("Hồ sơ trực tuyến không được tiếp nhận đúng hạn")
        out.append(Breach(kind, code, late_at, detail))
    return sorted(out, key=lambda b: b.at)


def head_report(*, agency: Agency, period: Period, today: date) -> HeadReport:
    """Everything the head of `agency` answers for in the month `period`."""
    start, end = _bounds(period)
    figures, index = agency_index(agency=agency.pk, period=period)
    apologies = _apologies(agency, start, end)
    return HeadReport(
        agency_name=agency.name,
        agency_code=agency.code,
        period=period,
        month=f"{period.first:%Y-%m}",
        complete=period.last < today,
        figures=figures,
        index=index,
        standing=_standing(agency, period),
        overdue=_overdue(agency, period, end),
        apologies=apologies,
        breaches=_breaches(agency, apologies, start, end),
        feedback=feedback_for_report(agency_id=agency.pk, start=start, end=end),
    )


# ---------------------------------------------------------------------------------------------
# The public statistics page (công khai): per agency, no personal data

# Cached per period: public, read by anyone, and the figures move only as dossiers do
# [check: 15 minutes keeps the page cheap; the worker's tallies lag a pass behind anyway].
PUBLIC_CACHE_SECONDS = 15 * 60


@dataclass(frozen=True)
class PublicRow:
    """One agency's public figures: counts and rates, never a dossier, a person or a name
    other than the agency's."""

    agency: str
    commune: bool
    received: int
    finished: int
    on_time_rate: Fraction | None
    own_ratings: int  # given on the citizen's own channel (tracking link, account, e-mail)
    own_average: Fraction | None  # out of 5
    own_response_rate: Fraction | None  # own ratings ÷ dossiers finished in the period
    desk_ratings: int  # entered on a desk's device, an officer present: shown apart
    desk_average: Fraction | None
    score: Fraction | None
    band: str
    rank: int | None


def _average(points: int, count: int) -> Fraction | None:
    return Fraction(points, count * RATING_DIMENSIONS) if count else None


def public_statistics(*, period: Period) -> list[PublicRow]:
    """Every ranked agency with figures in the period: departments and branches first, then
    communes, each best first."""
    start, end = _bounds(period)
    departments, communes = ranking(period=period)
    ratings = ratings_by_channel(start=start, end=end)
    rows = []
    for scored in [*departments, *communes]:
        own, own_points, desk, desk_points = ratings.get(scored.agency.pk, (0, 0, 0, 0))
        finished = scored.figures.period.finished
        rows.append(
            PublicRow(
                agency=scored.agency.name,
                commune=scored.agency.kind in COMMUNE_KINDS,
                received=scored.figures.period.received,
                finished=finished,
                on_time_rate=scored.figures.on_time_rate,
                own_ratings=own,
                own_average=_average(own_points, own),
                own_response_rate=Fraction(own, finished) if finished else None,
                desk_ratings=desk,
                desk_average=_average(desk_points, desk),
                score=scored.index.score,
                band=scored.index.band,
                rank=scored.rank,
            )
        )
    return rows


def public_statistics_cached(*, period: Period) -> list[PublicRow]:
    """`public_statistics`, kept in Django's cache per period."""
    key = f"motcua:public-stats:v1:{period.first:%Y%m%d}:{period.last:%Y%m%d}"
    rows: list[PublicRow] | None = cache.get(key)
    if rows is None:
        rows = public_statistics(period=period)
        cache.set(key, rows, PUBLIC_CACHE_SECONDS)
    return rows


@dataclass(frozen=True)
class PublicPeriod:
    value: str  # the form's value: "2026", "2026-q4", "2026-11"
    label: str
    period: Period


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def public_periods(today: date) -> list[PublicPeriod]:
    """The periods a citizen may choose: this year so far and the last, their quarters and
    the last twelve months, newest first; none reaches past today."""
    out: list[PublicPeriod] = []
    for year in (today.year, today.year - 1):
        last = min(date(year, 12, 31), today)
        label = (
            gettext("Năm %(year)s (đến ngày %(day)s)") % {"year": year, "day": f"{last:%d/%m}"}
            if last < date(year, 12, 31)
            else gettext("Năm %(year)s") % {"year": year}
        )
        out.append(PublicPeriod(str(year), label, Period(date(year, 1, 1), last)))
    for year in (today.year, today.year - 1):
        for quarter in (4, 3, 2, 1):
            first = date(year, 3 * quarter - 2, 1)
            if first > today:
                continue
            end = (date(year, 3 * quarter, 28) + timedelta(days=4)).replace(day=1)
            label = gettext("Quý %(quarter)s/%(year)s") % {"quarter": _ROMAN[quarter], "year": year}
            period = Period(first, min(end - timedelta(days=1), today))
            out.append(PublicPeriod(f"{year}-q{quarter}", label, period))
    month = today.replace(day=1)
    for _i in range(12):
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        label = gettext("Tháng %(month)s/%(year)s") % {"month": f"{month:%m}", "year": month.year}
        out.append(PublicPeriod(f"{month:%Y-%m}", label, Period(month, min(end, today))))
        month = (month - timedelta(days=1)).replace(day=1)
    return out
