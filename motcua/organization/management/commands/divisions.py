"""`motcua divisions import --province 1`: copy a province's communes and wards into Division."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ValidationError
from motcua.organization.services import divisions_import


class Command(BaseCommand):
    help = "Quản lý danh mục đơn vị hành chính."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser(
            "import",
            help="Nhập tỉnh, thành phố và các xã, phường từ gói vietnam-provinces.",
        )
        load.add_argument(
            "--province",
            type=int,
            default=1,
            help="mã tỉnh, thành phố (mặc định 1: Thành phố Hà Nội)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = divisions_import(province_code=options["province"])
        except ValidationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã nhập {count} xã, phường, đặc khu của tỉnh, thành phố mã {options['province']:02d}."
        )
