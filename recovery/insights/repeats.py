"""Repeat failures: how many customers failed once, twice or more in the window, and who failed most."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext, gettext_noop

from compensation.money import Amounts
from recovery.insights.rows import ACTIVE, row_amounts
from recovery.insights.scope import InsightScope
from recovery.insights.spending import CountBucket
from recovery.models import Customer

TOP_REPEAT_CUSTOMERS = 10

# How many failures a customer had in the window: 1, 2, 3, 4 or more.
REPEAT_BUCKETS = (
    gettext_noop("1 failure"),
    gettext_noop("2 failures"),
    gettext_noop("3 failures"),
    gettext_noop("4 or more"),
)


@dataclass(frozen=True)
class RepeatCustomer:
    customer_id: int
    name: str
    failures: int
    active: Amounts
    last_failure: dt.datetime


def repeat_failure_buckets(*, scope: InsightScope) -> list[CountBucket]:
    """How many customers had 1, 2, 3, or 4+ failures in the window.

    One query: the failures are counted per customer in a subquery, and the
    outer query counts the customers in each bucket.
    """
    per_customer = scope.grants().values("customer_id").annotate(failures=Count("*"))
    row = per_customer.aggregate(
        one=Count("customer_id", filter=Q(failures=1)),
        two=Count("customer_id", filter=Q(failures=2)),
        three=Count("customer_id", filter=Q(failures=3)),
        more=Count("customer_id", filter=Q(failures__gte=4)),
    )
    counts = (row["one"], row["two"], row["three"], row["more"])
    return [
        CountBucket(label=gettext(label), count=count or 0) for label, count in zip(REPEAT_BUCKETS, counts, strict=True)
    ]


def top_repeat_customers(
    *, scope: InsightScope, currencies: Iterable[str] = (), limit: int = TOP_REPEAT_CUSTOMERS
) -> list[RepeatCustomer]:
    """Customers with two or more failures in the window, most failures first (one query).

    The grouping counts failures per customer id and nothing else, so its hash
    table stays small; the name and the latest failure are subqueries the
    database runs only for the few rows left after the limit. The money is one
    conditional sum per currency of the window (`currencies`, from
    `window_figures`; default the deployment's), so currencies never mix.
    """
    currencies = list(currencies) or [settings.RECOVERY_CURRENCY]
    sums = {
        f"active_{index}": Sum("amount", filter=ACTIVE & Q(currency=currency))
        for index, currency in enumerate(currencies)
    }
    in_window = scope.grants().filter(customer_id=OuterRef("customer_id"))
    rows = (
        scope.grants()
        .values("customer_id")
        .annotate(failures=Count("*"), **sums)
        .filter(failures__gte=2)
        .order_by("-failures", "customer_id")
        .annotate(
            name=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).order_by().values("name")[:1]),
            last_failure=Subquery(in_window.order_by("-granted_at").values("granted_at")[:1]),
        )[:limit]
    )
    return [
        RepeatCustomer(
            customer_id=row["customer_id"],
            name=row["name"],
            failures=row["failures"],
            active=sum(
                (row_amounts(row[f"active_{index}"], currency) for index, currency in enumerate(currencies)), Amounts()
            ),
            last_failure=row["last_failure"],
        )
        for row in rows
    ]
