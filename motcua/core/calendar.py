"""Working time of a centre: office hours, rest days, statutory holidays and overrides.

Pure: stdlib and the `holidays` package only. Every datetime is aware; results are in the
calendar's time zone. "Now" is never read here; callers pass the moments they mean.

Working time is counted on an index, not by walking the days: for each year, its working
days in order, the start and end of every session it works, and, for each of its dates,
which working day it is or comes before (`_Year`, built on first use). Every working day has
the same sessions, so a year's working time is a row of identical days: adding working time
is finding the moment's day (one look-up by date) and its place in the day, then dividing
the amount by a day's length (memoized per amount) and finding the session where the rest
ends among the day's few sessions. No search over the year, no walk.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from motcua.core.errors import CalendarRangeError, Text, ValidationError, _

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE_TIME_STYLES = ("exact", "end_of_day")

# Sorts overrides entered "always known" (decided_at None) before any dated decision.
_BEFORE_ANY_DECISION = datetime.min.replace(tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_NOTHING = timedelta(0)
_NO_ZONE = object()  # no moment's tzinfo: every moment goes through _local()
_ANCHOR = date(2000, 1, 1)  # any day, to compute with times of day
_MEMO_SIZE = 4096  # amounts memoized per calendar (see WorkCalendar._amount)


@dataclass(frozen=True)
class Session:
    """One office-hours session of a working day, e.g. 08:00-12:00 (end exclusive)."""

    start: time
    end: time


@dataclass(frozen=True)
class Override:
    """An administrator's effective-dated decision that a day is worked or off."""

    day: date
    working: bool  # True = make-up working day (e.g. a Saturday), False = extra day off
    reason: str  # Vietnamese, e.g. "Làm bù cho ngày 31/8 (QĐ ...)"
    decided_at: datetime | None = None  # when the decision was entered; None = always known


@dataclass(frozen=True)
class CalendarPolicy:
    """A centre's working-time settings; every value is configuration (DOMAIN §5, §8 [check])."""

    sessions: tuple[Session, ...] = (Session(time(8), time(12)), Session(time(13), time(17)))
    # Received at/after this (the last working hour) -> clock counts from the next working day.
    late_cutoff: time = time(16)
    # Same-day procedures received at/after this -> next working day [practice].
    same_day_cutoff: time = time(15)
    # "exact": start + N x working-day length (form 01 shows hour:minute);
    # "end_of_day": Civil Code style, a whole-day limit ends at closing time of its last day.
    due_time_style: str = "exact"
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
    # Names the `holidays` package lists that are not days off until an administrator confirms
    # them: 24/11 "Ngày Văn hóa Việt Nam" from 2026 is [check] in DOMAIN §8.
    excluded_holidays: frozenset[str] = frozenset({"Ngày Văn hóa Việt Nam"})

    def __post_init__(self) -> None:
        """Refuse settings that would make working time meaningless."""
        if not self.sessions:
            raise ValidationError(_("Cần ít nhất một buổi làm việc trong ngày."))
        previous_end: time | None = None
        for session in self.sessions:
            if session.start >= session.end:
                raise ValidationError(
                    _(
                        "Buổi làm việc {start}–{end} không hợp lệ: "
                        "giờ bắt đầu phải trước giờ kết thúc."
                    ),
                    start=f"{session.start:%H:%M}",
                    end=f"{session.end:%H:%M}",
                )
            if previous_end is not None and session.start < previous_end:
                raise ValidationError(
                    _("Các buổi làm việc phải theo thứ tự thời gian và không chồng lên nhau.")
                )
            previous_end = session.end
        if self.due_time_style not in DUE_TIME_STYLES:
            raise ValidationError(
                _("Kiểu giờ hẹn trả không hợp lệ: {value} (chỉ nhận {choices})."),
                value=repr(self.due_time_style),
                choices=", ".join(DUE_TIME_STYLES),
            )
        if not self.weekend <= set(range(7)) or len(self.weekend) == 7:
            raise ValidationError(
                _("Ngày nghỉ hằng tuần phải là các số 0–6 và chừa ít nhất một ngày.")
            )


