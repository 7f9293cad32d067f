"""What a grant keeps of the policy it was made under: the rule values, texts, tiers, authority and limits.

Stored on the grant (`Grant.policy_snapshot`) so the audit shows the rule as it
was, whatever later versions say; the texts in every language, so the slip and
the voucher page read in the customer's.
"""

from __future__ import annotations

from compensation.caps import Authority, PlaybookRule
from compensation.customer_limits import limit_entry_of
from compensation.documents import AUTHORITY_BOUNDS, TRANSLATED_TIER_FIELDS, money_or_none
from compensation.money import ZERO
from compensation.texts import PLAYBOOK_TEXTS, SNAPSHOT_TEXT_KEYS, TRANSLATED_LANGUAGES, translated_key
from compensation.tiers import programme_tier_entry


def grant_snapshot(
    policy, playbook_id: int, authority: Authority, currency: str, *, status: str = "", lifetime_spend=None
) -> dict:
    """The rule values a grant was made under, stored with it for the audit.

    With programme tiers, the customer's status and lifetime spend are kept too
    (they chose the tier), so the steps can be worded again from the snapshot.

    The texts are kept in every language (`playbook_ru`, `offer_ru`, …; blank
    when ops entered none), so the granted page, the slip and the voucher
    page can show what was published in the reader's language.
    """
    rule = policy.rules[playbook_id]
    playbook = policy.playbooks[playbook_id]
    return {
        "policy_version": policy.version.number if policy.version else None,
        "playbook": rule.name,
        "offer": playbook.offer,
        "apology_script": playbook.apology_script,
        **{
            translated_key(SNAPSHOT_TEXT_KEYS[name], language): getattr(playbook, translated_key(name, language))
            for language in TRANSLATED_LANGUAGES
            for name in PLAYBOOK_TEXTS
        },
        "voucher_valid_days": playbook.voucher_valid_days,
        "percent": str(rule.percent),
        "floor": str(rule.floor),
        "ceiling": str(rule.ceiling),
        "nothing_bought": rule.nothing_bought,
        "base_amount": money_or_none(rule.base_amount),
        "tiers": [
            {
                "name": t.name,
                **{key: getattr(t, key) for key in TRANSLATED_TIER_FIELDS},
                "min_months": t.min_months,
                "multiplier": str(t.multiplier),
            }
            for t in rule.tiers
        ],
        **_programme_snapshot(rule, status, lifetime_spend),
        "authority": {"role": authority.role, "limit": str(authority.limit)}
        | {name: str(getattr(authority, name)) for name in AUTHORITY_BOUNDS if getattr(authority, name) is not None},
        "customer_limits": [limit_entry_of(r) for r in policy.customer_limits],
        "currency": currency,
    }


def _programme_snapshot(rule: PlaybookRule, status: str, lifetime_spend) -> dict:
    """Nothing without programme tiers: such a snapshot reads as every one stored before them."""
    if not rule.programme_tiers:
        return {}
    return {
        "programme_tiers": [programme_tier_entry(tier) for tier in rule.programme_tiers],
        "customer_status": status or "",
        "lifetime_spend": str(lifetime_spend if lifetime_spend is not None else ZERO),
    }
