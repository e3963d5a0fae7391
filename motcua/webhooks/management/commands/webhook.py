"""`motcua webhook add|rotate|list|disable`: webhook subscribers from the console. A secret is
printed once, when it is made; every change is recorded in the administrative log."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.adminlog.services import command_who
from motcua.core.errors import DomainError
from motcua.core.webhooks import is_live
from motcua.edge import problem_body
from motcua.webhooks.selectors import fingerprint, secret_rows, subscriber_secrets, subscribers_list
from motcua.webhooks.services import subscriber_add, subscriber_disable, subscriber_rotate

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Add, rotate the secret of, list or disable webhook subscribers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        add = sub.add_parser("add", help="A new subscriber; prints its first secret once.")
        add.add_argument("--name", required=True)
        add.add_argument("--url", required=True)
        add.add_argument(
            "--agency", action="append", default=[], help="An agency's code; repeat for more."
        )
        rotate = sub.add_parser("rotate", help="A new secret; the old one lives on a while.")
        rotate.add_argument("id", type=int)
        sub.add_parser("list", help="Every subscriber, its agencies and its secrets' dates.")
        disable = sub.add_parser("disable", help="Stop sending to a subscriber.")
        disable.add_argument("id", type=int)

    def handle(self, *args: object, **options: Any) -> None:
        now = timezone.now()
        who = command_who(f"webhook {options['sub']}")
        try:
            if options["sub"] == "add":
                subscriber, secret = subscriber_add(
                    name=str(options["name"]),
                    url=str(options["url"]),
                    agency_codes=[str(c) for c in options["agency"]],
                    now=now,
                    who=who,
                )
                self.stdout.write(f"id={subscriber.pk} secret={secret}")
            elif options["sub"] == "rotate":
                secret = subscriber_rotate(subscriber_id=int(options["id"]), now=now, who=who)
                self.stdout.write(f"secret={secret}")
            elif options["sub"] == "disable":
                subscriber_disable(subscriber_id=int(options["id"]), now=now, who=who)
                self.stdout.write("disabled")
            else:
                self._list(now)
        except DomainError as exc:
            body = problem_body(exc)
            log.warning("webhook %s refused: %s", options["sub"], body["code"])
            raise CommandError(json.dumps(body, ensure_ascii=False)) from None

    def _list(self, now: datetime) -> None:
        for subscriber in subscribers_list():
            codes = ",".join(sorted(a.code for a in subscriber.agencies.all()))
            state = "active" if subscriber.active else "disabled"
            self.stdout.write(
                f"{subscriber.pk}\t{subscriber.name}\t{subscriber.url}\t{state}\t{codes}"
            )
            values = {s.value: s for s in subscriber_secrets(subscriber)}
            for row in secret_rows(subscriber):
                live = "live" if is_live(values[row.secret], now) else "retired"
                retire = row.retire_at.isoformat() if row.retire_at else "-"
                self.stdout.write(
                    f"\tsecret {fingerprint(row.secret)} {live} from {row.created_at.isoformat()}"
                    f" until {retire}"
                )
