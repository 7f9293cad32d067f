"""Ops tune the policy in the admin; the next cap follows, past grants do not."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Playbook
from tests.factories import grant_for, playbook, playbook_form, publish

pytestmark = pytest.mark.django_db


def playbook_change_form(pb: Playbook, **changes) -> dict:
    """The admin's change form: the playbook fields plus its (empty) tier-multiplier inline."""
    inline = {
        "tier_multipliers-TOTAL_FORMS": "0",
        "tier_multipliers-INITIAL_FORMS": "0",
        "tier_multipliers-MIN_NUM_FORMS": "0",
        "tier_multipliers-MAX_NUM_FORMS": "1000",
    }
    return playbook_form(pb, **inline, **changes)


def test_ops_ceiling_change_shows_in_the_next_cap_and_not_in_past_grants(ops_client, ops, frontline, central, customer):
    before = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert before.cap == Decimal("37.50")  # ceiling 25 × Loyal 1.5

    drinks = playbook("free-drinks")
    response = ops_client.post(
        reverse("admin:compensation_playbook_change", args=[drinks.pk]), playbook_change_form(drinks, ceiling="40.00")
    )
    assert response.status_code == 302
    drinks.refresh_from_db()
    assert drinks.ceiling == Decimal("40.00")
    assert drinks.history.first().history_user == ops

    # The admin edits the draft: the counter keeps the published version until ops publish.
    unpublished = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert unpublished.cap == Decimal("37.50")
    publish("Drinks got dearer")
    after = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert after.cap == Decimal("60.00")  # ceiling 40 × Loyal 1.5
    before.refresh_from_db()
    assert before.cap == Decimal("37.50") and "limited to ceiling 25.00" in before.cap_steps[1]

    history = ops_client.get(reverse("admin:compensation_playbook_history", args=[drinks.pk]))
    assert history.status_code == 200 and "olga" in history.content.decode()


def test_floor_above_ceiling_is_refused_with_a_message(ops_client):
    drinks = playbook("free-drinks")
    response = ops_client.post(
        reverse("admin:compensation_playbook_change", args=[drinks.pk]),
        playbook_change_form(drinks, floor="50.00", ceiling="10.00"),
    )
    assert response.status_code == 200
    assert "The ceiling must not be below the floor." in response.content.decode()
    drinks.refresh_from_db()
    assert drinks.ceiling == Decimal("25.00")


def test_voucher_playbook_needs_validity_days(ops_client):
    repair = playbook("repeat-repair")
    response = ops_client.post(
        reverse("admin:compensation_playbook_change", args=[repair.pk]),
        playbook_change_form(repair, voucher_valid_days=""),
    )
    assert "needs the number of days" in response.content.decode()


def test_tier_multipliers_must_not_fall_with_tenure(ops_client):
    from compensation.models import TenureTier

    regular = TenureTier.objects.get(name="Regular")
    response = ops_client.post(
        reverse("admin:compensation_tenuretier_change", args=[regular.pk]),
        {"name": "Regular", "min_months": "12", "multiplier": "1.75"},
    )
    assert response.status_code == 200
    assert "Must not be above the longer tier Loyal" in response.content.decode()


def test_playbooks_cannot_be_deleted_even_by_ops(ops_client):
    drinks = playbook("free-drinks")
    response = ops_client.post(reverse("admin:compensation_playbook_delete", args=[drinks.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Playbook.objects.filter(pk=drinks.pk).exists()


def test_playbook_tier_override_applies_to_that_playbook_only(frontline, central, customer):
    from compensation.models import PlaybookTierMultiplier, TenureTier

    PlaybookTierMultiplier.objects.create(
        playbook=playbook("free-drinks"), tier=TenureTier.objects.get(name="Loyal"), multiplier=Decimal("2.00")
    )
    publish()
    drinks = grant_for(frontline, central, customer, code="free-drinks", purchase_value="100")
    spoiled = grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="100")
    assert drinks.cap == Decimal("20.00")  # 10 × 2
    assert spoiled.cap == Decimal("150.00")  # 100 × default 1.5
