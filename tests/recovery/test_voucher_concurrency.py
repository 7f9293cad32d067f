"""Vouchers under concurrency: real threads against the real database (SQLite and PostgreSQL).

Like tests/test_concurrency.py (whose `at_once` releases the threads together):
transactional, so the threads see what the test set up and really race.
"""

import uuid
import zoneinfo
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from compensation.models import AuditEvent
from recovery.models import Grant, VoucherRedemption
from recovery.services import RecoveryError, grant_void
from recovery.vouchers import VoucherError, voucher_redeem
from tests import factories
from tests.factories import grant_for
from tests.test_concurrency import at_once, unexpected

pytestmark = pytest.mark.django_db(transaction=True)


def voucher(frontline, central, customer) -> Grant:
    return grant_for(frontline, central, customer, code="repeat-repair", purchase_value="1000", amount="120.00")


def local_hhmm(redemption) -> str:
    return f"{timezone.localtime(redemption.redeemed_at, zoneinfo.ZoneInfo(redemption.location.timezone)):%H:%M}"


@pytest.mark.parametrize("counters", [2, 8])
def test_counters_redeeming_one_code_at_once_redeem_it_once(
    installed_policy, central, airport, frontline, customer, counters
):
    """Half the counters at the issuing location, half at the other: one success, the rest told who won."""
    grant = voucher(frontline, central, customer)
    clerks = [
        (factories.make_user(f"clerk{i}", "frontline" if i % 2 else "manager", [location]), location)
        for i, location in enumerate([central, airport] * (counters // 2))
    ]

    results = at_once(
        counters, lambda i: voucher_redeem(actor=clerks[i][0], code=grant.voucher_code, location=clerks[i][1])
    )

    assert unexpected(results, VoucherError) == []
    redeemed = [result for result in results if isinstance(result, VoucherRedemption)]
    refused = [result for result in results if isinstance(result, VoucherError)]
    assert len(redeemed) == 1 and len(refused) == counters - 1
    winner = VoucherRedemption.objects.select_related("location").get()
    assert winner.pk == redeemed[0].pk
    winning_clerk, winning_location = clerks[results.index(redeemed[0])]
    assert (winner.redeemed_by, winner.location) == (winning_clerk, winning_location)
    for error in refused:
        assert error.code == "already_redeemed" and error.redemption.pk == winner.pk
        assert f"at {winning_location.name} by {winning_clerk.username} on " in error.message
        assert f" at {local_hhmm(winner)}." in error.message
    assert AuditEvent.objects.filter(kind="voucher.redeemed").count() == 1
    call_command("verify_audit", stdout=StringIO())


def test_a_double_click_sent_five_times_at_once_gets_one_redemption_back_five_times(
    installed_policy, central, frontline, customer
):
    grant = voucher(frontline, central, customer)
    token = uuid.uuid4()

    results = at_once(
        5, lambda i: voucher_redeem(actor=frontline, code=grant.voucher_code, location=central, token=token)
    )

    assert unexpected(results) == []
    assert {result.pk for result in results} == {VoucherRedemption.objects.get().pk}


def test_a_void_and_a_redemption_at_once_never_both_happen(
    installed_policy, central, airport, frontline, frontline_airport, manager, customer
):
    """The void locks the issuing location then the grant; the redemption the other location then the grant:
    the grant row settles them one after the other, and no lock order can deadlock."""
    outcomes = set()
    for attempt in range(4):
        grant = voucher(frontline, central, factories.make_customer(f"Customer {attempt}"))

        def work(i, grant=grant):
            if i == 0:
                return grant_void(actor=manager, grant_id=grant.pk, reason="Entered for the wrong customer")
            return voucher_redeem(actor=frontline_airport, code=grant.voucher_code, location=airport)

        results = at_once(2, work)

        assert unexpected(results, RecoveryError) == []
        voided, redemption = results
        grant.refresh_from_db()
        if isinstance(voided, Grant):
            assert isinstance(redemption, VoucherError) and redemption.code == "voided"
            assert grant.is_voided and not VoucherRedemption.objects.filter(grant=grant).exists()
            outcomes.add("voided")
        else:
            assert isinstance(redemption, VoucherRedemption)
            assert "cannot be voided: its voucher" in voided.message and "at Airport Desk by fiona" in voided.message
            assert not grant.is_voided
            outcomes.add("redeemed")
    assert outcomes  # which one wins is the race's; either way exactly one happened
    call_command("verify_audit", stdout=StringIO())