DEFAULT_POLICY = CalendarPolicy()


@functools.lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[Mapping[date, tuple[str, ...]], frozenset[date]]:
    """The holidays (every name per day) and make-up Saturdays the `holidays` package knows."""
    table = holidays.country_holidays("VN", years=year, language="vi")
    days = {day: tuple(table.get_list(day)) for day in table if day.year == year}
    # weekend_workdays also carries swaps from other years; keep this year's only.
    makeup = frozenset(day for day in table.weekend_workdays if day.year == year)
    return MappingProxyType(days), makeup


def require_aware(moment: datetime, what: str = _("Thời điểm")) -> None:
    """Raise ValidationError unless `moment` is an aware datetime; `what` names it (a label)."""
    if not isinstance(moment, datetime):
        raise ValidationError(
            _("{what} phải là một thời điểm (datetime)."), what=Text(what), value=repr(moment)
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            _("{what} phải kèm múi giờ (không nhận thời điểm không có múi giờ): {shown}."),
            what=Text(what),
            shown=f"{moment:%d/%m/%Y %H:%M}",
            value=moment.isoformat(),
        )


class _Year:
    """One year of working time, indexed: its working days, every session it works with the
    moment its day's working time counts from, and where each date stands. Built once, then
    only read; shared by the calendars (as_of() copies) that work the same days that year."""

    __slots__ = ("bounds", "count", "days", "first", "origins", "slots", "total", "where", "year")

    def __init__(
        self,
        year: int,
        flags: Sequence[int],
        sessions: Sequence[Session],
        done_before: Sequence[timedelta],
        day_length: timedelta,
        tz: tzinfo,
    ) -> None:
        self.year = year
        self.first = date(year, 1, 1).toordinal()
        # slots[i], for the year's day i (0 = 1 January): k if it is the year's k-th working
        # day (from 0), else ~k (negative), k being the working days before it. One list read
        # gives both whether a day is worked and how many working days the year has done.
        before = list(accumulate(flags, initial=0))
        self.count = before.pop()
        self.slots = [k if works else ~k for k, works in zip(before, flags, strict=True)]
        # The working days in order: the year's k-th working day is days[k].
        self.days = [date.fromordinal(self.first + i) for i, works in enumerate(flags) if works]
        # Every working day has the same sessions, so the year's working time is `count`
        # identical days: where a sum ends is a division by the day's length, not a search.
        # Per session, k-th of the year (the j-th of its day): its start and end at bounds[2k]
        # and bounds[2k + 1], and its origin, the moment its day's working time counts from:
        # at a moment m of the session its day has `m - origin` done, and an amount of its
        # day in (done_before[j], done_before[j] + the session's length] is reached at
        # `origin + amount`. All wall-clock time, like every sum in this module.
        # (Made day by day, each day's datetimes together in memory: due dates measured about
        # 0.2 µs faster so than with all the bounds made first, then all the origins.)
        self.bounds: list[datetime] = []
        self.origins: list[datetime] = []
        for day in self.days:
            for session, done in zip(sessions, done_before, strict=True):
                opens = datetime.combine(day, session.start, tz)
                self.bounds += (opens, datetime.combine(day, session.end, tz))
                self.origins.append(opens - done)
        self.total = self.count * day_length
        # What a due date needs of a moment's date, in one dict look-up (cheaper than the
        # year, then the day of the year): (this year, k, where its bounds begin, 2nk) on the
        # year's k-th working day, (this year, k, -1) on a day off before the k-th working
        # day. The calendars working this year merge it into theirs.
        edges = 2 * len(sessions)
        self.where: dict[date, tuple[_Year, int, int]] = {}
        for i, slot in enumerate(self.slots):
            day = date.fromordinal(self.first + i)
            self.where[day] = (self, slot, slot * edges) if slot >= 0 else (self, ~slot, -1)


