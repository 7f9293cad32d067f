from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = "Service recovery"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from recovery.middleware import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="recovery.session_refreshed_at_login")
