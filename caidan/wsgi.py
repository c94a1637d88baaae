"""WSGI entry point (gunicorn caidan.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caidan.settings")
application = get_wsgi_application()
