"""Per-customer limit rules: their windows (days or calendar months), scope (a playbook) and tier.

Pure (no database; Django only for gettext). A programme states rules such as
"at most 6 goodwill grants per 6 months, and at most 1 out-of-pocket
reimbursement a year", or gives its Gold customers 10 where everyone else has 6.
Three things decide what a customer may still get:

- which rules apply (`rules_applying`): a playbook's own rule applies only when
  granting that playbook, an every-playbook rule always; a tier's rule applies
  only to customers in that tier and there REPLACES the every-tier rule of the
  same window and playbook (the tier's own bound, higher or lower);
- where each window starts (`window_start`): N days back, or the same day N
  calendar months back in the location's calendar, clamped to the month's end;
- what each rule has left (`compensation.limits.room_left`), against the usage
  its own window and scope count: a grant made under a playbook's own rule also
  counts toward the every-playbook rule of its window.
"""

from __future__ import annotations

import calendar
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext, ngettext

from compensation import wording
from compensation.money import ZERO
from compensation.texts import localized_text

DAYS = "days"
MONTHS = "months"
UNITS = (DAYS, MONTHS)
# How a document names a tier: the list it is in and its id there ("tenure:3", "programme:5").
TENURE_TIER = "tenure"
PROGRAMME_TIER = "programme"


def tier_key(kind: str, tier_id) -> str:
    """A tier as a limit rule names it: "tenure:3" for tenure tier 3, "programme:5" for programme tier 5.

    Why both parts: tenure and programme tiers are two tables whose ids may coincide.
    """
    return f"{kind}:{tier_id}"


def limit_key(window_days: int, window_unit: str = DAYS, playbook=None, tier: str = "") -> str:
    """A customer limit's identity in a document: its window, unit, playbook and tier ("30" alone for
    one in days over every playbook and tier, as versions from before units keyed it; "6 months 12 *"
    otherwise). The change list and the amounts stated in another currency both name a limit by it."""
    if (window_unit or DAYS, playbook, tier or "") == (DAYS, None, ""):
        return str(window_days)
    return f"{window_days} {window_unit} {playbook or '*'} {tier or '*'}"


def entry_key(entry: dict) -> str:
    """`limit_key` of a document's customer limit entry (missing keys: the defaults)."""
    return limit_key(
        entry["window_days"], entry.get("window_unit") or DAYS, entry.get("playbook"), entry.get("tier") or ""
    )


def entry_described(document: dict, entry: dict) -> tuple[str, dict[str, str]]:
    """A document's customer limit in words ("12 months, “Reimburse costs”, Gold tier") and its scope
    as named fields ({"playbook": …, "tier": …}, only those it sets), names read from `document`."""
    unit, playbook, tier = entry.get("window_unit") or DAYS, entry.get("playbook"), entry.get("tier") or ""
    label = window_text(entry["window_days"], unit)
    scope = {}
    if playbook is not None:
        names = {p["id"]: p["name"] for p in document.get("playbooks", [])}
        scope["playbook"] = names.get(playbook, f"#{playbook}")
        label += f", “{scope['playbook']}”"
    if tier:
        kind, _, tier_id = tier.partition(":")
        listed = document.get("tiers" if kind == "tenure" else "programme_tiers") or []
        scope["tier"] = next((t["name"] for t in listed if str(t.get("id")) == tier_id), tier)
        label += ", " + gettext("%(tier)s tier") % {"tier": scope["tier"]}
    return label, scope


@dataclass(frozen=True)
class CustomerLimitRule:
    """At most `max_grants` grants and `max_total` per customer in `window_days` days or calendar
    months (`window_unit`), of one playbook's grants (`playbook_id`) or all, for customers in one
    tier (`tier`, a `tier_key`) or all. None: no such bound; "" / None scope: every one."""

    window_days: int  # the window's length, in `window_unit` (days, as before units existed)
    max_grants: int | None
    max_total: Decimal | None
    window_unit: str = DAYS
    playbook_id: int | None = None
    tier: str = ""
    # For the wording only: the playbook's and the tier's names (English, and translations).
    playbook_name: str = field(default="", compare=False)
    playbook_name_ru: str = field(default="", compare=False)
    playbook_name_ro: str = field(default="", compare=False)
    tier_name: str = field(default="", compare=False)

    def __post_init__(self):
        if self.window_days < 1:
            raise ValueError("window_days must be at least 1")
        if self.window_unit not in UNITS:
            raise ValueError("window_unit must be days or months")
        if self.max_grants is not None and self.max_grants < 1:
            raise ValueError("max_grants must be at least 1")
        if self.max_total is not None and self.max_total < ZERO:
            raise ValueError("max_total must not be negative")

    @property
    def scope(self) -> tuple[int, str, int | None]:
        """The window and the grants it counts: rules of one scope differ only by tier."""
        return (self.window_days, self.window_unit, self.playbook_id)

    @property
    def document_key(self) -> str:
        """This rule's identity in a document (`limit_key`): amounts stated in another currency name it."""
        return limit_key(self.window_days, self.window_unit, self.playbook_id, self.tier)

    @property
    def usage_key(self):
        """Where the usage of this rule's window and scope is kept: the window in days for an
        every-playbook day rule (as before units existed), else its `scope`."""
        if self.window_unit == DAYS and self.playbook_id is None:
            return self.window_days
        return self.scope


