"""`motcua catalog import [PATH ...] [--dry-run]`: load the procedure files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.services import catalog_import, default_catalog_dir
from motcua.core.errors import ValidationError


class Command(BaseCommand):
    help = "Quản lý danh mục thủ tục hành chính."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser(
            "import",
            help="Nhập các tệp TOML của danh mục (mặc định: catalog/procedures/).",
        )
        load.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="tệp hoặc thư mục")
        load.add_argument(
            "--dry-run", action="store_true", help="kiểm tra và báo cáo, không ghi gì"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["paths"] or [default_catalog_dir()]
        try:
            report = catalog_import(paths=paths, dry_run=options["dry_run"])
        except ValidationError as exc:
            errors = exc.details.get("errors")
            for line in errors if isinstance(errors, list) else []:
                self.stderr.write(str(line))
            raise CommandError(exc.message) from exc
        self.stdout.write(report.summary)
