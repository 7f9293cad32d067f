"""Recovery Desk settings.

Every value that differs between a laptop and production comes from the
environment. The defaults run on a local SQLite file with DEBUG off: a process
that forgot its environment must never come up in debug mode. Development says
so itself (`DEBUG=true`: scripts/demo.sh, config/settings_test.py or a `.env`
file); production sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (docs/DEPLOY.md).

Booleans and numbers go through the strict readers of config/env.py, which refuse
a mistyped value by name instead of reading it as false; URLs and lists through
django-environ.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from compensation.predicates import ROLES
from config.env import env_bool, env_choice, env_int, env_list
from config.logging import LOG_FORMATS, LOG_LEVELS, build_logging

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE names another file, or "none" for the environment alone (the settings tests do that).
_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _env_file != "none":
    environ.Env.read_env(_env_file, overwrite=False)

# Off unless the environment turns it on: development opts in, production cannot forget.
DEBUG = env_bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-dev-only-key-0123456789-abcdefghijklmnopqrstuvwxyz")
else:
    # Production must set its own: no default to fall back on.
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs its own (50+ random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'); for development set DEBUG=true."
        )
# Earlier keys, while rotating: they still verify sessions, CSRF tokens and other signed values.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", default=[], min_length=32)
# The customer's voucher links and QR codes (recovery.domain.vouchers): the first key signs, every key
# verifies, so a key leaves the list only after the vouchers it signed have expired. Unset: SECRET_KEY
# signs and SECRET_KEY_FALLBACKS verify, as before the list existed (docs/BACKUP.md, "Keys").
VOUCHER_SIGNING_KEYS = env_list("VOUCHER_SIGNING_KEYS", default=[], min_length=32)
# Witnessed audit heads (compensation/witness.py): Ed25519 PEM files outside the database. The first private
# key signs, all verify; retired public keys only verify.
AUDIT_WITNESS_KEYS = env_list("AUDIT_WITNESS_KEYS", default=[])
AUDIT_WITNESS_PUBLIC_KEYS = env_list("AUDIT_WITNESS_PUBLIC_KEYS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    # Two-step sign-in (TOTP): the devices, their throttling and `request.user.is_verified()`.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Background jobs: the webhook deliveries (recovery/tasks.py), run by `manage.py qcluster`.
    "django_q",
    "compensation",
    "recovery",
]

MIDDLEWARE = [
    # First, so every log line of the request (and every response, redirects too) has its id.
    "recovery.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their own caching): no page with customer data is kept.
    "recovery.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Saves the session (extends its idle timeout) at most once a minute, not on every request.
    "recovery.middleware.SessionIdleRefreshMiddleware",
    # The browser's language (cookie, then Accept-Language) for everyone...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # `request.user.is_verified()`: the session holds the device that checked this sign-in's code.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After sign-in: the code step, or enrolment where the role requires a second factor (recovery/two_step.py).
    "recovery.two_step.TwoStepMiddleware",
    # ...and the language each employee chose, once they have signed in.
    "recovery.languages.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "recovery.context_processors.counter_location",
                "recovery.context_processors.escalations_waiting",
                "config.menus.ops_menu_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL is production. See README.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent
    # grants queue on the busy timeout instead of failing "database is locked";
    # WAL lets readers go on while one writer writes (see RELIABILITY.md).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Threads in concurrency tests need a file database, not shared memory;
    # one per test run, so two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"recovery_desk_test_{os.getpid()}.sqlite3")
    }
# Persistent connections: opening one per request costs PostgreSQL a new backend (4.6x fewer
# requests per second, RELIABILITY.md) and SQLite a WAL checkpoint at every close.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", minimum=0, default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL streaming replica for the review pages' and exports' reads (config/db_router.py);
# without it every read goes to `default`. Writes and migrations always go to `default`.
READ_REPLICA_ALIAS = ""
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    READ_REPLICA_ALIAS = "replica"
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and permissions --------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Two-step sign-in (TOTP, django-otp): the roles that must use it, comma-separated group names, e.g.
# "ops,manager" (the roles that change money rules). Empty: offered to everyone, required of no one.
# Production should set it (README, "Two-step sign-in"). API tokens are never asked: they are machines.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", default=[])
_unknown_roles = sorted(set(MFA_REQUIRED_ROLES) - set(ROLES))
if _unknown_roles:
    raise ImproperlyConfigured(
        f"MFA_REQUIRED_ROLES: unknown role {', '.join(_unknown_roles)}; the roles are {', '.join(ROLES)}"
    )
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Recovery Desk")
# A wrong code makes the next attempt wait 1, 2, 4, 8… seconds (django-otp's throttling), per device.
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", minimum=1, default=1)

# Login brute force: 5 wrong passwords for one username from one address lock that
# pair for 15 minutes. Locking by the pair (not the address alone) means an attacker
# cannot lock out a whole shop behind one router; a good login resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", minimum=1, default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", minimum=0, default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a load balancer, set AXES_IPWARE_PROXY_COUNT=1 so the client address comes from X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", minimum=0, default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Shared counter tablets: a session ends after 30 idle minutes. Each click extends it, but the
# session is saved at most once a minute (recovery.middleware.SessionIdleRefreshMiddleware),
# not on every request: saving on every grant cost an UPDATE and a second COMMIT.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", minimum=60, default=30 * 60)
SESSION_REFRESH_SECONDS = 60

# --- Integration API (/api/v1/) ---------------------------------------------------
# Bearer tokens only (no sessions, so no CSRF), JSON only, rules decide, errors in one shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["recovery.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["recovery.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["recovery.api.parsers.DecimalJSONParser"],
    "EXCEPTION_HANDLER": "recovery.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per token per minute (counted in the database, shared by every app server).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", minimum=1, default=120)
# How long Idempotency-Keys are remembered (never less than 24 hours; prune_idempotency_keys deletes older).
API_IDEMPOTENCY_KEY_HOURS = env_int("API_IDEMPOTENCY_KEY_HOURS", minimum=24, default=24)
SPECTACULAR_SETTINGS = {
    "TITLE": "Recovery Desk integration API",
    "DESCRIPTION": (
        "Look up or add customers, quote every playbook's cap, grant compensation exactly once, void grants "
        "and list them for reconciliation. Authenticate with `Authorization: Bearer <token>` (a token ops "
        "create per integration, tied to a location and a role). Errors are "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "recovery.api.schema.add_error_responses",
    ],
}

# --- History -----------------------------------------------------------------
# Background jobs (django-q2): outgoing webhooks are posted by `python manage.py qcluster`, never by a
# request. The default broker is the database itself (the ORM broker: no other server to run or back up);
# Q_REDIS_URL switches to Redis when one database poller is no longer enough (then `pip install redis`).
# Q_SYNC=true runs each job inside the caller, without a worker (the tests do that).
Q_REDIS_URL = env.str("Q_REDIS_URL", default="")
Q_CLUSTER = {
    "name": "recovery-desk",
    "workers": env_int("Q_WORKERS", minimum=1, default=2),
    # A job is one delivery (5 s timeout) or the due-deliveries sweep: a minute is plenty; a job that
    # dies is not re-run by the broker (the webhook's own retry schedule re-sends it).
    "timeout": 60,
    "retry": 90,
    "max_attempts": 1,
    # After downtime, the sweep runs once rather than once per missed minute.
    "catch_up": False,
    "save_limit": 250,
    "poll": 1,
    "sync": env_bool("Q_SYNC", default=False),
    **({"redis": Q_REDIS_URL} if Q_REDIS_URL else {"orm": "default"}),
}

SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
# Change reasons are the void, decline and rollback reasons people type (up to 500 characters).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- I18N / time -------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is named in itself, so anyone can find their own in the switch.
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("ro", "Română")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Money: one currency per deployment for now; its minor unit comes from Babel.
RECOVERY_CURRENCY = env.str("RECOVERY_CURRENCY", default="EUR")
# Region used to read phone numbers typed without a country prefix.
RECOVERY_PHONE_REGION = env.str("RECOVERY_PHONE_REGION", default="GB")

# --- Static files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- Security (production values come with DEBUG=false) -----------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: only our own scripts and styles (no inline code anywhere),
# QR codes are inline SVG, nothing may frame the desk.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer's or the container's plain-HTTP probe gets the answer, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", minimum=0, default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging (config/logging.py) -------------------------------------------------
# JSON lines in production, readable lines in development; every line carries the request id.
LOG_FORMAT = env_choice("LOG_FORMAT", choices=LOG_FORMATS, default="text" if DEBUG else "json")
LOGGING = build_logging(
    log_format=LOG_FORMAT,
    # Libraries and Django: warnings and errors only.
    level=env_choice("LOG_LEVEL", choices=LOG_LEVELS, default="warning"),
    # recovery.* and compensation.*: one line per money or policy change (compensation.observability).
    app_level=env_choice("APP_LOG_LEVEL", choices=LOG_LEVELS, default="info"),
)

# In development serve static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served without a login.
WHITENOISE_ROOT = BASE_DIR / "public"
