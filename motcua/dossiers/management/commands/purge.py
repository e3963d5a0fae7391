"""`motcua purge [--apply] [--now T] [--only KIND …]`: delete or pseudonymise the personal
data past its period (motcua/purge.py, docs/privacy.md). Without --apply, only counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core.retention import Outcome, Record
from motcua.organization.selectors import centre_tz
from motcua.purge import purge

WORDS = {
    Record.SESSION: "phiên đăng nhập hết hạn",
    Record.SIGNUP_CODE: "mã xác minh đăng ký, liên lạc",
    Record.SIGN_IN_TRACE: "lượt đăng nhập, lượt gửi mã",
    Record.PENDING_FEEDBACK: "phản ánh chờ xác minh liên lạc",
    Record.OUTBOX: "thư, tin nhắn đã gửi",
    Record.READ_LOG: "dòng nhật ký truy cập",
    Record.CLOSED_DRAFT: "hồ sơ soạn trực tuyến đã đóng",
    Record.FEEDBACK: "phản ánh, kiến nghị đã đóng",
    Record.DOSSIER: "hồ sơ đã kết thúc",
}


class Command(BaseCommand):
    help = "Delete or pseudonymise personal data past its retention period (dry run by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="act (default: only count)")
        parser.add_argument("--now", help="as if at this moment (ISO 8601; Hà Nội time)")
        parser.add_argument(
            "--only", nargs="+", choices=[r.value for r in Record], help="only these kinds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError:
                message = f"--now {options['now']}: không phải thời điểm ISO 8601."
                raise CommandError(message) from None
            if now.tzinfo is None:
                now = now.replace(tzinfo=centre_tz())
        only = {Record(v) for v in options["only"]} if options["only"] else None
        apply = options["apply"]
        lines = purge(now=now, apply=apply, only=only)
        for line in lines:
            if line.refused:
                self.stderr.write(
                    f"{line.rule.record.value}: cơ sở dữ liệu từ chối: {line.refused}"
                )
                continue
            verb = "xóa" if line.rule.outcome is Outcome.DELETE else "ẩn danh"
            done = f"đã {verb}" if apply else f"sẽ {verb}"
            self.stdout.write(
                f"{line.rule.record.value}: {done} {line.count} {WORDS[line.rule.record]} "
                f"(giữ {line.rule.days} ngày)"
            )
        if not apply:
            self.stdout.write("Chạy thử, không thay đổi gì; thêm --apply để thực hiện.")
        if any(line.refused for line in lines):
            raise CommandError("Một số loại dữ liệu chưa xóa được (xem docs/privacy.md).")
