"""A throwaway Django site serving django-helpdesk's ticket API, for bench/helpdesk_api.py: gunicorn
loads `application` from here (inside bench/.helpdesk-venv; no file of ours is imported).

Configured in code from HELPDESK_BENCH_DATABASE (a JSON dict for DATABASES["default"]), as
django-helpdesk's install docs list its apps, with DRF token authentication, the same scheme our API
benchmark uses. Mail goes to Django's locmem backend (nothing leaves the machine).
"""
from __future__ import annotations

import json
import os
import sys
import types


def configure(database: dict) -> None:
    from django.conf import settings

    urls = types.ModuleType("helpdesk_bench_urls")
    sys.modules["helpdesk_bench_urls"] = urls
    settings.configure(
        DEBUG=False,
        SECRET_KEY="helpdesk-bench-throwaway",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        USE_TZ=True,
        TIME_ZONE="Asia/Kolkata",
        SITE_ID=1,
        ROOT_URLCONF="helpdesk_bench_urls",
        DATABASES={"default": {**database, "CONN_MAX_AGE": 600}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=[
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.sites",
            "django.contrib.humanize", "rest_framework", "rest_framework.authtoken", "helpdesk",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                       "django.contrib.auth.context_processors.auth",
                                                       "django.contrib.messages.context_processors.messages"]}}],
        REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"]},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="helpdesk@example.invalid",
        HELPDESK_TEAMS_MODE_ENABLED=False,  # else it needs pinax-teams
        HELPDESK_API_ENABLED=True,
        LOGGING_CONFIG=None,
    )
    import django

    django.setup()
    from django.urls import include, path

    urls.urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]


if "HELPDESK_BENCH_DATABASE" in os.environ:  # loaded by gunicorn
    configure(json.loads(os.environ["HELPDESK_BENCH_DATABASE"]))
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
