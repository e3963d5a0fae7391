"""`motcua simulator`: drive the portal simulator, a TEST DOUBLE of the national portal (never
installed in production): file dossiers here as the portal would, tell it to fail, lose its
answers or be slow, and list what it was sent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.simulator import services


class Command(BaseCommand):
    help = "Drive the national portal simulator (a test double): submit, fail, lose, delay, list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        submit = sub.add_parser("submit", help="File dossiers through /api/v1/national/dossiers.")
        submit.add_argument("--api-key", required=True, help="The portal's API key here.")
        submit.add_argument("--procedure", required=True, help="Procedure code, e.g. 1.001193.")
        submit.add_argument("--agency", required=True, help="Receiving place, e.g. H26.100.")
        submit.add_argument("--count", type=int, default=1)
        submit.add_argument("--twice", action="store_true", help="Deliver each one twice.")
        submit.add_argument("--site-url", default=None, help="This installation (SITE_URL).")
        for name, what in (("fail", "Answer HTTP 500 to"), ("lose", "Keep, then answer 504 to")):
            p = sub.add_parser(name, help=f"{what} the next N syncs.")
            p.add_argument("n", type=int)
        delay = sub.add_parser("delay", help="Answer every sync after S seconds (0: at once).")
        delay.add_argument("seconds", type=int)
        listing = sub.add_parser("received", help="The records received, in order.")
        listing.add_argument("--ref", default="", help="Only this MaHoSoQG.")
        sub.add_parser("reset", help="Forget everything received, filed and told.")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "submit":
            self._submit(options)
        elif action == "fail":
            services.simulator_control(fail_next=int(str(options["n"])))
        elif action == "lose":
            services.simulator_control(lose_next=int(str(options["n"])))
        elif action == "delay":
            services.simulator_control(delay_seconds=int(str(options["seconds"])))
        elif action == "received":
            for r in services.received_records(portal_ref=str(options["ref"])):
                self.stdout.write(f"{r.portal_ref or '-'}\t{r.code or '-'}\t{r.seq}\t{r.status}")
        elif action == "reset":
            services.simulator_reset()

    def _submit(self, options: dict[str, object]) -> None:
        now = timezone.now()
        try:
            filings = services.sample_filings(
                procedure_code=str(options["procedure"]),
                agency_code=str(options["agency"]),
                count=int(str(options["count"])),
                now=now,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        site = options["site_url"]
        for filing in filings:
            for s in services.simulator_submit(
                filing,
                api_key=str(options["api_key"]),
                now=now,
                times=2 if options["twice"] else 1,
                site_url=str(site) if site else None,
            ):
                self.stdout.write(f"{s.portal_ref}\t{s.status_code}\t{s.answer}")