class WorkCalendar:
    """Which days are worked and which hours count, for one centre."""

    def __init__(
        self,
        *,
        tz: ZoneInfo = DEFAULT_TZ,
        policy: CalendarPolicy = DEFAULT_POLICY,
        overrides: Iterable[Override] = (),
        first_year: int = 2000,
        last_year: int = 2099,
        statutory: Mapping[date, str] | None = None,
    ) -> None:
        if first_year > last_year:
            raise ValidationError(
                _("Phạm vi năm không hợp lệ: {first_year}–{last_year}."),
                first_year=first_year,
                last_year=last_year,
            )
        self.tz = tz
        self.policy = policy
        self.first_year = first_year
        self.last_year = last_year
        self.overrides = tuple(overrides)
        for override in self.overrides:
            _require_date(override.day)
            if override.decided_at is not None:
                require_aware(override.decided_at, _("Thời điểm ra quyết định"))
        # The latest decision for a day wins; equal times keep the order given.
        ordered = sorted(self.overrides, key=lambda o: o.decided_at or _BEFORE_ANY_DECISION)
        self._override_by_day = {override.day: override for override in ordered}
        self._override_days: dict[int, list[tuple[date, bool]]] = {}
        for day, override in self._override_by_day.items():
            self._override_days.setdefault(day.year, []).append((day, override.working))
        # as_of(): the overrides always known, then the dated ones in the order they were
        # decided, so that what is known at a moment is a prefix, memoized by its length.
        dated = sorted(
            (o.decided_at, i) for i, o in enumerate(self.overrides) if o.decided_at is not None
        )
        self._always_known = [i for i, o in enumerate(self.overrides) if o.decided_at is None]
        self._decided = [i for _, i in dated]
        self._decision_times = [decided_at for decided_at, _ in dated]
        self._copies: dict[int, WorkCalendar] = {}
        self._root = self
        self._statutory = None if statutory is None else dict(statutory)
        if self._statutory is not None:
            for day in self._statutory:
                _require_date(day)
        # Per-year statutory days off after exclusions, and which days they leave worked;
        # shared with as_of() copies.
        self._years: dict[int, tuple[dict[date, str], frozenset[date]]] = {}
        self._statutory_worked: dict[int, bytes] = {}
        # The index: this calendar's years (they depend on its overrides), taken from those
        # built for it or for any of its as_of() copies.
        self._index: dict[int, _Year] = {}
        self._where: dict[date, tuple[_Year, int, int]] = {}  # the index's years' _Year.where
        self._built: dict[tuple[int, bytes], _Year] = {}
        self._sessions = policy.sessions
        self._working_day_seconds = sum(
            _seconds_between_times(session.start, session.end) for session in policy.sessions
        )
        # The shape of a working day, the same for every one: the working time done before
        # each session, and after each gap (before the first session, between two, after the
        # last: _done_after[e // 2] at an even bound e of the day); and the day's length.
        lengths = [_length(session) for session in policy.sessions]
        self._done_before = list(accumulate(lengths[:-1], initial=_NOTHING))
        self._done_after = list(accumulate(lengths, initial=_NOTHING))
        self._day_length = self._done_after[-1]
        self._per_day = len(lengths)
        self._edges = 2 * len(lengths)  # bounds per working day
        # Amounts of seconds already seen, as (whole days, the rest in (0, a day]); see
        # _amount(). Shared with the as_of() copies, which have the same sessions.
        self._amounts: dict[int, tuple[int, timedelta]] = {}
        # The same for amounts of days, by their (numerator, denominator), with whether the
        # due date moves to the closing time of its day: see add_working_days().
        self._day_amounts: dict[tuple[int, int], tuple[int, timedelta, bool]] = {}
        self._end_of_day = policy.due_time_style == "end_of_day"
        # A moment already in this zone needs no conversion; a ZoneInfo always has an offset.
        self._zone: object = tz if isinstance(tz, ZoneInfo) else _NO_ZONE

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(tz={self.tz.key!r}, overrides={len(self.overrides)}, "
            f"years={self.first_year}-{self.last_year})"
        )

    # Days

    @property
    def working_day_seconds(self) -> int:
        """Length of one working day of office hours, in seconds (28800 by default)."""
        return self._working_day_seconds

    def as_of(self, moment: datetime) -> WorkCalendar:
        """The same calendar seeing only the overrides decided at or before `moment`."""
        require_aware(moment)
        known = bisect_right(self._decision_times, moment)
        if known == len(self._decision_times):
            return self
        # A copy sees a prefix of its original's decisions, so the original can answer.
        return self._root._copy_knowing(known)

    def _copy_knowing(self, known: int) -> WorkCalendar:
        """The copy seeing the always-known overrides and the first `known` decisions, memoized:
        clock.compute() asks for one per ledger entry, and each copy keeps its own index."""
        copy = self._copies.get(known)
        if copy is not None:
            return copy
        seen = {*self._always_known, *self._decided[:known]}
        copy = WorkCalendar(
            tz=self.tz,
            policy=self.policy,
            overrides=[o for i, o in enumerate(self.overrides) if i in seen],
            first_year=self.first_year,
            last_year=self.last_year,
            statutory=None,
        )
        # Statutory data does not depend on overrides: share it rather than rebuild it.
        copy._statutory = self._statutory
        copy._years = self._years
        copy._statutory_worked = self._statutory_worked
        copy._built = self._built
        copy._amounts = self._amounts
        copy._day_amounts = self._day_amounts
        copy._root = self
        self._copies[known] = copy
        return copy

    def day_off_reason(self, day: date) -> str | None:
        """Why `day` is not worked ("Thứ Bảy", a holiday's name, an override), or None."""
        self._check_day(day)
        override = self._override_by_day.get(day)
        if override is not None:
            return None if override.working else (override.reason or "Ngày nghỉ theo quyết định")
        days_off, makeup = self._statutory_year(day.year)
        name = days_off.get(day)
        if name is not None:
            return name
        if day.weekday() in self.policy.weekend and day not in makeup:
            return WEEKDAY_NAMES[day.weekday()]
        return None

    def is_working_day(self, day: date) -> bool:
        """True if `day` is a working day."""
        self._check_day(day)
        year = self._index.get(day.year) or self._year(day.year)
        return year.slots[day.toordinal() - year.first] >= 0

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        self._check_day(day)
        year = self._index.get(day.year) or self._year(day.year)
        slot = year.slots[day.toordinal() - year.first]
        count = slot + 1 if slot >= 0 else ~slot  # working days up to and including `day`
        while count == year.count:
            year, count = self._next_year(year), 0
        return year.days[count]

    def days_off_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """The days off in [first, last] with their reasons, for explanations."""
        self._check_day(first)
        self._check_day(last)
        result: list[tuple[date, str]] = []
        low, high = first.toordinal(), last.toordinal()
        for number in range(first.year, last.year + 1):
            # The index says which days are off; only those need their reason.
            year = self._year(number)
            slots = year.slots
            for i in range(max(low - year.first, 0), min(high - year.first + 1, len(slots))):
                if slots[i] < 0:
                    day = date.fromordinal(year.first + i)
                    reason = self.day_off_reason(day)
                    if reason is not None:  # always, the index being made of these reasons
                        result.append((day, reason))
        return result

    # Hours

    def is_open(self, at: datetime) -> bool:
        """True inside a session of a working day (session start inclusive, end exclusive)."""
        local = self._local(at)
        if not self.is_working_day(local.date()):
            return False
        moment = local.time()
        return any(session.start <= moment < session.end for session in self._sessions)

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself if the office is open, else the start of the next session worked."""
        local = self._local(at)
        day, moment = local.date(), local.time()
        if self.is_working_day(day):
            for session in self._sessions:
                if moment < session.start:
                    return self._at(day, session.start)
                if moment < session.end:
                    return local
        return self._at(self.next_working_day(day), self._sessions[0].start)

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """The moment `seconds` of office time after `start`; may end exactly at a session end."""
        # This is the hot path of every due date, kept flat: the usual case is tested first, a
        # positive int and a moment already in the calendar's zone (what _local() returns).
        usual = type(seconds) is int and seconds > 0
        if usual and type(start) is datetime and start.tzinfo is self._zone:
            local = start
        else:
            whole = isinstance(seconds, int) and not isinstance(seconds, bool)
            if not whole or seconds < 0:
                raise ValidationError(
                    _("Số giây làm việc phải là số nguyên không âm."), value=repr(seconds)
                )
            local = self._local(start)
            if seconds == 0:
                # Nothing to add to a moment that is itself a valid result (a sum that filled
                # a session exactly): moving it to the next opening would make a + 0 differ
                # from a.
                return local if self._is_session_end(local) else self.next_opening(local)
        days, rest = self._amounts.get(seconds) or self._amount(seconds, local)
        return self._add(local, days, rest)

    def _add(self, local: datetime, days: int, rest: timedelta) -> datetime:
        """The moment `days` working days and `rest` (in (0, a working day]) after `local`,
        a moment in the calendar's zone."""
        where = self._where.get(local.date())
        if where is None:  # the index only holds supported years: check this one first
            self._year(self._local(local).year)
            where = self._where[local.date()]
        # Where `local` is: on its year's k-th working day with `done` of it done, or on a day
        # off before the k-th, which has nothing done; then the sum ends `days` working days
        # later, `done + rest` into the day, which is one day further if that passes a day's
        # length. Indexing and arithmetic, no search over the year.
        year, k, low = where
        if low < 0:
            done = rest
        else:
            # Which of its day's bounds `local` is after: odd, inside the session bound // 2.
            bound = bisect_right(year.bounds, local, low, low + self._edges)
            if bound & 1:
                done = local - year.origins[bound >> 1] + rest
            else:
                done = self._done_after[(bound - low) >> 1] + rest
            if done > self._day_length:
                k, done = k + 1, done - self._day_length
        k += days
        if k >= year.count:
            return self._add_to_later_year(year, k - year.count, done)
        # The session where the sum ends. One that fills a session exactly ends at its end
        # (13:00 + 4 h = 17:00 the same day, not 08:00 the next), which is what an appointment
        # slip should show: so a session holds the parts of a day in (done before it, done
        # after it], and `rest` is never 0, a whole number of days being one less and a day.
        session = bisect_left(self._done_before, done) - 1
        return year.origins[k * self._per_day + session] + done

    def _amount(self, seconds: int, local: datetime) -> tuple[int, timedelta]:
        """`seconds` (> 0) as whole working days and the rest, in (0, a working day], memoized:
        time limits come from a short list (the catalogue's limits, the steps' allotments),
        and making a timedelta and dividing it by a day's length cost about as much as all
        the rest of a due date (1.4 µs against 1.6). A whole number of days is one day less
        and a whole day, so that it ends at a closing time, not at the next opening."""
        try:
            amount = _ONE_SECOND * seconds
        except OverflowError:
            # As walking the days failed: at the range's end first, else on the amount.
            self.next_opening(local)
            raise
        days, rest = divmod(amount, self._day_length)
        if not rest:
            days, rest = days - 1, self._day_length
        if len(self._amounts) >= _MEMO_SIZE:  # bounded, for callers that pass any amount
            self._amounts.clear()
        self._amounts[seconds] = (days, rest)
        return days, rest

    def _add_to_later_year(self, year: _Year, days: int, done: timedelta) -> datetime:
        """The moment `done` into the working day `days` working days after the end of
        `year` (`done` in (0, a working day])."""
        year = self._next_year(year)
        while days >= year.count:  # whole years at a time
            days -= year.count
            year = self._next_year(year)
        session = bisect_left(self._done_before, done) - 1
        return year.origins[days * self._per_day + session] + done

    def _is_session_end(self, at: datetime) -> bool:
        local = self._local(at)
        return self.is_working_day(local.date()) and any(
            local.time() == session.end for session in self._sessions
        )

    def days_to_seconds(self, days: Fraction | Decimal | int) -> int:
        """Working seconds in `days` working days (e.g. 0.25 -> 7200 by default)."""
        numerator, denominator = _exact_days(days)
        # Sub-second remainders are meaningless for a deadline: round half up to whole seconds,
        # floor(n/d x W + 1/2), in integers.
        return (2 * numerator * self._working_day_seconds + denominator) // (2 * denominator)

    def add_working_days(self, start: datetime, days: Fraction | Decimal | int) -> datetime:
        """The moment `days` working days after `start` (fractions allowed, e.g. 0.25)."""
        # The usual case first, as in add_working_seconds(): a Fraction (what core.clock
        # passes) or an int, of an amount seen before, and a moment already in the calendar's
        # zone. Only valid amounts are memoized, so it needs no check; the moment's range is
        # checked by _add(), as for seconds.
        kind = type(days)
        if (kind is Fraction or kind is int) and type(start) is datetime:
            amount = self._day_amounts.get(days.as_integer_ratio())
            if amount is not None and start.tzinfo is self._zone:
                whole, rest, closing = amount
                due = self._add(start, whole, rest)
                return self._at(due.date(), self._sessions[-1].end) if closing else due
        numerator, denominator = _exact_days(days)
        # As days_to_seconds(), without checking `days` twice.
        if denominator == 1:
            seconds = numerator * self._working_day_seconds
        else:
            seconds = (2 * numerator * self._working_day_seconds + denominator) // (2 * denominator)
        due = self.add_working_seconds(start, seconds)
        # Civil Code style (DOMAIN §8): the period ends at the end of its last working day.
        # The last day counted is the day the exact computation lands on. Mixed amounts
        # (1.5 days) end at closing time too, or 1⅓ days could end before 1 day does; below
        # one day a limit keeps its exact time, like a limit in hours [check].
        closing = self._end_of_day and numerator >= denominator
        if seconds > 0:  # memoized for the usual case above; 0 is no sum (see add_working_…)
            if len(self._day_amounts) >= _MEMO_SIZE:
                self._day_amounts.clear()
            # The sum above was made: the amount is a timedelta, _amount() cannot overflow.
            whole, rest = self._amounts.get(seconds) or self._amount(seconds, due)
            self._day_amounts[numerator, denominator] = (whole, rest, closing)
        return self._at(due.date(), self._sessions[-1].end) if closing else due

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Seconds of office time in [start, end); 0 if end <= start."""
        first, last = self._local(start), self._local(end)
        if last <= first:
            return 0
        year, position = self._position(first)
        last_year, end_position = self._position(last)
        while year.year < last_year.year:
            position -= year.total
            year = self._year(year.year + 1)
        return (end_position - position) // _ONE_SECOND

    # The rules of DOMAIN §5 "When the clock starts"

    def clock_start(self, received_at: datetime, *, same_day: bool = False) -> datetime:
        """When counting starts for a dossier received at `received_at` (DOMAIN §5)."""
        local = self._local(received_at)
        cutoff = self.policy.same_day_cutoff if same_day else self.policy.late_cutoff
        opening = self.next_opening(local)
        # Open now, or opening later today (before work, at lunch) but still before the cut-off.
        if opening.date() == local.date() and opening.time() < cutoff:
            return opening
        # At/after the cut-off, after closing, or on a day off: the next working day's opening.
        return self._at(self.next_working_day(local.date()), self._sessions[0].start)

    def same_day_due(self, received_at: datetime) -> datetime:
        """Due time of a "trả trong ngày" procedure: closing time of the day counting starts."""
        started = self.clock_start(received_at, same_day=True)
        return self._at(started.date(), self._sessions[-1].end)

    def closing_time(self, day: date) -> datetime:
        """The end of the last session of `day`."""
        self._check_day(day)
        return self._at(day, self._sessions[-1].end)

    # The index

    def _year(self, year: int) -> _Year:
        """The index of `year` (a supported year), built on first use."""
        index = self._index.get(year)
        if index is None:
            flags = bytearray(self._statutory_working(year))
            first = date(year, 1, 1).toordinal()
            for day, working in self._override_days.get(year, ()):
                flags[day.toordinal() - first] = working
            key = (year, bytes(flags))  # copies that work the same days share the year
            index = self._built.get(key)
            if index is None:
                index = _Year(
                    year, flags, self._sessions, self._done_before, self._day_length, self.tz
                )
                self._built[key] = index
            # _where first: _add() takes a year in _index to be in _where (threads share a
            # calendar; at worst two of them build the same year).
            self._where.update(index.where)
            self._index[year] = index
        return index

    def _statutory_working(self, year: int) -> bytes:
        """1 for each day of `year` worked before any override, 0 for a day off."""
        worked = self._statutory_worked.get(year)
        if worked is None:
            days_off, makeup = self._statutory_year(year)
            first = date(year, 1, 1)
            length = date(year, 12, 31).toordinal() - first.toordinal() + 1
            weekday, weekend = first.weekday(), self.policy.weekend
            flags = bytearray(0 if (weekday + i) % 7 in weekend else 1 for i in range(length))
            # The same order as day_off_reason(): a holiday is off even on a make-up day.
            for day in makeup:
                flags[day.toordinal() - first.toordinal()] = 1
            for day in days_off:
                flags[day.toordinal() - first.toordinal()] = 0
            worked = self._statutory_worked[year] = bytes(flags)
        return worked

    def _next_year(self, year: _Year) -> _Year:
        """The index of the year after `year`; past the last supported year, the range error."""
        if year.year >= self.last_year:
            # The first day past the range, as the day-by-day walk would have met it.
            self._check_day(date(year.year, 12, 31) + _ONE_DAY)
        return self._year(year.year + 1)

    def _position(self, local: datetime) -> tuple[_Year, timedelta]:
        """The year of `local` (a supported moment) and how much of its working time is done."""
        where = self._where.get(local.date())
        if where is None:
            self._year(local.year)
            where = self._where[local.date()]
        year, k, low = where
        if low < 0:  # a day off: the working days before it done, nothing of it
            return year, self._day_length * k
        bound = bisect_right(year.bounds, local, low, low + self._edges)  # as in _add()
        if bound & 1:
            return year, self._day_length * k + (local - year.origins[bound >> 1])
        return year, self._day_length * k + self._done_after[(bound - low) >> 1]

    # Internals

    def _statutory_year(self, year: int) -> tuple[dict[date, str], frozenset[date]]:
        """Statutory days off of `year` (exclusions applied) and the make-up working days."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        names: Mapping[date, tuple[str, ...]]
        if self._statutory is None:
            names, makeup = _package_year(year)
        else:
            names = {day: (name,) for day, name in self._statutory.items() if day.year == year}
            makeup = frozenset()
        excluded = self.policy.excluded_holidays
        days_off: dict[date, str] = {}
        for day, day_names in names.items():
            kept = [name for name in day_names if name not in excluded]
            if kept:
                days_off[day] = ", ".join(kept)
        cached = (days_off, makeup)
        self._years[year] = cached
        return cached

    def _check_day(self, day: date) -> None:
        """Raise unless `day` is a plain date inside the supported years."""
        _require_date(day)
        if not self.first_year <= day.year <= self.last_year:
            raise CalendarRangeError(
                _(
                    "Ngày {shown} nằm ngoài phạm vi lịch làm việc được hỗ trợ "
                    "(năm {first_year}–{last_year})."
                ),
                shown=f"{day:%d/%m/%Y}",
                day=day.isoformat(),
                first_year=self.first_year,
                last_year=self.last_year,
            )

    def _local(self, at: datetime) -> datetime:
        """`at` in the calendar's time zone, checked for awareness and range."""
        require_aware(at)
        local = at.astimezone(self.tz)
        if not self.first_year <= local.year <= self.last_year:
            self._check_day(local.date())
        return local

    def _at(self, day: date, moment: time) -> datetime:
        """The aware local datetime of `moment` on `day`."""
        return datetime.combine(day, moment, tzinfo=self.tz)


