"""`motcua index`: an agency's 766 indicators, total and class for a period, so that the
figures the pages show can be checked outside them."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from motcua.core.indicators import Period
from motcua.organization.selectors import agency_by_code
from motcua.oversight.selectors import agency_index, ranking


def _number(value: Fraction | None) -> dict[str, Any] | None:
    """A fraction as JSON: its decimal value (4 places) and its exact form."""
    if value is None:
        return None
    return {"value": round(float(value), 4), "exact": f"{value.numerator}/{value.denominator}"}


class Command(BaseCommand):
    help = "Bộ chỉ số 766 của một cơ quan trong một kỳ: từng chỉ tiêu, tổng điểm, xếp loại."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Mã định danh của cơ quan.")
        parser.add_argument("--from", dest="first", required=True, help="Ngày đầu kỳ (YYYY-MM-DD).")
        parser.add_argument("--to", dest="last", required=True, help="Ngày cuối kỳ (YYYY-MM-DD).")
        parser.add_argument("--json", dest="as_json", action="store_true", help="In dạng JSON.")

    def handle(
        self, *args: object, agency: str, first: str, last: str, as_json: bool, **options: object
    ) -> None:
        found = agency_by_code(agency)
        if found is None:
            raise CommandError(f"Không có cơ quan mã “{agency}”.")
        try:
            period = Period(date.fromisoformat(first), date.fromisoformat(last))
        except ValueError:
            raise CommandError(
                "Kỳ không hợp lệ: --from và --to là ngày YYYY-MM-DD, --from không sau --to."
            ) from None
        figures, result = agency_index(agency=found.pk, period=period)
        groups = ranking(period=period)
        place = next((s for g in groups for s in g if s.agency.pk == found.pk), None)
        data = {
            "agency": {"code": found.code, "name": found.name},
            "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
            "version": "766-2026.1",
            "indicators": [
                {
                    "code": i.code,
                    "group": i.group.value,
                    "name": gettext(i.name),
                    "maximum": i.maximum,
                    "numerator": i.numerator,
                    "denominator": i.denominator,
                    "ratio": _number(i.ratio),
                    "score": _number(i.score),
                    "formula": gettext(i.formula),
                }
                for i in result.indicators
            ],
            "total": _number(result.total),
            "available": result.available,
            "score": _number(result.score),
            "class": gettext(result.band),
            "rank": place.rank if place else None,
            "ranked_among": (len(next(g for g in groups if place in g)) if place else None),
            "counts": {
                "to_process": figures.to_process,
                "within_time": figures.within_time,
                "carried": figures.carried,
                "received": figures.period.received,
                "finished": figures.period.finished,
                "late": figures.period.late,
                "late_integration": figures.period.late_integration,
                "open_end": figures.open_end,
                "late_open_end": figures.late_open_end,
            },
        }
        if as_json:
            self.stdout.write(_dumps(data))
            return
        self.stdout.write(f"{found.name} — {period.first:%d/%m/%Y} đến {period.last:%d/%m/%Y}")
        for i in result.indicators:
            shown = "—" if i.score is None else f"{float(i.score):.2f}"
            self.stdout.write(f"  {i.code:<4} {gettext(i.name):<60} {shown:>6} / {i.maximum}")
        line = f"Tổng: {float(result.total):.2f} / {result.available} điểm tính được"
        if result.score is not None:
            line += f" = {float(result.score):.2f}/100, xếp loại {gettext(result.band)}"
        self.stdout.write(line)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
