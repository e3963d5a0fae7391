"""The monthly trend as numbers an inline SVG draws: bars of dossiers received and a line of
the on-time rate, laid out in a fixed box the page scales (no script, no build step)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from motcua.oversight.selectors import MonthFigures, as_percent

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 16, 36  # room for the axes' labels


@dataclass(frozen=True)
class Column:
    month: MonthFigures
    label: str  # "11/2026"
    x: float  # the bar's left edge
    width: float
    bar_y: float
    bar_height: float
    rate: str  # "92,5%" ("" without dossiers to process)
    rate_y: float | None  # the rate's point, None without one

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    columns: list[Column]
    line: str  # the rate's polyline points
    ticks: list[tuple[float, int]]  # (y, dossiers) on the left axis
    rate_ticks: list[tuple[float, int]]  # (y, percent) on the right axis
    base: float  # the x axis' y
    left: int
    right: float


def _scale_top(largest: int) -> int:
    """A round number at or above the largest bar (so the axis reads 0, 50, 100…)."""
    if largest <= 5:
        return 5
    step = int(10 ** (len(str(largest)) - 1))
    for factor in (1, 2, 5, 10):
        if largest <= factor * step:
            return factor * step
    return 10 * step


def trend_chart(months: Sequence[MonthFigures]) -> Chart:
    """Where each month's bar and point go."""
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    top = _scale_top(max((m.figures.period.received for m in months), default=0))
    slot = plot_w / max(1, len(months))
    base = TOP + plot_h
    columns = []
    for i, m in enumerate(months):
        received = m.figures.period.received
        height = plot_h * received / top
        rate = m.figures.on_time_rate
        columns.append(
            Column(
                month=m,
                label=m.month.strftime("%m/%Y"),
                x=round(LEFT + i * slot + slot * 0.15, 1),
                width=round(slot * 0.7, 1),
                bar_y=round(base - height, 1),
                bar_height=round(height, 1),
                rate=as_percent(rate),
                rate_y=None if rate is None else round(base - plot_h * float(rate), 1),
            )
        )
    line = " ".join(f"{c.centre:.1f},{c.rate_y}" for c in columns if c.rate_y is not None)
    ticks = [(round(base - plot_h * k / 4, 1), top * k // 4) for k in range(5)]
    rate_ticks = [(round(base - plot_h * k / 4, 1), 25 * k) for k in range(5)]
    return Chart(WIDTH, HEIGHT, columns, line, ticks, rate_ticks, base, LEFT, WIDTH - RIGHT)
