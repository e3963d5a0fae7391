"""`motcua restore PATH [--force]`: replace the database with a backup, checked whole first."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.backups.services import BackupError, backup_restore

SHOWN = 50  # problems printed at most


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `motcua backup`, after checking its "
        "manifest, size and SHA-256; then check every table's rows and the audit anchor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The dump written by `motcua backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore over a database with data newer than the backup (it is lost).",
        )

    def handle(self, *args: object, path: str, force: bool, **options: Any) -> None:
        started = time.monotonic()
        try:
            restored = backup_restore(path=Path(path), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t.rows for t in restored.tables.values())
        what = (
            f"{restored.vendor}, sao lưu lúc {restored.taken_at}: {len(restored.tables)} bảng, "
            f"{rows:,} dòng, {restored.dossiers} hồ sơ, {restored.events} sự kiện"
        )
        for problem in restored.problems[:SHOWN]:
            self.stderr.write(problem)
        if restored.problems:
            raise CommandError(
                f"Đã khôi phục {path} ({what}) nhưng phát hiện {len(restored.problems)} sai lệch."
            )
        self.stdout.write(
            f"Đã khôi phục {path} ({what}) trong {time.monotonic() - started:.1f} giây; mọi "
            "bảng đủ dòng như bản kê, nhật ký toàn vẹn và khớp mốc neo."
        )
