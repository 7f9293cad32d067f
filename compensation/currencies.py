"""The policy in more than one currency: pure functions over a version document.

A policy is written in one currency, the *policy currency* (the deployment's,
`default_currency`, recorded as the document's `"currency"`; an older document
without it reads as the default). A chain with a store in Tokyo cannot read
"floor 5" as five yen: for every other currency an active location grants in,
ops state each amount of the policy in that currency (no exchange rates: a
yen floor is a decision, not a conversion). The document keeps them apart:

    "currency_amounts": {"JPY": {"playbooks": {"12": {"floor": "800", "ceiling": "8000"}},
                                 "role_authorities": {"frontline": {"limit": "300000"}},
                                 "employee_authorities": {"5": {"limit": "…"}},
                                 "customer_limits": {"30": {"max_total": "…"}}}}

left out entirely when there are none, so a single-currency policy publishes
the document it always did. Percentages and multipliers are not money and are
stated once. Per-location overrides and location budgets are already in their
location's currency and win over the currency's statement.

`Policy.at_location` reads a location's currency through `in_currency`; a
currency the version states nothing for is refused there (`currency_refusal`),
so the counter never reads euros as yen.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext, gettext_noop

from compensation.caps import NothingBought, role_word
from compensation.customer_limits import entry_described, entry_key
from compensation.documents import AUTHORITY_BOUNDS
from compensation.money import ZERO, minor_unit

# The subjects of a statement, as the document's sections name them, and the money fields of each.
PLAYBOOKS, ROLES, EMPLOYEES, CUSTOMER_LIMITS, PROGRAMME_TIERS = (
    "playbooks",
    "role_authorities",
    "employee_authorities",
    "customer_limits",
    "programme_tiers",
)
SUBJECTS = (PLAYBOOKS, ROLES, EMPLOYEES, CUSTOMER_LIMITS, PROGRAMME_TIERS)
PLAYBOOK_AMOUNTS = ("floor", "ceiling", "base_amount")
AUTHORITY_AMOUNTS = ("limit", *AUTHORITY_BOUNDS)
LIMIT_AMOUNTS = ("max_total",)
FIELDS = {
    PLAYBOOKS: PLAYBOOK_AMOUNTS,
    ROLES: AUTHORITY_AMOUNTS,
    EMPLOYEES: AUTHORITY_AMOUNTS,
    CUSTOMER_LIMITS: LIMIT_AMOUNTS,
    # A spend tier's threshold is money too: a customer's lifetime spend is summed in the location's currency.
    PROGRAMME_TIERS: ("min_spend",),
}
# How a field reads in a message and on the page (translated where shown).
FIELD_WORDS = {
    "floor": gettext_noop("floor"),
    "ceiling": gettext_noop("ceiling"),
    "base_amount": gettext_noop("base amount"),
    "limit": gettext_noop("per grant"),
    "case_limit": gettext_noop("per case"),
    "daily_limit": gettext_noop("per day"),
    "monthly_limit": gettext_noop("per month"),
    "max_total": gettext_noop("max total"),
    "min_spend": gettext_noop("lifetime spend from"),
}


def policy_currency(document: dict, default: str) -> str:
    """The currency the document's own amounts are in; an older document (none recorded) is in `default`."""
    return document.get("currency") or default


def stated_currencies(document: dict) -> list[str]:
    """The currencies other than the policy's that the document states its amounts in, by code."""
    return sorted(document.get("currency_amounts") or {})