@dataclass(frozen=True)
class WindowUsage:
    """The customer's active grants in one window (of one playbook, or all), across all locations."""

    grants: int = 0
    total: Decimal = ZERO


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months before `day`, clamped to that month's end.

    31 August less 6 months is 28 (or 29) February: a month has no 31st, and
    rolling over into March would make the window shorter than the months stated.
    """
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_start(now: datetime, length: int, unit: str, zone: str) -> datetime:
    """Where a window of `length` days or calendar months ending `now` starts (grants after it count).

    Months are the location's calendar (`zone`): the same wall-clock time on the
    same day `length` months back (`months_before`), so "6 months" on 15 June at
    noon starts 15 December at noon, whatever the months' lengths.
    """
    if unit == DAYS:
        return now - timedelta(days=length)
    local = now.astimezone(zoneinfo.ZoneInfo(zone))
    day = months_before(local.date(), length)
    return local.replace(year=day.year, month=day.month, day=day.day)


def window_starts(rules, now: datetime, zone: str) -> dict:
    """Each rule's `usage_key` and where its window starts."""
    return {rule.usage_key: window_start(now, rule.window_days, rule.window_unit, zone) for rule in rules}


def counts_toward(rule: CustomerLimitRule, playbook_id: int | None) -> bool:
    """Whether a grant of `playbook_id` is counted by `rule`: every grant, or its playbook's own."""
    return rule.playbook_id is None or rule.playbook_id == playbook_id


def _generosity(rule: CustomerLimitRule) -> tuple:
    """Orders rules by what they allow: more grants first, then a larger total (None: unbounded)."""
    infinite = Decimal("Infinity")
    return (
        infinite if rule.max_grants is None else rule.max_grants,
        infinite if rule.max_total is None else rule.max_total,
    )


def rules_for_tiers(rules, tiers: frozenset[str] | set[str]) -> tuple[CustomerLimitRule, ...]:
    """The rules that bind a customer in `tiers` (the `tier_key`s they are in), in the rules' order.

    A tier's rule REPLACES the every-tier rule of its window and playbook for a
    customer in that tier (Gold: 10 per 6 months where everyone else has 6); a
    tier's rule with no every-tier counterpart simply applies to that tier. A
    customer in several tiers with rules of one scope (a tenure tier and a
    status both stating one) gets the most generous of them: each tier is an
    allowance earned, not a further restriction.
    """
    chosen: dict[tuple, CustomerLimitRule] = {}
    for rule in rules:
        if rule.tier and rule.tier in tiers:
            best = chosen.get(rule.scope)
            if best is None or _generosity(rule) > _generosity(best):
                chosen[rule.scope] = rule
    kept = []
    for rule in rules:
        if rule.tier:
            if chosen.get(rule.scope) is rule:
                kept.append(rule)
        elif rule.scope not in chosen:
            kept.append(rule)
    return tuple(kept)


def rules_applying(rules, playbook_id: int | None, tiers: frozenset[str] | set[str]) -> tuple[CustomerLimitRule, ...]:
    """The rules that bound a grant of `playbook_id` to a customer in `tiers` (`rules_for_tiers`),
    less the other playbooks' own rules."""
    return tuple(rule for rule in rules_for_tiers(rules, tiers) if counts_toward(rule, playbook_id))


# --- from a policy document -------------------------------------------------------------------

# What a document's customer limit means when it does not say: as before units, playbook and tier
# rules existed. The draft leaves these out, so a policy that uses none publishes the same document.
CUSTOMER_LIMIT_DEFAULTS = {"window_unit": DAYS, "playbook": None, "tier": ""}


