"""Shared fixtures: two locations and one user per role (never a superuser)."""

import pytest
from django.test import Client
from django.utils import translation

from tests import factories

pytest_plugins = ["tests.clock"]


@pytest.fixture
def central(db):
    return factories.make_location("central", "Central Store")


@pytest.fixture
def airport(db):
    return factories.make_location("airport", "Airport Desk")


@pytest.fixture
def frontline(central):
    return factories.make_user("frank", "frontline", [central])


@pytest.fixture
def frontline_airport(airport):
    return factories.make_user("fiona", "frontline", [airport])


@pytest.fixture
def manager(central):
    return factories.make_user("maria", "manager", [central])


@pytest.fixture
def manager_airport(airport):
    return factories.make_user("mark", "manager", [airport])


@pytest.fixture
def ops(db):
    return factories.make_user("olga", "ops", [], is_staff=True)


@pytest.fixture
def auditor(db):
    return factories.make_user("aude", "auditor", [])


@pytest.fixture
def auditor_client(auditor):
    return client_for(auditor)


@pytest.fixture
def customer(db):
    return factories.make_customer(
        "Alice Moreau", phone="+447700900101", email="alice@example.com", loyalty_card="LC-1"
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def frontline_client(frontline):
    return client_for(frontline)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def ops_client(ops):
    return client_for(ops)


@pytest.fixture
def installed_policy(transactional_db):
    """What the data migrations install (roles, default policy, the shipped versions and their journal entries),
    for transactional tests.

    A transactional test leaves a flushed database behind, so the next one puts
    the installed data back itself (both functions are idempotent).
    """
    from importlib import import_module

    from django.apps import apps

    import_module("compensation.migrations.0002_default_policy").install(apps, None)
    import_module("compensation.migrations.0004_initial_policy_version").publish_initial(apps, None)
    import_module("compensation.migrations.0010_default_playbooks_in_russian").add_russian_texts(apps, None)
    import_module("compensation.migrations.0015_default_playbooks_in_romanian").add_romanian_texts(apps, None)
    import_module("recovery.migrations.0013_journal_baseline").journal_baseline(apps, None)  # version 1's entry


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A Russian page must not leave Russian active for the next test's code run outside a request."""
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_built_policies():
    """Each test builds its own policies (see compensation.policy.built_policies_forget)."""
    from compensation.policy import built_policies_forget

    built_policies_forget()
    yield


@pytest.fixture
def installed(db):
    """The newest policy version the migrations installed (the shipped texts' last one), as a test starts.

    Tests count from it (`installed.number + 1` is the next publish), so a migration that ships
    more texts as a new version does not renumber them.
    """
    from compensation.models import PolicyVersion

    return PolicyVersion.objects.order_by("-number").first()
