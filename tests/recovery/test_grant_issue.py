"""The grant service: cap recomputed server-side, snapshot kept, exactly once."""

import re
import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from compensation.models import Playbook, RoleAuthority, TenureTier
from recovery.models import Grant, ServiceFailure
from recovery.services import RecoveryError, grant_issue, grant_void
from tests.factories import grant_for, grant_request, make_customer, playbook, publish

pytestmark = pytest.mark.django_db


def request_for(customer, location, *, code="repeat-repair", purchase_value="2500", **fields):
    return grant_request(
        customer,
        location,
        code=code,
        purchase_value=purchase_value,
        category="repeat_repair",
        note="same fault again",
        **fields,
    )


def test_grant_defaults_to_the_cap_and_keeps_its_explanation(frontline, central):
    loyal = make_customer("Loyal Larry", since=date(2015, 1, 1))
    outcome = grant_issue(actor=frontline, roles=["frontline"], request=request_for(loyal, central))
    grant = outcome.grant
    # 20% of 2,500 = 500 → ceiling 400 → Loyal ×1.5 = 600 → frontline authority 250
    assert grant.amount == grant.cap == Decimal("250.00")
    assert grant.tenure_tier == "Loyal"
    assert grant.cap_steps[-1] == "frontline authority 250.00 applies → cap 250.00"
    assert grant.policy_snapshot["ceiling"] == "400.00"
    assert grant.voucher_code and len(grant.voucher_code) == 11
    assert grant.failure.category == "repeat_repair" and grant.failure.location == central
    assert not outcome.replayed


def test_lower_amount_is_granted_as_asked(frontline, central, customer):
    grant = grant_issue(
        actor=frontline, roles=["frontline"], request=request_for(customer, central, amount="99.50")
    ).grant
    assert grant.amount == Decimal("99.50")
    assert grant.cap == Decimal("250.00")


def test_amount_above_the_cap_is_refused_and_nothing_is_stored(frontline, central, customer):
    with pytest.raises(RecoveryError) as error:
        grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central, amount="250.01"))
    assert error.value.field == "amount"
    assert "250.01 is above what you can grant now" in error.value.message
    assert "You can grant up to 250.00 now, or ask a manager" in error.value.message
    assert error.value.allowed == Decimal("250.00")
    assert [stop.limit for stop in error.value.stops] == ["cap"]
    assert not Grant.objects.exists() and not ServiceFailure.objects.exists()


def test_double_submit_returns_the_first_grant(frontline, central, customer):
    token = uuid.uuid4()
    first = grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central, token=token))
    second = grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central, token=token))
    assert second.replayed and second.grant.pk == first.grant.pk
    assert Grant.objects.count() == 1 and ServiceFailure.objects.count() == 1


def test_reused_token_with_other_values_is_refused(frontline, central, customer):
    token = uuid.uuid4()
    grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central, token=token))
    with pytest.raises(RecoveryError, match="already used for grant"):
        grant_issue(
            actor=frontline, roles=["frontline"], request=request_for(customer, central, token=token, amount="10")
        )
    assert Grant.objects.count() == 1


def test_policy_edit_changes_the_next_cap_but_not_past_grants(frontline, central):
    walk_in = make_customer("Walk In", since=central.today())
    first = grant_for(frontline, central, walk_in, code="free-drinks", purchase_value="1000")
    assert first.cap == Decimal("25.00")  # 10% of 1,000 → ceiling 25

    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal("40.00")
    drinks._change_reason = "Drinks got dearer"
    drinks.save()
    publish("Drinks got dearer")
    second = grant_for(frontline, central, walk_in, code="free-drinks", purchase_value="1000")
    assert second.cap == Decimal("40.00")

    first.refresh_from_db()
    assert first.cap == Decimal("25.00")
    assert "limited to ceiling 25.00" in first.cap_steps[1]
    assert first.policy_snapshot["ceiling"] == "25.00"
    assert drinks.history.first().history_change_reason == "Drinks got dearer"


def test_tier_and_authority_edits_reach_the_next_cap(frontline, central, customer):
    TenureTier.objects.filter(name="Loyal").update(multiplier=Decimal("2.00"))
    RoleAuthority.objects.filter(role="frontline").update(limit=Decimal("30.00"))
    publish()
    grant = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert grant.cap == Decimal("30.00")
    assert grant.cap_steps[2].startswith("Loyal tier (")
    assert grant.cap_steps[2].endswith("×2 = 50.00")


def test_inactive_playbook_is_refused(frontline, central, customer):
    Playbook.objects.filter(code="repeat-repair").update(is_active=False)
    publish()
    with pytest.raises(RecoveryError) as error:
        grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central))
    assert error.value.field == "playbook"


def test_cap_changed_since_the_quote_is_refused(frontline, central, customer):
    with pytest.raises(RecoveryError, match="changed from 300.00 to 250.00"):
        grant_issue(
            actor=frontline, roles=["frontline"], request=request_for(customer, central, quoted_cap=Decimal("300"))
        )
    assert not Grant.objects.exists()


def test_employee_without_authority_cannot_grant(frontline, central, customer):
    with pytest.raises(RecoveryError, match="allows nothing"):
        grant_issue(actor=frontline, roles=[], request=request_for(customer, central))


def test_void_keeps_the_grant_with_reason_and_refuses_a_second_void(frontline, manager, central, customer):
    grant = grant_for(frontline, central, customer)
    grant_void(actor=manager, grant_id=grant.pk, reason="Duplicate of an earlier visit")
    grant.refresh_from_db()
    assert grant.is_voided and grant.voided_by == manager and grant.void_reason == "Duplicate of an earlier visit"
    assert grant.history.first().history_change_reason == "Duplicate of an earlier visit"
    assert grant.history.first().history_user == manager
    with pytest.raises(RecoveryError, match="already voided"):
        grant_void(actor=manager, grant_id=grant.pk, reason="again")


@pytest.mark.django_db(transaction=True)
def test_same_token_submitted_at_once_makes_one_grant(installed_policy, frontline, central, customer):
    """Eight threads race the same form token: one grant, and all get its id."""
    token = uuid.uuid4()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            outcome = grant_issue(
                actor=frontline, roles=["frontline"], request=request_for(customer, central, token=token)
            )
            results.append(outcome.grant.pk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Grant.objects.count() == 1
    assert set(results) == {Grant.objects.get().pk}


def test_a_colliding_voucher_code_is_drawn_again(frontline, central, customer, monkeypatch):
    first = grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central)).grant
    codes = iter([first.voucher_code, "ZZZZZ-ZZZZZ"])
    monkeypatch.setattr("recovery.services.grants.voucher_code_new", lambda: next(codes))
    second = grant_issue(actor=frontline, roles=["frontline"], request=request_for(customer, central)).grant
    assert second.voucher_code == "ZZZZZ-ZZZZZ"
    assert Grant.objects.count() == 2


def test_voucher_codes_use_no_ambiguous_characters():
    from recovery.services import voucher_code_new

    codes = {voucher_code_new() for _ in range(500)}
    assert len(codes) == 500
    assert all(
        re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}", c) for c in codes
    )
