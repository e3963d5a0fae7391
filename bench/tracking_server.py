"""The WSGI application `bench/tracking.py` serves with gunicorn: motcua's own, as deployed
(`motcua/wsgi.py`, with the tracking page's refresh layer in front), whose URLs have one more:
a bare Django view at /bench/bare/ that goes through the same middleware and returns "ok"."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("motcua.urls"))]
settings.ROOT_URLCONF = __name__  # read at every request: set before the first one
from motcua.wsgi import application  # noqa: E402, F401 - what gunicorn serves
