"""`motcua worker`: the long-running deadline and outbox loop (several may run at once)."""

from __future__ import annotations

import signal
import threading
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from motcua.appointments.services import appointments_process
from motcua.core.errors import DomainError
from motcua.dossiers.deadlines import process_deadlines
from motcua.feedback.services import feedback_escalate, feedback_pending_expire
from motcua.notify.services import outbox_deliver
from motcua.online.services import process_online
from motcua.operations.services import worker_beat_record, worker_name
from motcua.organization.selectors import default_calendar
from motcua.oversight.services import tallies_catch_up
from motcua.oversight.warnings import warnings_raise
from motcua.payments.services import payments_poll

NOW_HELP = (
    "With --once: run the pass as if it were this moment, for rehearsals and tests. ISO 8601, "
    "e.g. 2026-11-27T09:00+07:00; without an offset (2026-11-27T09:00) it is the centre's "
    "local time (TIME_ZONE, Asia/Ho_Chi_Minh)."
)


class Command(BaseCommand):
    help = (
        "Warn before deadlines, mark overdue dossiers, draft apologies, escalate late feedback, "
        "settle online payments whose callback never came, deliver the outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=int, default=None, help="Seconds between passes.")
        parser.add_argument("--now", default=None, metavar="T", help=NOW_HELP)

    def handle(
        self,
        *args: object,
        once: bool,
        interval: int | None,
        now: str | None,
        **options: object,
    ) -> None:
        simulated = _moment(now) if now is not None else None
        if simulated is not None and not once:
            raise CommandError("--now chỉ dùng cùng --once (một lượt ở thời điểm giả định).")
        stop = threading.Event()
        if not once and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        wait = interval if interval is not None else settings.WORKER_INTERVAL_SECONDS
        name = worker_name()
        while True:
            moment = simulated or timezone.now()
            try:
                report = process_deadlines(now=moment)
            except DomainError as exc:  # e.g. a simulated time outside the calendars' years
                raise CommandError(exc.message) from None
            appointments_process(now=moment)  # reminders queued now go out just below
            escalated = feedback_escalate(now=moment).escalated
            feedback_pending_expire(now=moment)
            online = process_online(now=moment)
            tallied = tallies_catch_up(now=moment)
            warned = warnings_raise(now=moment).warnings  # once a day; told just below
            polled = payments_poll(now=moment)  # receipts queued now go out just below
            sent = outbox_deliver(now=moment)
            # The heartbeat /healthz and /metrics read: a pass finished, at the real time.
            worker_beat_record(worker=name, now=timezone.now())
            busy = (
                online.alerted or online.late or online.closed or escalated or polled.settled
                or tallied or warned
            )  # fmt: skip
            if report.warned or report.overdue or report.apologies or busy or sent or once:
                local = moment.astimezone(default_calendar().tz)
                self.stdout.write(
                    f"{local:%Y-%m-%d %H:%M:%S} cảnh báo={report.warned} "
                    f"quá hạn={report.overdue} xin lỗi={report.apologies} "
                    f"trực tuyến: báo={online.alerted} trễ={online.late} nháp đóng={online.closed} "
                    f"phản ánh quá hạn={escalated} "
                    f"thanh toán hỏi lại={polled.asked} đã thu={polled.paid} đã gửi={sent} "
                    f"tổng hợp={tallied} cảnh báo sớm={warned}"
                )
            if once:
                return
            # Between passes, drop connections that broke or outlived CONN_MAX_AGE.
            close_old_connections()
            if stop.wait(wait):
                return


def _moment(text: str) -> datetime:
    """--now as an aware moment: ISO 8601, in the centre's zone when it has no offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now “{text}” không đúng dạng ISO 8601 (ví dụ 2026-11-27T09:00+07:00)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_calendar().tz)
    return moment
