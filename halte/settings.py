"""Halte's settings: everything that differs between machines comes from the environment.

HALTE_ENV=development (the default) runs on SQLite with a development secret;
HALTE_ENV=production demands real secrets and turns on every HTTPS protection, so
that `manage.py check --deploy` passes.
"""

import os
import re
import urllib.parse
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from halte.core.sqlite.checkpointer import SAFETY_NET_PAGES
from halte.env import (
    check_strong_secret,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_time,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HALTE_VAR_DIR", str(BASE_DIR / "var")))
# backup_database encrypts to this OpenPGP public key file when set (halte/core/backup.py).
_backup_key = env_str("HALTE_BACKUP_PUBLIC_KEY", "")
HALTE_BACKUP_PUBLIC_KEY = Path(_backup_key) if _backup_key else None

HALTE_ENV = env_choice("HALTE_ENV", "development", {"development", "production"})
PRODUCTION = HALTE_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when HALTE_ENV=production.")

_DEV_SECRET = "development-only-secret-never-use-in-production-3f9a7c1e5b2d4"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

# The key that encrypts BSNs at rest and keys their lookup hash. Rotating it
# needs a re-encryption of the stored BSNs, so it is separate from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", None if PRODUCTION else SECRET_KEY)
if PRODUCTION:
    # A weak or shared key would let whoever reads the database (or learns SECRET_KEY,
    # which signs cookies) decrypt every BSN.
    check_strong_secret(
        "FIELD_ENCRYPTION_KEY",
        FIELD_ENCRYPTION_KEY,
        known=(_DEV_SECRET,),
        not_equal_to={"SECRET_KEY": SECRET_KEY},
    )

# The shared secret the telephone system signs its call events with (HMAC-SHA256,
# header X-Halte-Signature); whoever knows it can open calls in Halte.
_DEV_TELEPHONY_SECRET = "development-only-telephony-secret-never-in-production"  # noqa: S105
TELEPHONY_WEBHOOK_SECRET = env_str(
    "TELEPHONY_WEBHOOK_SECRET", None if PRODUCTION else _DEV_TELEPHONY_SECRET
)
if PRODUCTION and (
    len(TELEPHONY_WEBHOOK_SECRET) < 32 or TELEPHONY_WEBHOOK_SECRET == _DEV_TELEPHONY_SECRET
):
    raise ImproperlyConfigured(
        "TELEPHONY_WEBHOOK_SECRET must be a random string of at least 32 characters."
    )

# Telephone systems do not always send a call's `ended`: past these times Halte takes
# a call that rings (minutes) or was answered (hours) as ended.
CALL_RING_TIMEOUT_MINUTES = env_int("CALL_RING_TIMEOUT_MINUTES", 10, minimum=1)
CALL_ANSWERED_TIMEOUT_HOURS = env_int("CALL_ANSWERED_TIMEOUT_HOURS", 4, minimum=1)

# The letterhead of printed letters (halte.outreach.letters). The defaults are the
# demo's invented organisation. HALTE_ORG_ADDRESS holds the lines of the postal
# address separated by semicolons; HALTE_ORG_LOGO the path of a PNG, JPEG or SVG file.
HALTE_ORG_NAME = env_str("HALTE_ORG_NAME", "Zorggroep De Halte")
HALTE_ORG_ADDRESS = tuple(
    line.strip()
    for line in env_str("HALTE_ORG_ADDRESS", "Stationsplein 12; 3818 LE Amersfoort").split(";")
    if line.strip()
)
HALTE_ORG_PHONE = env_str("HALTE_ORG_PHONE", "033 460 12 00")
HALTE_ORG_EMAIL = env_str("HALTE_ORG_EMAIL", "info@zorggroepdehalte.example")
HALTE_ORG_WEBSITE = env_str("HALTE_ORG_WEBSITE", "www.zorggroepdehalte.example")
HALTE_ORG_LOGO = env_str("HALTE_ORG_LOGO", "")
if HALTE_ORG_LOGO and not Path(HALTE_ORG_LOGO).is_file():
    raise ImproperlyConfigured(f"HALTE_ORG_LOGO names no file: {HALTE_ORG_LOGO!r}.")
# Printed double-sided, a one-page letter would get the next client's letter on its
# back: a blank page after each letter with an odd number of pages prevents that.
# Turn off only where the letters are printed single-sided.
HALTE_LETTERS_DUPLEX = env_bool("HALTE_LETTERS_DUPLEX", True)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host names Halte is served on.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where staff open Halte: the links in the emails staff receive (promise reminders).
HALTE_BASE_URL = env_str(
    "HALTE_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else "http://127.0.0.1:8000",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Locks out a username and address that keep guessing (halte/core/signin.py).
    "axes",
    "django_htmx",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "halte.core",
    "halte.audit",
    "halte.clients",
    "halte.contact",
    "halte.journey",
    "halte.outreach",
    "halte.api",
]
# The second factor at sign-in (halte.twofactor): authenticator-app codes and recovery
# codes (django-otp), passkeys and security keys (django-otp-webauthn).
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "halte.twofactor",
]
# The demo seeding (`manage.py seed_demo`) makes logins with a printed password and
# can empty the client tables: never in production.
if not PRODUCTION:
    INSTALLED_APPS.append("halte.demo")
