"""Playbooks that fit the failure: ops link each playbook to the failure categories it suits.

The fit is part of the versioned policy (`categories` on a playbook entry);
a document without it (every version published before) means every playbook
suits every failure. The counter shows the fitting cards first and folds the
others under "Other playbooks".
"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from compensation.categories import FailureCategory, fits
from compensation.policy import draft_document, load_policy, policy_from_document, with_blank_translations
from compensation.services import PolicyError, document_problems, policy_publish, policy_rollback
from recovery.models import ServiceFailure
from tests.factories import playbook, playbook_form, publish

pytestmark = pytest.mark.django_db


def set_fits(code, categories):
    pb = playbook(code)
    pb.categories = categories
    pb.save()


def test_the_counter_and_the_policy_share_one_list_of_category_codes():
    assert ServiceFailure.Category is FailureCategory
    assert "waiting" in FailureCategory.values


def test_a_document_without_fits_suits_every_failure(installed):
    v2 = installed  # the shipped texts' version: published with no fits
    assert all("categories" not in entry for entry in v2.document["playbooks"])
    policy = policy_from_document(v2.document, v2)
    assert all(pb.categories == [] for pb in policy.playbooks.values())
    assert {fits(pb.categories, code) for pb in policy.playbooks.values() for code in FailureCategory.values} == {1}
    # The draft with no fits set is the same document: nothing to publish, no diff.
    assert with_blank_translations(draft_document()) == with_blank_translations(v2.document)


def test_fits_are_published_with_the_version_and_a_rollback_clears_them(ops, installed):
    set_fits("free-drinks", ["waiting", "order_wrong"])
    version = publish("Drinks suit waits")
    entry = next(e for e in version.document["playbooks"] if e["code"] == "free-drinks")
    assert entry["categories"] == ["waiting", "order_wrong"]
    assert load_policy().playbooks[playbook("free-drinks").pk].categories == ["waiting", "order_wrong"]

    policy_rollback(actor=ops, version=installed, reason="Back to no fits")
    assert playbook("free-drinks").categories == []


def test_an_unknown_category_in_a_document_is_refused_naming_the_playbook_and_field():
    document = draft_document()
    document["playbooks"][1]["categories"] = ["waiting", "teleport"]
    problems = document_problems(document)
    assert problems == [
        "Playbook Free drinks while you wait: categories: teleport is not a failure category "
        "(known: " + ", ".join(FailureCategory.values) + ")."
    ]
    with pytest.raises(PolicyError, match="categories: teleport"):
        policy_publish(actor=None, reason="Bad", document=document)


def test_ops_tick_the_failures_a_playbook_suits_and_an_unknown_one_is_refused(ops_client):
    drinks = playbook("free-drinks")
    url = reverse("ops_draft_edit", kwargs={"kind": "playbook", "pk": drinks.pk})
    page = html.unescape(ops_client.get(url).content.decode())
    assert "<legend>Suits failures</legend>" in page and 'value="waiting"' in page

    response = ops_client.post(url, playbook_form(drinks, categories=["waiting", "staff_behaviour"]))
    assert response.status_code == 302
    assert playbook("free-drinks").categories == ["waiting", "staff_behaviour"]

    response = ops_client.post(url, playbook_form(drinks, categories=["teleport"]))
    assert response.status_code == 422
    assert "Suits failures: “teleport” is not a failure category." in html.unescape(response.content.decode())
    assert playbook("free-drinks").categories == ["waiting", "staff_behaviour"]


def quotes(client, customer, **params):
    response = client.get(reverse("counter_quotes", args=[customer.pk]), {"purchase_value": "40.00", **params})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    main, _, other = page.partition('<details class="other-playbooks"')
    order = [int(pk) for pk in re.findall(r'name="playbook" value="(\d+)"', main)]
    folded = [int(pk) for pk in re.findall(r'name="playbook" value="(\d+)"', other)]
    return order, folded, other


def test_the_counter_shows_the_fitting_cards_first_and_folds_the_others(frontline_client, customer):
    set_fits("replace-spoiled", ["product_defective"])
    set_fits("free-drinks", ["waiting"])
    set_fits("late-table", ["waiting"])
    publish("Fits")
    policy = list(load_policy().playbooks)

    # No failure chosen yet: every card, in the policy's order, nothing folded.
    order, folded, _ = quotes(frontline_client, customer)
    assert order == policy and folded == []

    # Waiting: the two named for it first, then those naming no category (they suit every failure);
    # spoiled goods folded under "Other playbooks".
    order, folded, other = quotes(frontline_client, customer, category="waiting")
    assert order[:2] == [playbook("late-table").pk, playbook("free-drinks").pk]
    assert folded == [playbook("replace-spoiled").pk]
    assert "<summary>Other playbooks (1)</summary>" in other and " open" not in other.split(">")[0]
    # The card picked among the folded ones keeps them open.
    _, _, other = quotes(frontline_client, customer, category="waiting", playbook=playbook("replace-spoiled").pk)
    assert other.split(">")[0].endswith(" open")

    # A category no playbook names: every card, unfolded (never hide all choices).
    set_fits("wait-consultation", ["waiting"])
    for code in ("repeat-repair", "free-month", "moved-appointment-massage", "out-of-pocket"):
        set_fits(code, ["billing"])
    publish("More fits")
    order, folded, _ = quotes(frontline_client, customer, category="other")
    assert order == policy and folded == []
    # Rubbish as a category is no category.
    order, folded, _ = quotes(frontline_client, customer, category="<script>")
    assert order == policy and folded == []


def test_the_resolve_page_keeps_the_fit_of_the_category_it_was_sent_with(frontline_client, customer):
    set_fits("replace-spoiled", ["product_defective"])
    publish("Fits")
    response = frontline_client.post(
        reverse("counter_resolve", args=[customer.pk]),
        {"category": "waiting", "purchase_value": "", "playbook": "", "token": "x"},
    )
    page = html.unescape(response.content.decode())
    assert '<details class="other-playbooks"' in page
    assert f'value="{playbook("replace-spoiled").pk}"' in page.split('<details class="other-playbooks"')[1]
