"""Publishing policy versions and rolling back: the only code that writes `PolicyVersion`.

The rules of a privilege programme must never change suddenly, so every
version carries a reason and an effective date that is now or later, never in
the past, and never before a version already scheduled (which would silently
undo the new change when the scheduled one takes effect).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from compensation import wording
from compensation.document_checks import document_problems  # noqa: F401 (re-exported: views and tests read it here)
from compensation.eligibility import OVERRIDE_FIELDS
from compensation.errors import DomainError
from compensation.journal import POLICY_CHAIN, journal_append
from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    Location,
    LocationBudget,
    Playbook,
    PlaybookLocationOverride,
    PlaybookTierMultiplier,
    PolicyCurrencyAmount,
    PolicyVersion,
    ProgrammeTier,
    RoleAuthority,
    TenureTier,
)
from compensation.observability import logs_action
from compensation.policy import (
    PLAYBOOK_FIELDS,
    TRANSLATED_TEXT_FIELDS,
    TRANSLATED_TIER_FIELDS,
    draft_document,
    playbook_categories,
    with_blank_translations,
)
from compensation.recording import delete_with_history, save_with_history

# A date-time typed on the page is a few seconds old when it arrives; within this it means "now".
EFFECTIVE_GRACE = timedelta(minutes=1)
# Scheduling further ahead is almost surely a typo, and would block every publish until then.
EFFECTIVE_HORIZON = timedelta(days=366)
# A tier moved out of the way during a rollback starts here until it gets its own value back.
MOVED_ASIDE_MONTHS = 10**6


class PolicyError(DomainError):
    """A publish or rollback the service refuses (worded in the active language when raised)."""


def _effective_from(effective_at, now):
    if effective_at is None or now - EFFECTIVE_GRACE <= effective_at <= now:
        return now
    if effective_at > now + EFFECTIVE_HORIZON:
        raise PolicyError(
            "effective_at",
            gettext(
                "Effective from: at most a year ahead; a version scheduled further out would block every change "
                "until then."
            ),
        )
    if effective_at < now:
        raise PolicyError(
            "effective_at",
            gettext(
                "Effective from: %(when)s is in the past. A new version takes effect now or later, never retroactively."
            )
            % {"when": wording.moment_words(effective_at, zone=True)},
        )
    return effective_at


@logs_action(
    "policy.publish",
    fields=lambda kw: {"effective_at": kw.get("effective_at"), "restores": getattr(kw.get("restores"), "number", None)},
    result_fields=lambda version: {"version": version.number},
)
def policy_publish(*, actor, reason: str, effective_at=None, document: dict | None = None, restores=None):
    """Publish the draft (or `document`) as the next version, in force from `effective_at` (default now).

    Refuses a missing reason, a past date, a date before an already scheduled
    version, an inconsistent document, and a document identical to the latest
    version (nothing would change).
    """
    reason = (reason or "").strip()
    if not reason:
        raise PolicyError("reason", gettext("Reason: say why the policy changes; staff and managers will read it."))
    if len(reason) > 500:
        raise PolicyError("reason", gettext("Reason: keep it under 500 characters."))
    document = document if document is not None else draft_document()
    problems = document_problems(document)
    if problems:
        raise PolicyError(
            None, gettext("The draft cannot be published: %(problems)s") % {"problems": " ".join(problems)}
        )
    now = timezone.now()
    effective_at = _effective_from(effective_at, now)
    try:
        with transaction.atomic():
            # Lock the newest version: two ops publishing at once get consecutive numbers.
            latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
            if latest is not None and with_blank_translations(latest.document) == with_blank_translations(document):
                raise PolicyError(
                    None,
                    gettext("Nothing to publish: this is the same as version %(number)s.") % {"number": latest.number},
                )
            last_effective = PolicyVersion.objects.aggregate(last=Max("effective_at"))["last"]
            if last_effective is not None and effective_at < last_effective:
                scheduled = PolicyVersion.objects.filter(effective_at=last_effective).order_by("-number").first()
                raise PolicyError(
                    "effective_at",
                    gettext(
                        "Effective from: version %(number)s is already scheduled for %(when)s; a new version must "
                        "take effect at or after it, or it would be undone when that version starts."
                    )
                    % {"number": scheduled.number, "when": wording.moment_words(last_effective, zone=True)},
                )
            version = PolicyVersion.objects.create(
                number=(latest.number if latest else 0) + 1,
                effective_at=effective_at,
                reason=reason,
                document=document,
                published_by=actor,
                published_by_username=actor.get_username() if actor else "system",
                published_at=now,
                restores=restores,
            )
            journal_append(
                chain=POLICY_CHAIN,
                kind="policy.published",
                subject_type="policy_version",
                subject_id=version.pk,
                actor=actor,
                at=now,
                payload={
                    "number": version.number,
                    "effective_at": effective_at,
                    "reason": reason,
                    "document_sha256": hashlib.sha256(
                        json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
                    ).hexdigest(),
                    "restores": restores.number if restores else None,
                },
            )
            return version
    except IntegrityError as error:
        raise PolicyError(
            None, gettext("Another version was published at the same moment: review and publish again.")
        ) from error


@logs_action(
    "policy.rollback",
    fields=lambda kw: {"to_version": kw["version"].number},
    result_fields=lambda version: {"version": version.number},
)
def policy_rollback(*, actor, version: PolicyVersion, reason: str, effective_at=None) -> PolicyVersion:
    """Publish an earlier version's content anew, and make the draft match it.

    The past is not rewritten: the rollback is a new version with its own
    number, reason and date, pointing at the version it restores.
    """
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            published = policy_publish(
                actor=actor, reason=reason, effective_at=effective_at, document=version.document, restores=version
            )
            draft_load(version.document, actor=actor, reason=f"Rolled back to version {version.number}: {reason}")
    except IntegrityError as error:
        raise PolicyError(
            None,
            gettext("The draft could not be reset to version %(number)s (%(error)s); nothing was changed.")
            % {"number": version.number, "error": error},
        ) from error
    return published


def draft_load(document: dict, *, actor, reason: str) -> None:
    """Make the draft tables equal to `document`, recording each change in their history."""
    tiers_in_document = {t["id"] for t in document.get("tiers", [])}
    for entry in document.get("tiers", []):
        # Another tier may hold this name or start month now (renamed since): move it aside first.
        in_the_way = TenureTier.objects.exclude(pk=entry["id"]).filter(
            Q(name=entry["name"]) | Q(min_months=entry["min_months"])
        )
        for other in in_the_way:
            other.name, other.min_months = f"(moving) {other.pk}", MOVED_ASIDE_MONTHS + other.pk
            save_with_history(other, actor=actor, reason=reason)
        tier = TenureTier.objects.filter(pk=entry["id"]).first() or TenureTier(pk=entry["id"])
        tier.name, tier.min_months, tier.multiplier = entry["name"], entry["min_months"], entry["multiplier"]
        for key in TRANSLATED_TIER_FIELDS:
            setattr(tier, key, entry.get(key) or "")  # a version from before a translation has none
        save_with_history(tier, actor=actor, reason=reason)
    for multiplier in PlaybookTierMultiplier.objects.all():
        delete_with_history(multiplier, actor=actor, reason=reason)
    for override in PlaybookLocationOverride.objects.all():
        delete_with_history(override, actor=actor, reason=reason)
    location_ids = dict(Location.objects.values_list("code", "id"))
    for tier in TenureTier.objects.exclude(pk__in=tiers_in_document):
        delete_with_history(tier, actor=actor, reason=reason)

    programme_tiers_load(document.get("programme_tiers") or [], actor=actor, reason=reason)

    playbooks_in_document = set()
    for entry in document.get("playbooks", []):
        playbooks_in_document.add(entry["id"])
        for other in Playbook.objects.exclude(pk=entry["id"]).filter(code=entry["code"]):
            other.code = f"moving-{other.pk}"
            save_with_history(other, actor=actor, reason=reason)
        playbook = Playbook.objects.filter(pk=entry["id"]).first() or Playbook(pk=entry["id"])
        for name in PLAYBOOK_FIELDS:
            # A version published before translations existed has no `name_ru`…: blank, English is shown.
            setattr(playbook, name, entry.get(name, "") if name in TRANSLATED_TEXT_FIELDS else entry.get(name))
        playbook.categories = playbook_categories(entry)  # none before fits existed: every failure
        # None before base amounts existed: the floor, as then.
        playbook.nothing_bought = entry.get("nothing_bought") or Playbook.NothingBought.FLOOR
        # None before eligibility existed: offered at every location.
        playbook.applies_to = entry.get("applies_to") or Playbook.AppliesTo.ALL
        playbook.locations = list(entry.get("locations") or [])
        playbook.location_kinds = list(entry.get("location_kinds") or [])
        save_with_history(playbook, actor=actor, reason=reason)
        for code, values in entry.get("location_overrides", {}).items():
            if code not in location_ids:
                continue  # a location since removed from the database cannot carry an override again
            save_with_history(
                PlaybookLocationOverride(
                    playbook=playbook,
                    location_id=location_ids[code],
                    **{name: values.get(name) for name in OVERRIDE_FIELDS},
                ),
                actor=actor,
                reason=reason,
            )
        for tier_id, value in entry.get("multipliers", {}).items():
            save_with_history(
                PlaybookTierMultiplier(playbook=playbook, tier_id=int(tier_id), multiplier=value),
                actor=actor,
                reason=reason,
            )
    for playbook in Playbook.objects.exclude(pk__in=playbooks_in_document).filter(is_active=True):
        playbook.is_active = False  # playbooks are never deleted: grants point at them
        save_with_history(playbook, actor=actor, reason=reason)

    roles = document.get("role_authorities", {})
    for role, limit in roles.items():
        row = RoleAuthority.objects.filter(role=role).first() or RoleAuthority(role=role)
        row.limit = limit
        save_with_history(row, actor=actor, reason=reason)
    for row in RoleAuthority.objects.exclude(role__in=list(roles)):
        delete_with_history(row, actor=actor, reason=reason)

    employees = {int(user_id): entry for user_id, entry in document.get("employee_authorities", {}).items()}
    for row in EmployeeAuthority.objects.all():
        if row.user_id not in employees:
            delete_with_history(row, actor=actor, reason=reason)
    for user_id, entry in employees.items():
        row = EmployeeAuthority.objects.filter(user_id=user_id).first() or EmployeeAuthority(user_id=user_id)
        row.limit = entry["limit"]
        save_with_history(row, actor=actor, reason=reason)

    for row in CustomerLimit.objects.all():
        delete_with_history(row, actor=actor, reason=reason)
    for entry in document.get("customer_limits", []):
        # An older document has no unit, playbook or tier: days, every playbook, every tier.
        values = {key: value for key, value in entry.items() if key != "playbook"}
        save_with_history(CustomerLimit(playbook_id=entry.get("playbook"), **values), actor=actor, reason=reason)

    budgets = {int(location_id): entry for location_id, entry in document.get("location_budgets", {}).items()}
    for row in LocationBudget.objects.all():
        if row.location_id not in budgets:
            delete_with_history(row, actor=actor, reason=reason)
    for location_id, entry in budgets.items():
        row = LocationBudget.objects.filter(location_id=location_id).first() or LocationBudget(location_id=location_id)
        row.monthly_amount, row.when_exhausted = entry["monthly_amount"], entry["when_exhausted"]
        save_with_history(row, actor=actor, reason=reason)
    currency_amounts_load(document.get("currency_amounts") or {}, actor=actor, reason=reason)


def currency_amounts_load(statements: dict, *, actor, reason: str) -> None:
    """Make the statements in other currencies equal to a document's (none in one from before them)."""
    for row in PolicyCurrencyAmount.objects.all():
        delete_with_history(row, actor=actor, reason=reason)
    for currency, sections in statements.items():
        for subject, items in sections.items():
            for key, fields in items.items():
                for field, amount in fields.items():
                    row = PolicyCurrencyAmount(currency=currency, subject=subject, key=key, field=field, amount=amount)
                    save_with_history(row, actor=actor, reason=reason)


