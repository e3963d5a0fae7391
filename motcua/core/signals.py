"""Buck-passing and silence on one dossier, and the supervisor's early-warning list (DOMAIN
§9 "Early-warning signals", §13: dossiers passed around, sent back, asked again for papers, or
left silent at a step).

Pure: the dossier's hand-over history comes in as plain values, "now" and the calendar are
parameters; every working-time measure goes through `WorkCalendar`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from motcua.core.calendar import WorkCalendar, require_aware
from motcua.core.catalog import Words
from motcua.core.errors import ValidationError, _
from motcua.core.lifecycle import Action


class Flag(StrEnum):
    """What a dossier is flagged for; the values may be stored and filtered on."""

    BOUNCED = "bounced"
    SENT_BACK = "sent_back"
    SUPPLEMENTS = "supplements"
    IDLE = "idle"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]


FLAG_LABELS: dict[Flag, str] = {
    Flag.BOUNCED: _("Chuyển qua lại"),
    Flag.SENT_BACK: _("Trả lại nhiều lần"),
    Flag.SUPPLEMENTS: _("Yêu cầu bổ sung nhiều lần"),
    Flag.IDLE: _("Để lâu không xử lý"),
}


@dataclass(frozen=True)
class Holding:
    """One stay of the dossier with one unit (a DossierStep row, or the open step)."""

    step: int  # the step's index in the procedure
    agency: int
    unit: int
    holder: int | None  # the person who held it; None while it waits for assignment
    started_at: datetime
    ended_at: datetime | None = None  # None: the dossier is still here
    # The Action that ended the stay (forward, send_back, ...); None while open, or unknown.
    ended_by: str | None = None


@dataclass(frozen=True)
class Act:
    """Who did something to the dossier (a DossierEvent's agency, unit and actor)."""

    agency: int
    unit: int
    person: int | None
    at: datetime


@dataclass(frozen=True)
class DossierActivity:
    """What the signals read of one dossier."""

    dossier: int
    holdings: tuple[Holding, ...]  # in the order they happened
    supplement_requests: tuple[Act, ...] = ()  # each request_supplement event
    last_action_at: datetime | None = None  # None, or before the open stay: its start
    waiting_for_citizen: bool = False  # status 5: the clock is paused, nobody idles

    @property
    def open(self) -> bool:
        """Still held at a step: its last stay has not ended."""
        return bool(self.holdings) and self.holdings[-1].ended_at is None


@dataclass(frozen=True)
class SignalPolicy:
    """Thresholds; DOMAIN fixes none of them [check], so every one is configuration."""

    # BOUNCED from this many returns between the same two units (or agencies): A→B→A with
    # A taking it back at a step it had already held (sent back) is one return, going on to
    # B again two (see `returns_between`) [check].
    bounce_returns: int = 2
    # SENT_BACK when sent back to an earlier step more than this many times.
    send_backs_allowed: int = 1
    # SUPPLEMENTS when asked more than this many times (DOMAIN §5: asking more than once is
    # forbidden [law]).
    supplement_requests_allowed: int = 1
    # IDLE after more than this much working time without an action (16 h = 2 working days of
    # the default office hours) [check].
    idle_working_seconds: int = 16 * 3600

    def __post_init__(self) -> None:
        """Refuse thresholds that would flag every dossier or none."""
        if self.bounce_returns < 1 or self.idle_working_seconds < 1:
            raise ValidationError(_("Ngưỡng cảnh báo phải là số dương."))
        if self.send_backs_allowed < 0 or self.supplement_requests_allowed < 0:
            raise ValidationError(_("Ngưỡng cảnh báo không được âm."))


DEFAULT_SIGNAL_POLICY = SignalPolicy()


@dataclass(frozen=True)
class Signal:
    """One flag on a dossier: why, in plain words, and who was involved."""

    flag: Flag
    reason: Words
    count: int  # returns, send-backs, requests, or idle working seconds
    agencies: tuple[int, ...]  # in the order they appear in the history, each once
    units: tuple[int, ...]
    people: tuple[int, ...]


@dataclass(frozen=True)
class DossierSignals:
    """A dossier's flags, for the early-warning list."""

    dossier: int
    signals: tuple[Signal, ...]

    @property
    def flags(self) -> frozenset[Flag]:
        return frozenset(s.flag for s in self.signals)


def detect(
    activity: DossierActivity,
    *,
    now: datetime,
    calendar: WorkCalendar,
    policy: SignalPolicy = DEFAULT_SIGNAL_POLICY,
) -> DossierSignals:
    """The flags a dossier raises at `now`, in the order of `Flag`."""
    require_aware(now)
    found = [
        _bounced(activity.holdings, policy),
        _sent_back(activity.holdings, policy),
        _supplements(activity.supplement_requests, policy),
        _idle(activity, now, calendar, policy),
    ]
    return DossierSignals(activity.dossier, tuple(s for s in found if s is not None))


def returns_between(stays: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Per pair of places (smaller id first), how often the dossier went back to the place it
    had just come from without moving on: `stays` are (place, step index) in order, and a
    return is a stay at the place of two stays before, at a step no later than the one it
    left there. A chain that legitimately passes A → B → A → B at steps 0, 1, 2, 3 has no
    return; A → B → A at steps 1, 2, 1 (sent back) has one, and going on to B at step 2
    again makes two. Consecutive stays at one place (reassigned within a unit, or the unit's
    next step) are one stay, from its first step to its last."""
    runs: list[tuple[int, int, int]] = []  # place, first step, last step
    for place, step in stays:
        if runs and runs[-1][0] == place:
            runs[-1] = (place, runs[-1][1], step)
        else:
            runs.append((place, step, step))
    counts: dict[tuple[int, int], int] = {}
    for i in range(2, len(runs)):
        (place, first, _last), (before, _f, left_at) = runs[i], runs[i - 2]
        if place == before and first <= left_at:
            a, b = sorted((runs[i - 1][0], place))
            counts[a, b] = counts.get((a, b), 0) + 1
    return counts


def _worst_pair(counts: dict[tuple[int, int], int]) -> tuple[tuple[int, int], int] | None:
    """The pair with the most returns; the smaller ids first when several tie."""
    if not counts:
        return None
    pair = min(counts, key=lambda p: (-counts[p], p))
    return pair, counts[pair]


def _bounced(holdings: Sequence[Holding], policy: SignalPolicy) -> Signal | None:
    """BOUNCED: between two units, or between two agencies when the returns go through
    several of their units (police → commune leader → commune specialist → ... → police);
    units first, being more precise."""
    by_unit = _worst_pair(returns_between([(h.unit, h.step) for h in holdings]))
    by_agency = _worst_pair(returns_between([(h.agency, h.step) for h in holdings]))
    if (
        by_unit is not None
        and by_unit[1] >= policy.bounce_returns
        and (by_agency is None or by_unit[1] >= by_agency[1])
    ):
        pair, returns = by_unit
        involved = [h for h in holdings if h.unit in pair]
        reason = Words(
            _("Hồ sơ bị chuyển qua lại {returns} lần giữa hai đơn vị."), (("returns", returns),)
        )
    elif by_agency is not None and by_agency[1] >= policy.bounce_returns:
        pair, returns = by_agency
        involved = [h for h in holdings if h.agency in pair]
        reason = Words(
            _("Hồ sơ bị chuyển qua lại {returns} lần giữa hai cơ quan."), (("returns", returns),)
        )
    else:
        return None
    return _signal(Flag.BOUNCED, reason, returns, [(h.agency, h.unit, h.holder) for h in involved])


def _sent_back(holdings: Sequence[Holding], policy: SignalPolicy) -> Signal | None:
    """SENT_BACK: the stays that ended by sending the dossier back, beyond the allowance. A
    closed stay whose ending is not given (`ended_by` None) was sent back if the next one is
    at an earlier step."""
    backs = [
        h
        for h, after in zip(holdings, (*holdings[1:], None), strict=False)
        if h.ended_by == Action.SEND_BACK
        or (h.ended_by is None and after is not None and after.step < h.step)
    ]
    if len(backs) <= policy.send_backs_allowed:
        return None
    reason = Words(_("Hồ sơ bị trả lại bước trước {count} lần."), (("count", len(backs)),))
    return _signal(
        Flag.SENT_BACK, reason, len(backs), [(h.agency, h.unit, h.holder) for h in backs]
    )


def _supplements(requests: Sequence[Act], policy: SignalPolicy) -> Signal | None:
    """SUPPLEMENTS: asked the citizen for papers more often than allowed."""
    if len(requests) <= policy.supplement_requests_allowed:
        return None
    reason = Words(
        _("Công dân bị yêu cầu bổ sung hồ sơ {count} lần (chỉ được yêu cầu một lần)."),
        (("count", len(requests)),),
    )
    acts = [(r.agency, r.unit, r.person) for r in requests]
    return _signal(Flag.SUPPLEMENTS, reason, len(requests), acts)


def _idle(
    activity: DossierActivity, now: datetime, calendar: WorkCalendar, policy: SignalPolicy
) -> Signal | None:
    """IDLE: open, not waiting for the citizen, and no action for more than the threshold."""
    if not activity.open or activity.waiting_for_citizen:
        return None
    current = activity.holdings[-1]
    # Arriving at the step is an action too: an earlier last action (another step's) does not
    # make the new holder idle from the start.
    since = max(activity.last_action_at or current.started_at, current.started_at)
    idle = calendar.working_seconds_between(since, now)
    if idle <= policy.idle_working_seconds:
        return None
    hours = idle // 3600
    minutes = idle % 3600 // 60
    reason = Words(
        _(
            "Hồ sơ nằm ở bước hiện tại {hours} giờ {minutes} phút làm việc "
            "mà không có thao tác nào."
        ),
        (("hours", hours), ("minutes", minutes)),
    )
    return _signal(Flag.IDLE, reason, idle, [(current.agency, current.unit, current.holder)])


def _signal(
    flag: Flag, reason: Words, count: int, involved: Sequence[tuple[int, int, int | None]]
) -> Signal:
    """A signal naming each agency, unit and person involved once, in order."""
    agencies = tuple(dict.fromkeys(a for a, _u, _p in involved))
    units = tuple(dict.fromkeys(u for _a, u, _p in involved))
    people = tuple(dict.fromkeys(p for _a, _u, p in involved if p is not None))
    return Signal(flag, reason, count, agencies, units, people)


# ---------------------------------------------------------------------------------------------
# The supervisor's early-warning list


@dataclass(frozen=True)
class Tally:
    """The flagged dossiers one unit or person was involved in."""

    id: int
    dossiers: tuple[int, ...]  # each once, in the order given
    by_flag: tuple[tuple[Flag, int], ...]  # dossiers per flag, in the order of `Flag`

    @property
    def total(self) -> int:
        return len(self.dossiers)


@dataclass(frozen=True)
class EarlyWarnings:
    """Flagged dossiers grouped by unit and by person, the most flagged first."""

    dossiers: tuple[DossierSignals, ...]  # only those with a flag
    by_unit: tuple[Tally, ...]
    by_person: tuple[Tally, ...]


def early_warnings(results: Sequence[DossierSignals]) -> EarlyWarnings:
    """Group many dossiers' flags by unit and by person: the units and people involved in
    most flagged dossiers first, then by id. A dossier counts once per unit or person, and
    once per flag it raised with them involved."""
    flagged = tuple(r for r in results if r.signals)
    units: dict[int, dict[int, set[Flag]]] = {}
    people: dict[int, dict[int, set[Flag]]] = {}
    for result in flagged:
        for signal in result.signals:
            for unit in signal.units:
                units.setdefault(unit, {}).setdefault(result.dossier, set()).add(signal.flag)
            for person in signal.people:
                people.setdefault(person, {}).setdefault(result.dossier, set()).add(signal.flag)
    return EarlyWarnings(flagged, _tallies(units), _tallies(people))


def _tallies(groups: dict[int, dict[int, set[Flag]]]) -> tuple[Tally, ...]:
    tallies = [
        Tally(
            key,
            tuple(dossiers),
            tuple(
                (flag, n)
                for flag in Flag
                if (n := sum(flag in flags for flags in dossiers.values()))
            ),
        )
        for key, dossiers in groups.items()
    ]
    return tuple(sorted(tallies, key=lambda t: (-t.total, t.id)))
