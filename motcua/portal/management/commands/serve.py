"""`motcua serve`: the web server (waitress, a production WSGI server in pure Python)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# Listening on every interface: the address written on forms is this machine's own.
_ANY = ("0.0.0.0", "::", "")  # noqa: S104 - recognised, not bound


class Command(BaseCommand):
    help = (
        "Serve motcua over HTTP (behind a reverse proxy in production). Without SITE_URL, the "
        "QR codes and links on forms point to the address served on."
    )

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

        served = served_url(host, port)
        public = public_url(host, port)
        settings.SITE_URL = public  # the address forms and mails give, in this process
        if settings.ALLOWED_HOSTS_IS_DEFAULT:  # a browser sent to that address is answered
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, urlsplit(served).hostname or ""]
        self.stdout.write(f"motcua: {served}/  (Ctrl+C để dừng)")
        if public != served:
            self.stdout.write(f"Địa chỉ công khai (SITE_URL) trên biểu mẫu: {public}/")
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="motcua",
            clear_untrusted_proxy_headers=not proxy_headers_read(),
        )


def proxy_headers_read() -> bool:
    """Waitress drops a proxy's X-Forwarded-* headers unless told otherwise: where the settings
    read them (SECURE_PROXY_SSL_HEADER for https, MOTCUA_TRUSTED_PROXY_HEADER for the client's
    address), they are passed on to Django, and the proxy in front must overwrite them."""
    return bool(settings.SECURE_PROXY_SSL_HEADER or settings.TRUSTED_PROXY_HEADER)


def served_url(host: str, port: int) -> str:
    """The address a browser on the network reaches this server at: the host it listens on,
    or, when it listens on every interface, this machine's own address."""
    if host in _ANY:
        host = _own_address(ipv6=host == "::")
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:  # a name
        pass
    return f"http://{host}:{port}"


def public_url(host: str, port: int) -> str:
    """The address forms and mails give: SITE_URL when it is set, else the one served on."""
    return settings.SITE_URL if not settings.SITE_URL_IS_DEFAULT else served_url(host, port)


def _own_address(*, ipv6: bool) -> str:
    """This machine's address on the network its default route leaves by (a UDP socket
    "connected" to a documentation address sends nothing); the loopback without a network."""
    family, probe, loopback = (
        (socket.AF_INET6, "2001:db8::1", "::1")
        if ipv6
        else (socket.AF_INET, "192.0.2.1", "127.0.0.1")
    )
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            address: str = s.getsockname()[0]
            return address
    except OSError:
        return loopback
