"""`motcua worker`: the long-running deadline and outbox loop (several may run at once)."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from motcua.dossiers.deadlines import process_deadlines
from motcua.notify.services import outbox_deliver


class Command(BaseCommand):
    help = "Warn before deadlines, mark overdue dossiers, draft apologies, deliver the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=int, default=None, help="Seconds between passes.")

    def handle(self, *args: object, once: bool, interval: int | None, **options: object) -> None:
        stop = threading.Event()
        if not once and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        wait = interval if interval is not None else settings.WORKER_INTERVAL_SECONDS
        while True:
            now = timezone.now()
            report = process_deadlines(now=now)
            sent = outbox_deliver(now=now)
            if report.warned or report.overdue or report.apologies or sent or once:
                self.stdout.write(
                    f"{timezone.localtime(now):%H:%M:%S} cảnh báo={report.warned} "
                    f"quá hạn={report.overdue} xin lỗi={report.apologies} đã gửi={sent}"
                )
            if once:
                return
            # Between passes, drop connections that broke or outlived CONN_MAX_AGE.
            close_old_connections()
            if stop.wait(wait):
                return
