"""Due dates on motcua's indexed calendar, against `holidays`' get_nth_working_day.

    .venv/bin/python bench/calendar.py [--inputs 20000] [--rounds 7] [--block 500] [--seed 7]

Generates seeded random due-date questions: a moment anywhere in 2026-2027 (nights, rest
days and holidays included) and a time limit of N working days (0.125 ... 20) or N working
hours (1 ... 40). motcua answers them with `WorkCalendar.add_working_days` /
`add_working_seconds` on a calendar with a centre's overrides; `holidays` answers the same
questions, in whole days, with `get_nth_working_day` on an object holding the same days off,
and must give the same due date every time. Both sides are built once and warmed up, and
timed interleaved, block by block. The last line printed is
`ratio=<holidays time ÷ motcua time>`, each side's time being its blocks' best, summed.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

# This file has the name of the standard library's `calendar`, which `holidays` needs (through
# dateutil): run as a script, its folder must not come first on the import path. Nothing
# imported above needs `calendar`; holidays and motcua are imported in main(), after this.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

YEARS = range(2026, 2029)  # the inputs' years, and the next one for limits that cross it
DAYS = ("0.125", "0.5", "1", "3", "5", "7", "10", "15", "20")  # working days
HOURS = (1, 2, 4, 8, 16, 24, 40)  # working hours


def centre_overrides() -> list[Any]:
    """A centre's decisions: a storm day off and its make-up Saturday, 2026's make-up Saturday
    (the package knows it too), a year-end day off; entered on the day before, as admins do."""
    from motcua.core.calendar import Override

    def decided(day: date) -> datetime:
        return datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC)

    days = [
        (date(2026, 3, 10), False, "Nghỉ do bão (QĐ 12/QĐ-UBND)"),
        (date(2026, 3, 14), True, "Làm bù cho ngày 10/3"),
        (date(2026, 8, 22), True, "Làm bù cho ngày 31/8"),
        (date(2027, 12, 31), False, "Nghỉ cuối năm (QĐ 98/QĐ-UBND)"),
    ]
    return [Override(day, working, reason, decided(day)) for day, working, reason in days]


def holidays_like(cal: Any, overrides: Sequence[Any]) -> Any:
    """The `holidays` object with the same days off as `cal`: the package's Vietnam, without
    the names the centre has not confirmed, plus the centre's overrides."""
    import holidays

    table = holidays.country_holidays("VN", years=YEARS, language="vi")
    for day in list(table):
        if all(name in cal.policy.excluded_holidays for name in table.get_list(day)):
            table.pop(day)
    for override in overrides:
        if not override.working:
            table[override.day] = override.reason
            continue
        if override.day in table:
            table.pop(override.day)
        if override.day.weekday() in cal.policy.weekend:
            table.weekend_workdays.add(override.day)
    return table


def make_inputs(count: int, seed: int, tz: Any) -> list[tuple[str, datetime, Fraction | int]]:
    """(kind, moment, amount): a moment to the second anywhere in 2026-2027; half the limits
    in working days (Fractions, as clock.py passes them), half in working hours."""
    rng = random.Random(seed)
    first = datetime(2026, 1, 1, tzinfo=tz)
    span = int((datetime(2028, 1, 1, tzinfo=tz) - first).total_seconds())
    inputs: list[tuple[str, datetime, Fraction | int]] = []
    for _ in range(count):
        moment = first + timedelta(seconds=rng.randrange(span))
        if rng.random() < 0.5:
            inputs.append(("days", moment, Fraction(rng.choice(DAYS))))
        else:
            inputs.append(("hours", moment, rng.choice(HOURS)))
    return inputs


def timed(work: Callable[[], None]) -> float:
    """Seconds one run of `work` takes, with the collector off (as timeit does)."""
    gc.disable()
    try:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started
    finally:
        gc.enable()


def runner(calls: Sequence[tuple[Callable[[Any, Any], Any], Any, Any]]) -> Callable[[], None]:
    """The same loop for both sides: a bound method and its two arguments per input."""

    def run() -> None:
        for call, first, second in calls:
            call(first, second)

    return run


