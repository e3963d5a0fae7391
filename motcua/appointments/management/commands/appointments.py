"""`motcua appointments process [--now T]`: reminders for tomorrow, no-shows of ended slots
(the worker runs the same pass every time it wakes)."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.appointments.services import appointments_process
from motcua.organization.selectors import centre_tz


class Command(BaseCommand):
    help = "Send tomorrow's appointment reminders and mark no-shows."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        process = sub.add_parser("process", help="One pass of reminders and no-shows.")
        process.add_argument("--now", default=None, help="ISO 8601; local time without offset")

    def handle(self, *args: object, sub: str, now: str | None, **options: object) -> None:
        moment = timezone.now()
        if now is not None:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now “{now}” không đúng dạng ISO 8601.") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=centre_tz())
        done = appointments_process(now=moment)
        self.stdout.write(f"nhắc={done.reminded} không-đến={done.no_shows}")
