"""Regressions found in review: damaged cursors, former locations, currency units, production secrets."""

import os
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from recovery.services import GrantRequest, RecoveryError, grant_issue
from tests import factories
from tests.conftest import client_for
from tests.factories import grant_for, make_user, playbook

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "cursor",
    ["2024-13-01T00:00:00_1", "2024-01-01T25:00:00_1", "9999-12-31T23:59:59-23:59_1", "2024-01-01T00:00:00+00:00_²"],
)
def test_a_damaged_older_grants_link_starts_from_the_newest(manager_client, frontline, central, customer, cursor):
    grant = grant_for(frontline, central, customer)
    response = manager_client.get(reverse("audit"), {"after": cursor})
    assert response.status_code == 200
    assert reverse("audit_detail", args=[grant.pk]) in response.content.decode()


def test_a_manager_moved_away_keeps_the_counter_page_but_not_the_audit(central, airport, customer):
    roaming = make_user("rosa", "manager", [central, airport])
    grant = grant_for(roaming, airport, customer)
    roaming.staff_profile.locations.remove(airport)
    client = client_for(roaming)
    assert client.get(reverse("audit_detail", args=[grant.pk])).status_code == 403
    assert client.get(reverse("counter_granted", args=[grant.pk])).status_code == 200


def test_amount_finer_than_the_currency_unit_is_refused(frontline, central, customer):
    central.currency = "JPY"  # the location's currency decides the unit, not the deployment's
    central.save()
    factories.state_amounts("JPY")  # the policy states its amounts in yen (issue 17), or nothing is granted there
    factories.publish("Amounts in yen")
    request = GrantRequest(
        customer=customer,
        location=central,
        category="waiting",
        purchase_value=Decimal("100"),
        note="",
        playbook_id=playbook("free-drinks").pk,
        amount=Decimal("10.55"),
        token=uuid.uuid4(),
    )
    with pytest.raises(RecoveryError, match="JPY has no smaller unit than 1") as error:
        grant_issue(actor=frontline, roles=["frontline"], request=request)
    assert error.value.field == "amount"


def test_production_refuses_to_start_without_its_own_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "desk.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
