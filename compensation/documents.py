"""The policy document's shape, in one place: what a version stores and what the draft tables give.

Publish, diff, rollback, the simulator, replay and the synthetic data all read
a policy through this document (plain JSON, amounts as strings so Decimals
survive exactly). Tenure tiers are `tiers` (their source is tenure); status and
spend tiers are `programme_tiers`, each stating its `source` and the `status` or
`min_spend` it needs (missing in older documents: tenure only). Fields added after the first versions were published
(translations, failure fits, base amounts) are optional: an older document
reads as if it had them at their defaults, and `with_blank_translations` lets a
comparison see only real changes.
"""

from __future__ import annotations

from decimal import Decimal

from compensation import eligibility
from compensation.caps import NothingBought
from compensation.customer_limits import limit_entry_of
from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    LocationBudget,
    Playbook,
    PlaybookLocationOverride,
    PlaybookTierMultiplier,
    PolicyCurrencyAmount,
    ProgrammeTier,
    RoleAuthority,
    TenureTier,
)
from compensation.models.fields import default_currency
from compensation.money import quantize
from compensation.texts import PLAYBOOK_TEXTS, TRANSLATED_LANGUAGES, translated_key

PLAYBOOK_FIELDS = (
    "code",
    "name",
    "name_ru",
    "name_ro",
    "kind",
    "offer",
    "offer_ru",
    "offer_ro",
    "apology_script",
    "apology_script_ru",
    "apology_script_ro",
    "percent",
    "floor",
    "ceiling",
    "voucher_valid_days",
    "sort_order",
    "is_active",
    "categories",  # missing in documents from before fits existed: every failure (see `playbook_categories`)
    # Missing in documents from before base amounts existed (and whenever it is the floor): see `NOTHING_BOUGHT_DEFAULTS`.
    "nothing_bought",
    "base_amount",
    # Missing in documents from before eligibility existed (and whenever it is everywhere): see `ELIGIBILITY_DEFAULTS`.
    "applies_to",
    "locations",
    "location_kinds",
)
# What a playbook gives when nothing was bought, when its document entry does not say: the floor,
# which is what a percentage of a purchase value of 0 always gave. The draft leaves these out, so a
# policy that never uses base amounts publishes the same document as before they existed.
NOTHING_BOUGHT_DEFAULTS = {"nothing_bought": NothingBought.FLOOR, "base_amount": None}
# Where a playbook is offered, when its entry does not say: every location, as before eligibility existed
# (`compensation.eligibility`). Left out of the draft's document when so, like the base amounts above.
ELIGIBILITY_DEFAULTS = {"applies_to": eligibility.ALL, "locations": [], "location_kinds": []}

# The authority's bounds beyond one grant (per case, per day, per month): a role's are kept apart
# (`role_authority_bounds`, only for a role that sets one) and an employee's in their entry, only when
# set, so a policy that sets none publishes the same document as before they existed.
AUTHORITY_BOUNDS = ("case_limit", "daily_limit", "monthly_limit")


def authority_bounds(row) -> dict[str, str]:
    """The bounds a draft row sets, as the document writes them (blank ones left out)."""
    return {name: str(getattr(row, name)) for name in AUTHORITY_BOUNDS if getattr(row, name) is not None}


def bounds_read(entry: dict | None) -> dict[str, Decimal | None]:
    """A document's bounds for one role or employee as Decimals; missing (an older document) is None."""
    entry = entry or {}
    return {name: None if entry.get(name) in (None, "") else Decimal(entry[name]) for name in AUTHORITY_BOUNDS}


# The translated companions of the playbook texts (`name_ru`, …), as in the model and the document.
TRANSLATED_TEXT_FIELDS = tuple(
    translated_key(name, language) for language in TRANSLATED_LANGUAGES for name in PLAYBOOK_TEXTS
)
# A tier's name is read at the counter too ("Loyal" tier): it has the same companions (`name_ru`).
TRANSLATED_TIER_FIELDS = tuple(translated_key("name", language) for language in TRANSLATED_LANGUAGES)


def tier_translations(entry: dict) -> dict[str, str]:
    """A document tier's translated names ({"name_ru": …, "name_ro": …}); missing (an older document) is blank."""
    return {key: entry.get(key) or "" for key in TRANSLATED_TIER_FIELDS}


# --- the draft: the editable tables, as a document ------------------------------------


def money_or_none(value) -> str | None:
    """An optional amount as the document writes it: a string, or None."""
    return None if value is None else str(value)


