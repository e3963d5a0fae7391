"""`motcua exchange keygen | rotate | export-key | peer add | peer key | agency add | verify-log`:
this installation's signing keys, its peers, and the message log's check (docs/integration.md).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.exchange import keys
from motcua.exchange.selectors import verify_log
from motcua.exchange.services import installation_add, peer_key_add, remote_agency_add


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise CommandError(f"Thời điểm phải có múi giờ: {text}")
    return moment


class Command(BaseCommand):
    help = "Liên thông between installations: keys, peers, the message log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        sub.add_parser("keygen", help="Create this installation's first signing key (0600).")
        sub.add_parser("rotate", help="Make a new current key; the old one is retired.")
        sub.add_parser("export-key", help="Print the public keys a peer should register (JSON).")
        peer = sub.add_parser("peer", help="Register a peer or one of its keys.")
        peer_sub = peer.add_subparsers(dest="peer_sub", required=True)
        add = peer_sub.add_parser("add", help="Register (or update) a peer installation.")
        add.add_argument("code")
        add.add_argument("--name", required=True)
        add.add_argument("--url", required=True, help="Its base address, e.g. https://x.gov.vn")
        key = peer_sub.add_parser("key", help="Register a peer's keys from its export-key JSON.")
        key.add_argument("file", help="The JSON `export-key` printed on the peer ('-': stdin).")
        agency = sub.add_parser("agency", help="Say which installation hosts an agency.")
        agency_sub = agency.add_subparsers(dest="agency_sub", required=True)
        agency_add = agency_sub.add_parser("add")
        agency_add.add_argument("code", help="The agency's e-ID code, e.g. H26.32")
        agency_add.add_argument("--peer", required=True)
        agency_add.add_argument("--procedure", default="", help="The procedure it opens there.")
        sub.add_parser("verify-log", help="Check the message log's hash chain.")

    def handle(self, *args: object, sub: str, **options: Any) -> None:
        now = timezone.now()
        try:
            if sub == "keygen":
                self.stdout.write(keys.keys_generate(now=now).key_id)
            elif sub == "rotate":
                self.stdout.write(keys.keys_rotate(now=now).key_id)
            elif sub == "export-key":
                self.stdout.write(json.dumps(keys.keys_export(now=now), indent=2))
            elif sub == "peer" and options["peer_sub"] == "add":
                installation_add(
                    code=options["code"], name=options["name"], base_url=options["url"]
                )
            elif sub == "peer":
                self._keys(options["file"])
            elif sub == "agency":
                remote_agency_add(
                    agency_code=options["code"],
                    installation=options["peer"],
                    procedure_code=options["procedure"],
                )
            else:
                self._verify()
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _keys(self, path: str) -> None:
        import sys

        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        for entry in json.loads(text):
            peer_key_add(
                installation=entry["installation"],
                key_id=entry["key_id"],
                public_key=entry["public_key"],
                valid_from=_moment(entry["valid_from"]) or timezone.now(),
                valid_until=_moment(entry.get("valid_until")),
            )
            self.stdout.write(f"{entry['installation']}/{entry['key_id']}")

    def _verify(self) -> None:
        report = verify_log()
        for seq, problem in report.problems:
            self.stdout.write(f"{seq if seq is not None else '-'}: {problem}")
        self.stdout.write(f"{report.entries} dòng, {len(report.problems)} lỗi")
        if report.problems:
            raise CommandError("Nhật ký thông điệp liên thông không toàn vẹn.")
