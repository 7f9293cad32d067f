"""The replay page separates the draft's pending changes from what the version in force already does,
says plainly when the draft is the version in force, and lists the grants behind each figure."""

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.policy import policy_from_document
from recovery.replay import GrantList, ReplayedGrant, replay_rows
from tests.factories import grant_for, playbook, publish
from tests.recovery.test_replay_flags_budgets import grant_row, lower_drinks_ceiling_in_draft, replay_document
from tests.test_messages_ru import speaking

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
SAME = "The draft is the same as the version in force: replaying it changes nothing."
SAME_RU = "Черновик совпадает с действующей версией: его воспроизведение ничего не меняет."


def visible(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture
def drinks_granted(frontline, central, customer):
    """Two drinks grants at 37.50 (a ceiling of 25 for a Loyal customer) and one table at 45.00."""
    return [
        grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000"),
        grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000"),
        grant_for(frontline, central, customer, code="late-table", purchase_value="200"),
    ]


@pytest.fixture
def lower_ceiling_published(drinks_granted):
    """Version in force now caps drinks at 20 (30.00 for a Loyal customer); the draft is that version."""
    lower_drinks_ceiling_in_draft("20.00")
    return publish(reason="Drinks cost too much")


def test_a_draft_equal_to_the_version_in_force_changes_nothing_though_that_version_cut_older_grants(
    ops_client, drinks_granted, lower_ceiling_published
):
    response = ops_client.get(reverse("ops_replay"))
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert comparison.version == lower_ceiling_published
    assert comparison.draft_is_in_force and comparison.pending is None
    page = visible(response)
    assert SAME in page
    # What the version in force already does is reported apart, and not as the draft's effect.
    in_force = comparison.in_force.total
    assert (in_force.actual, in_force.draft, in_force.capped_lower) == (Decimal("120.00"), Decimal("105.00"), 2)
    assert f"What the version in force already does: version {lower_ceiling_published.number}" in page
    assert "Pending changes: the draft against the version in force" in page
    assert page.index(SAME) < page.index("What the version in force already does") < page.index("-€15.00")


def test_a_draft_equal_to_the_version_in_force_says_so_in_russian(ops, drinks_granted, lower_ceiling_published):
    page = visible(speaking(ops, "ru").get(reverse("ops_replay")))
    assert SAME_RU in page
    assert "Что уже делает действующая версия" in page
    assert SAME not in page and "The grants behind" not in page


def test_a_lower_cap_in_the_draft_is_a_pending_change_against_the_version_in_force(ops_client, drinks_granted):
    lower_drinks_ceiling_in_draft("20.00")
    comparison = ops_client.get(reverse("ops_replay")).context["comparison"]
    assert not comparison.draft_is_in_force
    assert [(change.item, change.field) for change in comparison.changes] == [("Free drinks while you wait", "ceiling")]
    pending = comparison.pending.total
    assert (pending.actual, pending.draft, pending.difference) == (
        Decimal("120.00"),
        Decimal("105.00"),
        Decimal("-15.00"),
    )
    assert (pending.capped_lower, pending.withdrawn, pending.restored) == (2, 0, 0)
    # The version in force is what the grants were made under: it changes nothing by itself.
    assert comparison.in_force.total.difference == 0
    assert comparison.in_force.grants["changed"].total == 0


def test_the_grants_behind_a_figure_are_listed_with_customer_amounts_and_a_link(ops_client, drinks_granted, customer):
    lower_drinks_ceiling_in_draft("20.00")
    response = ops_client.get(reverse("ops_replay"))
    pending = response.context["comparison"].pending
    listed = pending.grants["capped_lower"].shown
    assert [grant.grant_id for grant in listed] == sorted((g.pk for g in drinks_granted[:2]), reverse=True)
    assert {(g.customer, g.granted, g.before, g.after, g.difference) for g in listed} == {
        (customer.name, Decimal("37.50"), Decimal("37.50"), Decimal("30.00"), Decimal("-7.50"))
    }
    assert [g.grant_id for g in pending.grants["changed"].shown] == [g.grant_id for g in listed]
    assert pending.grants["withdrawn"].total == 0
    page = response.content.decode()
    for grant in drinks_granted[:2]:
        assert f'href="{reverse("audit_detail", args=[grant.pk])}"' in page
    # The table grant is behind no figure: it is not listed.
    assert f'href="{reverse("audit_detail", args=[drinks_granted[2].pk])}"' not in page
    text = visible(response)
    assert "Capped lower: 2 grants · show them" in text
    assert "Alice Moreau Free drinks while you wait €37.50 €37.50 €30.00 -€7.50" in text


def test_the_grant_lists_in_russian(ops, drinks_granted):
    lower_drinks_ceiling_in_draft("20.00")
    text = visible(speaking(ops, "ru").get(reverse("ops_replay")))
    assert "Ограничено ниже: 2 компенсации · показать" in text
    assert "Компенсация №" in text


def test_a_draft_giving_back_what_the_version_in_force_cut_counts_it_as_given_back(
    ops_client, drinks_granted, lower_ceiling_published
):
    lower_drinks_ceiling_in_draft("25.00")  # the draft restores the ceiling the grants were made under
    comparison = ops_client.get(reverse("ops_replay")).context["comparison"]
    pending = comparison.pending.total
    assert (pending.actual, pending.draft, pending.difference) == (
        Decimal("105.00"),
        Decimal("120.00"),
        Decimal("15.00"),
    )
    assert (pending.restored, pending.capped_lower, pending.allowed_more) == (2, 0, 2)
    assert {g.after for g in comparison.pending.grants["restored"].shown} == {Decimal("37.50")}


def test_a_withdrawn_playbook_is_listed_behind_its_figure(ops_client, drinks_granted):
    table = playbook("late-table")
    table.is_active = False
    table.save()
    pending = ops_client.get(reverse("ops_replay")).context["comparison"].pending
    assert pending.total.withdrawn == 1
    assert [(g.grant_id, g.after) for g in pending.grants["withdrawn"].shown] == [(drinks_granted[2].pk, Decimal("0"))]


def test_a_manager_lists_only_grants_of_their_locations(
    manager_client, frontline_airport, airport, customer, drinks_granted
):
    elsewhere = grant_for(frontline_airport, airport, customer, code="free-drinks", purchase_value="1000")
    lower_drinks_ceiling_in_draft("20.00")
    response = manager_client.get(reverse("ops_replay"))
    listed = response.context["comparison"].pending.grants["capped_lower"].shown
    assert elsewhere.pk not in {g.grant_id for g in listed} and len(listed) == 2
    assert f'href="{reverse("audit_detail", args=[elsewhere.pk])}"' not in response.content.decode()


def test_without_a_published_version_the_draft_is_compared_with_what_was_granted():
    policy = policy_from_document(replay_document("20.00"))
    rows = [grant_row(Decimal("1000"), Decimal("30.00"))]
    result = replay_rows(policy=policy, rows=rows, since=NOW, until=NOW)
    assert result.total.difference == Decimal("-10.00")
    assert result.grants["capped_lower"].shown[0].difference == Decimal("-10.00")


def test_a_baseline_equal_to_the_draft_changes_nothing():
    policy = policy_from_document(replay_document("20.00"))
    rows = [grant_row(Decimal("1000"), Decimal("30.00")), grant_row(Decimal("10"), Decimal("1.00"))]
    result = replay_rows(policy=policy, rows=rows, since=NOW, until=NOW, baseline=policy)
    assert result.total.difference == 0
    assert all(grants.total == 0 for grants in result.grants.values())


def test_a_grant_list_keeps_the_largest_differences_and_counts_the_rest():
    grants = GrantList(limit=3)
    for number in range(1, 11):
        grants.add(
            ReplayedGrant(
                grant_id=number,
                customer="C",
                playbook="P",
                location="L",
                currency="EUR",
                granted_at=None,
                granted=Decimal("50"),
                before=Decimal("50"),
                after=Decimal(50 - number),
            )
        )
    assert [grant.grant_id for grant in grants.shown] == [10, 9, 8]
    assert (grants.total, grants.not_shown) == (10, 7)