# `make demo` lets the demo organisation live: a referral, an intake, a care start
# every minute, through the real services, so the outbox fills as the demo runs.
HALTE_DEMO_ACTIVITY = not PRODUCTION and env_bool("HALTE_DEMO_ACTIVITY", default=False)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their own long caching: the policy,
    # Permissions-Policy and no-store go on what Django itself answers.
    "csp.middleware.CSPMiddleware",
    "halte.core.headers.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "halte.core.middleware.interface_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A change of staff access while a request runs is its user's (core/staff.py).
    "halte.core.staff.attribute_staff_changes",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends idle and too old sessions (halte/core/sessions.py), before the second
    # factor's gate: an ended session goes to the sign-in, not to the second step.
    "halte.core.sessions.SessionLimits",
    # request.user.is_verified(); then every page waits for the second factor.
    "django_otp.middleware.OTPMiddleware",
    "halte.twofactor.middleware.second_factor_gate",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "halte.api.middleware.api_error_shape",
    "halte.core.access.NotFoundPage",
    # A database too busy to take a write: 503 with Retry-After (pages and API).
    "halte.core.busy.DatabaseBusy",
    # Answers a locked-out sign-in with the lockout page (halte/core/signin.py); last,
    # so that it sees the flag the authentication set.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "halte.urls"
WSGI_APPLICATION = "halte.wsgi.application"
ASGI_APPLICATION = "halte.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "halte" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: SQLite (WAL, immediate transactions so writers queue instead of
# failing on lock upgrades) unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'halte.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL)
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
# Connections are kept between requests (opening one also runs the PRAGMAs below):
# 366 -> 457 requests/s for the caller lookup under gunicorn on SQLite.
_database["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
_database["CONN_HEALTH_CHECKS"] = True
SQLITE_BUSY_TIMEOUT = env_int("SQLITE_BUSY_TIMEOUT", 5, minimum=1)  # seconds
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with checkpoints beside the requests and writers queued on a
    # lock file (halte.core.sqlite); a request checkpoints only past the safety net.
    _database["ENGINE"] = "halte.core.sqlite"
    _database["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            f" PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES};"
        ),
        "transaction_mode": "IMMEDIATE",
        # How long a writer waits for another's lock (SQLite's busy timeout and the
        # lock file's) before the request is answered 503 with Retry-After.
        "timeout": SQLITE_BUSY_TIMEOUT,
    }
