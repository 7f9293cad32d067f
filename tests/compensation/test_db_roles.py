"""Separated database roles: the app role cannot rewrite, cut or unguard the journal (PostgreSQL only).

The test creates its own app role (roles are cluster-wide: a unique name,
dropped afterwards), gives it its rights with `manage.py db_roles --apply` as
the owner (the test database's owner, as `migrate` would be), then connects as
that role: INSERT and SELECT on the journal work, and UPDATE, DELETE, TRUNCATE,
disabling or dropping the trigger and replacing its function are refused by
PostgreSQL's permissions, before the trigger is even asked.
"""

import secrets
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from compensation.db_roles import JOURNAL_TABLE, app_role_statements, append_only_tables
from compensation.models import AuditEvent
from tests import factories

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's (SQLite has none)")


def test_the_statements_keep_the_journal_and_history_append_only():
    statements = app_role_statements("recovery_app", append_only=append_only_tables())
    assert 'REVOKE UPDATE, DELETE ON "public"."compensation_auditevent" FROM "recovery_app"' in statements
    assert 'REVOKE UPDATE, DELETE ON "public"."recovery_historicalgrant" FROM "recovery_app"' in statements
    assert not any(
        "TRUNCATE" in statement or "TRIGGER" in statement or " OWNER" in statement for statement in statements
    )
    with pytest.raises(ValueError, match="not a role name"):
        app_role_statements('app"; DROP TABLE x; --', append_only=[])


def test_the_command_prints_the_sql_without_applying_it(capsys):
    call_command("db_roles", app_role="recovery_app")
    printed = capsys.readouterr().out
    assert f'REVOKE UPDATE, DELETE ON "public"."{JOURNAL_TABLE}" FROM "recovery_app";' in printed


@pytest.fixture
def app_role(installed_policy):
    """A fresh login role with the app's rights, and a psycopg connection as it; dropped afterwards."""
    import psycopg

    name, password = f"rd_app_{uuid.uuid4().hex[:10]}", secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database's role may not create roles (CI's postgres superuser may)")
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    try:
        call_command("db_roles", app_role=name, apply=True)
        settings = connection.settings_dict
        app = psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            dbname=settings["NAME"],
            user=name,
            password=password,
            autocommit=True,
        )
        try:
            yield app
        finally:
            app.close()
    finally:
        with connection.cursor() as cursor:
            # A CREATEROLE owner (not a superuser, as in .ci/run) drops what it may act as: join the role first.
            cursor.execute(f"GRANT {name} TO current_user")
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def refused(app, statement, params=()):
    """The statement fails for want of a privilege (not because of the trigger or a constraint)."""
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege) as error:
        app.execute(statement, params)
    return str(error.value)


@on_postgresql
def test_the_app_role_appends_and_reads_but_cannot_rewrite_the_journal(app_role, frontline, central):
    factories.grant_for(frontline, central, factories.make_customer("Role Tester", phone="+447700900321"))
    entries = AuditEvent.objects.count()
    assert entries > 0
    app = app_role

    assert app.execute(f"SELECT count(*) FROM {JOURNAL_TABLE}").fetchone() == (entries,)
    app.execute(
        f"INSERT INTO {JOURNAL_TABLE} (chain, sequence, kind, subject_type, subject_id, actor_username, at, "
        "payload, prev_hash, hash) VALUES ('role-test', 1, 'test', 'test', 1, 'tester', %s, '{}', '', %s)",
        (timezone.now(), "f" * 64),
    )
    assert AuditEvent.objects.count() == entries + 1

    assert "permission denied" in refused(app, f"UPDATE {JOURNAL_TABLE} SET kind = 'grant'")
    assert "permission denied" in refused(app, f"DELETE FROM {JOURNAL_TABLE}")
    assert "permission denied" in refused(app, f"TRUNCATE {JOURNAL_TABLE}")
    assert "must be owner" in refused(app, f"ALTER TABLE {JOURNAL_TABLE} DISABLE TRIGGER audit_event_append_only")
    assert "must be owner" in refused(app, f"DROP TRIGGER audit_event_append_only ON {JOURNAL_TABLE}")
    # No CREATE on the schema, so not even a function of the same name (nor owner of the real one).
    assert "permission denied for schema public" in refused(
        app,
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ "
        "LANGUAGE plpgsql",
    )
    assert "permission denied" in refused(app, "CREATE TABLE rd_role_test (id int)")
    # History rows are append-only too, and the migrations table is the owner's.
    assert "permission denied" in refused(app, "DELETE FROM recovery_historicalgrant")
    assert "permission denied" in refused(app, "DELETE FROM django_migrations")
    assert AuditEvent.objects.count() == entries + 1


@on_postgresql
def test_the_app_role_still_serves_the_desk(app_role, frontline, central):
    """Row rights on the case tables: a grant's row can be read and changed, a session ended."""
    grant = factories.grant_for(frontline, central, factories.make_customer("Role Server", phone="+447700900322"))
    app = app_role
    assert app.execute("UPDATE recovery_grant SET void_reason = 'x' WHERE id = %s", (grant.pk,)).rowcount == 1
    app.execute("DELETE FROM django_session")
    assert app.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0


@pytest.mark.django_db
def test_applying_needs_an_existing_role_other_than_the_owner():
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            call_command("db_roles", app_role="recovery_app", apply=True)
        return
    with pytest.raises(CommandError, match="does not exist: create it first"):
        call_command("db_roles", app_role=f"rd_missing_{uuid.uuid4().hex[:8]}", apply=True)
