"""Comparing policy versions, field by field (pure functions over version documents).

Ops see what a draft would change before they publish it, and what differs
between any two published versions; a manager sees why a cap was different
last month.
"""

from __future__ import annotations

from dataclasses import dataclass

from compensation.policy import PLAYBOOK_FIELDS
from compensation.texts import LANGUAGE_NAMES_IN_ENGLISH, PLAYBOOK_TEXTS, TRANSLATED_LANGUAGES, translated_key

SECTIONS = (
    ("tiers", "Tenure tier"),
    ("playbooks", "Playbook"),
    ("role_authorities", "Role authority"),
    ("employee_authorities", "Employee authority"),
    ("customer_limits", "Customer limit"),
    ("location_budgets", "Location budget"),
)

# Playbook fields whose own name would read badly in a change list ("name ru").
FIELD_LABELS = {
    translated_key(name, language): f"{name.replace('_', ' ')} ({LANGUAGE_NAMES_IN_ENGLISH[language]})"
    for language in TRANSLATED_LANGUAGES
    for name in PLAYBOOK_TEXTS
}


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
    raw = document.get(section, [] if section in ("tiers", "playbooks", "customer_limits") else {})
    items = {}
    if section == "tiers":
        for t in raw:
            items[str(t["id"])] = (
                t["name"],
                {"name": t["name"], "from months": t["min_months"], "multiplier": t["multiplier"]},
            )
    elif section == "playbooks":
        for p in raw:
            # A document from before translations has no `name_ru`: missing and blank both show as "—".
            fields = {FIELD_LABELS.get(name, name): p.get(name) for name in PLAYBOOK_FIELDS}
            for tier_id, multiplier in sorted(p.get("multipliers", {}).items()):
                fields[f"multiplier for tier #{tier_id}"] = multiplier
            items[str(p["id"])] = (p["name"], fields)
    elif section == "role_authorities":
        for role, limit in raw.items():
            items[role] = (role, {"limit": limit})
    elif section == "employee_authorities":
        for user_id, entry in raw.items():
            items[user_id] = (entry["username"], {"limit": entry["limit"]})
    elif section == "customer_limits":
        for entry in raw:
            items[str(entry["window_days"])] = (
                f"{entry['window_days']} days",
                {"max grants": entry["max_grants"], "max total": entry["max_total"]},
            )
    elif section == "location_budgets":
        for location_id, entry in raw.items():
            items[location_id] = (
                entry["location"],
                {"monthly amount": entry["monthly_amount"], "when exhausted": entry["when_exhausted"]},
            )
    return items


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
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
        before, after = _items(old, section), _items(new, section)
        for key in list(before) + [k for k in after if k not in before]:
            if key not in after:
                changes.append(Change(title, before[key][0], "(removed)", _summary(before[key][1]), "—"))
                continue
            if key not in before:
                changes.append(Change(title, after[key][0], "(added)", "—", _summary(after[key][1])))
                continue
            old_fields, new_fields = before[key][1], after[key][1]
            for name in list(old_fields) + [n for n in new_fields if n not in old_fields]:
                if _shown(old_fields.get(name)) != _shown(new_fields.get(name)):
                    label = name.replace("_", " ")
                    changes.append(
                        Change(title, after[key][0], label, _shown(old_fields.get(name)), _shown(new_fields.get(name)))
                    )
    return changes
