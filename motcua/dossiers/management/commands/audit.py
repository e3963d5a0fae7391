"""`motcua audit verify`: check the hash chains of every dossier's event log."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import DossierEvent


class Command(BaseCommand):
    help = "Audit the append-only dossier event log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        sub.add_parser("verify", help="Verify every event's hash link.")

    def handle(self, *args: object, sub: str, **options: object) -> None:
        problems = verify_chains()
        count = DossierEvent.objects.count()
        if problems:
            for code, seq, problem in problems[:200]:
                self.stderr.write(f"{code} sự kiện {seq}: {problem}")
            raise CommandError(f"Phát hiện {len(problems)} sai lệch trong {count} sự kiện.")
        self.stdout.write(f"Toàn vẹn: {count} sự kiện, không có sai lệch.")
