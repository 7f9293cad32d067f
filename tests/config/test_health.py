"""/healthz: 200 on a migrated database, 503 saying what failed otherwise."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from config import health

pytestmark = pytest.mark.django_db


def _probe(method="get"):
    """An anonymous probe without cookies, as a load balancer sends it."""
    return getattr(Client(), method)(reverse("healthz"))


def test_a_migrated_database_is_healthy(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = _probe()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response and not response.cookies


def test_head_works_and_posts_are_refused():
    assert _probe("head").status_code == 200
    assert _probe("post").status_code == 405


def test_unapplied_migrations_make_it_unhealthy(monkeypatch):
    monkeypatch.setattr(health, "unapplied_migrations", lambda: ["recovery.0099_new", "compensation.0042_new"])
    response = _probe()
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "migrations": "2 unapplied"}


def test_the_migration_check_reads_the_real_plan():
    assert health.unapplied_migrations() == []


def test_a_database_that_raises_makes_it_unhealthy(monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = _probe()
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "migrations": "unknown"}
    assert "no-store" in response["Cache-Control"]


def test_a_failing_migration_read_makes_it_unhealthy(monkeypatch):
    def broken():
        raise OperationalError("no such table: django_migrations")

    monkeypatch.setattr(health, "unapplied_migrations", broken)
    response = _probe()
    assert response.status_code == 503
    assert response.json()["migrations"] == "error"
