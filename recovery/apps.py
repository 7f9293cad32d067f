from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = _("Service recovery")

    def ready(self):
        # Connects the sign-in signal that copies the employee's language into the session.
        from recovery import languages  # noqa: F401
