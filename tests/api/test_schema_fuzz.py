"""A schema-driven fuzz run (schemathesis) of every API operation: no server error, no schema violation.

Schemathesis reads the OpenAPI schema the API serves and generates requests
from it (valid ones and broken ones); every response must be a documented
status with a body that matches its documented schema, and never a 5xx.

Every check runs but `positive_data_acceptance` (a schema-valid request must
succeed): the business rules cannot be written in a schema — a customer id
that exists, exactly one lookup key, an amount within the limits — and those
refusals are 422 with the field named, by design (tests/api check each one).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tests import factories
from tests.api.conftest import issue

# Enough examples per operation to find the edges, few enough to keep the run under two minutes.
EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def fuzz_token(central, ops, settings, customer):
    """A manager token (it may do everything a token can), some grants to find, and no rate limit in the way."""
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    issued = issue(central, "manager", "Fuzz till", actor=ops)
    for _ in range(3):
        factories.grant_for(issued.token.user, central, customer)
    return issued.secret


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Called as a WSGI app, Django would close the test's database connection around each request;
    its own test client switches that off the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Loaded while collecting (the schema view reads no database). The lazy `from_fixture` loader would
# fit pytest better but does not run on pytest 9 (it sets a private node attribute that is gone).
for _signal in (request_started, request_finished):
    _signal.disconnect(close_old_connections)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
for _signal in (request_started, request_finished):
    _signal.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_token, wsgi_keeps_the_test_connection):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_token}"}, excluded_checks=[positive_data_acceptance]
    )
