"""WSGI entry point for any server (waitress in the demo, gunicorn behind a proxy in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()
