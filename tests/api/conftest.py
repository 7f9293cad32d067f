"""API fixtures: integration tokens made by the real service, and clients that send them."""

import pytest
from rest_framework.test import APIClient

from recovery.api.services import api_token_create


def api_client(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def issue(location, role, name=None, actor=None, may_set_tenure=False, may_set_status=False):
    """A new token's secret (and the token) at `location` with `role`, as ops would create it."""
    return api_token_create(
        actor=actor,
        name=name or f"{role} till at {location.code}",
        location=location,
        role=role,
        may_set_tenure=may_set_tenure,
        may_set_status=may_set_status,
    )


@pytest.fixture
def frontline_token(central, ops):
    return issue(central, "frontline", "POS till 1", actor=ops)


@pytest.fixture
def manager_token(central, ops):
    return issue(central, "manager", "Back office", actor=ops)


@pytest.fixture
def airport_frontline_token(airport, ops):
    return issue(airport, "frontline", "Airport till", actor=ops)


@pytest.fixture
def airport_manager_token(airport, ops):
    return issue(airport, "manager", "Airport back office", actor=ops)


@pytest.fixture
def crm_token(central, ops):
    """A CRM that ops trust to send when a customer became one."""
    return issue(central, "frontline", "CRM", actor=ops, may_set_tenure=True)


@pytest.fixture
def crm(crm_token):
    return api_client(crm_token.secret)


@pytest.fixture
def pos(frontline_token):
    """The central point of sale's client (a frontline token)."""
    return api_client(frontline_token.secret)


@pytest.fixture
def back_office(manager_token):
    """The central back office's client (a manager token)."""
    return api_client(manager_token.secret)
