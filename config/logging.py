"""The one logging configuration (`LOGGING` in config/settings.py).

Two formats of the same records, chosen by `LOG_FORMAT`:

- `json` (the default when DEBUG is off): one JSON object per line on stderr
  (python-json-logger), which a log collector reads without a parser of our own;
  extra fields (`action`, `actor`, `outcome`, `duration_ms`, ...) become keys.
- `text` (the default when DEBUG is on): one readable line per record.

Every record carries `request_id` (see compensation/observability.py), so all the
lines one request wrote can be found from its `X-Request-ID` header. Our own
loggers (`recovery`, `compensation` and their children) log from `app_level`
(INFO by default: one line per money or policy change); everything else from
`level` (WARNING by default), so libraries stay quiet.

This module holds settings only: Django calls `logging.config.dictConfig` on it.
"""

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def build_logging(*, log_format: str, level: str = "WARNING", app_level: str = "INFO") -> dict:
    """A `dictConfig` dictionary writing every record once, to stderr, in `log_format`."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {LOG_FORMATS}, not {log_format!r}")
    level, app_level = level.upper(), app_level.upper()
    handler = {
        "class": "logging.StreamHandler",
        "formatter": log_format,
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "compensation.observability.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["levelname", "name", "message", "request_id"],
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601 in UTC
            },
        },
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own default sends "django" to a DEBUG-only console handler as well:
            # one handler here, so no record is written twice and each is in the chosen format.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "recovery": {"level": app_level},
            "compensation": {"level": app_level},
        },
    }
