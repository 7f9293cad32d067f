"""Comparing policy versions, field by field (pure functions over version documents).

Ops see what a draft would change before they publish it, and what differs
between any two published versions; a manager sees why a cap was different
last month.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from compensation.currencies import policy_amounts
from compensation.customer_limits import entry_described, entry_key
from compensation.policy import ELIGIBILITY_DEFAULTS, NOTHING_BOUGHT_DEFAULTS, PLAYBOOK_FIELDS, TRANSLATED_TIER_FIELDS
from compensation.texts import LANGUAGE_NAMES_IN_ENGLISH, PLAYBOOK_TEXTS, TRANSLATED_LANGUAGES, translated_key

SECTIONS = (
    ("tiers", gettext_noop("Tenure tier")),
    ("programme_tiers", gettext_noop("Programme tier")),
    ("playbooks", gettext_noop("Playbook")),
    ("role_authorities", gettext_noop("Role authority")),
    ("employee_authorities", gettext_noop("Employee authority")),
    ("customer_limits", gettext_noop("Customer limit")),
    ("location_budgets", gettext_noop("Location budget")),
    ("currency_amounts", gettext_noop("Amount in another currency")),
)
# A stated amount's field as the change list words it (`FIELD_WORDS` below).
CURRENCY_FIELD_WORDS = {
    "base_amount": "base amount",
    "case_limit": "per case",
    "daily_limit": "per day",
    "monthly_limit": "per month",
    "max_total": "max total",
    "min_spend": "lifetime spend from",
}

# Playbook fields whose own name would read badly in a change list ("name ru").
FIELD_LABELS = {
    translated_key(name, language): f"{name.replace('_', ' ')} ({LANGUAGE_NAMES_IN_ENGLISH[language]})"
    for language in TRANSLATED_LANGUAGES
    for name in PLAYBOOK_TEXTS
}


# How a changed field reads on the page (a diff is only ever shown, never stored: worded for its reader).
FIELD_WORDS = {
    name: word
    for name, word in (
        ("code", gettext_noop("code")),
        ("name", gettext_noop("name")),
        ("kind", gettext_noop("kind")),
        ("offer", gettext_noop("offer")),
        ("apology script", gettext_noop("apology script")),
        ("percent", gettext_noop("percent")),
        ("floor", gettext_noop("floor")),
        ("ceiling", gettext_noop("ceiling")),
        ("voucher valid days", gettext_noop("voucher valid days")),
        ("sort order", gettext_noop("sort order")),
        ("is active", gettext_noop("active")),
        ("categories", gettext_noop("suits failures")),
        ("nothing bought", gettext_noop("when nothing was bought")),
        ("base amount", gettext_noop("base amount when nothing was bought")),
        ("applies to", gettext_noop("offered at")),
        ("locations", gettext_noop("locations")),
        ("location kinds", gettext_noop("kinds of location")),
        ("from months", gettext_noop("from months")),
        ("source", gettext_noop("source")),
        ("status", gettext_noop("status")),
        ("from lifetime spend", gettext_noop("from lifetime spend")),
        ("multiplier", gettext_noop("multiplier")),
        ("limit", gettext_noop("limit")),
        ("per case", gettext_noop("per case")),
        ("per day", gettext_noop("per day")),
        ("per month", gettext_noop("per month")),
        ("max grants", gettext_noop("max grants")),
        ("max total", gettext_noop("max total")),
        ("playbook", gettext_noop("playbook")),
        ("tier", gettext_noop("tier")),
        ("monthly amount", gettext_noop("monthly amount")),
        ("when exhausted", gettext_noop("when exhausted")),
        ("(added)", gettext_noop("(added)")),
        ("(removed)", gettext_noop("(removed)")),
    )
}


def _field_word(name: str) -> str:
    if name in FIELD_WORDS:
        return gettext(FIELD_WORDS[name])
    # "name (Russian)", "offer (Romanian)": the translated fields' own labels, in the catalogue as the model's.
    return gettext(name) if name in FIELD_LABELS.values() else name


@dataclass(frozen=True)
class Change:
    """One field of one item that differs: e.g. Playbook 'Free drinks', ceiling: 40.00 → 30.00."""

    section: str
    item: str
    field: str
    old: str
    new: str


def _items(document: dict, section: str) -> dict[str, tuple[str, dict]]:
    """A section's items keyed by a stable identity, each with a label and comparable fields."""
    lists = ("tiers", "programme_tiers", "playbooks", "customer_limits")
    raw = document.get(section) or ([] if section in lists else {})
    items = {}
    if section == "tiers":
        for t in raw:
            items[str(t["id"])] = (
                t["name"],
                {
                    "name": t["name"],
                    # missing (older version) and blank both read "—"
                    **{FIELD_LABELS[key]: t.get(key) for key in TRANSLATED_TIER_FIELDS},
                    "from months": t["min_months"],
                    "multiplier": t["multiplier"],
                },
            )
    elif section == "programme_tiers":
        for t in raw:
            items[str(t["id"])] = (
                t["name"],
                {
                    "name": t["name"],
                    **{FIELD_LABELS[key]: t.get(key) for key in TRANSLATED_TIER_FIELDS},
                    "source": t.get("source"),
                    "status": t.get("status"),
                    "from lifetime spend": t.get("min_spend"),
                    "multiplier": t["multiplier"],
                },
            )
    elif section == "playbooks":
        for p in raw:
            # A document from before translations has no `name_ru`: missing and blank both show as "—".
            # Missing rule for nothing bought (older version, or the floor) reads as the floor.
            # Missing eligibility (older version, or everywhere) reads as every location.
            entry = NOTHING_BOUGHT_DEFAULTS | ELIGIBILITY_DEFAULTS | p
            fields = {FIELD_LABELS.get(name, name): entry.get(name) for name in PLAYBOOK_FIELDS}
            for tier_id, multiplier in sorted(p.get("multipliers", {}).items()):
                fields[f"multiplier for tier #{tier_id}"] = multiplier
            for code, values in sorted(p.get("location_overrides", {}).items()):
                for name, value in values.items():
                    fields[f"{name} at {code}"] = value
            items[str(p["id"])] = (p["name"], fields)
    elif section == "role_authorities":
        bounds = document.get("role_authority_bounds", {})
        for role, limit in raw.items():
            items[role] = (role, {"limit": limit} | _bounds_fields(bounds.get(role)))
    elif section == "employee_authorities":
        for user_id, entry in raw.items():
            items[user_id] = (entry["username"], {"limit": entry["limit"]} | _bounds_fields(entry))
    elif section == "customer_limits":
        for entry in raw:
            items.update([customer_limit_item(document, entry)])
    elif section == "currency_amounts":
        # One item per currency and policy item ("JPY · “Free drinks”"), its stated amounts as fields.
        labels = {(subject, key): label for subject, key, _, label, _ in policy_amounts(document)}
        for currency, subjects in raw.items():
            for subject, entries in subjects.items():
                for key, fields in entries.items():
                    label = f"{currency} · {labels.get((subject, key), key)}"
                    items[f"{currency}:{subject}:{key}"] = (
                        label,
                        {CURRENCY_FIELD_WORDS.get(name, name): value for name, value in fields.items()},
                    )
    elif section == "location_budgets":
        for location_id, entry in raw.items():
            items[location_id] = (
                entry["location"],
                {"monthly amount": entry["monthly_amount"], "when exhausted": entry["when_exhausted"]},
            )
    return items