def draft_document(*, caps_only: bool = False, customer_limits: bool = False) -> dict:
    """The policy tables as they are now (the draft), as a version document.

    `caps_only` leaves out the per-customer limits and the location budgets: what
    a cap and an authority need is all the simulator reads, so it skips two queries;
    with `customer_limits` too, it keeps the customer limits (which rules would bound a grant).
    """
    tiers = list(TenureTier.objects.order_by("min_months"))
    roles = list(RoleAuthority.objects.order_by("role"))
    multipliers: dict[int, dict[str, str]] = {}
    for row in PlaybookTierMultiplier.objects.all():
        multipliers.setdefault(row.playbook_id, {})[str(row.tier_id)] = str(row.multiplier)
    overrides = location_overrides()
    playbooks = []
    for playbook in Playbook.objects.order_by("sort_order", "name", "id"):
        entry = {"id": playbook.id}
        for name in PLAYBOOK_FIELDS:
            value = getattr(playbook, name)
            if name == "categories" and not value:
                continue  # suits every failure: the document reads as one from before fits existed
            if name in NOTHING_BOUGHT_DEFAULTS and value == NOTHING_BOUGHT_DEFAULTS[name]:
                continue  # the floor when nothing was bought: as every document from before base amounts
            if name in ELIGIBILITY_DEFAULTS and value in (ELIGIBILITY_DEFAULTS[name], ""):
                continue  # offered everywhere: as every document from before eligibility
            entry[name] = str(value) if isinstance(value, Decimal) else value
        entry["multipliers"] = multipliers.get(playbook.id, {})
        if playbook.id in overrides:
            entry["location_overrides"] = overrides[playbook.id]
        playbooks.append(entry)
    document = {
        "tiers": [
            {
                "id": t.id,
                "name": t.name,
                **{key: getattr(t, key) for key in TRANSLATED_TIER_FIELDS},
                "min_months": t.min_months,
                "multiplier": str(t.multiplier),
            }
            for t in tiers
        ],
        "playbooks": playbooks,
        "role_authorities": {row.role: str(row.limit) for row in roles},
        "employee_authorities": {
            str(row.user_id): {"username": row.user.get_username(), "limit": str(row.limit)} | authority_bounds(row)
            for row in EmployeeAuthority.objects.select_related("user").order_by("user_id")
        },
    }
    programme = [programme_tier_document(row) for row in ProgrammeTier.objects.order_by("source", "multiplier", "id")]
    if programme:
        # Left out when there is none, so a policy without programmes publishes the document it always did.
        document["programme_tiers"] = programme
    role_bounds = {row.role: authority_bounds(row) for row in roles if authority_bounds(row)}
    if role_bounds:
        document["role_authority_bounds"] = role_bounds
    document["currency"] = default_currency()
    statements = currency_amounts()
    if statements:
        # Left out when there is none, so a single-currency policy publishes the document it always did.
        document["currency_amounts"] = statements
    if caps_only and not customer_limits:
        return document
    document["customer_limits"] = [limit_entry_of(row) for row in CustomerLimit.objects.order_by("window_days", "pk")]
    if caps_only:
        return document
    return document | {
        "location_budgets": {
            str(row.location_id): {
                "location": row.location.name,
                "monthly_amount": str(row.monthly_amount),
                "when_exhausted": row.when_exhausted,
            }
            for row in LocationBudget.objects.select_related("location").order_by("location_id")
        },
    }


def currency_amounts() -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """The draft's statements of the policy in other currencies (`compensation.currencies`):
    {currency: {section: {item key: {field: amount}}}}."""
    statements: dict = {}
    for row in PolicyCurrencyAmount.objects.order_by("currency", "subject", "key", "field"):
        section = statements.setdefault(row.currency, {}).setdefault(row.subject, {})
        section.setdefault(row.key, {})[row.field] = str(in_units(row.amount, row.currency))
    return statements


def in_units(amount: Decimal, currency: str) -> Decimal:
    """`amount` with exactly its currency's decimals (800.00 yen is written 800), so the document, the change
    list and the grant's snapshot read as the currency is written; one finer than the currency is kept as it
    is, for the publish check to refuse."""
    exact = quantize(amount, currency)
    return exact if exact == amount else amount


def location_overrides() -> dict[int, dict[str, dict[str, str | None]]]:
    """The draft's per-location values of each playbook: {playbook id: {location code: {"percent": …}}}."""
    overrides: dict[int, dict[str, dict[str, str | None]]] = {}
    for row in PlaybookLocationOverride.objects.select_related("location").order_by("location__code"):
        overrides.setdefault(row.playbook_id, {})[row.location.code] = {
            name: money_or_none(getattr(row, name)) for name in eligibility.OVERRIDE_FIELDS
        }
    return overrides


def programme_tier_document(row: ProgrammeTier) -> dict:
    """A programme tier as the document states it: its source, and the status or threshold it needs."""
    return {
        "id": row.id,
        "name": row.name,
        **{key: getattr(row, key) for key in TRANSLATED_TIER_FIELDS},
        "source": row.source,
        "status": row.status,
        "min_spend": money_or_none(row.min_spend),
        "multiplier": str(row.multiplier),
    }


def playbook_categories(entry: dict) -> list[str]:
    """The failure categories a document's playbook suits; [] (every failure) when it names none,
    as in every document published before fits existed."""
    return list(entry.get("categories") or [])


def with_blank_translations(document: dict) -> dict:
    """`document` with every missing playbook and tier translation as "", missing playbook fits
    as [] and a missing rule for nothing bought as the floor (a document from before translations,
    fits or base amounts existed has none), so comparing it with a newer one sees only real changes."""
    blanks = {}
    if "playbooks" in document:
        blanks["playbooks"] = [
            dict.fromkeys(TRANSLATED_TEXT_FIELDS, "")
            | NOTHING_BOUGHT_DEFAULTS
            | ELIGIBILITY_DEFAULTS
            | {"location_overrides": {}}
            | entry
            | {"categories": playbook_categories(entry)}
            for entry in document["playbooks"]
        ]
    if "tiers" in document:
        blanks["tiers"] = [dict.fromkeys(TRANSLATED_TIER_FIELDS, "") | tier for tier in document["tiers"]]
    # A document from before programme tiers has none: the same as an empty list.
    blanks["programme_tiers"] = [
        dict.fromkeys(TRANSLATED_TIER_FIELDS, "") | tier for tier in document.get("programme_tiers") or []
    ]
    # A document from before currencies were recorded is in the deployment's and states no other.
    blanks["currency"] = document.get("currency") or default_currency()
    blanks["currency_amounts"] = document.get("currency_amounts") or {}
    # A document from before currencies were stated names none: its amounts are the deployment's currency.
    blanks["currency"] = document.get("currency") or default_currency()
    return document | blanks
