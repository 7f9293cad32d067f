"""The policy in force is built once per process and version, and still changes exactly when it should."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from compensation.policy import load_policy
from tests.factories import playbook, publish

pytestmark = pytest.mark.django_db


def drinks_ceiling(policy) -> Decimal:
    return policy.rules[playbook("free-drinks").pk].ceiling


def set_drinks_ceiling(to: str):
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal(to)
    drinks.save()


def test_the_document_is_read_once_then_one_small_query_per_call(django_assert_num_queries, installed):
    load_policy()
    with django_assert_num_queries(1):
        policy = load_policy()
    assert policy.version.number == installed.number and len(policy.playbooks) == 8


def test_a_publish_is_seen_at_once_although_the_old_version_is_built(ops, installed):
    assert drinks_ceiling(load_policy()) == Decimal("25.00")
    set_drinks_ceiling("20.00")
    publish("Drinks cost less", actor=ops)
    policy = load_policy()
    assert policy.version.number == installed.number + 1 and drinks_ceiling(policy) == Decimal("20.00")


def test_a_scheduled_version_takes_over_exactly_at_its_moment(ops, installed):
    takes_effect = timezone.now() + timedelta(hours=1)
    set_drinks_ceiling("20.00")
    publish("From the next hour", effective_at=takes_effect, actor=ops)
    just_before = takes_effect - timedelta(microseconds=1)
    assert load_policy(just_before).version.number == installed.number
    assert load_policy(takes_effect).version.number == installed.number + 1
    assert drinks_ceiling(load_policy(takes_effect)) == Decimal("20.00")
    # Both are built now; asking again for the moment before still answers the installed version.
    assert drinks_ceiling(load_policy(just_before)) == Decimal("25.00")


def test_a_rolled_back_publish_never_lends_its_document_to_the_next(ops):
    """SQLite hands a rolled-back row's id out again: the cache must not serve the old document for it."""
    set_drinks_ceiling("20.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("Abandoned", actor=ops)
        assert drinks_ceiling(load_policy()) == Decimal("20.00")
        raise RuntimeError("roll back")
    set_drinks_ceiling("18.00")
    publish("The real one", actor=ops)
    assert drinks_ceiling(load_policy()) == Decimal("18.00")
