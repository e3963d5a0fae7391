"""`motcua audit verify`: check the hash chains of every dossier's event log."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import DossierEvent


class Command(BaseCommand):
    help = "Audit the append-only dossier event log."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        sub = parser.add_subparsers(dest="sub", required=True)
        sub.add_parser("verify", help="Verify every event's hash link.")

    def handle(self, *args, sub: str, **options) -> None:  # noqa: ANN002, ANN003
        problems = verify_chains()
        count = DossierEvent.objects.count()
        if problems:
            for code, seq, problem in problems[:200]:
                self.stderr.write(f"{code} sự kiện {seq}: {problem}")
            raise CommandError(f"Phát hiện {len(problems)} sai lệch trong {count} sự kiện.")
        self.stdout.write(f"Toàn vẹn: {count} sự kiện, không có sai lệch.")
