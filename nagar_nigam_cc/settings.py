"""Settings, all read from the environment (12-factor) so one module serves the embedded demo and production.

Embedded default: SQLite in WAL mode under ./var, the scheduler inside the web process, messages to the
console. Production: DATABASE_URL=mysql://… (MariaDB through mysqlclient), REDIS_URL=redis://… for the
cache and Celery, SECRET_KEY and ALLOWED_HOSTS set, DEBUG off.
"""
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
env = environ.Env()

DATA_DIR = Path(env.str("NNC_DATA_DIR", default=str(Path.cwd() / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-demo-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "nagar_nigam_cc.directory",
    "nagar_nigam_cc.complaints",
    "nagar_nigam_cc.sla",
    "nagar_nigam_cc.messaging",
    "nagar_nigam_cc.public",
    "nagar_nigam_cc.intake",
    "nagar_nigam_cc.reports",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nagar_nigam_cc.api",
    "nagar_nigam_cc.open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nagar_nigam_cc.language.CityLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nagar_nigam_cc.urls"
WSGI_APPLICATION = "nagar_nigam_cc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'nnc.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so the web process and the scheduler queue for it
    # instead of failing with "database is locked" half-way through a transaction; WAL lets readers
    # carry on while one writer works.
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif _db["ENGINE"] in ("django.db.backends.mysql",):
    _db.setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            # READ COMMITTED: no gap locks, so concurrent registrations and skip-locked sweeps do not
            # block each other on index ranges.
            "isolation_level": "read committed",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        }
    )
    _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
_db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work ----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Short socket timeouts: a Redis that stops answering must slow a request by a second, not hang it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "redis://127.0.0.1:6379/0"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Kolkata"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The embedded mode (`nnc serve`) runs the periodic jobs in a thread of the web process.
NNC_EMBEDDED_SCHEDULER = env.bool("NNC_EMBEDDED_SCHEDULER", default=True)

# --- People, language, time -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "/desk/"

LANGUAGE_CODE = env.str("NNC_LANGUAGE", default="hi")
NNC_FOLLOW_BROWSER_LANGUAGE = env.bool("NNC_FOLLOW_BROWSER_LANGUAGE", default=False)
LANGUAGES = [("hi", "हिन्दी"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Kolkata")
USE_TZ = True

# --- Files ---------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root even when it serves from finders
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- The product's own rules (defaults; cities differ) ---------------------------------------------------
NNC_PHONE_REGION = env.str("NNC_PHONE_REGION", default="IN")
NNC_DESCRIPTION_MAX_CHARS = env.int("NNC_DESCRIPTION_MAX_CHARS", default=4000)
NNC_DUPLICATE_WINDOW_MINUTES = env.int("NNC_DUPLICATE_WINDOW_MINUTES", default=120)
NNC_PHOTO_MAX_BYTES = env.int("NNC_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
# How long a web process may reuse the SLA policy it looked up for a category and ward (see sla.policies).
NNC_SLA_POLICY_CACHE_SECONDS = env.float("NNC_SLA_POLICY_CACHE_SECONDS", default=30.0)

# --- Messages (messaging.gateways, messaging.delivery) ---------------------------------------------------
# The address citizens reach the public pages at (SMS links to /t/<docket>); empty: messages carry the
# docket number instead of a link.
NNC_PUBLIC_URL = env.str("NNC_PUBLIC_URL", default="")
# One setting per channel chooses its gateway: console (log only) | twilio | dlt | a dotted path.
NNC_SMS_GATEWAY = env.str("NNC_SMS_GATEWAY", default="console")
NNC_WHATSAPP_GATEWAY = env.str("NNC_WHATSAPP_GATEWAY", default="console")
NNC_EMAIL_GATEWAY = env.str("NNC_EMAIL_GATEWAY", default="email")
# Outgoing e-mail (officers' messages, the daily MIS): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.in:587; by default printed to the console (the demo).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nagar Nigam Call Centre <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NNC_MESSAGE_MAX_ATTEMPTS = env.int("NNC_MESSAGE_MAX_ATTEMPTS", default=10)
NNC_MESSAGE_RETRY_BASE_SECONDS = env.float("NNC_MESSAGE_RETRY_BASE_SECONDS", default=30.0)
NNC_MESSAGE_RETRY_CAP_SECONDS = env.float("NNC_MESSAGE_RETRY_CAP_SECONDS", default=3600.0)
# How long a worker holds the messages it claimed before another may take them (it died, or hung).
NNC_MESSAGE_LEASE_SECONDS = env.float("NNC_MESSAGE_LEASE_SECONDS", default=120.0)
NNC_DELIVERY_INTERVAL_SECONDS = env.float("NNC_DELIVERY_INTERVAL_SECONDS", default=5.0)
# How many days after a complaint is closed the citizen may still reply "2" (not solved) to reopen it.
NNC_DISPUTE_DAYS = env.int("NNC_DISPUTE_DAYS", default=7)
NNC_GATEWAY_TIMEOUT_SECONDS = env.float("NNC_GATEWAY_TIMEOUT_SECONDS", default=10.0)
# Twilio (SMS and WhatsApp). TWILIO_FROM: a number, or a Messaging Service SID (MG…).
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_WHATSAPP_FROM = env.str("TWILIO_WHATSAPP_FROM", default="")
# Another address for Twilio's API (a proxy, or a fake server in tests); empty: https://api.twilio.com.
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="")
# The voice that reads the central number's messages (intake.voice): Amazon Polly's Aditi speaks Hindi
# (hi-IN) and Indian English (en-IN).
TWILIO_VOICE = env.str("TWILIO_VOICE", default="Polly.Aditi")
# An Indian DLT SMS gateway over HTTP (MSG91-, Gupshup-style or generic JSON; see messaging.gateways.dlt).
NNC_DLT_STYLE = env.str("NNC_DLT_STYLE", default="generic")
NNC_DLT_URL = env.str("NNC_DLT_URL", default="")
NNC_DLT_API_KEY = env.str("NNC_DLT_API_KEY", default="")
NNC_DLT_USER = env.str("NNC_DLT_USER", default="")
NNC_DLT_SENDER = env.str("NNC_DLT_SENDER", default="")
NNC_DLT_ENTITY_ID = env.str("NNC_DLT_ENTITY_ID", default="")
# The secret in the delivery-report and inbound URLs the gateway is given (/messages/dlt/…/<token>/).
NNC_DLT_WEBHOOK_TOKEN = env.str("NNC_DLT_WEBHOOK_TOKEN", default="")

# --- APIs: REST at /api/v1/ (nagar_nigam_cc.api), Open311 GeoReport v2 at /open311/v2/ (nagar_nigam_cc.open311)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, reading the user's roles in the same query (api/authentication.py)
        "nagar_nigam_cc.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the docs page, used while logged in to the desk
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nagar_nigam_cc.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nagar Nigam Call Centre API",
    "DESCRIPTION": "Complaints (register, list, read, act) and the city's directory; Open311 GeoReport v2. "
                   "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs pages' scripts come from drf-spectacular-sidecar's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# The city's bounding box, "south,west,north,east" in degrees: coordinates outside it are refused.
NNC_CITY_BOUNDS = env.str("NNC_CITY_BOUNDS", default="25.30,81.70,25.55,82.00")  # Prayagraj
# Open311: the jurisdiction_id clients may send (empty: any or none), and discovery's contact line.
NNC_OPEN311_JURISDICTION = env.str("NNC_OPEN311_JURISDICTION", default="")
NNC_OPEN311_CONTACT = env.str("NNC_OPEN311_CONTACT", default="")
# Requests a minute from one address: anonymous Open311 reads, and token requests (per address and per username).
NNC_API_ANONYMOUS_RATE = env.str("NNC_API_ANONYMOUS_RATE", default="120/m")
NNC_API_TOKEN_RATE = env.str("NNC_API_TOKEN_RATE", default="10/m")
# How long each process remembers an API token's user and roles (api/authentication.py): a revoked token
# or a deactivated user is refused within this many seconds. 0: read them on every request.
NNC_API_TOKEN_CACHE_SECONDS = env.float("NNC_API_TOKEN_CACHE_SECONDS", default=5.0)

# --- Public pages: the citizen's complaint form and feedback at /t/ (nagar_nigam_cc.public) -------------
# IGRS allows 10 complaints a month per mobile number through its public channels (abuse control).
NNC_COMPLAINTS_PER_MOBILE_PER_MONTH = env.int("NNC_COMPLAINTS_PER_MOBILE_PER_MONTH", default=10)
# One-time codes that check a citizen's mobile: how many may be sent to one mobile in an hour, how long
# one is valid, and how many wrong tries one allows.
NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR = env.int("NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR", default=3)
NNC_PUBLIC_CODE_MINUTES = env.int("NNC_PUBLIC_CODE_MINUTES", default=10)
NNC_PUBLIC_CODE_TRIES = env.int("NNC_PUBLIC_CODE_TRIES", default=5)
# How many codes one address (IP) may ask for, e.g. "20/h" (django-ratelimit, counted in the cache; empty:
# no limit). Indian mobile networks put many phones behind one address (CGNAT): keep it generous.
NNC_PUBLIC_RATE_PER_IP = env.str("NNC_PUBLIC_RATE_PER_IP", default="20/h")
if env.bool("BEHIND_TLS_PROXY", default=False):
    # Every request reaches us from the proxy: rate limits (these and the API's) must count the address
    # the proxy saw, or all citizens would share one proxy's allowance.
    RATELIMIT_IP_META_KEY = "nagar_nigam_cc.public.verification.client_ip"
# How long the details of a complaint waiting for its code (and a kept photo) are kept.
NNC_PUBLIC_DRAFT_HOURS = env.int("NNC_PUBLIC_DRAFT_HOURS", default=24)
# Retention (nagar_nigam_cc.retention): how long an API Idempotency-Key answers a retry, and how long
# each IGRS row's import report is kept after the import finished (the import's summary stays).
NNC_IDEMPOTENCY_KEY_DAYS = env.int("NNC_IDEMPOTENCY_KEY_DAYS", default=7)
NNC_IGRS_ROW_REPORT_DAYS = env.int("NNC_IGRS_ROW_REPORT_DAYS", default=180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The Twilio SDK logs every request's headers at INFO: ten lines per SMS; WeasyPrint each step of a PDF.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "twilio.http_client": {"level": "WARNING"},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- The desk: Django admin themed with django-unfold --------------------------------------------------
UNFOLD = {
    "SITE_TITLE": _("Nagar Nigam Call Centre"),
    "SITE_HEADER": _("Nagar Nigam Call Centre"),
    "SITE_SUBHEADER": _("Complaint desk"),
    "SITE_SYMBOL": "support_agent",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "BORDER_RADIUS": "6px",
    "DASHBOARD_CALLBACK": "nagar_nigam_cc.reports.dashboard.dashboard_callback",
    "COLORS": {
        "primary": {
            "50": "255 247 237", "100": "255 237 213", "200": "254 215 170", "300": "253 186 116",
            "400": "251 146 60", "500": "249 115 22", "600": "234 88 12", "700": "194 65 12",
            "800": "154 52 18", "900": "124 45 18", "950": "67 20 7",
        },
    },
}