elif _database["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (ARCHITECTURE.md): the Django Tasks API (django-tasks, Django 6's
# django.tasks). HALTE_TASKS=database (the default) keeps the queue in the database
# (`manage.py db_worker`); HALTE_TASKS=rq puts it on Redis for scale-out (`manage.py
# rqworker default --job-class django_tasks_rq.backend.Job`, as many as needed).
# Periodic jobs are enqueued by `manage.py scheduler` on either (halte/core/schedule.py).
HALTE_TASKS = env_choice("HALTE_TASKS", "database", {"database", "rq"})
TASK_QUEUES = ["default"]
REDIS_URL, REDIS_DB = env_redis_url("REDIS_URL", "redis://127.0.0.1:6379/0")
if HALTE_TASKS == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    # RQ stops a job after its timeout (3 minutes unless set); the database worker
    # has none, so a long batch gets an hour here too.
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DB": REDIS_DB, "DEFAULT_TIMEOUT": 3600} for name in TASK_QUEUES
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# How many finished slots a starting scheduler still enqueues per job (at least the
# last one), so that one down for a day does not flood the queue when it comes back.
SCHEDULER_CATCH_UP_SLOTS = env_int("SCHEDULER_CATCH_UP_SLOTS", 1, minimum=1)
# A task on the database queue still running after this long lost its worker and is
# queued again (halte.core.tasks.requeue_abandoned); as long as RQ lets a job run.
TASK_ABANDONED_AFTER_MINUTES = env_int("TASK_ABANDONED_AFTER_MINUTES", 60, minimum=5)

# The organisation as its clients see it: the sender of messages and letters, and the
# number to call when a team has none.
HALTE_ORGANISATION = {"name": HALTE_ORG_NAME, "phone": HALTE_ORG_PHONE}

# Text messages wait for the morning: none are sent from SMS_QUIET_START to SMS_QUIET_END
# (local time; a message composed then is queued until the end).
SMS_QUIET_START = env_time("SMS_QUIET_START", "21:00")
SMS_QUIET_END = env_time("SMS_QUIET_END", "08:00")

# Text messages (halte.outreach.sms). SMS_BACKEND: `file` writes one JSON file per
# message under SMS_FILE_DIR (the default outside production, and what `make demo`
# shows), `console` prints them (never in production: the process output ends up in
# the logs, and numbers and texts must not), `cm` sends through CM.com.
SMS_BACKEND = env_str("SMS_BACKEND", None if PRODUCTION else "file").strip()
if SMS_BACKEND not in {"console", "file", "cm"}:
    raise ImproperlyConfigured(
        f"SMS_BACKEND must be one of cm, console, file, not {SMS_BACKEND!r}."
    )
if PRODUCTION and SMS_BACKEND == "console":
    raise ImproperlyConfigured(
        "SMS_BACKEND=console prints numbers and texts to the process output: not in production."
    )
SMS_FILE_DIR = Path(env_str("SMS_FILE_DIR", str(VAR_DIR / "sms")))
# The sender the phone shows: at most 11 letters, digits and spaces (with a letter),
# or a number of at most 16 digits. In production with a gateway it names the
# organisation, so it must be set.
SMS_SENDER = env_str("SMS_SENDER", None if PRODUCTION and SMS_BACKEND == "cm" else "Halte").strip()
if not (
    re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}", SMS_SENDER)
    or re.fullmatch(r"[0-9]{1,16}", SMS_SENDER)
):
    raise ImproperlyConfigured(
        "SMS_SENDER must be at most 11 letters, digits and spaces (with a letter), "
        f"or a number of at most 16 digits, not {SMS_SENDER!r}."
    )
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10, minimum=1)
# A longer text is refused before it is queued; CM.com sends at most 8 parts.
SMS_MAX_SEGMENTS = env_int("SMS_MAX_SEGMENTS", 6, minimum=1)
if SMS_MAX_SEGMENTS > 8:
    raise ImproperlyConfigured(f"SMS_MAX_SEGMENTS must be at most 8, not {SMS_MAX_SEGMENTS}.")
# CM.com's endpoint without Cloudflare as a sub-processor (halte/outreach/sms/cm.py).
CM_API_URL = env_str("CM_API_URL", "https://gw.cmtelecom.com/v1.0/message").strip()
if not re.fullmatch(r"https://\S+" if PRODUCTION else r"https?://\S+", CM_API_URL):
    raise ImproperlyConfigured(
        f"CM_API_URL must be an {'https' if PRODUCTION else 'http(s)'} URL, not {CM_API_URL!r}."
    )
CM_PRODUCT_TOKEN = env_str("CM_PRODUCT_TOKEN", "").strip()
if SMS_BACKEND == "cm" and not re.fullmatch(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    CM_PRODUCT_TOKEN,
):
    raise ImproperlyConfigured(
        "CM_PRODUCT_TOKEN must be set to CM.com's product token, with its hyphens "
        "(00000000-0000-0000-0000-000000000000), when SMS_BACKEND=cm."
    )

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Second factor (halte.twofactor, README "Signing in"). On: every staff role signs in
# with a code from an authenticator app, a recovery code or a passkey, and enrols at
# its first sign-in. Always on in production; off by default elsewhere (the tests, a
# first look at the demo). Whoever has a factor is asked for it either way.
HALTE_TWO_FACTOR = env_bool("HALTE_TWO_FACTOR", default=PRODUCTION)
if PRODUCTION and not HALTE_TWO_FACTOR:
    raise ImproperlyConfigured(
        "HALTE_TWO_FACTOR cannot be off in production: staff who see client data, the "
        "audit log or the staff administration sign in with a second factor."
    )
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = env_str("HALTE_TOTP_ISSUER", "Halte")
# Passkeys only as a second factor, after the password (which django-axes counts).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "halte.twofactor.webauthn.HalteWebAuthnHelper"
OTP_WEBAUTHN_RP_NAME = HALTE_ORG_NAME
# Passkeys belong to a domain: by default HALTE_BASE_URL's host in production, and
# localhost elsewhere (browsers refuse passkeys on an IP address such as 127.0.0.1).
# Changing it later makes every enrolled passkey unusable.
_BASE_URL = urllib.parse.urlsplit(HALTE_BASE_URL)
OTP_WEBAUTHN_RP_ID = env_str(
    "HALTE_WEBAUTHN_RP_ID", (_BASE_URL.hostname or "") if PRODUCTION else "localhost"
)
# The pages' origins a passkey check may come from (https in production). Outside
# production the page's own localhost origin is accepted too (any port: the tests').
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "HALTE_WEBAUTHN_ORIGINS",
    [f"{_BASE_URL.scheme}://{_BASE_URL.netloc}"] if PRODUCTION else ["http://localhost:8000"],
)

LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "nl", {"nl", "en"})
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_timezone("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `manage.py collectstatic` puts the files production serves (WhiteNoise).
STATIC_ROOT = Path(env_str("HALTE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "halte" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production WhiteNoise serves straight from the apps' static folders, so
# neither the demo nor the tests need a collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Request bodies: the API refuses larger ones with 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# Sessions (halte/core/sessions.py): they end after HALTE_SESSION_IDLE_MINUTES without
# activity (the browser's own polling is not activity) and HALTE_SESSION_MAX_HOURS
# after signing in, at most 12 hours. The cookie and the stored session last no longer.
HALTE_SESSION_IDLE_MINUTES = env_int("HALTE_SESSION_IDLE_MINUTES", 30, minimum=1)
HALTE_SESSION_MAX_HOURS = env_int("HALTE_SESSION_MAX_HOURS", 12, minimum=1)
if HALTE_SESSION_MAX_HOURS > 12:
    raise ImproperlyConfigured(
        f"HALTE_SESSION_MAX_HOURS must be at most 12, not {HALTE_SESSION_MAX_HOURS}."
    )
if HALTE_SESSION_IDLE_MINUTES > HALTE_SESSION_MAX_HOURS * 60:
    raise ImproperlyConfigured(
        "HALTE_SESSION_IDLE_MINUTES must not be longer than HALTE_SESSION_MAX_HOURS."
    )
SESSION_COOKIE_AGE = HALTE_SESSION_MAX_HOURS * 60 * 60

# Guessing at the sign-in (halte/core/signin.py). django-axes locks out a username
# and address together after HALTE_SIGNIN_FAILURE_LIMIT failures for
# HALTE_SIGNIN_COOLOFF_MINUTES; an address as a whole may fail
# HALTE_SIGNIN_ADDRESS_LIMIT times a clock hour. OWASP ASVS L2 allows at most 100
# failures in any hour; the counts are kept per clock hour (halte/core/ratelimit.py),
# so an attacker could spend the limit twice across an hour's edge: at most 50.
# Both answer with a Dutch page, 429 and Retry-After.
HALTE_SIGNIN_FAILURE_LIMIT = env_int("HALTE_SIGNIN_FAILURE_LIMIT", 5, minimum=1)
HALTE_SIGNIN_COOLOFF_MINUTES = env_int("HALTE_SIGNIN_COOLOFF_MINUTES", 15, minimum=1)
HALTE_SIGNIN_ADDRESS_LIMIT = env_int("HALTE_SIGNIN_ADDRESS_LIMIT", 30, minimum=1)
if HALTE_SIGNIN_ADDRESS_LIMIT > 50:
    raise ImproperlyConfigured(
        "HALTE_SIGNIN_ADDRESS_LIMIT must be at most 50 a clock hour (at most 100 in any"
        f" 60 minutes across an hour's edge), not {HALTE_SIGNIN_ADDRESS_LIMIT}."
    )
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "halte.core.signin.AddressLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = HALTE_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=HALTE_SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Typed usernames of no account are stored as a keyed fingerprint, never as typed.
AXES_USERNAME_CALLABLE = "halte.core.signin.attempted_username"
AXES_LOCKOUT_CALLABLE = "halte.core.signin.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not move its end, so the page's "try again after" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Sign-ins and sign-outs are in the audit log (halte/audit/signin.py), which nobody
# can rewrite; axes' own access log would keep a second, changeable copy.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# API tokens (halte/api/auth.py): each may make HALTE_API_TOKEN_RATE_PER_MINUTE calls a
# minute; an address that sent more than HALTE_API_BAD_TOKEN_LIMIT unknown, revoked or
# expired tokens in 10 minutes is answered 429 until the 10 minutes are over.
HALTE_API_TOKEN_RATE_PER_MINUTE = env_int("HALTE_API_TOKEN_RATE_PER_MINUTE", 600, minimum=1)
HALTE_API_BAD_TOKEN_LIMIT = env_int("HALTE_API_BAD_TOKEN_LIMIT", 10, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer asks for /health/ over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Response headers (halte/core/headers.py, README "Security headers"). A strict
# Content-Security-Policy (django-csp 4): scripts, styles, images and fonts come from
# Halte's own origin only, never inline, never eval; nothing may frame Halte, no
# <base> or plugin may be injected, forms post only to Halte. htmx is configured for
# it in base.html (no eval, no inline indicator styles). No directive needs a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": LOG_LEVEL,
    },
    # Django's default configuration gives the "django" logger a console handler of
    # its own (under DEBUG); with the root's it printed every line twice ("Watching
    # for file changes" in `make demo`). Its messages go to the root's handler only.
    # Halte sets no ADMINS, so Django's mail_admins handler sent nothing anyway.
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # At DEBUG it prints every SQL statement with its values: BSNs, care notes.
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each step of each letter it lays out at INFO.
        "weasyprint": {"level": "WARNING"},
        # django-axes reports every successful sign-in at INFO; the audit log has them.
        "axes": {"level": "WARNING"},
    },
}

# Search results per page and the API's list limits (API.md).
SEARCH_PAGE_SIZE = 25
API_DEFAULT_LIMIT = 50
API_MAX_LIMIT = 200

# Email (README "Email and SMS"): SMTP when EMAIL_HOST is set. Without it, outside
# production, each message is written as a file under var/mail, so `make demo` shows
# what would have been sent; production refuses to start without a mail server.
EMAIL_HOST = env_str("EMAIL_HOST", None) if PRODUCTION else os.environ.get("EMAIL_HOST", "")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_USE_TLS else 25, minimum=1)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15, minimum=1)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", None if PRODUCTION else "Zorggroep De Halte <noreply@halte.example>"
)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# The audit log's chain and anchors (halte/audit/keys.py, README "Audit log").
# Each entry's hash is an HMAC under AUDIT_CHAIN_KEY, a secret kept out of the
# database; rotated keys stay in AUDIT_CHAIN_OLD_KEYS ("id:key,...") so old entries
# still verify. AUDIT_CHAINS chains take writers side by side (each a row lock held
# through its commit): several on PostgreSQL, one on SQLite, whose writers queue anyway.
from halte.audit import keys as _audit_keys  # noqa: E402

