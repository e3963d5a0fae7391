"""`motcua serve`: the web server (waitress, a production WSGI server in pure Python)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve motcua over HTTP (behind a reverse proxy in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from django.core.management import call_command
        from waitress import serve

        # The static files WhiteNoise serves, compressed; only what changed is copied again.
        # Before the application loads, as WhiteNoise indexes the folder when it starts.
        call_command("collectstatic", interactive=False, verbosity=0)
        from motcua.wsgi import application

        self.stdout.write(f"motcua: http://{host}:{port}/  (Ctrl+C để dừng)")
        serve(application, host=host, port=port, threads=threads, ident="motcua")
