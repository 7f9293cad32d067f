"""Backups lose nothing: scripts/backup.sh, restored by scripts/restore.sh into a separate fresh database.

The story: a day at the counter (grants with their history, a void, a newly
published policy version, escalations approved and declined) is committed to
the test database; backup.sh copies it while the app's connection stays open;
restore.sh puts it into another, empty database. Read there with plain SQL,
every table holds exactly the rows of the original, and each grant, history
row, policy version and escalation the day produced is present and equal.
The scripts are what runs, as docs/BACKUP.md tells operators to run them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from compensation.models import CustomerLimit, PolicyVersion
from compensation.predicates import roles_of
from recovery import services
from recovery.models import Escalation, Grant
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
PG_TOOLS = ("pg_dump", "pg_restore", "psql")


# --- running the scripts ---------------------------------------------------------------------


def run(script: Path, *args, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=120)


def run_ok(script: Path, *args, database_url: str) -> str:
    result = run(script, *args, database_url=database_url)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def url_of_test_database() -> str:
    """The DATABASE_URL an operator would set for the database the tests write to."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"  # an absolute path: sqlite:////tmp/...
    return postgres_url(settings, settings["NAME"])


def postgres_url(settings: dict, name: str) -> str:
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(name, safe='')}"


# --- reading a database with plain SQL, the same way on both sides -------------------------------


def read_sqlite(url: str) -> dict:
    path = url.removeprefix("sqlite:///")
    assert Path(path).is_file(), path
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND (name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR name = 'sqlite_sequence')"
            )
        ]
        return {table: _rows(db.execute(f'SELECT * FROM "{table}"')) for table in tables}
    finally:
        db.close()


def read_postgres(url: str) -> dict:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        dump = {table: _rows(db.execute(f'SELECT * FROM "{table}"')) for table in tables}
        # Sequences too: a restore that set them back would hand out ids that already exist.
        dump["<sequences>"] = _rows(
            db.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        )
        return dump


def _rows(cursor) -> dict:
    columns = [column[0] for column in cursor.description]
    return {"columns": columns, "rows": sorted((tuple(row) for row in cursor.fetchall()), key=repr)}


def read(url: str) -> dict:
    return read_sqlite(url) if url.startswith("sqlite") else read_postgres(url)


def records(dump: dict, model) -> dict:
    """The rows of `model`'s table in `dump`, as dicts by primary key."""
    table = dump[model._meta.db_table]
    key = model._meta.pk.column
    return {row[key]: row for row in (dict(zip(table["columns"], values, strict=True)) for values in table["rows"])}


