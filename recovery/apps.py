from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = _("Service recovery")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # Connects the sign-in signal that copies the employee's language into the session.
        from recovery import languages  # noqa: F401
        from recovery.context_processors import location_chip_at_login
        from recovery.middleware import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="recovery.session_refreshed_at_login")
        # The header's location chip on every page, known from sign-in.
        user_logged_in.connect(location_chip_at_login, dispatch_uid="recovery.location_chip_at_login")
