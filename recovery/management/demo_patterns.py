"""seed_demo's suspicious patterns, apart from the command so it stays one screen of story.

The grants the anomaly checks should flag on the demo: unchanged from when
they lived in the command (the seed's output is the same).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from compensation.models import Playbook
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery.management.demo_customers import HOME_LOCATION_SPLIT
from recovery.services import GrantRequest, customer_add_walk_in, grant_issue, grant_void


def seed_suspicious_patterns(users, locations, customers):
    """A few of the ~3% who try it, for the anomalies page: nothing here was blocked at the counter.

    A customer compensated at both locations, an employee nearly always at
    the cap, a walk-in without any contact granted minutes after being
    added, and a void days after the grant.
    """
    policy = load_policy()
    now = timezone.now()
    central, airport = locations["central"], locations["airport"]
    frontline, frontline2, manager = users["frontline"], users["frontline2"], users["manager"]

    def grant(actor, location, customer, code, purchase_value, note, at, amount=None):
        request = GrantRequest(
            customer=customer,
            location=location,
            category="waiting" if code in ("free-drinks", "late-table") else "missed_promise",
            purchase_value=Decimal(purchase_value),
            note=note,
            playbook_id=Playbook.objects.get(code=code).pk,
            amount=amount,
            token=uuid.uuid4(),
        )
        return grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=policy, at=at).grant

    # Grace shops at the airport, and lately is compensated at Central Store too: a "refund tour"?
    grace = customers[6]
    grant(
        frontline2,
        airport,
        grace,
        "out-of-pocket",
        "45.00",
        "Shuttle never came; paid a taxi",
        now - timedelta(days=9),
    )
    grant(frontline, central, grace, "late-table", "120.00", "Table 40 minutes late", now - timedelta(days=6))
    grant(frontline, central, grace, "free-drinks", "60.00", "Order 30 minutes late", now - timedelta(days=2))
    # frontline2 takes the full cap every time (the reimbursements have no receipt to check the value).
    for days_ago in range(3, 20, 2):
        grant(
            frontline2,
            airport,
            customers[HOME_LOCATION_SPLIT + days_ago % 5],
            "out-of-pocket",
            "70.00",
            "Paid a taxi, no receipt",
            now - timedelta(days=days_ago, hours=3),
        )
    # A walk-in who left no way to reach them, compensated a minute after being added.
    walk_in = customer_add_walk_in(actor=frontline2, location=airport, name="Theo Passant")
    grant(frontline2, airport, walk_in, "out-of-pocket", "65.00", "Missed the shuttle we promised", None)
    # A grant voided three days after the customer left with it.
    late = grant(
        frontline, central, customers[0], "late-table", "90.00", "Table 25 minutes late", now - timedelta(days=6)
    )
    grant_void(
        actor=manager,
        grant_id=late.pk,
        reason="Found on the weekly review: the booking was for another day.",
        at=late.granted_at + timedelta(days=3),
    )
