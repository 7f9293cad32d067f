"""Versioned, effective-dated policy: publish, schedule, refuse the past, roll back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from compensation.models import CustomerLimit, Playbook, PolicyVersion
from compensation.policy import draft_document, load_policy, version_in_force, with_blank_translations
from compensation.services import PolicyError, document_problems, policy_publish, policy_rollback
from compensation.versions import document_diff
from tests.factories import grant_for, make_customer, playbook, publish

pytestmark = pytest.mark.django_db


def lower_drinks_ceiling(to="20.00"):
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal(to)
    drinks.save()
    return drinks


def test_the_installed_policy_is_version_one_since_before_any_grant_then_the_shipped_translations(installed):
    first = PolicyVersion.objects.get(number=1)
    assert first.effective_at.year == 2000
    assert version_in_force(first.effective_at).number == 1
    # The migration that translated the shipped playbooks put the texts in force (a version is immutable).
    russian = PolicyVersion.objects.get(reason="Russian texts for the default playbooks")
    version = version_in_force()
    assert version == installed and version.number == russian.number + 1 == 3
    assert version.published_by is None and version.published_by_username == "system"
    assert version.reason == "Romanian texts for the default playbooks"
    assert len(load_policy().playbooks) == 8


def test_a_draft_edit_does_not_reach_the_counter_until_published(frontline, central, installed):
    walk_in = make_customer("Walk In", since=central.today())
    lower_drinks_ceiling("20.00")
    assert grant_for(frontline, central, walk_in, purchase_value="1000", code="free-drinks").cap == Decimal("25.00")
    publish("Drinks cost less now")
    later = grant_for(frontline, central, walk_in, purchase_value="1000", code="free-drinks")
    assert later.cap == Decimal("20.00")
    assert later.policy_version.number == installed.number + 1


def test_a_scheduled_version_applies_only_from_its_moment(frontline, central, ops, installed):
    """The issue's story: a lower ceiling effective in one minute; before keeps the old cap, after gets the new."""
    walk_in = make_customer("Walk In", since=central.today())
    lower_drinks_ceiling("20.00")
    in_a_minute = timezone.now() + timedelta(minutes=1)
    version = policy_publish(actor=ops, reason="Lower drinks ceiling from next minute", effective_at=in_a_minute)
    after_number = installed.number + 1
    assert version.number == after_number and version.is_scheduled

    before = grant_for(frontline, central, walk_in, purchase_value="1000", code="free-drinks")
    assert before.cap == Decimal("25.00") and before.policy_version.number == installed.number

    from recovery.services import grant_issue
    from tests.factories import grant_request

    after = grant_issue(
        actor=frontline,
        roles=["frontline"],
        request=grant_request(walk_in, central, code="free-drinks", purchase_value="1000"),
        at=in_a_minute + timedelta(seconds=1),
    ).grant
    assert after.cap == Decimal("20.00") and after.policy_version.number == after_number
    assert after.policy_snapshot["policy_version"] == after_number
    assert before.policy_snapshot["policy_version"] == installed.number
    before.refresh_from_db()
    assert before.cap == Decimal("25.00")


def test_reason_is_required_and_nothing_is_saved(ops, installed):
    lower_drinks_ceiling()
    with pytest.raises(PolicyError) as error:
        policy_publish(actor=ops, reason="   ")
    assert error.value.field == "reason" and error.value.message.startswith("Reason:")
    assert PolicyVersion.objects.count() == installed.number


def test_an_effective_date_in_the_past_is_refused(ops, installed):
    lower_drinks_ceiling()
    with pytest.raises(PolicyError) as error:
        policy_publish(actor=ops, reason="Backdated", effective_at=timezone.now() - timedelta(hours=2))
    assert error.value.field == "effective_at"
    assert "is in the past" in error.value.message
    assert PolicyVersion.objects.count() == installed.number


def test_a_time_typed_seconds_ago_means_now(ops):
    lower_drinks_ceiling()
    version = policy_publish(actor=ops, reason="Now", effective_at=timezone.now() - timedelta(seconds=20))
    assert timezone.now() - version.effective_at < timedelta(seconds=5)


