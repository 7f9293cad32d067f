"""Whether a policy document can be published: every refusal worded for the ops person, naming the item and field.

Publish and the ops overview ask `document_problems`; each rule lives where its
field does (categories, base amounts and eligibility beside the playbook,
programme tiers beside their table) and is gathered here, so one list says
everything that stands in the way of a version.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from django.utils.translation import gettext, ngettext

from compensation.caps import role_word
from compensation.currencies import currency_problems
from compensation.customer_limits import DAYS, window_text
from compensation.eligibility import eligibility_problems
from compensation.models import (
    Location,
    Playbook,
    categories_problem,
    default_currency,
    nothing_bought_problem,
    programme_tier_problem,
)
from compensation.policy import policy_from_document


def document_problems(document: dict) -> list[str]:
    """What makes a document unusable at the counter (empty: it is consistent), in the active language.

    The cap engine's own refusals (ValueError, e.g. "ceiling must not be below
    the floor") are a programmer's English and are quoted as they are.
    """
    problems = []
    # Where each playbook is offered must name active locations (code → kind), and their currencies be stated:
    # one query.
    rows = list(Location.objects.filter(is_active=True).values_list("code", "kind", "currency"))
    active_locations = {code: kind for code, kind, _ in rows}
    location_currencies = {currency for _, _, currency in rows}
    tiers = document.get("tiers", [])
    for lower, higher in pairwise(tiers):
        if higher["min_months"] <= lower["min_months"]:
            months = ngettext("%(count)d month", "%(count)d months", lower["min_months"]) % {
                "count": lower["min_months"]
            }
            problems.append(
                gettext("Tier %(tier)s must start after %(lower)s (%(months)s).")
                % {"tier": higher["name"], "lower": lower["name"], "months": months}
            )
        if Decimal(higher["multiplier"]) < Decimal(lower["multiplier"]):
            problems.append(
                gettext("Tier %(tier)s must not have a lower multiplier than %(lower)s.")
                % {"tier": higher["name"], "lower": lower["name"]}
            )
    problems += programme_problems(document.get("programme_tiers") or [])
    for entry in document.get("playbooks", []):
        problem = nothing_bought_problem(
            entry.get("nothing_bought") or Playbook.NothingBought.FLOOR,
            entry.get("base_amount"),
            ceiling=entry.get("ceiling"),
            playbook=entry["name"],
            currency=None,
        )
        if problem:
            problems.append(problem)
            continue  # the engine would refuse the same rule again, in a programmer's English
        try:
            # Building the engine rule checks percent, floor and ceiling.
            policy_from_document({"tiers": tiers, "playbooks": [entry | {"is_active": True}]})
        except (ValueError, ArithmeticError) as error:
            problems.append(
                gettext("Playbook %(playbook)s: %(problem)s.") % {"playbook": entry["name"], "problem": error}
            )
        if entry["kind"] == Playbook.Kind.VOUCHER and not entry.get("voucher_valid_days"):
            problems.append(
                gettext("Playbook %(playbook)s: a voucher playbook needs its validity in days.")
                % {"playbook": entry["name"]}
            )
        problem = categories_problem(entry.get("categories") or [], entry["name"])
        if problem:
            problems.append(problem)
        problems.extend(eligibility_problems(entry, locations=active_locations))
    problems += currency_problems(document, default=default_currency(), location_currencies=location_currencies)
    return problems + authority_problems(document) + customer_limit_problems(document)


def customer_limit_problems(document: dict) -> list[str]:
    """A customer limit naming a tier or a playbook the document does not have, or an unknown unit.

    Why refused: a rule for a tier nobody can be in would silently never apply. A playbook that is
    inactive is fine (its rule waits for it); a tier's rule with no every-tier counterpart is fine too.
    """
    tiers = {f"tenure:{t['id']}" for t in document.get("tiers", []) if t.get("id") is not None}
    tiers |= {f"programme:{t['id']}" for t in document.get("programme_tiers") or [] if t.get("id") is not None}
    playbooks = {entry["id"] for entry in document.get("playbooks", [])}
    problems = []
    for entry in document.get("customer_limits", []):
        label = window_text(entry["window_days"], entry.get("window_unit") or DAYS)
        if (entry.get("window_unit") or "days") not in ("days", "months"):
            problems.append(
                gettext("Customer limit %(window)s: the window unit must be days or calendar months.")
                % {"window": label}
            )
        if entry.get("tier") and entry["tier"] not in tiers:
            problems.append(
                gettext("Customer limit %(window)s, tier: “%(tier)s” is not one of the policy's tiers.")
                % {"window": label, "tier": entry["tier"]}
            )
        if entry.get("playbook") is not None and entry["playbook"] not in playbooks:
            problems.append(
                gettext("Customer limit %(window)s, playbook: #%(playbook)s is not one of the policy's playbooks.")
                % {"window": label, "playbook": entry["playbook"]}
            )
    return problems


def authority_problems(document: dict) -> list[str]:
    """A per-case authority below its own per-grant one, named by role or employee and field.

    Why refused: one full grant must always fit on a case; a per-case bound below it would refuse
    the very grant the cap allows, with two messages that contradict each other.
    """
    bounds = document.get("role_authority_bounds", {})
    holders = [
        (gettext("Role authority %(role)s") % {"role": role_word(role)}, limit, bounds.get(role) or {})
        for role, limit in document.get("role_authorities", {}).items()
    ] + [
        (gettext("Employee authority %(employee)s") % {"employee": entry["username"]}, entry["limit"], entry)
        for entry in document.get("employee_authorities", {}).values()
    ]
    problems = []
    for holder, limit, entry in holders:
        per_case = entry.get("case_limit")
        if per_case not in (None, "") and Decimal(per_case) < Decimal(limit):
            problems.append(
                gettext(
                    "%(holder)s, per case: %(per_case)s is below its per-grant limit %(limit)s; "
                    "a case must allow at least one full grant."
                )
                % {"holder": holder, "per_case": per_case, "limit": limit}
            )
    return problems


def programme_problems(entries: list[dict]) -> list[str]:
    """Why a document's programme tiers cannot be published: a source without its value (naming the
    field), then what the engine refuses (a status twice, spend tiers whose multiplier falls)."""
    problems = [problem[1] for problem in map(programme_tier_problem, entries) if problem]
    if problems:
        return problems
    try:
        policy_from_document({"programme_tiers": entries, "playbooks": [PROBE_PLAYBOOK]})
    except (ValueError, ArithmeticError) as error:
        return [gettext("Programme tiers: %(problem)s.") % {"problem": error}]
    return []


# A playbook that builds whatever the tiers: the engine checks programme tiers when it builds a rule.
PROBE_PLAYBOOK = {"id": 0, "name": "probe", "percent": "0", "floor": "0", "ceiling": "0", "is_active": True}