def policy_amounts(document: dict) -> list[tuple[str, str, str, str, str]]:
    """Every money amount of the document in the policy currency, as (subject, key, field, label, value).

    The amounts a statement in another currency must give: each active playbook's floor, ceiling and
    (when it gives a fixed one) base amount; each role's and employee's per-grant limit and the bounds
    they set; each customer limit's max total when it has one. `label` names the item for people.
    """
    rows = []
    for entry in document.get("playbooks", []):
        if not entry.get("is_active"):
            continue
        label = gettext("“%(playbook)s”") % {"playbook": entry["name"]}
        for name in PLAYBOOK_AMOUNTS:
            if name == "base_amount" and entry.get("nothing_bought") != NothingBought.FIXED:
                continue
            rows.append((PLAYBOOKS, str(entry["id"]), name, label, entry.get(name)))
    bounds = document.get("role_authority_bounds", {})
    for role, limit in document.get("role_authorities", {}).items():
        values = {"limit": limit} | (bounds.get(role) or {})
        label = gettext("Role authority %(role)s") % {"role": role_word(role)}
        rows += [(ROLES, role, name, label, values[name]) for name in AUTHORITY_AMOUNTS if values.get(name)]
    for user_id, entry in document.get("employee_authorities", {}).items():
        label = gettext("Employee authority %(employee)s") % {"employee": entry["username"]}
        rows += [(EMPLOYEES, user_id, name, label, entry[name]) for name in AUTHORITY_AMOUNTS if entry.get(name)]
    for entry in document.get("customer_limits", []):
        if entry.get("max_total") not in (None, ""):
            label = gettext("Customer limit (%(limit)s)") % {"limit": entry_described(document, entry)[0]}
            rows.append((CUSTOMER_LIMITS, entry_key(entry), "max_total", label, entry["max_total"]))
    for entry in document.get("programme_tiers") or []:
        if entry.get("min_spend") not in (None, "") and entry.get("id") is not None:
            label = gettext("Spend tier %(tier)s") % {"tier": entry["name"]}
            rows.append((PROGRAMME_TIERS, str(entry["id"]), "min_spend", label, entry["min_spend"]))
    return rows


def stated(document: dict, currency: str, subject: str, key: str, field: str) -> Decimal | None:
    """One amount of `currency`'s statement, or None when it states none."""
    value = (document.get("currency_amounts") or {}).get(currency, {}).get(subject, {}).get(key, {}).get(field)
    return None if value in (None, "") else Decimal(value)


def currency_problems(document: dict, *, default: str, location_currencies: set[str]) -> list[str]:
    """Why the document's currencies cannot be published (active language), each naming currency, item and field.

    `location_currencies`: the currencies the active locations grant in. Refused: a location's currency
    the policy does not state (its counter would read another currency's amounts); a stated amount
    missing, not a number, negative, or with more decimals than its currency has; a stated floor above
    the stated ceiling; a stated currency no active location uses (a statement nobody reads is a mistake).
    """
    own = policy_currency(document, default)
    statements = document.get("currency_amounts") or {}
    problems = [
        gettext(
            "Locations grant in %(currency)s, which the policy does not state: state every amount in %(currency)s "
            "(Amounts in %(currency)s) or change those locations' currency."
        )
        % {"currency": currency}
        for currency in sorted(location_currencies - {own} - set(statements))
    ]
    rows = policy_amounts(document)
    for currency in sorted(statements):
        if currency == own or currency not in location_currencies:
            problems.append(
                gettext("%(currency)s: no active location grants in it; remove its amounts.") % {"currency": currency}
            )
            continue
        values = {}
        for subject, key, field, label, _ in rows:
            words = {"currency": currency, "item": label, "field": gettext(FIELD_WORDS[field])}
            try:
                value = stated(document, currency, subject, key, field)
                finer = value is not None and value.is_finite() and value != value.quantize(minor_unit(currency))
            except (InvalidOperation, TypeError, ValueError):
                value, finer = Decimal("NaN"), False
            if value is None:
                problems.append(gettext("%(currency)s: %(item)s %(field)s is not stated.") % words)
                continue
            if not value.is_finite():
                problems.append(gettext("%(currency)s: %(item)s %(field)s is not a number.") % words)
                continue
            if value < 0:
                problems.append(gettext("%(currency)s: %(item)s %(field)s must not be negative.") % words)
            elif finer:
                problems.append(
                    gettext("%(currency)s: %(item)s %(field)s has more decimals than %(currency)s has.") % words
                )
            values[(subject, key, field)] = value
        for subject, key, field, label, _ in rows:
            if field != "floor":
                continue
            floor, ceiling = values.get((subject, key, "floor")), values.get((subject, key, "ceiling"))
            if floor is not None and ceiling is not None and floor > ceiling:
                problems.append(
                    gettext("%(currency)s: %(item)s floor %(floor)s is above its ceiling %(ceiling)s.")
                    % {"currency": currency, "item": label, "floor": floor, "ceiling": ceiling}
                )
    return problems


