"""Small helpers that build the records tests need, through the real services."""

import uuid
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from compensation.models import Playbook
from compensation.predicates import roles_of
from recovery.models import Customer, Location, StaffProfile
from recovery.services import GrantRequest, grant_issue
from recovery.services.tenure import tenure_journal, tenure_needs_entry

PASSWORD = "test-pass-123"


def make_location(code="central", name=None, timezone="Europe/London") -> Location:
    return Location.objects.create(code=code, name=name or code.title(), timezone=timezone)


def make_user(username, role=None, locations=(), is_staff=False):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=is_staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    profile = StaffProfile.objects.create(user=user)
    profile.locations.add(*locations)
    return user


def make_customer(name="Alice", since=None, **fields) -> Customer:
    """A customer of long standing, their tenure journalled as a CRM's would be (so `verify_audit` holds)."""
    customer = Customer.objects.create(name=name, customer_since=since or date(2020, 1, 1), **fields)
    if tenure_needs_entry(customer):
        tenure_journal(actor=None, customer=customer, previous=None, reason="Test data")
    return customer


def playbook(code) -> Playbook:
    return Playbook.objects.get(code=code)


def playbook_form(pb: Playbook, **changes) -> dict:
    """What a playbook edit form (ops pages or admin) posts for `pb`, with `changes` applied."""
    data = {
        "code": pb.code,
        "name": pb.name,
        "kind": pb.kind,
        "offer": pb.offer,
        "apology_script": pb.apology_script,
        "name_ru": pb.name_ru,
        "offer_ru": pb.offer_ru,
        "apology_script_ru": pb.apology_script_ru,
        "percent": str(pb.percent),
        "floor": str(pb.floor),
        "ceiling": str(pb.ceiling),
        "voucher_valid_days": pb.voucher_valid_days or "",
        "sort_order": pb.sort_order,
        "is_active": "on",
    }
    data.update(changes)
    return data


def grant_request(
    customer,
    location,
    *,
    code="free-drinks",
    purchase_value="100",
    amount=None,
    token=None,
    category="waiting",
    note="",
    quoted_cap=None,
    failure_id=None,
) -> GrantRequest:
    """What the counter form would submit for one grant."""
    return GrantRequest(
        customer=customer,
        location=location,
        category=category,
        purchase_value=Decimal(purchase_value),
        note=note,
        playbook_id=playbook(code).pk,
        amount=None if amount is None else Decimal(amount),
        token=token or uuid.uuid4(),
        quoted_cap=quoted_cap,
        failure_id=failure_id,
    )


def grant_for(actor, location, customer, **request_fields):
    """Issue a grant through the service, as the counter does."""
    request = grant_request(customer, location, **request_fields)
    return grant_issue(actor=actor, roles=roles_of(actor), request=request).grant


def publish(reason="Test change", effective_at=None, actor=None):
    """Publish the policy tables as edited by the test, in force now (or at `effective_at`)."""
    from compensation.services import policy_publish

    return policy_publish(actor=actor, reason=reason, effective_at=effective_at)


def airline_authorities(reason="Airline authorities"):
    """The airline desk's authorities (issue 17): an agent (frontline) 2,000 a grant and 2,000 a case, a
    supervisor (manager) 2,000 a grant and 9,950 a case; "replace-spoiled" may reach 5,000 (100% of
    the purchase). Published, in force now."""
    from compensation.models import RoleAuthority

    RoleAuthority.objects.update_or_create(
        role="frontline", defaults={"limit": Decimal("2000"), "case_limit": Decimal("2000")}
    )
    RoleAuthority.objects.update_or_create(
        role="manager", defaults={"limit": Decimal("2000"), "case_limit": Decimal("9950")}
    )
    Playbook.objects.filter(code="replace-spoiled").update(ceiling=Decimal("5000"))
    return publish(reason)


def experiment(actor, name, category, codes):
    """Start an experiment through the service, comparing the playbooks with these codes."""
    from recovery.services import experiment_start

    return experiment_start(
        actor=actor, name=name, category=category, playbook_ids=[playbook(code).pk for code in codes]
    )


def state_amounts(currency, factor="1", **amounts):
    """State every amount of the draft in `currency`, as ops would on its Amounts page: the policy currency's
    numbers × `factor` (rounded down to the currency's unit), or `amounts` given as
    {"<subject>:<key>:<field>": "800"} (e.g. "playbooks:3:floor"). Returns the rows."""
    from compensation.currencies import policy_amounts
    from compensation.models import PolicyCurrencyAmount
    from compensation.money import round_down
    from compensation.policy import draft_document

    rows = []
    for subject, key, field, _label, value in policy_amounts(draft_document()):
        amount = amounts.get(f"{subject}:{key}:{field}", round_down(Decimal(value) * Decimal(factor), currency))
        row, _ = PolicyCurrencyAmount.objects.update_or_create(
            currency=currency, subject=subject, key=key, field=field, defaults={"amount": Decimal(amount)}
        )
        rows.append(row)
    return rows
