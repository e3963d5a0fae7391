"""Grassroots early warning: signals that rise in a commune or unit before they become a
scandal (DOMAIN §9 "Early-warning signals", §13), compared with the unit's own past periods
and with its peers in the same period.

Pure: the figures come in counted (a selector fills them from the rollups); nothing here reads
a clock. DOMAIN fixes no number for any of these signals: every threshold below is a
configurable default chosen here [check], and each says why.

Small samples: a commune that received 4 dossiers has a 25% overdue rate with one late
dossier. So a rate is compared only when the period and the pooled past both have at least
`min_received` dossiers (or `min_ratings` ratings), and a count raises a signal only from
`min_*` cases, never from a single dossier or complaint. Past periods are pooled (their sums
divided), so one quiet month does not make the next look like a surge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from motcua.core.catalog import Words
from motcua.core.errors import _

Number = Fraction | Decimal | float | int


class WarningKind(StrEnum):
    """What is rising; the values may be stored with what was done about it."""

    OVERDUE_RISING = "overdue_rising"
    CONDUCT_COMPLAINTS = "conduct_complaints"
    REPEATED_SUPPLEMENTS = "repeated_supplements"
    IDLE_DOSSIERS = "idle_dossiers"
    SATISFACTION_FALLING = "satisfaction_falling"
    BACKLOG_ABOVE_PEERS = "backlog_above_peers"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[WarningKind, str] = {
    WarningKind.OVERDUE_RISING: _("Tỷ lệ quá hạn tăng"),
    WarningKind.CONDUCT_COMPLAINTS: _("Phản ánh về thái độ, tác phong"),
    WarningKind.REPEATED_SUPPLEMENTS: _("Yêu cầu bổ sung nhiều lần"),
    WarningKind.IDLE_DOSSIERS: _("Nhiều hồ sơ để lâu không xử lý"),
    WarningKind.SATISFACTION_FALLING: _("Mức hài lòng giảm"),
    WarningKind.BACKLOG_ABOVE_PEERS: _("Tồn đọng cao hơn hẳn đơn vị cùng cấp"),
}


class Severity(StrEnum):
    """How loud: WATCH for the supervising level to follow, ALERT to act on now."""

    WATCH = "watch"
    ALERT = "alert"

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self]


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.WATCH: _("Cần theo dõi"),
    Severity.ALERT: _("Cảnh báo"),
}


@dataclass(frozen=True)
class UnitFigures:
    """One unit's (or commune's) figures for one period."""

    unit: int
    received: int = 0  # dossiers received in the period
    overdue: int = 0  # of those, finished late or still open past their due time
    conduct_complaints: int = 0  # phản ánh about officers' conduct received in the period
    conduct_upheld: int = 0  # of those, found upheld when answered (so far)
    repeated_supplements: int = 0  # dossiers asked for supplements more than once
    idle: int = 0  # open dossiers idle at their step (signals.Flag.IDLE) at the period's end
    satisfaction: Number | None = None  # average rating on the 1-5 scale; None: no rating
    ratings: int = 0  # how many ratings the average is of
    backlog: int = 0  # dossiers open at the period's end


@dataclass(frozen=True)
class WarningPolicy:
    """Thresholds of the early warning; every value is a default chosen here [check]."""

    # Rates need this many dossiers in the period and in the pooled past: below 10, one late
    # dossier moves the rate by more than 10 points [check].
    min_received: int = 10
    # ... and at least this many overdue dossiers now, so 1 or 2 never alarm [check].
    min_overdue: int = 3
    # Rise of the overdue rate over the pooled past, in rate (0.10 = 10 points) [check].
    overdue_rise: Fraction = Fraction(10, 100)
    overdue_rise_alert: Fraction = Fraction(25, 100)
    # Conduct complaints in one period: 2 is a cluster (one can be a misunderstanding), 4 an
    # alert, whatever the past: conduct is never "normal" for a unit [check].
    conduct_cluster: int = 2
    conduct_cluster_alert: int = 4
    # Upheld ones are facts, not impressions: one is worth watching, two an alert [check].
    conduct_upheld_cluster: int = 1
    conduct_upheld_alert: int = 2
    # Dossiers asked for supplements more than once (forbidden, DOMAIN §5): from 2 a pattern,
    # from 5 an alert [check].
    repeated_supplements: int = 2
    repeated_supplements_alert: int = 5
    # Idle dossiers: at least this many, and this share of the backlog [check].
    min_idle: int = 3
    idle_share: Fraction = Fraction(20, 100)
    idle_share_alert: Fraction = Fraction(50, 100)
    # Satisfaction: ratings needed now and in the pooled past; fall in points on 1-5 [check].
    min_ratings: int = 10
    satisfaction_drop: Fraction = Fraction(3, 10)
    satisfaction_drop_alert: Fraction = Fraction(8, 10)
    # Backlog against the peers' median: peers needed for a median, the least backlog that
    # can alarm, and how many times the median [check].
    min_peers: int = 3
    min_backlog: int = 10
    backlog_ratio: Fraction = Fraction(2)
    backlog_ratio_alert: Fraction = Fraction(3)


DEFAULT_WARNING_POLICY = WarningPolicy()


@dataclass(frozen=True)
class EarlyWarning:
    """One rising signal: the two numbers compared, the sentence, how loud."""

    kind: WarningKind
    severity: Severity
    current: Fraction  # the unit's figure now (a rate, a count, an average, a backlog)
    # What it was compared with: its own pooled past, the peers' median, or (idle dossiers,
    # a share of its own backlog) the threshold; None: no past to show beside a count.
    baseline: Fraction | None
    words: Words


def unit_warnings(
    current: UnitFigures,
    *,
    past: Sequence[UnitFigures] = (),
    peers: Sequence[UnitFigures] = (),
    policy: WarningPolicy = DEFAULT_WARNING_POLICY,
) -> tuple[EarlyWarning, ...]:
    """The signals rising in one unit this period, in the order of `WarningKind`. `past`
    are its own earlier periods; `peers` the other units of its level this period (the unit
    itself is left out if it is among them)."""
    others = [p for p in peers if p.unit != current.unit]
    found = [
        _overdue_rising(current, past, policy),
        _conduct(current, past, policy),
        _repeated_supplements(current, past, policy),
        _idle(current, policy),
        _satisfaction(current, past, policy),
        _backlog(current, others, policy),
    ]
    return tuple(w for w in found if w is not None)


def level_warnings(
    units: Sequence[UnitFigures],
    *,
    past: dict[int, Sequence[UnitFigures]] | None = None,
    policy: WarningPolicy = DEFAULT_WARNING_POLICY,
) -> dict[int, tuple[EarlyWarning, ...]]:
    """`unit_warnings` for every unit of one level (e.g. a province's communes), each
    compared with the others as peers; only the units with a signal."""
    history = past or {}
    answers = {
        unit.unit: unit_warnings(unit, past=history.get(unit.unit, ()), peers=units, policy=policy)
        for unit in units
    }
    return {unit: found for unit, found in answers.items() if found}


def _overdue_rising(
    now: UnitFigures, past: Sequence[UnitFigures], policy: WarningPolicy
) -> EarlyWarning | None:
    """The overdue rate against the pooled past, both on enough dossiers."""
    past_received = sum(p.received for p in past)
    if (
        now.received < policy.min_received
        or past_received < policy.min_received
        or now.overdue < policy.min_overdue
    ):
        return None
    rate = Fraction(now.overdue, now.received)
    before = Fraction(sum(p.overdue for p in past), past_received)
    rise = rate - before
    if rise < policy.overdue_rise:
        return None
    severity = Severity.ALERT if rise >= policy.overdue_rise_alert else Severity.WATCH
    words = Words(
        _(
            "Tỷ lệ hồ sơ quá hạn kỳ này là {rate} ({overdue}/{received} hồ sơ), "
            "tăng {rise} điểm phần trăm so với {before} của {periods} kỳ trước."
        ),
        (
            ("rate", percent(rate)),
            ("overdue", now.overdue),
            ("received", now.received),
            ("rise", number(rise * 100)),
            ("before", percent(before)),
            ("periods", len(past)),
        ),
    )
    return EarlyWarning(WarningKind.OVERDUE_RISING, severity, rate, before, words)


def _past_mean(past: Sequence[UnitFigures], count: str) -> Fraction | None:
    """The mean per period of one count over the past periods; None without a past."""
    if not past:
        return None
    return Fraction(sum(getattr(p, count) for p in past), len(past))


def _conduct(
    now: UnitFigures, past: Sequence[UnitFigures], policy: WarningPolicy
) -> EarlyWarning | None:
    """A cluster of conduct complaints in the period, those received and those found upheld
    apart: either reaching its threshold warns (the past mean of received shown beside)."""
    count, upheld = now.conduct_complaints, now.conduct_upheld
    if count < policy.conduct_cluster and upheld < policy.conduct_upheld_cluster:
        return None
    loud = count >= policy.conduct_cluster_alert or upheld >= policy.conduct_upheld_alert
    severity = Severity.ALERT if loud else Severity.WATCH
    before = _past_mean(past, "conduct_complaints")
    if before is None:
        words = Words(
            _(
                "{count} phản ánh về thái độ, tác phong của cán bộ trong kỳ, {upheld} phản ánh "
                "có cơ sở (chưa có số liệu kỳ trước)."
            ),
            (("count", count), ("upheld", upheld)),
        )
    else:
        words = Words(
            _(
                "{count} phản ánh về thái độ, tác phong của cán bộ trong kỳ, {upheld} phản ánh "
                "có cơ sở (các kỳ trước: {before}/kỳ)."
            ),
            (("count", count), ("upheld", upheld), ("before", number(before))),
        )
    return EarlyWarning(WarningKind.CONDUCT_COMPLAINTS, severity, Fraction(count), before, words)


def _repeated_supplements(
    now: UnitFigures, past: Sequence[UnitFigures], policy: WarningPolicy
) -> EarlyWarning | None:
    """Dossiers asked for supplements more than once, from a few of them."""
    count = now.repeated_supplements
    if count < policy.repeated_supplements:
        return None
    alert = count >= policy.repeated_supplements_alert
    before = _past_mean(past, "repeated_supplements")
    words = _with_past(
        _("{count} hồ sơ bị yêu cầu bổ sung quá một lần trong kỳ (chưa có số liệu kỳ trước)."),
        _("{count} hồ sơ bị yêu cầu bổ sung quá một lần trong kỳ (các kỳ trước: {before}/kỳ)."),
        count,
        before,
    )
    return EarlyWarning(
        WarningKind.REPEATED_SUPPLEMENTS,
        Severity.ALERT if alert else Severity.WATCH,
        Fraction(count),
        before,
        words,
    )


def _with_past(alone: str, compared: str, count: int, before: Fraction | None) -> Words:
    """A count's sentence: `compared` with the past mean, `alone` when there is no past."""
    if before is None:
        return Words(alone, (("count", count),))
    return Words(compared, (("count", count), ("before", number(before))))


def _idle(now: UnitFigures, policy: WarningPolicy) -> EarlyWarning | None:
    """Many of the open dossiers idle: enough of them, and a large share of the backlog."""
    if now.idle < policy.min_idle or now.backlog == 0:
        return None
    share = Fraction(now.idle, now.backlog)
    if share < policy.idle_share:
        return None
    severity = Severity.ALERT if share >= policy.idle_share_alert else Severity.WATCH
    words = Words(
        _("{idle} trên {backlog} hồ sơ đang giải quyết để lâu không có thao tác ({share})."),
        (("idle", now.idle), ("backlog", now.backlog), ("share", percent(share))),
    )
    return EarlyWarning(WarningKind.IDLE_DOSSIERS, severity, share, policy.idle_share, words)


def _satisfaction(
    now: UnitFigures, past: Sequence[UnitFigures], policy: WarningPolicy
) -> EarlyWarning | None:
    """The average rating against the pooled past's, both on enough ratings."""
    rated = [p for p in past if p.satisfaction is not None and p.ratings > 0]
    past_ratings = sum(p.ratings for p in rated)
    if now.satisfaction is None or now.ratings < policy.min_ratings:
        return None
    if past_ratings < policy.min_ratings:
        return None
    average = exact(now.satisfaction)
    before = (
        sum(
            (exact(p.satisfaction) * p.ratings for p in rated if p.satisfaction is not None),
            Fraction(0),
        )
        / past_ratings
    )
    drop = before - average
    if drop < policy.satisfaction_drop:
        return None
    severity = Severity.ALERT if drop >= policy.satisfaction_drop_alert else Severity.WATCH
    words = Words(
        _(
            "Mức hài lòng giảm từ {before} xuống {average} điểm trên thang 5 "
            "({ratings} lượt đánh giá kỳ này, {past_ratings} lượt các kỳ trước)."
        ),
        (
            ("before", number(before)),
            ("average", number(average)),
            ("ratings", now.ratings),
            ("past_ratings", past_ratings),
        ),
    )
    return EarlyWarning(WarningKind.SATISFACTION_FALLING, severity, average, before, words)


def _backlog(
    now: UnitFigures, peers: Sequence[UnitFigures], policy: WarningPolicy
) -> EarlyWarning | None:
    """The backlog against the peers' median, with enough peers; an empty median (every peer
    clear) makes any backlog from the minimum an alert."""
    if len(peers) < policy.min_peers or now.backlog < policy.min_backlog:
        return None
    middle = median([p.backlog for p in peers])
    if middle == 0:
        severity = Severity.ALERT
        words = Words(
            _("Tồn đọng {backlog} hồ sơ, trong khi {peers} đơn vị cùng cấp không tồn đọng."),
            (("backlog", now.backlog), ("peers", len(peers))),
        )
        return EarlyWarning(
            WarningKind.BACKLOG_ABOVE_PEERS, severity, Fraction(now.backlog), middle, words
        )
    ratio = Fraction(now.backlog) / middle
    if ratio < policy.backlog_ratio:
        return None
    severity = Severity.ALERT if ratio >= policy.backlog_ratio_alert else Severity.WATCH
    words = Words(
        _(
            "Tồn đọng {backlog} hồ sơ, gấp {ratio} lần trung vị ({median}) "
            "của {peers} đơn vị cùng cấp."
        ),
        (
            ("backlog", now.backlog),
            ("ratio", number(ratio)),
            ("median", number(middle)),
            ("peers", len(peers)),
        ),
    )
    return EarlyWarning(
        WarningKind.BACKLOG_ABOVE_PEERS, severity, Fraction(now.backlog), middle, words
    )


def median(values: Sequence[int]) -> Fraction:
    """The median, exactly (the mean of the two middle values of an even count)."""
    if not values:
        raise ValueError("median of nothing")
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[half])
    return Fraction(ordered[half - 1] + ordered[half], 2)


def exact(value: Number) -> Fraction:
    """A figure as an exact fraction; a float as it is written (4.3 is 43/10)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def number(value: Fraction) -> str:
    """A figure as Vietnamese writes it, to one decimal: 2,5 not 2.5; 3 not 3,0."""
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))  # half up, not to even
    whole, rest = divmod(tenths, 10)
    sign = "-" if value < 0 and tenths else ""
    return f"{sign}{whole},{rest}" if rest else f"{sign}{whole}"


def percent(rate: Fraction) -> str:
    """A rate as a percentage to one decimal: 12,5%."""
    return number(rate * 100) + "%"
