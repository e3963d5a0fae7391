"""/api/v1/: every router of the API (this app's and other apps' `api_routes` modules), each
URL wrapped by `recorded`, and a structured 404 for any other address under it."""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.urls import URLPattern, URLResolver, re_path

from motcua.api.framework import api, recorded, unknown_address

# This app's own routers first, then any installed motcua app's `api_routes.router`.
_OWN = ("motcua.api.routes.catalog", "motcua.api.routes.dossiers", "motcua.api.routes.national")


def _router_modules() -> list[str]:
    found = list(_OWN)
    for config in apps.get_app_configs():
        name = f"{config.name}.api_routes"
        if config.name.startswith("motcua.") and importlib.util.find_spec(name) is not None:
            found.append(name)
    return found


def _mount() -> None:
    for name in _router_modules():
        module = importlib.import_module(name)
        api.add_router("", module.router)


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    out: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            out.append(
                URLPattern(
                    pattern.pattern, recorded(pattern.callback), pattern.default_args, pattern.name
                )
            )
        else:
            out.append(pattern)
    return out


_mount()
_patterns, _app_name, _namespace = api.urls
app_name = "api"
urlpatterns = [
    *_wrapped(list(_patterns)),
    re_path(r"^(?P<rest>.*)$", recorded(unknown_address), name="unknown"),
]
