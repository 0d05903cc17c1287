"""Settings, read from the environment (``FENGQIAO_*``).

Defaults give a working development set-up: an SQLite database in ``./data``, Huey on SQLite,
Asia/Shanghai time.  Production sets ``FENGQIAO_DEBUG=0``, a secret key, allowed hosts and a
PostgreSQL URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    """``FENGQIAO_<name>``; unset or empty means the default."""
    return os.environ.get(f"FENGQIAO_{name}") or default


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR", str(PROJECT_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Personal data (names, phones, ID numbers, addresses of parties) is encrypted with these Fernet keys;
# the first one encrypts, all of them decrypt (key rotation).  The HMAC key makes lookup hashes.
# In development both derive from SECRET_KEY; production must set them (see docs/operations.md).
PII_KEYS = [k for k in env("PII_KEYS", "").split(",") if k]
PII_HMAC_KEY = env("PII_HMAC_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",  # two-factor login for staff (docs/adr/0015-two-factor.md)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI for /api/docs from our static files, not a CDN (the CSP allows 'self' only)
    "fengqiao.kit",
    "fengqiao.jurisdictions",
    "fengqiao.accounts",
    "fengqiao.audit",
    "fengqiao.cases",
    "fengqiao.notifications",
    "fengqiao.intake",
    "fengqiao.intelligence",
    "fengqiao.open311",
    "fengqiao.demo",
    "fengqiao.analytics",
    "fengqiao.gridwork",
    "fengqiao.mediation",
    "fengqiao.portal",
    "fengqiao.risk",
    "fengqiao.warning",
    "fengqiao.stability",
    "fengqiao.legal",
    "fengqiao.cockpit",
    "fengqiao.web",
    "fengqiao.ops",
]

# Reverse proxies whose X-Forwarded-For names the client (CIDR, comma-separated; empty = none): ops/proxy.py
TRUSTED_PROXIES = [p.strip() for p in env("TRUSTED_PROXIES", "").split(",") if p.strip()]

MIDDLEWARE = [
    "fengqiao.ops.proxy.TrustedProxyMiddleware",  # before anything reads REMOTE_ADDR (docs/operations.md)
    # first: the request id, the request's log line and its metrics (docs/operations.md)
    "fengqiao.ops.middleware.RequestIdMiddleware",
    "fengqiao.ops.dbdown.DatabaseDownMiddleware",  # the database down: 503 and Retry-After, not a 500 (Faults)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "fengqiao.accounts.two_factor.TwoFactorMiddleware",  # the code step / enrolment before any staff page
    "django.contrib.messages.middleware.MessageMiddleware",
    "fengqiao.accounts.idle.IdleSessionMiddleware",  # idle staff sessions end (docs/security.md)
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (docs/security.md)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
WSGI_APPLICATION = "fengqiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fengqiao.web.context.navigation",
                "fengqiao.notifications.context.bell",
            ],
        },
    },
]


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=int(env("CONN_MAX_AGE", "60"))))
    config["CONN_HEALTH_CHECKS"] = True  # a kept connection killed by a database restart is dropped, not reused
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # Every transaction takes the write lock at BEGIN, so two writers queue instead of failing
            # half-way; WAL lets readers go on while one writes.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
            ),
        }
        config.setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test-fengqiao.sqlite3")
    return config


DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'fengqiao.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
# A PostgreSQL streaming replica for the cockpit's, the reports' and the board's rollup reads (ops/replica.py,
# docs/operations.md#read-replicas); the tests run it as a mirror of the test database.
REPLICA_URL = env("REPLICA_URL", "")
if REPLICA_URL:
    DATABASES["replica"] = {**_database(REPLICA_URL), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["fengqiao.ops.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): per user name and address.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor login (TOTP, django-otp; docs/security.md "Two-factor"). A user with a confirmed device always
# gives a code after the password.  FENGQIAO_2FA=required also sends a user in one of the required roles who
# has no device to enrolment (and refuses the API and /admin/ until verified); citizens never need it.
TWO_FACTOR_REQUIRED = env("2FA", "optional").strip().lower() == "required"
TWO_FACTOR_REQUIRED_ROLES = [r.strip() for r in env(
    "2FA_REQUIRED_ROLES", "admin,leader,dispatcher,operator,handler,mediator,judge,risk_officer",
).split(",") if r.strip()]
OTP_TOTP_ISSUER = env("2FA_ISSUER", "枫桥")

SESSION_COOKIE_AGE = int(env("SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# Security headers and HTTPS (docs/security.md, ADR 0014).  In production plain HTTP is redirected to HTTPS
# (the health probes excepted: SECURE_REDIRECT_EXEMPT below) and browsers are told to keep to HTTPS (HSTS).
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", not DEBUG)
# Behind the trusted reverse proxies (TRUSTED_PROXIES) TLS ends at the proxy, which must set X-Forwarded-Proto.
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A staff session idle this long ends (fengqiao.accounts.idle); the portal's citizen sessions keep their own
# rules (portal/session.py).  SESSION_COOKIE_AGE above is the absolute limit.
SESSION_IDLE_MINUTES = int(env("SESSION_IDLE_MINUTES", "30"))

# Content Security Policy (django-csp; docs/security.md, ADR 0014): scripts only from our own static files (a
# nonce, request.csp_nonce, for a small inline block if one is ever needed); styles also inline, because the
# templates carry style attributes and htmx adds its indicator <style>; images also data: and blob: (ECharts
# exports, the QR code SVG, the favicon).  FENGQIAO_CSP_REPORT_ONLY=1 sends it report-only (to try a change).
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# In development WhiteNoise serves straight from the app and npm folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/idb-keyval", PROJECT_DIR / "node_modules" / "idb-keyval" / "dist"),  # the patrol app's outbox
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))

# Cache (rate limits per API key): Redis when configured, shared by every process; otherwise each
# process keeps its own counters (development, the demo).
# Redis down: the cache degrades to a miss instead of raising, and rate limits fail closed (429), on purpose
# (ops/cache.py, docs/operations.md#faults); short socket timeouts so an unreachable Redis cannot hang a request.
if env("REDIS_URL", ""):
    CACHES = {"default": {"BACKEND": "fengqiao.ops.cache.DegradingRedisCache", "LOCATION": env("REDIS_URL", ""),
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fengqiao"}}
RATELIMIT_FAIL_OPEN = False

# An import job queued for the workers and silent this long (no batch committed) was orphaned by a killed
# worker: another worker takes it over and resumes it (docs/operations.md#faults).
IMPORT_STALE_SECONDS = float(env("IMPORT_STALE_SECONDS", "120"))

# Jobs and timers: Huey, on SQLite by default, Redis when FENGQIAO_REDIS_URL is set.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    HUEY: dict[str, Any] = {
        "huey_class": "huey.RedisHuey",
        "name": env("HUEY_NAME", "fengqiao"),
        "url": REDIS_URL,
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "fengqiao",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }
HUEY["consumer"] = {"workers": int(env("WORKERS", "2")), "worker_type": "thread"}

# Notifications (docs/supervision.md): one sender class per channel, by dotted path.  Development logs SMS
# and e-mail (addresses masked) and marks them sent; production sets e.g.
# FENGQIAO_SMS_SENDER=fengqiao.notifications.senders.HttpSmsSender and the gateway below.
NOTIFICATION_SENDERS = {
    "in_app": "fengqiao.notifications.senders.InAppSender",
    "sms": env("SMS_SENDER", "fengqiao.notifications.senders.LogSender"),
    "email": env("EMAIL_SENDER", "fengqiao.notifications.senders.LogSender"),
}
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", "")
SMS_SIGNATURE = env("SMS_SIGNATURE", "枫桥")
# SMS queued during these local hours (start-end) waits until the end; "0-0" sends at any hour
SMS_QUIET_HOURS = tuple(int(h) for h in env("SMS_QUIET_HOURS", "22-8").split("-", 1))
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "")  # the citizen's evaluation link in SMS (docs/closed-loop.md)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "fengqiao@localhost")

# Grid patrol coverage: a grid under this share of its planned places visited in a month is a blind spot
# (docs/gridwork/coverage.md).
COVERAGE_THRESHOLD = float(env("COVERAGE_THRESHOLD", "0.8"))

# Where the demo and the tests find the shared real data sets (never copied into the repo).
SHARED_DATA_DIR = Path(env("SHARED_DATA_DIR", str(PROJECT_DIR.parent / "shared" / "data")))

# Operations (docs/operations.md): readiness checks' time limit, who may read /metrics, how long the
# business gauges are cached.
READY_TIMEOUT = float(env("READY_TIMEOUT", "2"))
# The checks whose failure takes a web process out of the balancer (503). The others (cache, queue) only
# mark it degraded (200): with Redis down pages still work (the cache reads as empty, jobs wait for the
# sweeps), and failing every web process at once would turn a degraded minute into an outage.
READY_REQUIRED = frozenset(c.strip() for c in env("READY_REQUIRED", "database,migrations").split(",") if c.strip())
METRICS_ALLOW = [c.strip() for c in env("METRICS_ALLOW", "127.0.0.1/32,::1/128").split(",") if c.strip()]
METRICS_TOKEN = env("METRICS_TOKEN", "")
METRICS_CACHE_SECONDS = float(env("METRICS_CACHE_SECONDS", "30"))
# the health probes may come over plain HTTP from the orchestrator even when the site redirects to HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Logs: one JSON object a line on stdout with FENGQIAO_LOG_FORMAT=json (production), plain text on stderr
# otherwise (FENGQIAO_LOG_STREAM overrides the stream).  Every record carries the request id and the user id,
# and passes the scrubber (phones, ID-card numbers, e-mail addresses) whichever logger wrote it.
LOG_FORMAT = "json" if env("LOG_FORMAT", "plain").lower() == "json" else "plain"
LOG_STREAM = "stderr" if env("LOG_STREAM", "stdout" if LOG_FORMAT == "json" else "stderr") == "stderr" else "stdout"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "fengqiao.ops.logs.ContextFilter"},
        "scrub": {"()": "fengqiao.ops.logs.ScrubFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "fengqiao.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": f"ext://sys.{LOG_STREAM}", "formatter": LOG_FORMAT,
                    "filters": ["context", "scrub"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # Huey's consumer adds its own handler unless the logger has one: give it ours (same format, scrubbed)
        "huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
        # the request line is the access log (fengqiao serve turns gunicorn's own off)
        "fengqiao.request": {"level": env("REQUEST_LOG_LEVEL", "INFO")},
    },
}
