"""`python manage.py db_roles --app-role recovery_app [--apply]`: the app role's rights on PostgreSQL.

Run as the owner role (the one `migrate` runs as), after every `migrate`.
Without `--apply` it prints the SQL (to review, or to pipe into psql); with it,
it runs the SQL in one transaction. The app role must exist (`createuser
--pwprompt recovery_app`) and must not be the owner. See compensation.db_roles.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from compensation.db_roles import ROLE_NAME, app_role_statements, append_only_tables


class Command(BaseCommand):
    help = "Print or apply the PostgreSQL GRANTs of the app role: the journal and history append-only, no DDL."

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="the role the app connects as, e.g. recovery_app")
        parser.add_argument("--apply", action="store_true", help="run the SQL now (as the tables' owner)")

    def handle(self, *args, app_role, apply, **options):
        if not ROLE_NAME.fullmatch(app_role):
            raise CommandError(f"--app-role {app_role!r}: lower-case letters, digits and _ only, at most 63")
        statements = app_role_statements(app_role, append_only=append_only_tables())
        if not apply:
            self.stdout.write(";\n".join(statements) + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError(f"--apply needs PostgreSQL: {connection.vendor} has no roles to separate.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [app_role])
            owner, exists = cursor.fetchone()
        if not exists:
            raise CommandError(f"Role {app_role} does not exist: create it first (createuser --pwprompt {app_role}).")
        if owner == app_role:
            raise CommandError(f"Connected as {app_role}: run this as the owner role that runs migrate.")
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"{app_role}: row rights on the case tables; SELECT and INSERT only on the journal and history."
        )
