from django.apps import AppConfig


class BaselineConfig(AppConfig):
    """Benchmark-only app: the bare-framework yardstick the grant path is compared with."""

    name = "bench.baseline"
    label = "bench_baseline"
    default_auto_field = "django.db.models.BigAutoField"
