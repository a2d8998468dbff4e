"""WSGI entry point (gunicorn nagar_nigam_cc.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nagar_nigam_cc.settings")
application = get_wsgi_application()