AUDIT_CHAIN_KEY_ID = env_str("AUDIT_CHAIN_KEY_ID", "1").strip()
AUDIT_CHAIN_KEYS = _audit_keys.chain_keys(
    AUDIT_CHAIN_KEY_ID,
    env_str("AUDIT_CHAIN_KEY", None if PRODUCTION else _audit_keys.DEV_CHAIN_KEY),
    _audit_keys.parse_old_chain_keys(os.environ.get("AUDIT_CHAIN_OLD_KEYS", "")),
    production=PRODUCTION,
    other_secrets={"SECRET_KEY": SECRET_KEY, "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY},
)
AUDIT_CHAINS = env_int(
    "AUDIT_CHAINS", 8 if _database["ENGINE"] == "django.db.backends.postgresql" else 1, minimum=1
)
# Every AUDIT_ANCHOR_MINUTES the heads of all chains are appended, signed, to the
# JSON-lines file AUDIT_ANCHOR_FILE (required in production; none in development
# unless set), which a log shipper or a second machine copies as it grows.
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE", None if PRODUCTION else "-").strip()
AUDIT_ANCHOR_FILE = "" if AUDIT_ANCHOR_FILE == "-" else AUDIT_ANCHOR_FILE
AUDIT_ANCHOR_MINUTES = env_int("AUDIT_ANCHOR_MINUTES", 5, minimum=1)
AUDIT_ANCHOR_SIGNING_KEY = env_str(
    "AUDIT_ANCHOR_SIGNING_KEY", None if PRODUCTION else _audit_keys.DEV_ANCHOR_SIGNING_KEY
)
_audit_keys.signing_key(AUDIT_ANCHOR_SIGNING_KEY)  # refuses a malformed key at start
if PRODUCTION and AUDIT_ANCHOR_SIGNING_KEY == _audit_keys.DEV_ANCHOR_SIGNING_KEY:
    raise ImproperlyConfigured("AUDIT_ANCHOR_SIGNING_KEY must be a key of its own, not the demo's.")
# Public keys of earlier signing keys (base64, comma-separated): old anchor lines verify.
AUDIT_ANCHOR_PUBLIC_KEYS = env_list("AUDIT_ANCHOR_PUBLIC_KEYS", [])
