"""A bare Django project: the yardstick under the same-stack baseline.

No middleware, no auth, sessions, admin, templates, i18n or logging
configuration: only the one-INSERT view of `bench.baseline` on the same
PostgreSQL database (its table is migrated by `bench.settings_bench`). The
connection is kept (`CONN_MAX_AGE`, as the app does): without it the figure
would measure PostgreSQL's backend start-up, not Django.
"""

import os

import environ

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(",")
INSTALLED_APPS = ["bench.baseline"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare.urls"
DATABASES = {"default": environ.Env().db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
USE_TZ = True
