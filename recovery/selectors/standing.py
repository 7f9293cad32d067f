"""What a customer brings to the tiers: tenure, the status they hold, and their lifetime spend.

Lifetime spend is SUMMED from the recorded visits when it is needed, not kept
as a running `Customer.lifetime_spend`, because:

- visits arrive in bulk (a 100,000-line CSV import, an API batch) through
  `bulk_create`, and a batch sent again is skipped line by line by the
  unique `external_id` (`ignore_conflicts` for the counter's own visit): a
  running total would have to learn which rows were really inserted, and take
  a lock on every customer of a batch, to stay right;
- a customer visits locations of the whole chain: two locations recording at
  once would race on one counter row, which the location lock does not order;
- a sum cannot drift from the rows an auditor reads, and needs no repair job.

The cost is one aggregate query per quote over the customer's visits, which the
`visit_customer_day` index (customer, day) serves. Only visits in the granting
location's currency count: the policy's amounts are read in each location's own
currency (no exchange rates), so a spend in another currency is not comparable.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from compensation.money import ZERO
from compensation.policy import tenure_in_months
from compensation.tiers import Standing
from recovery.models import Customer, Location, Visit


def lifetime_spend(customer: Customer, currency: str) -> Decimal:
    """Everything the customer spent in `currency`, by the visits recorded in the desk (one query)."""
    total = Visit.objects.filter(customer=customer, currency=currency).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def lifetime_spends(customer_ids, currency: str) -> dict[int, Decimal]:
    """Each customer's lifetime spend in `currency` (as `lifetime_spend`), for many customers in one
    query: an incident prices every attached customer's spend tier as their own counter grant would."""
    rows = (
        Visit.objects.filter(customer_id__in=list(customer_ids), currency=currency)
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("amount"))
        .values_list("customer_id", "total")
    )
    return {customer_id: total for customer_id, total in rows if total is not None}


def standing_of(customer: Customer, location: Location, *, spend: bool = True) -> Standing:
    """The customer's tenure at `location` today, status held, and lifetime spend in its currency.

    `spend=False` when nothing will read the spend (a playbook without programme tiers: only they
    choose a tier by spend, and only they keep it in the grant's snapshot): the sum over the
    customer's visits is not run, and the standing says zero.
    """
    return Standing(
        tenure_months=tenure_in_months(customer.customer_since, location.today()),
        status=customer.status,
        lifetime_spend=lifetime_spend(customer, location.currency) if spend else ZERO,
    )