def money(value) -> Decimal:
    """SQLite stores decimals as REAL (see RELIABILITY.md), PostgreSQL as numeric: compare them quantized."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def as_json(value):
    return json.loads(value) if isinstance(value, str) else value


# --- a fresh, separate database to restore into ------------------------------------------------


@pytest.fixture
def restore_target(tmp_path):
    """The DATABASE_URL of a new, empty database on the test database's server (or beside its file)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"backups are documented for SQLite and PostgreSQL, not {connection.vendor}")
    missing = [tool for tool in PG_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the PostgreSQL client tools are not on PATH: {', '.join(missing)}")
    import psycopg
    from psycopg import sql

    settings = connection.settings_dict
    name = f"{settings['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    server = postgres_url(settings, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield postgres_url(settings, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- a day at the counter, through the real services -----------------------------------------------


def a_day_at_the_counter(*, frontline, manager, ops, central, customer) -> None:
    drinks = factories.grant_for(frontline, central, customer, code="free-drinks", amount="5")
    factories.grant_for(frontline, central, customer, code="repeat-repair")  # a voucher, at the full cap
    services.grant_void(actor=manager, grant_id=drinks.pk, reason="Entered for the wrong customer")

    # Ops publish a version (after the installed ones): one grant a customer a month.
    CustomerLimit.objects.create(window_days=30, max_grants=1, max_total=None)
    factories.publish("One grant a month", actor=ops)

    # Stopped by the new limit: the employee asks, the manager approves one and declines another.
    def escalate(amount, reason):
        return services.escalation_request(
            actor=frontline,
            roles=roles_of(frontline),
            request=factories.grant_request(customer, central, code="replace-spoiled", amount=amount),
            reason=reason,
        )

    approved = escalate("60.00", "Third spoiled delivery")
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=approved.pk, approve=True, note="Loyal customer"
    )
    declined = escalate("40.00", "Asked again the same day")
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=declined.pk, approve=False, note="Already compensated"
    )

    # A walk-in met today, granted a voucher under the day's version.
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Bob Walker", phone="+447700900202")
    factories.grant_for(frontline, central, walk_in, code="free-month")


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_holds_every_grant_history_row_version_and_escalation(
    installed_policy, frontline, manager, ops, central, customer, restore_target, tmp_path
):
    installed = PolicyVersion.objects.order_by("-number").first().number  # the shipped texts' migrations
    a_day_at_the_counter(frontline=frontline, manager=manager, ops=ops, central=central, customer=customer)
    grants = list(Grant.objects.all())
    history = list(Grant.history.all())
    versions = list(PolicyVersion.objects.all())
    escalations = list(Escalation.objects.all())
    # The day really produced what the backup must keep.
    assert len(grants) == 4 and any(g.is_voided for g in grants) and any(g.approved_by_id for g in grants)
    assert sum(1 for g in grants if g.voucher_code) == 2
    assert len(history) == 5  # four creations and the void
    assert [v.number for v in versions] == list(range(installed + 1, 0, -1))  # the installed ones and the day's
    assert {e.status for e in escalations} == {Escalation.Status.APPROVED, Escalation.Status.DECLINED}

    source = url_of_test_database()
    backups = tmp_path / "backups"
    backups.mkdir()
    # Taken while this test's connection to the database is still open, as on a running server.
    backup = Path(run_ok(BACKUP, str(backups), database_url=source))
    assert backup.parent == backups and backup.name.startswith("recovery-desk-")
    assert backup.suffix == (".sqlite3" if connection.vendor == "sqlite" else ".pgdump")
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # customers' personal data

    run_ok(RESTORE, str(backups), database_url=restore_target)  # a directory: its newest backup

    original, restored = read(source), read(restore_target)
    assert restored.keys() == original.keys()
    for table in original:
        assert restored[table] == original[table], f"{table} differs after the restore"

    restored_grants = records(restored, Grant)
    assert sorted(restored_grants) == sorted(g.pk for g in grants)
    for grant in grants:
        row = restored_grants[grant.pk]
        assert money(row["amount"]) == grant.amount
        assert row["voucher_code"] == grant.voucher_code
        assert row["policy_version_id"] == grant.policy_version_id
        assert uuid.UUID(str(row["token"])) == grant.token
        assert (row["status"], row["approved_by_id"]) == (grant.status, grant.approved_by_id)

    restored_history = records(restored, Grant.history.model)
    assert sorted(restored_history) == sorted(h.history_id for h in history)
    for record in history:
        row = restored_history[record.history_id]
        assert (row["id"], row["history_type"], row["status"]) == (record.id, record.history_type, record.status)
        assert (row["history_user_id"], row["history_change_reason"]) == (
            record.history_user_id,
            record.history_change_reason,
        )
        assert money(row["amount"]) == record.amount

    restored_versions = records(restored, PolicyVersion)
    assert sorted(restored_versions) == sorted(v.pk for v in versions)
    for version in versions:
        row = restored_versions[version.pk]
        assert (row["number"], row["reason"]) == (version.number, version.reason)
        assert as_json(row["document"]) == version.document

    restored_escalations = records(restored, Escalation)
    assert sorted(restored_escalations) == sorted(e.pk for e in escalations)
    for escalation in escalations:
        row = restored_escalations[escalation.pk]
        assert (row["status"], row["grant_id"], row["policy_version_id"]) == (
            escalation.status,
            escalation.grant_id,
            escalation.policy_version_id,
        )
        assert money(row["requested_amount"]) == escalation.requested_amount
        assert row["decision_note"] == escalation.decision_note

    # The app accepts the restored database as it is: every migration applied, system checks pass.
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": restore_target, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # The audit journal still verifies on the restored database: every chain and every grant.
    audit = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": restore_target, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "Audit journal verified" in audit.stdout

    # Restoring again over the now full database needs --force: nobody overwrites data by accident.
    again = run(RESTORE, str(backup), database_url=restore_target)
    assert again.returncode == 1 and "--force" in again.stderr


def test_backup_without_a_directory_prints_its_usage():
    result = run(BACKUP, database_url="sqlite:////nonexistent/db.sqlite3")
    assert result.returncode == 2 and result.stderr.startswith("usage: DATABASE_URL=... scripts/backup.sh DIR")


def test_backup_refuses_a_missing_sqlite_file_instead_of_copying_an_empty_one(tmp_path):
    missing = tmp_path / "missing.sqlite3"
    result = run(BACKUP, str(tmp_path), database_url=f"sqlite:///{missing}")
    assert result.returncode == 1 and f"no SQLite database at {missing}" in result.stderr
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path):
    not_sqlite = tmp_path / "recovery-desk-20260101T000000Z.sqlite3"
    not_sqlite.write_bytes(b"PGDMP\x01\x0f\x00")
    target = tmp_path / "target.sqlite3"
    result = run(RESTORE, str(not_sqlite), database_url=f"sqlite:///{target}")
    assert result.returncode == 1 and "is not a sqlite3 backup" in result.stderr
    assert not target.exists()
