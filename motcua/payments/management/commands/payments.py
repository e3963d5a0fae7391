"""`motcua payments reconcile [--from D] [--to D]`: what was paid against what was due."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core import payments as rules
from motcua.core.calendar import local_date
from motcua.core.fees import money
from motcua.organization.selectors import centre_tz
from motcua.payments.selectors import reconciliation


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày «{text}» không đúng dạng YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Reconcile payments against the fees due, per day and per dossier."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        reconcile = sub.add_parser("reconcile", help="List each day's totals and mismatches.")
        reconcile.add_argument("--from", dest="first", default=None, help="YYYY-MM-DD (today)")
        reconcile.add_argument("--to", dest="last", default=None, help="YYYY-MM-DD (= --from)")

    def handle(
        self, *args: object, sub: str, first: str | None, last: str | None, **options: object
    ) -> None:
        today = local_date(timezone.now(), centre_tz())
        start = _day(first) if first else today
        end = _day(last) if last else start
        if end < start:
            raise CommandError("--to phải từ --from trở đi.")
        found = reconciliation(first=start, last=end)
        for total in found.days:
            mark = "khớp" if total.balanced else "LỆCH"
            self.stdout.write(
                f"{total.day:%d/%m/%Y}: {total.payments} khoản, phải thu {money(total.due)} đ, "
                f"đã thu {money(total.paid)} đ — {mark}"
            )
        for finding in found.findings:
            self.stdout.write(
                f"Hồ sơ {finding.code}: {rules.MISMATCH_LABELS[finding.kind]} — phải nộp "
                f"{money(finding.due)} đ, đã nộp {money(finding.paid)} đ"
            )
        for notice in found.refused:
            label = rules.OUTCOME_LABELS[rules.Outcome(notice.outcome)]
            self.stdout.write(f"Thông báo bị từ chối {notice.reference}: {label}")
        problems = len(found.findings) + len(found.refused)
        self.stdout.write(f"Lệch: {problems}")
