"""Change history as a manager reads it: field names, people's names, local times."""

import html

import pytest
from django.urls import reverse

from recovery.services import grant_void
from tests.factories import grant_for

pytestmark = pytest.mark.django_db


def test_a_void_shows_readable_field_changes(frontline, manager, manager_client, central, customer):
    grant = grant_for(frontline, central, customer)
    grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    page = html.unescape(manager_client.get(reverse("audit_detail", args=[grant.pk])).content.decode())
    assert "Status: Active → Voided" in page
    assert "Voided by: — → maria" in page
    assert "Void reason: — → Entered twice" in page
    assert "voided_by" not in page