def customer_limit_item(document: dict, entry: dict) -> tuple[str, tuple[str, dict]]:
    """A customer limit's identity (`entry_key`: the window alone for one from before units, as older
    versions keyed it), its label and its fields, names read from `document` (`entry_described`)."""
    label, scope = entry_described(document, entry)
    return entry_key(entry), (label, {"max grants": entry["max_grants"], "max total": entry["max_total"]} | scope)


def _bounds_fields(entry: dict | None) -> dict:
    """An authority's per-case and per-period bounds as compared fields (missing: "—", as blank)."""
    entry = entry or {}
    return {
        "per case": entry.get("case_limit"),
        "per day": entry.get("daily_limit"),
        "per month": entry.get("monthly_limit"),
    }


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"  # a playbook's fits: none named (or a document from before fits) suits every failure
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _summary(fields: dict) -> str:
    """An added or removed item's values in one line: 'max grants 3, max total 300.00'."""
    return ", ".join(f"{name.replace('_', ' ')} {_shown(value)}" for name, value in fields.items())


def document_diff(old: dict, new: dict) -> list[Change]:
    """Every field that differs from `old` to `new`; added and removed items are one change each."""
    changes = []
    for section, title in SECTIONS:
        title = gettext(title)
        before, after = _items(old, section), _items(new, section)
        for key in list(before) + [k for k in after if k not in before]:
            if key not in after:
                changes.append(Change(title, before[key][0], _field_word("(removed)"), _summary(before[key][1]), "—"))
                continue
            if key not in before:
                changes.append(Change(title, after[key][0], _field_word("(added)"), "—", _summary(after[key][1])))
                continue
            old_fields, new_fields = before[key][1], after[key][1]
            for name in list(old_fields) + [n for n in new_fields if n not in old_fields]:
                if _shown(old_fields.get(name)) != _shown(new_fields.get(name)):
                    label = _field_word(name.replace("_", " "))
                    changes.append(
                        Change(title, after[key][0], label, _shown(old_fields.get(name)), _shown(new_fields.get(name)))
                    )
    return changes
