"""How the oversight pages print their numbers: rates, working time, scores; an empty value
as "—", never 0 (DOMAIN §9)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from django import template
from django.utils.translation import gettext

from motcua.oversight.page import month_query as _month_query
from motcua.oversight.selectors import StepRow, as_percent

register = template.Library()
EMPTY = "—"


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


@register.filter
def percent(value: Fraction | None) -> str:
    """92,5% (— when there is nothing to divide)."""
    return as_percent(value) or EMPTY


@register.filter
def workdays(seconds: Fraction | int | None, day: int) -> str:
    """Working time in working days of `day` seconds ("1,25 ngày"), or hours below a day."""
    if seconds is None:
        return EMPTY
    if not day:
        return EMPTY
    if seconds < day:
        return gettext("%(n)s giờ") % {"n": _decimal(float(seconds) / 3600, 1)}
    return gettext("%(n)s ngày") % {"n": _decimal(float(seconds) / day, 2)}


@register.filter
def score(value: Fraction | None, places: int = 2) -> str:
    """A score with a decimal comma (— when it could not be computed)."""
    return EMPTY if value is None else _decimal(float(value), places)


@register.filter
def month_query(month: date) -> str:
    return _month_query(month)


@register.filter
def step_query(row: StepRow, by: str) -> str:
    """The query string's end that narrows a step count's drill-down to its row: the unit
    ("&unit=5"), or the official in that unit ("&holder=3&unit=5")."""
    if by == "unit":
        return f"&unit={row.key[0]}"
    return f"&holder={row.key[0]}&unit={row.key[1]}"
