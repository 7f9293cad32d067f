"""The demo data a new user meets: run twice, it has every part of the story to try."""

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from compensation.models import PolicyVersion
from compensation.policy import draft_document, version_in_force
from compensation.versions import document_diff
from recovery.models import AnomalyFlag, Customer, Escalation, Grant, Location, RuleFlag, VoucherRedemption
from recovery.services import LimitExceeded
from recovery.vouchers import voucher_lookup
from tests.factories import grant_for

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_whole_story_and_is_idempotent(django_user_model, installed):
    call_command("seed_demo", weeks=2, stdout=StringIO())
    call_command("seed_demo", weeks=2, stdout=StringIO())

    in_force = version_in_force()
    # The installed versions (the shipped texts' migrations), then one: the demo's limits and budgets.
    assert in_force.number == installed.number + 1 and PolicyVersion.objects.count() == installed.number + 1
    assert in_force.document["playbooks"][0]["name_ru"] == "Закуски и десерты за счёт заведения"
    assert in_force.document["playbooks"][0]["name_ro"] == "Aperitive și deserturi din partea casei"
    assert [rule["window_days"] for rule in in_force.document["customer_limits"]] == [30, 90]
    assert set(in_force.document["location_budgets"]) == {
        str(pk) for pk in Location.objects.values_list("pk", flat=True)
    }
    changes = document_diff(in_force.document, draft_document())
    assert [(c.item, c.field, c.old, c.new) for c in changes] == [
        ("Free drinks while you wait", "ceiling", "25.00", "15.00")
    ]

    assert Escalation.objects.filter(status="pending").count() == 1
    assert RuleFlag.objects.filter(status="open").count() == 2
    # Past grants carry the version in force when they were made, not the demo's new one.
    past = Grant.objects.filter(granted_at__lt=in_force.effective_at).select_related("policy_version")
    assert past.exists()
    assert all(grant.policy_version.effective_at <= grant.granted_at for grant in past)
    assert in_force.number not in {grant.policy_version.number for grant in past}
    # Vouchers to try: one redeemed at the other location than it was granted, one expired, one valid.
    redeemed = VoucherRedemption.objects.select_related("grant", "location").get()
    assert redeemed.location.code == "airport" and redeemed.grant.location.code == "central"
    states = {
        voucher_lookup(code=code).state
        for code in Grant.objects.exclude(voucher_code=None).values_list("voucher_code", flat=True)
    }
    assert {"valid", "redeemed", "expired"} <= states
    call_command("verify_audit", stdout=StringIO())

    dmitri = Customer.objects.get(name="Dmitri Volkov")
    frontline = django_user_model.objects.get(username="frontline")
    with pytest.raises(LimitExceeded, match="in the last 30 days"):
        grant_for(frontline, Location.objects.get(code="central"), dmitri, amount="1")


def test_seed_demo_shows_a_few_anomalies_to_review_not_a_flood(django_user_model):
    call_command("seed_demo", weeks=6, stdout=StringIO())
    call_command("seed_demo", weeks=6, stdout=StringIO())

    flags = list(AnomalyFlag.objects.select_related("location", "customer", "employee"))
    assert Counter(flag.kind for flag in flags) == {
        AnomalyFlag.Kind.CUSTOMER_ACROSS_LOCATIONS: 2,  # one per location Grace was compensated at
        AnomalyFlag.Kind.AT_CAP_REPEATEDLY: 1,
        AnomalyFlag.Kind.NEW_CUSTOMER: 1,
        AnomalyFlag.Kind.VOID_AFTER_THE_FACT: 1,
    }
    by_kind = {flag.kind: flag for flag in flags}
    assert {flag.customer.name for flag in flags if flag.kind == "customer_across_locations"} == {"Grace Kim"}
    at_cap = by_kind[AnomalyFlag.Kind.AT_CAP_REPEATEDLY]
    assert (at_cap.employee.username, at_cap.location.code) == ("frontline2", "airport")
    assert at_cap.reason.startswith("frontline2 granted exactly the cap in ")
    assert by_kind[AnomalyFlag.Kind.NEW_CUSTOMER].customer.name == "Theo Passant"
    late = by_kind[AnomalyFlag.Kind.VOID_AFTER_THE_FACT]
    assert late.employee.username == "manager" and "3 days after it was granted" in late.reason
    assert all(flag.is_open for flag in flags)
    call_command("verify_audit", stdout=StringIO())


def test_seed_demo_prints_customers_who_can_really_be_granted_and_the_one_at_a_limit(django_user_model):
    out = StringIO()
    call_command("seed_demo", weeks=2, stdout=out)
    printed = out.getvalue()
    room = printed.split("Customers with room for a grant now")[1].split("At the 30-day limit on purpose")[0]
    at_limit = printed.split("At the 30-day limit on purpose")[1].splitlines()[1]

    # The README's first grant: Nadia Petrova, 07700 900111, printed first with all her room.
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert "search the phone **07700 900111** (Nadia Petrova" in readme
    assert "Dmitri Volkov (07700 900104) is at the 30-day limit on purpose" in readme
    lines = [line for line in room.splitlines()[1:] if line.strip()]
    assert 1 <= len(lines) <= 5
    assert lines[0].split()[:4] == ["Nadia", "Petrova", "07700", "900111"]
    assert "8 of 8 grants and €600.00 of €600.00 left in 30 days" in lines[0]
    assert "Dmitri Volkov   07700 900104" in at_limit and "0 of 8 grants" in at_limit
    assert "Dmitri" not in room

    frontline = django_user_model.objects.get(username="frontline")
    central = Location.objects.get(code="central")
    # Every printed customer can be granted now at their counter: try the first at Central Store.
    nadia = Customer.objects.get(phone="+447700900111")
    grant = grant_for(frontline, central, nadia, code="free-drinks", purchase_value="40.00")
    assert grant.amount > 0
    # …and so can each of the others, at the counter the line names, by its employee there.
    counters = {"Central Store": ("frontline", "central"), "Airport Desk": ("frontline2", "airport")}
    for line in lines[1:]:
        phone = "+44" + "".join(line.split()[2:4])[1:]
        username, code = next(counters[name] for name in counters if f"at {name}:" in line)
        clerk = django_user_model.objects.get(username=username)
        customer = Customer.objects.get(phone=phone)
        assert grant_for(clerk, Location.objects.get(code=code), customer, amount="1.00").amount == 1
    # The one at a limit on purpose is refused, naming the limit.
    with pytest.raises(LimitExceeded, match="in the last 30 days"):
        grant_for(frontline, central, Customer.objects.get(name="Dmitri Volkov"), amount="1")
