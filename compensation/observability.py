"""What the logs need to tell one request, and one money or policy change, from another.

Both apps import this module (compensation never imports recovery, so it lives
here), and the logging configuration loads `RequestIdFilter` from it before the
apps are ready: it imports nothing but the standard library and
`compensation.errors`, never a model.

- `request_id_var` holds the id of the request being served. The request-id
  middleware (`recovery.middleware.RequestIdMiddleware`) sets it;
  `RequestIdFilter`, on the log handler, copies it onto every record, so every
  line a request writes (ours, Django's, a library's) carries the same id as the
  `X-Request-ID` response header the user or the load balancer sees.
- `logged_action` logs one line per money or policy change: who, what, the
  outcome (ok, refused, error) and how long it took. Reviewing a complaint
  starts from "what did the desk do for this person and why was it refused",
  and the audit journal only holds what succeeded.
"""

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import PermissionDenied

from compensation.errors import DomainError

NO_REQUEST = "-"

request_id_var: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)

# Attributes every LogRecord has: an `extra` key with one of these names makes logging raise.
_RECORD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Put the current request's id on each record as `request_id` (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class Action:
    """What `logged_action` yields: add fields as they become known, or mark the action refused."""

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields
        self.outcome = "ok"

    def refused(self, reason: str) -> None:
        """The action was refused without an exception (a service that returns its refusal)."""
        self.outcome = "refused"
        self.fields["reason"] = reason


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None:
        return {"actor": None}
    if hasattr(actor, "get_username"):
        return {"actor": actor.get_username(), "actor_id": actor.pk}
    return {"actor": str(actor)}


def _safe_extra(fields: dict[str, Any]) -> dict[str, Any]:
    """Rename fields that would clash with a LogRecord attribute (`name`, `msg`, ...) instead of crashing."""
    return {(f"field_{key}" if key in _RECORD_ATTRS else key): value for key, value in fields.items()}


@contextmanager
def logged_action(
    logger: logging.Logger,
    action: str,
    *,
    actor: Any,
    refusals: tuple[type[BaseException], ...] = (DomainError, PermissionDenied),
    **fields: Any,
) -> Iterator[Action]:
    """Log one record when the block ends: `action`, `actor`, `outcome`, `duration_ms` and `fields`.

    outcome is `ok` when the block finishes; `refused` (INFO) when it raises one of
    `refusals` (a rule said no: `DomainError` and `PermissionDenied` by default) or
    calls `.refused(reason)`; `error` (ERROR) for any other exception. Exceptions are
    always re-raised: logging never changes what the caller sees. The traceback is
    left to Django's own error logging, so it is not written twice.

        with logged_action(log, "grant.issue", actor=request.user, playbook=code) as done:
            grant = grant_issue(...)
            done.fields["grant_id"] = grant.pk
    """
    done = Action({**_actor_fields(actor), **fields})
    started = time.perf_counter()
    level = logging.INFO
    try:
        yield done
    except refusals as error:
        done.outcome = "refused"
        done.fields.setdefault("reason", str(error))
        raise
    except BaseException as error:
        done.outcome = "error"
        done.fields["error"] = type(error).__name__
        level = logging.ERROR
        raise
    finally:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        record = {"action": action, "outcome": done.outcome, **done.fields, "duration_ms": duration_ms}
        words = " ".join(f"{key}={value}" for key, value in record.items() if key not in ("action", "outcome"))
        # The message reads well in the text format; the same values are separate keys in JSON.
        logger.log(level, "%s %s %s", action, done.outcome, words, extra=_safe_extra(record))


def logs_action(
    action: str,
    *,
    fields: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    result_fields: Callable[[Any], dict[str, Any]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a service that changes money or policy: each call is one `logged_action` line.

    The service keeps its body (no logging code inside the money logic). The
    actor is its `actor` keyword; `fields(kwargs)` picks what the line names
    from the call (ids, amounts), `result_fields(result)` what the outcome adds
    (the new row's id). The logger is the service module's own.

        @logs_action("grant.void", fields=lambda kw: {"grant_id": kw["grant_id"]})
        def grant_void(*, actor, grant_id, reason): ...
    """

    def decorate(service: Callable[..., Any]) -> Callable[..., Any]:
        logger = logging.getLogger(service.__module__)

        @functools.wraps(service)
        def logged(*args: Any, **kwargs: Any) -> Any:
            named = fields(kwargs) if fields else {}
            with logged_action(logger, action, actor=kwargs.get("actor"), **named) as done:
                result = service(*args, **kwargs)
                if result_fields is not None:
                    done.fields.update(result_fields(result))
            return result

        return logged

    return decorate