def us(seconds: float, n: int) -> str:
    return f"{1e6 * seconds / n:.2f} µs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=20_000, help="due dates per round")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds of each side")
    parser.add_argument("--block", type=int, default=500, help="due dates timed at once")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import holidays

    from motcua.core import calendar as core_calendar
    from motcua.core.calendar import WorkCalendar

    load_before = os.getloadavg()
    overrides = centre_overrides()

    # Build times. Cold: the first calendar of a process also has the package compute the
    # years' holidays (lunar dates); warm: any later calendar (calendar_for() rebuilds one a
    # minute); an as_of() copy: a calendar seen before some decisions, with its own index.
    def build(cal: WorkCalendar) -> WorkCalendar:
        for year in YEARS:
            cal.is_working_day(date(year, 1, 1))  # builds the year's index
        return cal

    started = time.perf_counter()
    cal = build(WorkCalendar(overrides=overrides))
    cold = time.perf_counter() - started
    warm = min(timed(lambda: build(WorkCalendar(overrides=overrides))) for _ in range(20))
    one_year = min(
        timed(lambda: WorkCalendar(overrides=overrides).is_working_day(date(2026, 1, 1)))
        for _ in range(20)
    )
    before_storm = datetime(2026, 3, 1, tzinfo=UTC)
    started = time.perf_counter()
    build(cal.as_of(before_storm))
    copy_build = time.perf_counter() - started
    memo_n = 10_000
    memo = timed(lambda: [cal.as_of(before_storm) for _ in range(memo_n)])
    started = time.perf_counter()
    table = holidays_like(cal, overrides)
    holidays_build = time.perf_counter() - started

    # Both sides must mean the same calendar, day for day.
    day, differ = date(YEARS[0], 1, 1), []
    while day.year in YEARS:
        if table.is_working_day(day) != cal.is_working_day(day):
            differ.append(day)
        day += timedelta(days=1)
    if differ:
        print(f"the two calendars differ on {differ[:5]}", file=sys.stderr)
        return 1

    inputs = make_inputs(args.inputs, args.seed, cal.tz)
    motcua_calls = {
        "days": [(cal.add_working_days, m, n) for kind, m, n in inputs if kind == "days"],
        "hours": [
            (cal.add_working_seconds, m, n * 3600) for kind, m, n in inputs if kind == "hours"
        ],
    }
    # holidays counts whole working days from a date. It is asked for the same due date: from
    # the moment's date, as many working days as the limit spans (those after that date, up
    # to and including the due date's), so both sides answer every question alike.
    nth = table.get_nth_working_day
    holidays_calls: dict[str, list[tuple[Any, date, int]]] = {"days": [], "hours": []}
    for kind in ("days", "hours"):
        for call, moment, amount in motcua_calls[kind]:
            start, due = moment.date(), call(moment, amount).date()
            spanned = sum(
                table.is_working_day(start + timedelta(days=i))
                for i in range(1, (due - start).days + 1)
            )
            if nth(start, spanned) != due:
                print(f"holidays disagrees on {kind} {amount} from {moment}", file=sys.stderr)
                return 1
            holidays_calls[kind].append((nth, start, spanned))

    # Warm-up: every input once on both sides (caches, the index, the interpreter).
    for kind in ("days", "hours"):
        runner(motcua_calls[kind])()
        runner(holidays_calls[kind])()

    # Timed in blocks of a few hundred due dates, each side's block right after the other's,
    # alternating which goes first: a block is short enough to run undisturbed in most rounds,
    # and both sides see the same machine. A side's best time is the sum of its blocks' best.
    blocks = {
        side: {
            kind: [calls[kind][i : i + args.block] for i in range(0, len(calls[kind]), args.block)]
            for kind in ("days", "hours")
        }
        for side, calls in (("motcua", motcua_calls), ("holidays", holidays_calls))
    }
    # times[side][kind][block] = that block's time in each round
    times = {
        side: {kind: [[] for _ in blocks[side][kind]] for kind in ("days", "hours")}
        for side in blocks
    }
    rounds: dict[str, list[float]] = {side: [] for side in blocks}
    for number in range(args.rounds):
        sides = ("motcua", "holidays") if number % 2 == 0 else ("holidays", "motcua")
        spent = dict.fromkeys(blocks, 0.0)
        for kind in ("days", "hours"):
            for i in range(len(blocks["motcua"][kind])):
                for side in sides:
                    seconds = timed(runner(blocks[side][kind][i]))
                    times[side][kind][i].append(seconds)
                    spent[side] += seconds
        for side in blocks:
            rounds[side].append(spent[side])
    load_after = os.getloadavg()

    n = len(inputs)
    counts = {kind: len(motcua_calls[kind]) for kind in ("days", "hours")}
    best = {
        side: {kind: sum(min(runs) for runs in times[side][kind]) for kind in ("days", "hours")}
        for side in times
    }
    ratios = sorted(h / m for h, m in zip(rounds["holidays"], rounds["motcua"], strict=True))
    out = [
        "motcua calendar benchmark: due dates",
        f"  code under test {core_calendar.__file__}",
        f"  holidays        {holidays.__version__}, VN, years {YEARS[0]}–{YEARS[-1]}",
        f"  machine         {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (other work on the machine skews both sides)",
        f"  inputs          {n} (seed {args.seed}): {counts['days']} in working days "
        f"{', '.join(DAYS)}; {counts['hours']} in working hours {', '.join(map(str, HOURS))}; "
        "moments anywhere in 2026–2027",
        f"  calendar        default policy (08–12, 13–17), {len(overrides)} overrides; the "
        f"holidays object agrees with it on every day of {YEARS[0]}–{YEARS[-1]}",
        f"  same answers    holidays' date is motcua's due date for all {n} inputs (asked for "
        "as many working days as each limit spans)",
        "",
        "build (once per calendar; not in the timings below)",
        f"  first calendar  {1e3 * cold:.1f} ms for {len(YEARS)} years (the package computes "
        "their holidays; cached for the process)",
        f"  any later one   {1e3 * warm:.2f} ms for {len(YEARS)} years "
        f"({1e3 * one_year:.2f} ms for the calendar and one year)",
        f"  as_of() copy    {1e3 * copy_build:.2f} ms for {len(YEARS)} years, the first time;"
        f" then {us(memo, memo_n)} per call (memoized)",
        f"  holidays        {1e3 * holidays_build:.1f} ms (the object with the same days off)",
        "",
        f"due dates ({args.rounds} rounds in blocks of {args.block}, interleaved; best: each "
        "block's best round, summed / median round)",
    ]
    for side in ("holidays", "motcua"):
        for kind in ("days", "hours"):
            out.append(f"  {side:<9} {kind:<6} {us(best[side][kind], counts[kind]):>10}")
        total = best[side]["days"] + best[side]["hours"]
        median = statistics.median(rounds[side])
        out.append(f"  {side:<9} {'all':<6} {us(total, n):>10} / {us(median, n):>10}")
    out.append(
        f"  per-round ratio min {ratios[0]:.1f}, median {statistics.median(ratios):.1f}, "
        f"max {ratios[-1]:.1f}"
    )
    print("\n".join(out), flush=True)
    all_best = {side: best[side]["days"] + best[side]["hours"] for side in best}
    print(f"ratio={all_best['holidays'] / all_best['motcua']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
