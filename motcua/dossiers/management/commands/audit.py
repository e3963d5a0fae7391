"""`motcua audit verify | anchor | lockdown`: prove the record, anchor it, make it append-only.

- `verify [--anchor FILE] [--public-key FILE]`: every chain, every projection, the daily
  counters; with an anchor, also that nothing anchored has changed since. One line per
  problem, a summary, and a nonzero exit on any problem.
- `anchor [--out FILE]`: the signed digest of every chain head and of the read log (JSON).
- `lockdown --app-role ROLE [--owner-role ROLE]`: on PostgreSQL, make the tables the apps
  declare append-only (the event log, the hand-over rows, the read log, the feedback log, the
  payment callbacks) append-only for the application's role (docs/audit.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from motcua.dossiers import audit
from motcua.dossiers.lockdown import lockdown

SHOWN = 500  # problems printed at most; the summary counts them all


class Command(BaseCommand):
    help = "Audit the append-only dossier event log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        verify = sub.add_parser("verify", help="Verify chains, projections and counters.")
        verify.add_argument("--anchor", help="An anchor file from `audit anchor` to check.")
        verify.add_argument("--public-key", default="", help="Ed25519 public key (PEM).")
        anchor = sub.add_parser("anchor", help="Export the signed digest of every chain head.")
        anchor.add_argument("--out", help="Write the anchor here (default: standard output).")
        lock = sub.add_parser("lockdown", help="PostgreSQL: append-only tables for the app.")
        lock.add_argument("--app-role", required=True, help="The role the application logs in as.")
        lock.add_argument("--owner-role", default="motcua_audit_owner", help="The tables' owner.")

    def handle(self, *args: object, sub: str, **options: Any) -> None:
        if sub == "verify":
            self._verify(options["anchor"], options["public_key"])
        elif sub == "anchor":
            self._anchor(options["out"])
        else:
            if connection.vendor != "postgresql":
                raise CommandError("audit lockdown chỉ dùng với PostgreSQL.")
            for statement in lockdown(app_role=options["app_role"], owner=options["owner_role"]):
                self.stdout.write(statement)

    def _verify(self, anchor_file: str | None, public_key: str) -> None:
        anchor = None
        problems: list[audit.Problem] = []
        if anchor_file:
            try:
                anchor = json.loads(Path(anchor_file).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"Không đọc được mốc neo {anchor_file}: {exc}") from None
            if not audit.anchor_shape_ok(anchor):
                raise CommandError(f"{anchor_file} không phải mốc neo {audit.ANCHOR_FORMAT}.")
            problems = audit.signature_problems(anchor, public_key)
        # An anchor whose signature fails proves nothing: the chains are checked without it.
        report = audit.verify(None if problems else anchor)
        problems += report.problems
        for problem in problems[:SHOWN]:
            self.stderr.write(str(problem))
        if len(problems) > SHOWN:
            self.stderr.write(f"… và {len(problems) - SHOWN} sai lệch khác.")
        looked = (
            f"{report.dossiers} hồ sơ, {report.events} sự kiện, {report.steps} bước bàn giao, "
            f"{report.accesses} lượt truy cập, {report.admin_changes} thay đổi quản trị, "
            f"{report.api_calls} lần gọi API"
        )
        against = f", đối chiếu mốc neo lúc {anchor['at']}" if anchor else ""
        if problems:
            raise CommandError(f"Phát hiện {len(problems)} sai lệch trong {looked}{against}.")
        self.stdout.write(f"Toàn vẹn: {looked}{against}, không có sai lệch.")

    def _anchor(self, out: str | None) -> None:
        anchor = audit.make_anchor(timezone.now())
        text = json.dumps(anchor, ensure_ascii=False, indent=1) + "\n"
        if out:
            Path(out).write_text(text)
            self.stderr.write(
                f"Đã neo {anchor['dossiers']} hồ sơ, {anchor['events']} sự kiện, "
                f"{anchor['reads']['count']} lượt truy cập vào {out}."
            )
        else:
            self.stdout.write(text, ending="")
