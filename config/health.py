"""`/healthz`: can this process serve the desk right now?

For the container's HEALTHCHECK, the load balancer and uptime monitors. It
belongs to neither app, so it lives with the project's configuration.

200 `{"status": "ok", "database": "ok", "migrations": "ok"}` when the database
answers `SELECT 1` and every migration on disk is applied; otherwise 503 with
what failed, so a new release whose `migrate` has not run (or a database that
went away) is taken out of rotation instead of serving errors. The answer names
no host, database or migration (anyone may ask); the log line says more.

No login (`login_not_required`), no session or CSRF (GET and HEAD only, nothing
stored), never cached. A probe is anonymous and sends no cookie, so no
middleware before the view touches the database.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("config.health")


def database_answers() -> bool:
    """True when the default database runs `SELECT 1`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        logger.warning("healthz: the database does not answer: %s", type(error).__name__)
        return False


def unapplied_migrations() -> list[str]:
    """Migrations on disk that the database has not applied ("app.name"), in the order migrate would run them."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@login_not_required
@require_safe
@never_cache
def healthz(request):
    """200 when the database answers and is fully migrated, else 503 saying which check failed."""
    checks = {"database": "ok", "migrations": "ok"}
    if not database_answers():
        checks.update(database="error", migrations="unknown")
    else:
        try:
            pending = unapplied_migrations()
        except DatabaseError as error:
            logger.warning("healthz: cannot read the applied migrations: %s", type(error).__name__)
            checks["migrations"] = "error"
        else:
            if pending:
                logger.warning("healthz: %d unapplied migrations: %s", len(pending), ", ".join(pending))
                checks["migrations"] = f"{len(pending)} unapplied"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
