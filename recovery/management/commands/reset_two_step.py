"""Reset an employee's two-step sign-in (a lost or replaced phone): `python manage.py reset_two_step maria
--reason "Phone lost, ticket 4411" [--by olga]`. Their authenticator app is removed with a history row naming
who reset it and why; at the next sign-in they set up a new app if their role requires one."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recovery.services.two_step import two_step_reset


class Command(BaseCommand):
    help = "Remove an employee's authenticator app (a lost phone), so they can set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The employee whose app is removed.")
        parser.add_argument("--reason", required=True, help="Why, for the history, e.g. “Phone lost, ticket 4411”.")
        parser.add_argument("--by", default="", help="The username of the person resetting it, for the history.")

    def handle(self, *args, username, reason, by, **options):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"username: no user “{username}”.")
        reason = reason.strip()
        if not reason:
            raise CommandError("--reason: say why (a lost phone, a ticket number); it is kept in the history.")
        actor = None
        if by:
            actor = users.filter(username=by).first()
            if actor is None:
                raise CommandError(f"--by: no user “{by}”.")
        removed = two_step_reset(user=user, actor=actor, reason=f"Reset: {reason}")
        if not removed:
            self.stdout.write(f"{username} had no authenticator app: nothing to reset.")
            return
        self.stdout.write(
            f"Two-step sign-in reset for {username}: their authenticator app was removed. "
            "They sign in with their password; a role that requires two-step sign-in sets up a new app next."
        )
