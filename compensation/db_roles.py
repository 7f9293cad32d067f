"""Separated PostgreSQL roles: the owner migrates, the app role cannot rewrite the record.

The journal's trigger (compensation/migrations/0007) refuses UPDATE and DELETE,
but not to the role that owns the table: an owner can `ALTER TABLE … DISABLE
TRIGGER`, `TRUNCATE`, or drop the trigger. So production runs with two roles:

- the **owner** (`DATABASE_URL` of `migrate` and of this command) owns every table;
- the **app role** (`DATABASE_URL` of gunicorn and cron) gets plain row rights on
  the case tables, and only SELECT and INSERT on the append-only tables (the
  journal and django-simple-history's tables, which the app only ever inserts
  into). It owns nothing, so it can neither alter a table or its triggers nor
  truncate one, and it may not create objects in the schema (no function of its
  own standing in for the trigger's).

`app_role_statements` is the SQL, idempotent: run it again after every
`migrate` (new tables get the default privileges below, but a new append-only
table needs its REVOKE). Pure: the caller passes the tables.
"""

from __future__ import annotations

import re

JOURNAL_TABLE = "compensation_auditevent"
# Read by the app (healthz compares it with the migrations on disk), written by `migrate` only.
OWNER_WRITES_ONLY = ("django_migrations",)
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
ROW_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


def append_only_tables() -> list[str]:
    """The journal and every django-simple-history table of the project's models."""
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    history = {model._meta.db_table for model in apps.get_models() if issubclass(model, HistoricalChanges)}
    return [JOURNAL_TABLE, *sorted(history)]


def app_role_statements(app_role: str, *, append_only: list[str], schema: str = "public") -> list[str]:
    """The GRANTs and REVOKEs that make `app_role` the app's role, run by the owner of the tables."""
    if not ROLE_NAME.fullmatch(app_role):
        raise ValueError(f"{app_role!r} is not a role name: lower-case letters, digits and _, at most 63")
    role, space = f'"{app_role}"', f'"{schema}"'
    statements = [
        # Nobody but the owner creates objects in the schema (PostgreSQL 15's default, made sure of).
        f"REVOKE CREATE ON SCHEMA {space} FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {space} FROM {role}",
        f"GRANT USAGE ON SCHEMA {space} TO {role}",
        f"GRANT {ROW_RIGHTS} ON ALL TABLES IN SCHEMA {space} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {space} TO {role}",
        # Tables the owner creates later (the next `migrate`) get row rights too.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {space} GRANT {ROW_RIGHTS} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {space} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    statements += [f'REVOKE UPDATE, DELETE ON {space}."{table}" FROM {role}' for table in append_only]
    statements += [f'REVOKE INSERT, UPDATE, DELETE ON {space}."{table}" FROM {role}' for table in OWNER_WRITES_ONLY]
    return statements
