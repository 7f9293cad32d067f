"""The app servers keep no state of their own, so any number of them can stand behind a load balancer.

Sessions live in the database (or a signed cookie), messages in the cookie or the
session, login lockouts and API rate limits in the database; nothing a request
does writes a file on the app server.
"""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import grant_for

SHARED_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.signed_cookies"}
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", "staticfiles"}


def test_sessions_messages_and_lockouts_are_shared_by_every_app_server():
    assert settings.SESSION_ENGINE in SHARED_SESSION_ENGINES
    assert getattr(settings, "MESSAGE_STORAGE", "django.contrib.messages.storage.fallback.FallbackStorage") in {
        "django.contrib.messages.storage.fallback.FallbackStorage",
        "django.contrib.messages.storage.cookie.CookieStorage",
        "django.contrib.messages.storage.session.SessionStorage",
    }
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )
    for cache in settings.CACHES.values():
        assert cache["BACKEND"] != "django.core.cache.backends.filebased.FileBasedCache"


def test_the_apps_keep_nothing_in_a_process_cache():
    """A per-process cache would differ between app servers: the code never uses Django's cache."""
    sources = [Path(settings.BASE_DIR, app) for app in ("compensation", "recovery", "config")]
    users = [
        str(path)
        for root in sources
        for path in root.rglob("*.py")
        if "django.core.cache" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_no_model_stores_an_uploaded_file():
    file_fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert file_fields == []


def test_logs_go_to_the_process_streams_not_to_files():
    classes = {handler["class"] for handler in settings.LOGGING["handlers"].values()}
    assert classes and not [name for name in classes if "FileHandler" in name or "handlers." in name]


def _files_under(root: Path) -> dict[str, float]:
    found = {}
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED_DIRS]
        for name in files:
            if not name.endswith(".pyc"):
                path = os.path.join(directory, name)
                found[path] = os.stat(path).st_mtime_ns
    return found


@pytest.mark.django_db
def test_granting_and_reviewing_write_no_file_on_the_app_server(frontline, manager, central, customer):
    before = _files_under(Path(settings.BASE_DIR))
    grant = grant_for(frontline, central, customer)
    client = client_for(manager)
    assert client.get(reverse("audit")).status_code == 200
    assert client.get(reverse("audit_detail", args=[grant.pk])).status_code == 200
    assert b"".join(client.get(reverse("audit_export")).streaming_content)
    assert client.get(reverse("insights")).status_code == 200
    assert client_for(frontline).get(reverse("my_grants")).status_code == 200
    assert _files_under(Path(settings.BASE_DIR)) == before
