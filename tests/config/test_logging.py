"""Logging: the request id on responses and log records, logged_action, and the JSON format."""

import json
import logging
import os
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from compensation.errors import DomainError
from compensation.observability import NO_REQUEST, RequestIdFilter, logged_action, request_id_var
from config.logging import build_logging
from recovery.middleware import RequestIdMiddleware


class Remember(logging.Handler):
    """Keeps the records it handles, with the request-id filter the console handler has."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def remembered():
    """Records of the `recovery` and `django.request` loggers, as the console handler would see them."""
    handler = Remember()
    loggers = [logging.getLogger("recovery"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


def _served(header: str | None = None, view=None):
    headers = {"HTTP_X_REQUEST_ID": header} if header is not None else {}
    request = RequestFactory().get("/somewhere", **headers)
    response = RequestIdMiddleware(view or (lambda request: HttpResponse("ok")))(request)
    return request, response


def test_a_request_without_an_id_gets_a_new_uuid4():
    request, response = _served()
    assert uuid.UUID(response["X-Request-ID"]).version == 4
    assert request.request_id == response["X-Request-ID"]


def test_a_sane_request_id_from_the_proxy_is_kept():
    _, response = _served("7f3c2a9e1b8d4c6fa0e2d4b6c8a1f3e5")
    assert response["X-Request-ID"] == "7f3c2a9e1b8d4c6fa0e2d4b6c8a1f3e5"


@pytest.mark.parametrize("offered", ["", "has space", "x" * 129, "line\nbreak", '"quoted"', "-starts-with-dash"])
def test_an_insane_request_id_is_replaced(offered):
    _, response = _served(offered)
    assert response["X-Request-ID"] != offered
    assert uuid.UUID(response["X-Request-ID"])


def test_every_record_of_the_request_carries_its_id_and_none_after(remembered):
    def view(request):
        logging.getLogger("recovery.views").warning("inside the view")
        return HttpResponse("ok")

    _served("trace-123", view)
    logging.getLogger("recovery.views").warning("after the request")
    assert [(r.getMessage(), r.request_id) for r in remembered] == [
        ("inside the view", "trace-123"),
        ("after the request", NO_REQUEST),
    ]
    assert request_id_var.get() == NO_REQUEST


def test_a_not_found_response_is_logged_once_with_the_request_id(frontline_client, remembered):
    response = frontline_client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"
    not_found = [r for r in remembered if r.name == "django.request"]
    assert [(r.getMessage(), r.request_id) for r in not_found] == [("Not Found: /no-such-page/", "trace-404")]


def test_the_request_id_middleware_comes_first():
    assert settings.MIDDLEWARE[0] == "recovery.middleware.RequestIdMiddleware"


def test_logged_action_ok_logs_one_record_with_who_what_outcome_and_duration(caplog, frontline):
    logger = logging.getLogger("compensation.policy")
    caplog.set_level(logging.INFO, logger="compensation")
    with logged_action(logger, "policy.publish", actor=frontline, version=7) as done:
        done.fields["amount"] = Decimal("12.50")
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert (record.action, record.outcome, record.actor, record.actor_id) == (
        "policy.publish",
        "ok",
        frontline.get_username(),
        frontline.pk,
    )
    assert (record.version, record.amount) == (7, Decimal("12.50"))
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.getMessage().startswith(f"policy.publish ok actor={frontline.get_username()} ")


def test_logged_action_error_logs_outcome_error_and_re_raises(caplog):
    logger = logging.getLogger("compensation.policy")
    caplog.set_level(logging.INFO, logger="compensation")
    with pytest.raises(ZeroDivisionError), logged_action(logger, "grant.issue", actor="api-token-3"):
        1 / 0  # noqa: B018
    [record] = caplog.records
    assert (record.levelno, record.outcome, record.error, record.actor) == (
        logging.ERROR,
        "error",
        "ZeroDivisionError",
        "api-token-3",
    )
    assert record.exc_info is None  # the traceback is Django's to log, once


@pytest.mark.parametrize("refusal", [DomainError("amount", "Above the cap"), PermissionDenied("not yours")])
def test_logged_action_refusal_logs_outcome_refused_with_the_reason_and_re_raises(caplog, refusal):
    logger = logging.getLogger("compensation.policy")
    caplog.set_level(logging.INFO, logger="compensation")
    with pytest.raises(type(refusal)), logged_action(logger, "grant.issue", actor=None):
        raise refusal
    [record] = caplog.records
    assert (record.levelno, record.outcome, record.reason) == (logging.INFO, "refused", str(refusal))


def test_logged_action_refused_without_an_exception(caplog):
    caplog.set_level(logging.INFO, logger="compensation")
    with logged_action(logging.getLogger("compensation.x"), "escalation.approve", actor="m") as done:
        done.refused("already decided")
    [record] = caplog.records
    assert (record.outcome, record.reason) == ("refused", "already decided")


def test_logged_action_fields_named_like_record_attributes_do_not_crash(caplog):
    caplog.set_level(logging.INFO, logger="compensation")
    with logged_action(logging.getLogger("compensation.x"), "playbook.rename", actor="ops", name="Free drinks"):
        pass
    [record] = caplog.records
    assert record.field_name == "Free drinks" and record.name == "compensation.x"


def test_build_logging_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="log_format"):
        build_logging(log_format="xml")


def test_production_writes_one_json_object_per_line_with_the_fields():
    code = (
        "import django, logging; django.setup()\n"
        "from compensation.observability import logged_action\n"
        "with logged_action(logging.getLogger('compensation.policy'), 'policy.publish', actor='ops', version=3): pass"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "desk.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    record = json.loads(line)
    assert {key: record[key] for key in ("level", "logger", "request_id", "action", "outcome", "actor", "version")} == {
        "level": "INFO",
        "logger": "compensation.policy",
        "request_id": "-",
        "action": "policy.publish",
        "outcome": "ok",
        "actor": "ops",
        "version": 3,
    }
    assert "time" in record and "duration_ms" in record


@pytest.mark.django_db
def test_each_money_and_policy_service_logs_who_what_and_the_outcome(caplog, frontline, ops, central, customer):
    from compensation.models import Playbook
    from recovery.services import LimitExceeded, grant_void
    from tests.factories import grant_for, publish

    caplog.set_level(logging.INFO)
    grant = grant_for(frontline, central, customer, amount="5")
    with pytest.raises(LimitExceeded):
        grant_for(frontline, central, customer, amount="99999")
    grant_void(actor=ops, grant_id=grant.pk, reason="Entered for the wrong customer")
    Playbook.objects.filter(pk=grant.playbook_id).update(ceiling=Decimal("20.00"))
    version = publish(actor=ops)

    lines = [(r.action, r.outcome, r.actor_id) for r in caplog.records if hasattr(r, "action")]
    assert lines == [
        ("grant.issue", "ok", frontline.pk),
        ("grant.issue", "refused", frontline.pk),
        ("grant.void", "ok", ops.pk),
        ("policy.publish", "ok", ops.pk),
    ]
    issued, refused, voided, published = (r for r in caplog.records if hasattr(r, "action"))
    assert (issued.grant_id, issued.amount, issued.replayed) == (grant.pk, Decimal("5.00"), False)
    assert issued.location_id == central.pk and issued.customer_id == customer.pk
    assert "above what you can grant now" in refused.reason
    assert voided.grant_id == grant.pk and published.version == version.number
    assert all(record.duration_ms >= 0 for record in (issued, refused, voided, published))
