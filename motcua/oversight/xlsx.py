"""Oversight's downloads as Excel workbooks (openpyxl): each cell typed — numbers as numbers,
dates and times as real dates in the centre's time zone, shares as percentages — with the
same headers as the CSV, in Vietnamese."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from motcua.organization.selectors import centre_tz

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY = "dd/mm/yyyy"
MOMENT = "dd/mm/yyyy hh:mm"
PERCENT = "0.0%"


@dataclass(frozen=True)
class Share:
    """A ratio shown as a percentage (None: nothing to divide, an empty cell)."""

    value: Fraction | None


@dataclass(frozen=True)
class Points:
    """Points with one decimal (or `places`), signed for a change."""

    value: Fraction | float | None
    signed: bool = False
    places: int = 1


@dataclass(frozen=True)
class Heading:
    """A section's title or a table's header: in bold."""

    text: str


Cell = str | int | date | datetime | Share | Points | Heading | None


def _typed(cell: Cell) -> tuple[Any, str | None, bool]:
    """The value openpyxl stores, its number format, and whether it is bold."""
    match cell:
        case Heading(text):
            return text, None, True
        case Share(value):
            return (None if value is None else float(value)), PERCENT, False
        case Points(value, signed, places):
            shown = "0." + "0" * places if places else "0"
            number_format = f"+{shown};-{shown};{shown}" if signed else shown
            return (None if value is None else float(value)), number_format, False
        case datetime():
            # Excel knows no time zones: the local time the pages show.
            return cell.astimezone(centre_tz()).replace(tzinfo=None), MOMENT, False
        case date():
            return cell, DAY, False
        case _:
            return (None if cell == "" else cell), None, False


def workbook(title: str, rows: Iterable[Sequence[Cell]], widths: Sequence[int] = ()) -> bytes:
    """One sheet named `title` with these rows (an empty row between sections), as bytes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit on a sheet's name
    bold = Font(bold=True)
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row, start=1):
            value, number_format, strong = _typed(cell)
            target = sheet.cell(row=r, column=c, value=value)
            if number_format is not None:
                target.number_format = number_format
            if strong:
                target.font = bold
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(content: bytes, filename: str) -> HttpResponse:
    """The workbook as a download, never cached (names of officials, breaches)."""
    answer = HttpResponse(content, content_type=CONTENT_TYPE)
    answer["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    answer["Cache-Control"] = "no-store"
    return answer