def limit_entry(*, window_days, max_grants, max_total, window_unit, playbook, tier) -> dict:
    """A customer limit as a document (and a grant's snapshot) states it: its unit, playbook and
    tier only when not the default (`CUSTOMER_LIMIT_DEFAULTS`)."""
    entry = {
        "window_days": window_days,
        "max_grants": max_grants,
        "max_total": None if max_total is None else str(max_total),
    }
    scope = {"window_unit": window_unit, "playbook": playbook, "tier": tier}
    return entry | {key: value for key, value in scope.items() if value not in (CUSTOMER_LIMIT_DEFAULTS[key], None, "")}


def limit_entry_of(limit) -> dict:
    """`limit_entry` of a draft row (`CustomerLimit`) or an engine rule (`CustomerLimitRule`): both name
    their parts alike, so the draft's document and a grant's snapshot write a limit the same way."""
    return limit_entry(
        window_days=limit.window_days,
        max_grants=limit.max_grants,
        max_total=limit.max_total,
        window_unit=limit.window_unit,
        playbook=limit.playbook_id,
        tier=limit.tier,
    )


def customer_limit_rules(document: dict) -> tuple[CustomerLimitRule, ...]:
    """A document's customer limits as rules. Missing unit, playbook and tier (every document from
    before they existed, and whenever they are the default) read as days, every playbook, every tier.
    The playbook's and tier's names come along for the wording (an inactive playbook's too)."""
    playbooks = {entry["id"]: entry for entry in document.get("playbooks", [])}
    tier_names = {tier_key(TENURE_TIER, t["id"]): t["name"] for t in document.get("tiers", []) if "id" in t}
    tier_names |= {
        tier_key(PROGRAMME_TIER, t["id"]): t["name"] for t in document.get("programme_tiers") or () if "id" in t
    }
    rules = []
    for entry in document.get("customer_limits", []):
        playbook = playbooks.get(entry.get("playbook"), {})
        rules.append(
            CustomerLimitRule(
                window_days=entry["window_days"],
                max_grants=entry["max_grants"],
                max_total=None if entry["max_total"] is None else Decimal(entry["max_total"]),
                window_unit=entry.get("window_unit") or DAYS,
                playbook_id=entry.get("playbook"),
                tier=entry.get("tier") or "",
                playbook_name=playbook.get("name") or "",
                playbook_name_ru=playbook.get("name_ru") or "",
                playbook_name_ro=playbook.get("name_ro") or "",
                tier_name=tier_names.get(entry.get("tier") or "", ""),
            )
        )
    return tuple(rules)


# --- the words ---------------------------------------------------------------------------------


def window_text(count: int, unit: str = DAYS) -> str:
    """ "30 days", "12 months": a window of `count` `unit`s, in the active language."""
    if unit == MONTHS:
        return ngettext("%(count)d month", "%(count)d months", count) % {"count": count}
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def window_words(rule: CustomerLimitRule) -> str:
    """The rule's window in words (`window_text`)."""
    return window_text(rule.window_days, rule.window_unit)


def playbook_words(rule: CustomerLimitRule) -> str:
    """The rule's playbook in the active language (its English name when untranslated), "" for every playbook."""
    return localized_text(rule, "playbook_name") if rule.playbook_id is not None else ""


def rule_words(rule: CustomerLimitRule, currency: str) -> str:
    """The rule in a line, in the active language: 'at most 1 “Reimburse costs” grant in 12 months
    (Gold tier)', as the simulator and the version page explain which rule applied."""
    figures = {"window": window_words(rule), "playbook": playbook_words(rule)}
    parts = []
    if rule.max_grants is not None:
        if rule.playbook_id is None:
            template = ngettext("at most %(count)d grant", "at most %(count)d grants", rule.max_grants)
        else:
            template = ngettext(
                "at most %(count)d “%(playbook)s” grant", "at most %(count)d “%(playbook)s” grants", rule.max_grants
            )
        parts.append(template % (figures | {"count": rule.max_grants}))
    if rule.max_total is not None:
        if rule.playbook_id is None:
            parts.append(gettext("at most %(total)s in all") % {"total": wording.amount(rule.max_total, currency)})
        else:
            parts.append(
                gettext("at most %(total)s of “%(playbook)s”")
                % (figures | {"total": wording.amount(rule.max_total, currency)})
            )
    text = gettext("%(bounds)s in %(window)s") % {"bounds": ", ".join(parts), "window": figures["window"]}
    if rule.tier:
        text += " " + gettext("(%(tier)s tier)") % {"tier": rule.tier_name or rule.tier}
    return text