def test_a_version_cannot_take_effect_before_one_already_scheduled(ops, installed):
    lower_drinks_ceiling("20.00")
    policy_publish(actor=ops, reason="Next week", effective_at=timezone.now() + timedelta(days=7))
    lower_drinks_ceiling("15.00")
    with pytest.raises(PolicyError) as error:
        policy_publish(actor=ops, reason="Now")
    assert error.value.field == "effective_at"
    assert f"version {installed.number + 1} is already scheduled" in error.value.message
    assert PolicyVersion.objects.count() == installed.number + 1


def test_nothing_to_publish_is_said_plainly(ops, installed):
    with pytest.raises(PolicyError, match=f"Nothing to publish: this is the same as version {installed.number}"):
        policy_publish(actor=ops, reason="No change")


def test_inconsistent_documents_are_refused():
    document = draft_document()
    document["playbooks"][0]["ceiling"] = "0.50"
    document["playbooks"][0]["floor"] = "5.00"
    document["tiers"][2]["min_months"] = 6
    problems = document_problems(document)
    assert any("ceiling must not be below the floor" in p for p in problems)
    assert any("Tier Loyal must start after Regular" in p for p in problems)


def test_diff_names_each_changed_field():
    old = version_in_force().document
    lower_drinks_ceiling("20.00")
    CustomerLimit.objects.create(window_days=30, max_grants=3, max_total=Decimal("300.00"))
    changes = document_diff(old, draft_document())
    shown = {(c.section, c.item, c.field, c.old, c.new) for c in changes}
    assert ("Playbook", "Free drinks while you wait", "ceiling", "25.00", "20.00") in shown
    assert ("Customer limit", "30 days", "(added)", "—", "max grants 3, max total 300.00") in shown
    assert len(changes) == 2


def test_rollback_publishes_the_old_content_anew_and_resets_the_draft(ops, frontline, central):
    lower_drinks_ceiling("20.00")
    CustomerLimit.objects.create(window_days=30, max_grants=1, max_total=None)
    Playbook.objects.filter(code="free-month").update(is_active=False)
    first = version_in_force()
    publish("Tighter rules")

    restored = policy_rollback(actor=ops, version=first, reason="Too tight: customers complained")
    assert restored.number == first.number + 2 and restored.restores == first
    assert restored.document == first.document
    assert with_blank_translations(draft_document()) == with_blank_translations(
        first.document
    )  # blank: the languages added since
    assert not CustomerLimit.objects.exists()
    assert Playbook.objects.get(code="free-month").is_active
    drinks = playbook("free-drinks")
    assert drinks.ceiling == Decimal("25.00")
    assert drinks.history.first().history_change_reason.startswith(f"Rolled back to version {first.number}")
    assert drinks.history.first().history_user == ops
    walk_in = make_customer("Walk In", since=central.today())
    assert grant_for(frontline, central, walk_in, purchase_value="1000", code="free-drinks").cap == Decimal("25.00")


def test_employee_authority_replaces_the_role_limit(frontline, central, customer):
    from compensation.models import EmployeeAuthority

    EmployeeAuthority.objects.create(user=frontline, limit=Decimal("12.00"), note="New starter")
    publish("Starter limit")
    grant = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert grant.cap == Decimal("12.00")
    assert grant.authority_role == "own limit" and grant.authority_limit == Decimal("12.00")


def test_rollback_after_renames_and_code_swaps(ops, installed):
    """Names, months and codes are unique: rows in the way are moved aside, with history."""
    from compensation.models import TenureTier

    loyal = TenureTier.objects.get(name="Loyal")
    loyal.name = "Veteran"
    loyal.min_months = 48
    loyal.multiplier = Decimal("1.60")
    loyal.save()
    TenureTier.objects.create(name="Loyal", min_months=36, multiplier=Decimal("1.50"))
    drinks, spoiled = playbook("free-drinks"), playbook("replace-spoiled")
    drinks.code, spoiled.code = "tmp", "free-drinks"
    drinks.save()
    spoiled.save()
    drinks.code = "replace-spoiled"
    drinks.save()
    publish("Renamed things")

    policy_rollback(actor=ops, version=installed, reason="Undo the renames")
    assert with_blank_translations(draft_document()) == with_blank_translations(installed.document)
    assert list(TenureTier.objects.order_by("min_months").values_list("name", flat=True)) == ["New", "Regular", "Loyal"]
    assert playbook("free-drinks").name == "Free drinks while you wait"
