"""Create an integration token from a script: `python manage.py api_token_create --name "POS till 3"
--location central --role frontline [--may-set-tenure] [--may-set-status]`. Prints the secret once (only its hash is stored)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recovery.api.services import api_token_create
from recovery.models import ApiToken, Location
from recovery.services import RecoveryError


class Command(BaseCommand):
    help = "Create an API token for an integration, tied to a location and a role; prints the secret once."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Which system uses it, e.g. “POS till 3”.")
        parser.add_argument("--location", required=True, help="The location's code, e.g. central.")
        parser.add_argument("--role", required=True, choices=ApiToken.Role.values)
        parser.add_argument("--created-by", default="", help="The ops username to record as its creator.")
        parser.add_argument(
            "--may-set-tenure",
            action="store_true",
            help="Trust it to send customer_since (a CRM that knows when a customer joined); off by default.",
        )
        parser.add_argument(
            "--may-set-status",
            action="store_true",
            help="Trust it to set a customer's programme status (a CRM): it raises their tier.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the secret (for scripts).")

    def handle(self, *args, name, location, role, created_by, quiet, may_set_tenure, may_set_status, **options):
        place = Location.objects.filter(code=location).first()
        if place is None:
            codes = ", ".join(Location.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"--location: no location with code “{location}” (known: {codes}).")
        actor = None
        if created_by:
            actor = get_user_model().objects.filter(username=created_by).first()
            if actor is None:
                raise CommandError(f"--created-by: no user “{created_by}”.")
        try:
            issued = api_token_create(
                actor=actor,
                name=name,
                location=place,
                role=role,
                may_set_tenure=may_set_tenure,
                may_set_status=may_set_status,
            )
        except RecoveryError as error:
            raise CommandError(f"--{error.field or 'name'}: {error.message}") from None
        if quiet:
            self.stdout.write(issued.secret)
            return
        token = issued.token
        trusted = " It may set a customer's tenure." if token.may_set_tenure else ""
        trusted += " It may set a customer's status." if token.may_set_status else ""
        self.stdout.write(f"Created “{token.name}”: {token.get_role_display()} at {place.name}.{trusted}")
        self.stdout.write("Secret (shown once, keep it in the integration's secret store):")
        self.stdout.write(issued.secret)
