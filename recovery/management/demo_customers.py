"""The demo's customers as a newcomer needs them: who can be granted to now, and who is at a limit.

Worded in English for the seed's printout (a terminal, not a page).
"""

from __future__ import annotations

from datetime import date
from functools import partial

from compensation.limits import room_left
from compensation.money import format_money
from compensation.policy import Policy, tenure_in_months
from recovery import selectors

# name, phone, email, card, tenure in months. Customers shop at one location, as most do:
# the first five at Central Store, the others at the Airport Desk.
CUSTOMERS = [
    ("Alice Moreau", "+447700900101", "alice@example.com", "LC-1001", 62),
    ("Ben Okafor", "+447700900102", "ben@example.com", "LC-1002", 40),
    ("Chiara Rossi", "+447700900103", "chiara@example.com", "LC-1003", 26),
    ("Dmitri Volkov", "+447700900104", "dmitri@example.com", "LC-1004", 14),
    ("Emma Lindqvist", "+447700900105", "emma@example.com", "LC-1005", 8),
    ("Farid Haddad", "+447700900106", "farid@example.com", "", 3),
    ("Grace Kim", "+447700900107", "", "LC-1007", 48),
    ("Hugo Martin", "", "hugo@example.com", "LC-1008", 1),
    ("Ines Duarte", "+447700900109", "ines@example.com", "", 0),
    ("Jonas Weber", "+447700900110", "jonas@example.com", "LC-1010", 19),
]
HOME_LOCATION_SPLIT = 5
# The README's first grant: a customer kept out of the generated history, so on a fresh install
# every card has room for her (the customers above may be near or at a rolling limit by then).
FIRST_GRANT_CUSTOMER = ("Nadia Petrova", "+447700900111", "nadia@example.com", "LC-1011", 30)
# At the 30-day limit on purpose (`_customer_at_limit`), to try the disabled cards and "Ask a manager".
AT_LIMIT_CUSTOMER = "Dmitri Volkov"


def months_ago(today: date, months: int) -> date:
    """The same day `months` months earlier (28th at most, so every month has it): a tenure start."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


def national(phone: str) -> str:
    """+447700900106 → 07700 900106, as the README and a UK customer write it."""
    if phone.startswith("+44") and len(phone) == 13:
        return f"0{phone[3:7]} {phone[7:]}"
    return phone


def customers_by_room(customers, *, home: dict, policy: Policy) -> tuple[list, list]:
    """(customer, line) pairs: those with room under every rolling limit at their home location, and the rest.

    `home` maps a customer's id to the location they shop at; each line names
    their phone, tier and what is left of each of the policy's rolling limits.
    """
    with_room, at_limit = [], []
    for customer in customers:
        if not customer.phone:
            continue
        location = home[customer.pk]
        usage = selectors.counter_usage_for(customer=customer, location=location, policy=policy).customer
        phrases, room = [], True
        money = partial(format_money, currency=location.currency)
        for rule in policy.customer_limits:
            left, parts = room_left(rule, usage[rule.usage_key]), []
            if left.grants_left is not None:
                parts.append(f"{left.grants_left} of {rule.max_grants} grants")
            if left.total_left is not None:
                parts.append(f"{money(left.total_left)} of {money(rule.max_total)}")
            room = room and not left.used_up
            phrases.append(f"{' and '.join(parts)} left in {rule.window_days} {rule.window_unit}")
        tier = policy.tier_for(tenure_in_months(customer.customer_since, location.today())).name
        line = f"  {customer.name:<15} {national(customer.phone):<13} {tier:<8} at {location.name}: " + (
            "; ".join(phrases) or "no rolling limits"
        )
        (with_room if room else at_limit).append((customer, line))
    return with_room, at_limit
