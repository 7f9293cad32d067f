"""Customer limits with a unit, a playbook and a tier in the policy document (issue #17): an older
document reads as before, a draft that uses none of them publishes the same document, the new keys
survive publish, rollback and a grant's snapshot, and an unknown tier is refused by name."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.customer_limits import DAYS, MONTHS, CustomerLimitRule
from compensation.models import CustomerLimit, Playbook, ProgrammeTier
from compensation.policy import draft_document, policy_from_document, version_in_force
from compensation.services import PolicyError, document_problems, policy_rollback
from compensation.versions import document_diff
from tests.compensation.test_ops_policy import INVALID, add_url, edit_url, errors_of
from tests.factories import publish

pytestmark = pytest.mark.django_db

REIMBURSE_NAME = "Reimburse out-of-pocket costs, no receipt"


def reimburse() -> Playbook:
    return Playbook.objects.get(code="out-of-pocket")


def gold() -> ProgrammeTier:
    return ProgrammeTier.objects.create(name="Gold", source="status", status="Gold", multiplier=Decimal("1.50"))


def test_an_older_document_reads_as_days_for_every_playbook_and_tier():
    policy = policy_from_document({"customer_limits": [{"window_days": 30, "max_grants": 3, "max_total": "300.00"}]})
    assert policy.customer_limits == (
        CustomerLimitRule(window_days=30, max_grants=3, max_total=Decimal("300.00"), window_unit=DAYS),
    )
    [rule] = policy.customer_limits
    assert (rule.playbook_id, rule.tier, rule.usage_key) == (None, "", 30)


def test_a_draft_using_none_of_the_new_fields_publishes_the_same_document_as_before():
    CustomerLimit.objects.create(window_days=30, max_grants=3, max_total=Decimal("300.00"))
    assert draft_document()["customer_limits"] == [{"window_days": 30, "max_grants": 3, "max_total": "300.00"}]
    version = publish("Customer limit")
    assert version.document["customer_limits"] == [{"window_days": 30, "max_grants": 3, "max_total": "300.00"}]


def test_the_new_keys_survive_publish_rollback_and_read_back_as_rules(ops):
    tier = gold()
    CustomerLimit.objects.create(window_days=6, window_unit=MONTHS, max_grants=6)
    CustomerLimit.objects.create(window_days=6, window_unit=MONTHS, max_grants=10, tier=f"programme:{tier.pk}")
    CustomerLimit.objects.create(window_days=12, window_unit=MONTHS, max_grants=1, playbook=reimburse())
    version = publish("The programme's limits")
    assert version.document["customer_limits"] == [
        {"window_days": 6, "max_grants": 6, "max_total": None, "window_unit": "months"},
        {
            "window_days": 6,
            "max_grants": 10,
            "max_total": None,
            "window_unit": "months",
            "tier": f"programme:{tier.pk}",
        },
        {"window_days": 12, "max_grants": 1, "max_total": None, "window_unit": "months", "playbook": reimburse().pk},
    ]
    rules = policy_from_document(version.document).customer_limits
    assert [(r.window_days, r.window_unit, r.playbook_id, r.tier) for r in rules] == [
        (6, MONTHS, None, ""),
        (6, MONTHS, None, f"programme:{tier.pk}"),
        (12, MONTHS, reimburse().pk, ""),
    ]
    assert rules[1].tier_name == "Gold" and rules[2].playbook_name == REIMBURSE_NAME

    CustomerLimit.objects.all().delete()
    publish("No limits")
    policy_rollback(actor=ops, version=version, reason="Back to the programme")
    assert sorted(CustomerLimit.objects.values_list("window_days", "window_unit", "playbook_id", "tier")) == [
        (6, "months", None, ""),
        (6, "months", None, f"programme:{tier.pk}"),
        (12, "months", reimburse().pk, ""),
    ]


def test_the_publish_diff_names_the_window_the_playbook_and_the_tier():
    old = version_in_force().document
    tier = gold()
    CustomerLimit.objects.create(window_days=12, window_unit=MONTHS, max_grants=1, playbook=reimburse())
    CustomerLimit.objects.create(window_days=6, window_unit=MONTHS, max_grants=10, tier=f"programme:{tier.pk}")
    shown = {(c.section, c.item, c.field, c.old, c.new) for c in document_diff(old, draft_document())}
    assert (
        "Customer limit",
        f"12 months, “{REIMBURSE_NAME}”",
        "(added)",
        "—",
        f"max grants 1, max total —, playbook {REIMBURSE_NAME}",
    ) in shown
    assert ("Customer limit", "6 months, Gold tier", "(added)", "—", "max grants 10, max total —, tier Gold") in shown


def test_a_limit_naming_an_unknown_tier_is_refused_at_publish():
    CustomerLimit.objects.create(window_days=30, max_grants=1, tier="programme:999")
    assert "Customer limit 30 days, tier: “programme:999” is not one of the policy's tiers." in document_problems(
        draft_document()
    )
    with pytest.raises(PolicyError) as error:
        publish("A tier that was deleted")
    assert "programme:999" in str(error.value)


def test_the_draft_form_saves_a_playbook_and_tier_rule_and_refuses_an_unknown_tier_by_name(ops_client):
    tier = gold()
    Playbook.objects.filter(code="out-of-pocket").update(is_active=False)  # an inactive playbook is fine
    data = {"window_days": "12", "window_unit": "months", "playbook": str(reimburse().pk), "max_grants": "1"}
    response = ops_client.post(add_url("customer-limit"), data | {"tier": f"programme:{tier.pk}"})
    assert response.status_code == 302, errors_of(response)
    # A tier's rule with no every-tier counterpart is allowed.
    assert CustomerLimit.objects.get().tier == f"programme:{tier.pk}"

    response = ops_client.post(add_url("customer-limit"), data | {"tier": "programme:999"})
    assert response.status_code == INVALID
    assert "Tier: “programme:999” is not one of the policy's tiers." in errors_of(response)

    response = ops_client.post(add_url("customer-limit"), data | {"tier": f"programme:{tier.pk}"})
    assert response.status_code == INVALID
    assert "There is already a customer limit for this window, playbook and tier." in response.content.decode()

    response = ops_client.post(add_url("customer-limit"), data | {"window_unit": "weeks"})
    assert response.status_code == INVALID
    assert any(message.startswith("Window unit:") for message in errors_of(response))
    assert CustomerLimit.objects.count() == 1

    page = ops_client.get(edit_url("customer-limit", CustomerLimit.objects.get().pk)).content.decode()
    assert 'for="id_window_unit"' in page and 'for="id_playbook"' in page and 'for="id_tier"' in page


def test_the_ops_overview_lists_the_rules_readably(ops_client):
    CustomerLimit.objects.create(window_days=12, window_unit=MONTHS, max_grants=1, playbook=reimburse())
    page = ops_client.get(reverse("ops_home")).content.decode()
    assert f"12 months, “{REIMBURSE_NAME}”" in page
