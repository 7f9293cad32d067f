"""seed_demo's visits: several months of customers coming back, so "What recovery buys" shows figures.

The demo's cast is a dozen customers, too few for any figure (the page says
"too few customers" under 20). So the demo adds a history: customers served
between 100 and 270 days ago (long enough for the 90-day window to have
passed), most granted a playbook's full cap, some a token amount or a grant
later voided (the baseline), and their visits before and after, with a return
chance that depends on what they were given. Everything comes from the seed's
`random.Random`, so the output is the same on every run; visits go in through
the CSV service with external ids, as an ops import would.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from compensation.models import Playbook
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery.management.demo_customers import months_ago
from recovery.models import Customer, Visit
from recovery.services import GrantRequest, RecoveryError, grant_issue, grant_void, visits_record
from recovery.services.tenure import tenure_journal, tenure_needs_entry

HISTORY_CUSTOMERS = 150
# playbook code, failure category, purchase value, chance a fully compensated customer comes back in 90 days
HISTORY_PLAYBOOKS = [
    ("free-drinks", "waiting", Decimal("40.00"), 0.62),
    ("free-month", "billing", Decimal("45.00"), 0.81),
    ("replace-spoiled", "product_defective", Decimal("25.00"), 0.55),
]
TOKEN_AMOUNT = Decimal("1.00")  # "granted less": the baseline's customers
TOKEN_SHARE = 0.3
VOID_SHARE = 0.08
BASELINE_RETURN = 0.38


def _history_customer(number, today, rng) -> Customer:
    customer, created = Customer.objects.get_or_create(
        email=f"history{number:03d}@example.com",
        defaults={"name": f"History Customer {number:03d}", "customer_since": months_ago(today, rng.randint(2, 60))},
    )
    if created and tenure_needs_entry(customer):
        tenure_journal(actor=None, customer=customer, previous=None, reason="Demo data")
    return customer


def seed_history_and_visits(*, rng, now, today, location, actor, reviewer, cast) -> tuple[int, int]:
    """Grants for the history customers and visits for them and the cast; returns (grants, visits stored)."""
    playbooks = {p.code: p for p in Playbook.objects.filter(is_active=True)}
    roles = roles_of(actor)
    lines, made = [], 0
    for number in range(HISTORY_CUSTOMERS):
        code, category, purchase_value, comes_back = HISTORY_PLAYBOOKS[number % len(HISTORY_PLAYBOOKS)]
        days_ago = rng.randint(100, 270)
        at = now - timedelta(days=days_ago, hours=rng.randint(0, 6))
        customer = _history_customer(number, today, rng)
        token = rng.random() < TOKEN_SHARE
        request = GrantRequest(
            customer=customer,
            location=location,
            category=category,
            purchase_value=purchase_value,
            note="Demo history",
            playbook_id=playbooks[code].pk,
            amount=TOKEN_AMOUNT if token else None,
            token=uuid.UUID(int=rng.getrandbits(128)),
            opened_at=at - timedelta(minutes=5),
        )
        try:
            outcome = grant_issue(actor=actor, roles=roles, request=request, policy=load_policy(at), at=at)
        except RecoveryError:
            continue
        made += 1
        voided = rng.random() < VOID_SHARE
        if voided:
            grant_void(actor=reviewer, grant_id=outcome.grant.pk, reason="Demo: voided", at=at + timedelta(hours=1))
        chance = BASELINE_RETURN if token or voided else comes_back
        case_day = today - timedelta(days=days_ago)
        for _ in range(rng.randint(0, 2)):
            lines.append((customer, case_day - timedelta(days=rng.randint(5, 85))))
        if rng.random() < chance:
            first = case_day + timedelta(days=rng.randint(3, 85))
            for extra in range(rng.randint(1, 3)):
                lines.append((customer, first + timedelta(days=20 * extra)))
    for customer in cast:
        for _ in range(rng.randint(1, 4)):
            lines.append((customer, today - timedelta(days=rng.randint(1, 150))))
    rows = [
        (
            index + 1,
            {
                "email": customer.email,
                "phone": "" if customer.email else customer.phone,
                "visited_on": day.isoformat(),
                "amount": f"{rng.randint(500, 9000) / 100:.2f}",
                "location": location.code,
                "external_id": f"demo-{index + 1}",
            },
        )
        for index, (customer, day) in enumerate(lines)
        if day <= today
    ]
    stored = sum(
        outcome.status == "stored" for outcome in visits_record(actor=None, source=Visit.Source.CSV, lines=rows)
    )
    return made, stored
