"""`motcua calendar due`: check a calendar before it goes live."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from motcua.core.calendar import WorkCalendar
from motcua.core.clock import explain_due
from motcua.core.errors import DomainError
from motcua.organization.models import WorkCalendarConfig
from motcua.organization.selectors import calendar_from_config, default_calendar


class Command(BaseCommand):
    help = "Working-calendar tools."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        due = sub.add_parser("due", help="Print the due date-time and how it was reached.")
        due.add_argument("--start", required=True, help="Received at, e.g. 2026-02-12T10:00.")
        amount = due.add_mutually_exclusive_group(required=True)
        amount.add_argument("--working-days", help="Time limit in working days (0.5 allowed).")
        amount.add_argument("--working-hours", help="Time limit in working hours.")
        amount.add_argument("--same-day", action="store_true", help="A same-day procedure.")
        due.add_argument("--calendar", help="Calendar name (default: the first configured).")

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = self._calendar(options.get("calendar"))
        try:
            start = datetime.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(
                f"--start “{options['start']}” không đúng dạng YYYY-MM-DDTHH:MM."
            ) from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=calendar.tz)
        try:
            working_days = working_seconds = None
            if options["working_days"] is not None:
                working_days = _decimal(options["working_days"], "--working-days")
            elif options["working_hours"] is not None:
                hours = _decimal(options["working_hours"], "--working-hours")
                working_seconds = int(hours * 3600)
            due, lines = explain_due(
                calendar,
                received_at=start,
                working_seconds=working_seconds,
                working_days=working_days,
                same_day=options["same_day"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(due.astimezone(calendar.tz).isoformat())
        for line in lines:
            self.stdout.write(line)

    def _calendar(self, name: str | None) -> WorkCalendar:
        if not name:
            try:
                return default_calendar()
            except DatabaseError:
                # Not migrated yet: the national calendar with the default office hours.
                return WorkCalendar(tz=ZoneInfo(settings.TIME_ZONE))
        config = WorkCalendarConfig.objects.filter(name=name).first()
        if config is None:
            raise CommandError(f"Không có lịch làm việc tên “{name}”.")
        return calendar_from_config(config)


def _decimal(value: str, option: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise CommandError(f"{option} phải là một số, không phải “{value}”.") from None
    if number < 0:
        raise CommandError(f"{option} không được âm.")
    return number