def currency_overview(document: dict, *, default: str, location_currencies: set[str]) -> list[dict]:
    """Each currency other than the policy's that a location grants in or the draft states, with how many of
    the policy's amounts it states (`stated` of `needed`) and whether an active location grants in it."""
    own = policy_currency(document, default)
    rows = policy_amounts(document)
    overview = []
    for currency in sorted((location_currencies | set(stated_currencies(document))) - {own}):
        count = 0
        for subject, key, field, _, _ in rows:
            try:
                count += stated(document, currency, subject, key, field) is not None
            except (InvalidOperation, TypeError, ValueError):
                continue
        overview.append(
            {"currency": currency, "stated": count, "needed": len(rows), "used": currency in location_currencies}
        )
    return overview


def in_currency(policy, currency: str):
    """`policy` with `currency`'s stated amounts in place of the policy currency's; `policy` itself when
    `currency` is the policy's own. A currency it does not state gives a policy offering nothing, marked
    with the currency (`currency_refusal` says why): never the policy currency's amounts read as another's."""
    if currency == policy.currency:
        return policy
    statement = policy.currency_amounts.get(currency)
    if statement is None:
        return replace(
            policy,
            playbooks={},
            rules={},
            authorities={},
            employee_authorities={},
            role_bounds={},
            employee_bounds={},
            customer_limits=(),
            unstated_currency=currency,
            _at={},
        )

    def amount(subject: str, key, name: str) -> Decimal:
        """The stated amount; one missing (only a draft can miss one: publish refuses it) is 0, so it
        allows nothing rather than the policy currency's number read in this currency."""
        value = statement.get(subject, {}).get(str(key), {}).get(name)
        return ZERO if value in (None, "") else Decimal(value)

    def stated_bounds(subject: str, key, bounds: dict) -> dict[str, Decimal]:
        return {name: amount(subject, key, name) for name in bounds}

    def spend_tiers(tiers: tuple) -> tuple:
        """The spend tiers' thresholds as stated (a lifetime spend of yen is never measured against euros)."""
        return tuple(
            replace(tier, min_spend=amount(PROGRAMME_TIERS, tier.key.partition(":")[2], "min_spend"))
            if tier.min_spend is not None
            else tier
            for tier in tiers
        )

    rules = {}
    for playbook_id, rule in policy.rules.items():
        needed = ("floor", "ceiling") + (("base_amount",) if rule.nothing_bought == NothingBought.FIXED else ())
        if all(statement.get(PLAYBOOKS, {}).get(str(playbook_id), {}).get(name) not in (None, "") for name in needed):
            rules[playbook_id] = replace(
                rule,
                programme_tiers=spend_tiers(rule.programme_tiers),
                **{name: amount(PLAYBOOKS, playbook_id, name) for name in needed},
            )
    return replace(
        policy,
        # A playbook whose floor or ceiling the draft does not state yet is not offered in this currency.
        playbooks={playbook_id: playbook for playbook_id, playbook in policy.playbooks.items() if playbook_id in rules},
        rules=rules,
        programme_tiers=spend_tiers(policy.programme_tiers),
        authorities={role: amount(ROLES, role, "limit") for role in policy.authorities},
        role_bounds={role: stated_bounds(ROLES, role, bounds) for role, bounds in policy.role_bounds.items()},
        employee_authorities={user_id: amount(EMPLOYEES, user_id, "limit") for user_id in policy.employee_authorities},
        employee_bounds={
            user_id: stated_bounds(EMPLOYEES, user_id, bounds) for user_id, bounds in policy.employee_bounds.items()
        },
        customer_limits=tuple(
            replace(
                rule,
                max_total=None if rule.max_total is None else amount(CUSTOMER_LIMITS, rule.document_key, "max_total"),
            )
            for rule in policy.customer_limits
        ),
        _at={},
    )


def currency_refusal(policy, location) -> str:
    """Why nothing can be granted at `location` (active language), or "" when its currency is stated."""
    if not policy.unstated_currency:
        return ""
    return gettext(
        "%(location)s grants in %(currency)s, and %(version)s does not state its amounts in %(currency)s: "
        "nothing can be granted here until ops state them and publish."
    ) % {
        "location": getattr(location, "name", "") or getattr(location, "code", ""),
        "currency": policy.unstated_currency,
        "version": gettext("version %(number)s") % {"number": policy.version.number}
        if policy.version
        else gettext("the draft"),
    }
