"""`motcua demo`: an SQLite database with demo data, then the web server and the worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from motcua.organization.selectors import has_agencies, staff_by_agency


class Command(BaseCommand):
    help = "Create the demo data (once) and run the web server and the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=3000)
        parser.add_argument("--no-serve", action="store_true", help="Load the data and exit.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000)

    def handle(
        self,
        *args: object,
        dossiers: int,
        no_serve: bool,
        host: str,
        port: int,
        **options: object,
    ) -> None:
        from motcua.portal.management.commands.serve import public_url

        call_command("migrate", verbosity=0)
        # The address the forms' QR codes and the worker's mails give: SITE_URL when set,
        # else the one this demo serves on.
        site = public_url(host, port)
        # The national portal is played by its simulator (a test double) on this same server,
        # unless NATIONAL_PORTAL_URL names another: the history below is loaded before the
        # connection (it is not synced); what happens from then on is.
        portal = _simulated_portal(site)
        if not has_agencies():
            self._load(dossiers)
            if portal:
                with _connected(portal):
                    self._portal_filings()
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn; bỏ qua bước tạo dữ liệu.")
        self._print_accounts(site)
        if portal:
            url = portal["NATIONAL_PORTAL_URL"]
            self.stdout.write(f"Cổng Dịch vụ công quốc gia (mô phỏng, thử nghiệm): {url}")
        if no_serve:
            return
        for name, value in portal.items():  # this process serves: connected from now on
            setattr(settings, name, value)
        # SIGTERM (a service manager, `kill`) stops the demo as Ctrl+C does: the server
        # returns and the worker is stopped with it, instead of being left running.
        signal.signal(signal.SIGTERM, _stop)
        worker = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "worker"],
            env={**os.environ, "SITE_URL": site, **portal},
        )
        try:
            call_command("serve", host=host, port=port, stdout=self.stdout)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def _load(self, dossiers: int) -> None:
        from motcua.appointments.services import demo_bookings, demo_windows
        from motcua.catalog.services import catalog_import
        from motcua.citizens.services import demo_citizens
        from motcua.dossiers.deadlines import process_deadlines
        from motcua.dossiers.demo import generate_demo_dossiers
        from motcua.feedback.demo import generate_demo_feedback
        from motcua.notify.services import outbox_mark_sent
        from motcua.organization.demo import DEMO_PASSWORD, demo_organization
        from motcua.organization.selectors import agency_by_code
        from motcua.organization.services import divisions_import
        from motcua.oversight.services import tallies_rebuild

        self.stdout.write("Nạp danh mục đơn vị hành chính Hà Nội…")
        divisions_import(province_code=1)
        self.stdout.write("Tạo cơ quan, đơn vị, cán bộ…")
        demo_organization()
        self.stdout.write("Nạp danh mục thủ tục hành chính…")
        catalog_import(paths=[settings.BASE_DIR / "catalog" / "procedures"])
        self.stdout.write("Mở lịch hẹn nộp hồ sơ ở các nơi tiếp nhận…")
        demo_windows()
        self.stdout.write(f"Tạo {dossiers} hồ sơ mẫu (mất một đến hai phút)…")
        now = timezone.now()
        created = generate_demo_dossiers(count=dossiers, now=now)
        report = process_deadlines(now=now)
        self.stdout.write("Tạo đánh giá hài lòng và phản ánh, kiến nghị mẫu…")
        feedback = generate_demo_feedback(now=now)
        # The history's notifications went out back then: do not mail them all again now.
        outbox_mark_sent(now=now)
        citizens = demo_citizens(password=DEMO_PASSWORD, now=now)
        first_ward = agency_by_code("H26.100")
        booked = (
            demo_bookings(citizens=citizens, branch_id=first_ward.pk, now=now) if first_ward else 0
        )
        self.stdout.write(
            f"Tạo {len(citizens)} tài khoản công dân mẫu và {booked} lịch hẹn ngày làm việc tới."
        )
        self.stdout.write("Tổng hợp số liệu giám sát, đánh giá…")
        tallies_rebuild()
        self.stdout.write(
            f"Đã tạo {created} hồ sơ; {report.overdue} quá hạn, {report.warned} sắp đến hạn, "
            f"{report.apologies} dự thảo xin lỗi."
        )
        self.stdout.write(
            f"Đã tạo {feedback.ratings} đánh giá ({feedback.at_desk} nhập tại quầy), "
            f"{feedback.items} phản ánh ({feedback.escalated} lần báo cấp trên do quá hạn) và "
            f"{feedback.pending} phản ánh chờ xác minh địa chỉ."
        )

    def _portal_filings(self) -> None:
        from motcua.simulator.services import simulator_demo

        demo = simulator_demo(
            agency_code="H26.100", procedure_code="1.001193", count=3, now=timezone.now()
        )
        taken = sum(1 for s in demo.filed if s.status_code == 201)
        self.stdout.write(
            f"Cổng Dịch vụ công quốc gia (mô phỏng) đã nộp {taken} hồ sơ khai sinh trực tuyến, "
            "chờ tiếp nhận tại UBND Phường Hoàn Kiếm."
        )

    def _print_accounts(self, site: str) -> None:
        from motcua.organization.demo import DEMO_PASSWORD, DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET

        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for staff in staff_by_agency():
            agency = staff.agency.short_name or staff.agency.name
            self.stdout.write(
                f"  {staff.user.username:<22} {staff.get_role_display():<18} {agency}"
            )
        self.stdout.write(
            "Lãnh đạo cơ quan, giám sát và quản trị đăng nhập hai lớp. Chỉ trong bản thử: khóa "
            f"TOTP chung cho ứng dụng xác thực {DEMO_TOTP_SECRET}, hoặc mã dự phòng "
            f"{', '.join(DEMO_RECOVERY_CODES)} (mỗi mã dùng một lần cho mỗi tài khoản)."
        )
        self.stdout.write(f"Không gian cán bộ: {site}/can-bo/")
        self.stdout.write(f"Tra cứu hồ sơ: {site}/tra-cuu/")
        from motcua.citizens.services import DEMO_CITIZENS

        emails = ", ".join(email for email, _name, _id in DEMO_CITIZENS)
        self.stdout.write(f"Công dân mẫu (cùng mật khẩu): {emails} — {site}/tai-khoan/dang-nhap/")
        self.stdout.write(f"Đặt lịch hẹn, nộp phí (cổng thanh toán thử nghiệm): {site}/lich-hen/")


def _simulated_portal(site: str) -> dict[str, str]:
    """The settings that connect this demo to the portal simulator on its own server; none
    when the simulator is off or NATIONAL_PORTAL_URL already names a portal."""
    if not settings.PORTAL_SIMULATOR or settings.NATIONAL_PORTAL_URL:
        return {}
    from motcua.simulator.services import DEMO_TOKEN, simulator_url

    return {"NATIONAL_PORTAL_URL": simulator_url(site), "NATIONAL_PORTAL_TOKEN": DEMO_TOKEN}


@contextlib.contextmanager
def _connected(portal: dict[str, str]) -> Iterator[None]:
    """Connected to the simulator for the block's duration (the settings put back after)."""
    kept = {name: getattr(settings, name) for name in portal}
    for name, value in portal.items():
        setattr(settings, name, value)
    try:
        yield
    finally:
        for name, value in kept.items():
            setattr(settings, name, value)


def _stop(signum: int, frame: object) -> None:
    """Stop as on Ctrl+C: the server closes and the `finally` that stops the worker runs."""
    raise KeyboardInterrupt
