"""WSGI entry point for any server (waitress in the demo, gunicorn behind nginx in production).

Django's application, behind the tracking page's right refresh (motcua/portal/refresh.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
django_application = get_wsgi_application()

from motcua.portal.refresh import TrackingRefresh  # noqa: E402 - needs Django set up

application = TrackingRefresh(django_application)