def _length(session: Session) -> timedelta:
    """How long `session` lasts, in wall-clock time (as on any day)."""
    return datetime.combine(_ANCHOR, session.end) - datetime.combine(_ANCHOR, session.start)


def _require_date(day: date) -> None:
    """Raise ValidationError unless `day` is a date (a datetime is not a day)."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValidationError(_("Cần một ngày (date), không phải thời điểm."), value=repr(day))


def _seconds_between_times(start: time, end: time) -> int:
    """Whole seconds from `start` to `end` on the same day."""
    anchor = date(2000, 1, 1)
    return (datetime.combine(anchor, end) - datetime.combine(anchor, start)) // _ONE_SECOND


def _exact_days(days: Fraction | Decimal | int) -> tuple[int, int]:
    """`days` as an exact non-negative ratio (numerator, denominator > 0) in lowest terms;
    floats are refused because 0.1 is not exact."""
    # The usual cases first: this is on every due date.
    if type(days) is int:
        ratio = (days, 1)
    elif type(days) is Fraction:
        ratio = days.as_integer_ratio()
    elif isinstance(days, bool | float) or not isinstance(days, int | Fraction | Decimal):
        raise ValidationError(
            _("Số ngày làm việc phải là số nguyên, Fraction hoặc Decimal."), value=repr(days)
        )
    else:
        try:
            ratio = days.as_integer_ratio()
        except (ValueError, OverflowError) as exc:  # Decimal NaN / Infinity
            raise ValidationError(_("Số ngày làm việc không hợp lệ."), value=repr(days)) from exc
    if ratio[0] < 0:
        raise ValidationError(_("Số ngày làm việc không được âm."), value=repr(days))
    return ratio


def local_date(moment: datetime, tz: tzinfo = DEFAULT_TZ) -> date:
    """The calendar day `moment` falls on in the centre's zone `tz`: the one day the system
    ever derives from a moment (procedure versions, codes, ledgers, "today"), never the UTC
    date nor the process's active zone (at 00:10 in Hà Nội the UTC date is yesterday's)."""
    require_aware(moment)
    return moment.astimezone(tz).date()


# Vietnamese formatting used in explanations


def format_vn(moment: datetime, tz: tzinfo = DEFAULT_TZ) -> str:
    """`moment` shown in `tz` as "10:00 Thứ Năm 12/02/2026"."""
    require_aware(moment)
    local = moment.astimezone(tz)
    return f"{local:%H:%M} {format_date_vn(local.date())}"


def format_date_vn(day: date) -> str:
    """`day` as "Thứ Năm 12/02/2026"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y}"


