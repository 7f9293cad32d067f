"""The base rule when nothing was bought in the versioned policy: draft, publish, diff, rollback, simulator."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Playbook, PolicyVersion
from compensation.policy import draft_document, load_policy, with_blank_translations
from compensation.services import PolicyError, document_problems, policy_publish, policy_rollback
from compensation.versions import document_diff
from tests.factories import playbook, playbook_form, publish

pytestmark = pytest.mark.django_db


def set_rule(code, nothing_bought, base_amount=None):
    pb = playbook(code)
    pb.nothing_bought, pb.base_amount = nothing_bought, base_amount
    pb.save()


def test_a_policy_that_never_states_it_publishes_the_same_document_as_before(installed):
    document = draft_document()
    assert all("nothing_bought" not in entry and "base_amount" not in entry for entry in document["playbooks"])
    assert with_blank_translations(document) == with_blank_translations(installed.document)
    with pytest.raises(PolicyError, match="Nothing to publish"):
        publish("No change")


def test_a_fixed_base_amount_is_published_quoted_diffed_and_rolled_back(ops, installed):
    set_rule("free-drinks", Playbook.NothingBought.FIXED, Decimal("20.00"))
    version = publish("Walk-ins get drinks worth 20")
    entry = next(e for e in version.document["playbooks"] if e["code"] == "free-drinks")
    assert (entry["nothing_bought"], entry["base_amount"]) == ("fixed", "20.00")

    policy = load_policy()
    pk = playbook("free-drinks").pk
    quote = policy.quote(
        pk, purchase_value=Decimal("0"), tenure_months=0, authority=policy.authority_for(["frontline"]), currency="EUR"
    )
    assert quote.cap == Decimal("20.00")
    assert quote.steps[0] == "Nothing bought: base amount 20.00"

    changes = {(c.item, c.field): (c.old, c.new) for c in document_diff(installed.document, version.document)}
    assert changes[("Free drinks while you wait", "when nothing was bought")] == ("floor", "fixed")
    assert changes[("Free drinks while you wait", "base amount when nothing was bought")] == ("—", "20.00")

    policy_rollback(actor=ops, version=installed, reason="Back to the floor")
    drinks = playbook("free-drinks")
    assert (drinks.nothing_bought, drinks.base_amount) == ("floor", None)


def test_a_base_amount_above_the_ceiling_is_refused_at_publish_naming_the_playbook_and_field(installed):
    document = draft_document()
    entry = next(e for e in document["playbooks"] if e["code"] == "free-drinks")
    entry |= {"nothing_bought": "fixed", "base_amount": "25.01"}
    assert document_problems(document) == [
        (
            "Playbook Free drinks while you wait: base amount when nothing was bought (25.01) must not be above "
            "its ceiling (25.00)."
        )
    ]
    entry |= {"base_amount": None}
    assert "enter the amount it gives" in document_problems(document)[0]
    with pytest.raises(PolicyError, match="base amount when nothing was bought"):
        policy_publish(actor=None, reason="Bad", document=document)
    assert PolicyVersion.objects.count() == installed.number  # nothing published


def test_ops_choose_the_rule_with_labelled_controls_and_a_base_above_the_ceiling_is_refused(ops_client):
    drinks = playbook("free-drinks")
    url = reverse("ops_draft_edit", kwargs={"kind": "playbook", "pk": drinks.pk})
    page = html.unescape(ops_client.get(url).content.decode())
    assert "<legend>When nothing was bought</legend>" in page
    assert '<label for="id_base_amount">Base amount when nothing was bought</label>' in page
    assert 'value="not_offered"' in page and 'value=""' not in page.split("<legend>When nothing was bought")[1][:600]

    refused = ops_client.post(url, playbook_form(drinks, nothing_bought="fixed", base_amount="30.00"))
    assert refused.status_code == 422
    assert (
        "Playbook Free drinks while you wait: base amount when nothing was bought (30.00) must not be above "
        "its ceiling (25.00)." in html.unescape(refused.content.decode())
    )
    assert playbook("free-drinks").nothing_bought == "floor"

    saved = ops_client.post(url, playbook_form(drinks, nothing_bought="not_offered"))
    assert saved.status_code == 302
    assert playbook("free-drinks").nothing_bought == "not_offered"
    # A form that does not send it (an older page) leaves the rule as it was.
    ops_client.post(url, playbook_form(drinks, name="Free drinks"))
    assert playbook("free-drinks").nothing_bought == "not_offered"


def test_the_simulator_explains_the_base_amount_at_a_purchase_value_of_0(ops_client):
    set_rule("free-drinks", Playbook.NothingBought.FIXED, Decimal("20.00"))
    response = ops_client.get(
        reverse("ops_simulator"), {"purchase_value": "0", "tenure_months": "0", "role": "frontline"}
    )
    assert response.status_code == 200
    row = next(r for r in response.context["simulation"].rows if r.name == "Free drinks while you wait")
    assert row.draft.steps[0] == "Nothing bought: base amount 20.00"
    assert row.in_force.steps[0] == "Nothing bought: floor " + row.in_force.steps[0].rsplit(" ", 1)[1]
    assert "Nothing bought: base amount 20.00" in html.unescape(response.content.decode())
