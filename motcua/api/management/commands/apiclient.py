"""`motcua apiclient create|revoke|rotate`: the API's clients, each change in the administrative
log; a new key is printed once and never stored."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.api import services
from motcua.core.apiclients import OPERATIONS
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Create, revoke or rotate the key of an API client (docs/integration.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        create = sub.add_parser("create", help="A new client; prints its key once.")
        create.add_argument("name")
        create.add_argument(
            "--agency", action="append", default=[], dest="agencies", help="an agency e-ID"
        )
        create.add_argument(
            "--operation",
            action="append",
            default=[],
            dest="operations",
            choices=OPERATIONS,
            help="an operation in scope",
        )
        create.add_argument("--rate", type=int, default=120, help="requests per minute (120)")
        revoke = sub.add_parser("revoke", help="Stop a client's key for good.")
        revoke.add_argument("name")
        rotate = sub.add_parser("rotate", help="A new key for a client; prints it once.")
        rotate.add_argument("name")

    def handle(self, *args: object, sub: str, name: str, **options: object) -> None:
        now = timezone.now()
        try:
            if sub == "create":
                agencies = [str(a) for a in options["agencies"]]  # type: ignore[attr-defined]
                operations = [str(o) for o in options["operations"]]  # type: ignore[attr-defined]
                rate = options["rate"]
                assert isinstance(rate, int)
                issued = services.client_create(
                    name=name,
                    agency_codes=agencies,
                    operations=operations,
                    requests_per_minute=rate,
                    now=now,
                )
                services.client_change_log(
                    client=issued.client,
                    kind="add",
                    changes={
                        "name": [None, issued.client.name],
                        "agencies": [None, sorted(agencies)],
                        "operations": [None, issued.client.operations],
                        "requests_per_minute": [None, rate],
                        "key_hash": "changed",
                    },
                    command="apiclient create",
                    now=now,
                )
                self._key(issued.key)
            elif sub == "revoke":
                client = services.client_revoke(name=name, now=now)
                services.client_change_log(
                    client=client,
                    kind="change",
                    changes={"is_active": [True, False]},
                    command="apiclient revoke",
                    now=now,
                )
                self.stdout.write(f"Đã thu hồi khóa của {client.name}.")
            else:
                issued = services.client_rotate(name=name, now=now)
                services.client_change_log(
                    client=issued.client,
                    kind="change",
                    changes={"key_hash": "changed"},
                    command="apiclient rotate",
                    now=now,
                )
                self._key(issued.key)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _key(self, key: str) -> None:
        self.stdout.write(key)
        self.stderr.write("Khóa chỉ hiện một lần; hãy lưu vào nơi an toàn ngay.")