def programme_tiers_load(entries: list[dict], *, actor, reason: str) -> None:
    """Make the programme tiers equal to a document's (none in a document from before them)."""
    kept = {entry["id"] for entry in entries}
    for tier in ProgrammeTier.objects.exclude(pk__in=kept):
        delete_with_history(tier, actor=actor, reason=reason)
    for entry in entries:
        # Another tier may hold this name or status now (renamed since): move it aside first.
        for other in ProgrammeTier.objects.exclude(pk=entry["id"]).filter(
            Q(name=entry["name"]) | Q(source=entry.get("source"), status=entry.get("status") or "-")
        ):
            other.name, other.status = f"(moving) {other.pk}", f"(moving) {other.pk}"
            save_with_history(other, actor=actor, reason=reason)
    for entry in entries:
        tier = ProgrammeTier.objects.filter(pk=entry["id"]).first() or ProgrammeTier(pk=entry["id"])
        tier.name, tier.source, tier.status = entry["name"], entry["source"], entry.get("status") or ""
        tier.min_spend, tier.multiplier = entry.get("min_spend"), entry["multiplier"]
        for key in TRANSLATED_TIER_FIELDS:
            setattr(tier, key, entry.get(key) or "")
        save_with_history(tier, actor=actor, reason=reason)


def currency_amounts_save(*, actor, currency: str, statements: dict) -> int:
    """Save one currency's statement of the draft's amounts (`CurrencyAmountsForm.statements`): a None amount
    states nothing (its row goes). Each change is kept in the row's history; returns how many rows changed."""
    reason = f"Amounts in {currency} edited in the draft on the ops pages"
    rows = {(row.subject, row.key, row.field): row for row in PolicyCurrencyAmount.objects.filter(currency=currency)}
    changed = 0
    with transaction.atomic():
        for (subject, key, field), amount in statements.items():
            row = rows.get((subject, key, field))
            if amount is None:
                if row is not None:
                    delete_with_history(row, actor=actor, reason=reason)
                    changed += 1
            elif row is None or row.amount != amount:
                row = row or PolicyCurrencyAmount(currency=currency, subject=subject, key=key, field=field)
                row.amount = amount
                save_with_history(row, actor=actor, reason=reason)
                changed += 1
    return changed