def format_day_range(first: date, last: date) -> str:
    """A span of days as "16/02–20/02/2026" (or a single "27/04/2026")."""
    if first == last:
        return f"{first:%d/%m/%Y}"
    if first.year == last.year:
        return f"{first:%d/%m}–{last:%d/%m/%Y}"
    return f"{first:%d/%m/%Y}–{last:%d/%m/%Y}"


def group_days_off(days: Sequence[tuple[date, str]]) -> list[tuple[date, date, str]]:
    """Consecutive days off of the same kind (weekend or not) as (first, last, label) ranges."""
    groups: list[tuple[date, date, list[str]]] = []
    for day, reason in sorted(days):
        if groups:
            first, last, reasons = groups[-1]
            # Weekends and holidays stay apart even when adjacent, so each range reads clearly.
            same_kind = _is_weekend_reason(reason) == _is_weekend_reason(reasons[-1])
            if day == last + _ONE_DAY and same_kind:
                reasons.append(reason)
                groups[-1] = (first, day, reasons)
                continue
        groups.append((day, day, [reason]))
    return [(first, last, _group_label(reasons)) for first, last, reasons in groups]


def format_days_off(days: Sequence[tuple[date, str]]) -> str:
    """Days off as "16/02–20/02/2026 (Tết Nguyên Đán), 21/02–22/02/2026 (Thứ Bảy, Chủ nhật)"."""
    return ", ".join(
        f"{format_day_range(first, last)} ({label})" for first, last, label in group_days_off(days)
    )


def _is_weekend_reason(reason: str) -> bool:
    """True if the reason is a weekday name, i.e. the day is off as a rest day of the week."""
    return reason in WEEKDAY_NAMES


def _group_label(reasons: list[str]) -> str:
    """Distinct reasons, dropping those that extend another one ("Mùng hai Tết Nguyên Đán")."""
    distinct = list(dict.fromkeys(reasons))
    kept = [r for r in distinct if not any(other != r and other in r for other in distinct)]
    return ", ".join(kept)
