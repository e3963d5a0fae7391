"""`motcua backup PATH`: a consistent dump of the database, with its manifest beside it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.backups.services import BackupError, backup_create, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the database to PATH (SQLite: the online backup API; PostgreSQL: pg_dump "
        "--format=custom), with PATH.manifest.json: migrations, row counts, the audit anchor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The dump to write (its manifest goes beside it).")

    def handle(self, *args: object, path: str, **options: Any) -> None:
        started = time.monotonic()
        try:
            manifest = backup_create(path=Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Đã sao lưu {manifest['vendor']} vào {path} ({manifest['dump']['size']:,} byte, "
            f"{len(manifest['tables'])} bảng, {rows:,} dòng, {manifest['anchor']['dossiers']} hồ "
            f"sơ, {manifest['anchor']['events']} sự kiện) trong {time.monotonic() - started:.1f} "
            f"giây; bản kê: {manifest_path(Path(path))}."
        )
