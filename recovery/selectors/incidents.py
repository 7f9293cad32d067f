"""Incidents for their pages: the list, one incident, and the preview of its one decision.

The preview prices every attached customer as the counter would (the policy
version in force, the incident's playbook and purchase value, the deciding
employee's authority, the customer's rolling limits) in a fixed number of
queries whatever the number of customers, and sets the total against the
location's remaining month budget. The grant service reads it again before each
chunk it grants, so what was previewed is what is decided.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from compensation import wording
from compensation.customer_limits import window_starts
from compensation.limits import budget_remaining, limits_check
from compensation.money import ZERO, format_money, quantize
from compensation.policy import load_policy, tenure_in_months
from compensation.predicates import roles_of, sees_every_location
from compensation.texts import localized_text
from compensation.tiers import Standing, TierSource
from recovery.models import Customer, Grant, Incident, IncidentCustomer
from recovery.predicates import location_ids_of
from recovery.selectors.standing import lifetime_spends
from recovery.selectors.usage import budget_spent, windows_used

READY, GRANTED, REFUSED = "ready", "granted", "refused"


def incidents_for(*, user):
    """The incidents of the user's locations (every location for ops and auditors), newest first, with counts."""
    incidents = Incident.objects.select_related("location", "playbook", "created_by")
    if not sees_every_location(user):
        incidents = incidents.filter(location_id__in=location_ids_of(user))
    return incidents.annotate(
        attached_count=Count("attached", distinct=True),
        granted_count=Count("failures__grants", filter=Q(failures__grants__status=Grant.Status.ACTIVE), distinct=True),
        granted_total=Sum("failures__grants__amount", filter=Q(failures__grants__status=Grant.Status.ACTIVE)),
    )[:200]


def incident_detail_for(*, incident_id: int) -> Incident:
    """One incident with what its page shows beside it (raises Incident.DoesNotExist)."""
    return Incident.objects.select_related("location", "playbook", "created_by", "decided_by").get(pk=incident_id)


@dataclass(frozen=True)
class PreviewRow:
    """One attached customer: what the decision would grant them, or what they were granted, or why not."""

    attached_id: int
    customer: Customer
    status: str  # READY, GRANTED or REFUSED
    amount: Decimal  # what is (or was) granted; 0 when refused
    cap: Decimal | None
    reason: str = ""  # why refused, or a note on the cap (limited by the authority)
    grant_id: int | None = None


@dataclass(frozen=True)
class IncidentPreview:
    """Every customer's row and the totals the decision is judged on."""

    incident: Incident
    rows: list[PreviewRow]
    currency: str
    version_number: int | None
    authority_limit: Decimal
    budget_monthly: Decimal | None
    budget_left: Decimal | None

    def _of(self, status: str) -> list[PreviewRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def ready(self) -> list[PreviewRow]:
        return self._of(READY)

    @property
    def granted(self) -> list[PreviewRow]:
        return self._of(GRANTED)

    @property
    def refused(self) -> list[PreviewRow]:
        return self._of(REFUSED)

    @property
    def progress_total(self) -> int:
        """The customers the decision grants: those granted already and those ready."""
        return len(self.granted) + len(self.ready)

    @property
    def ready_total(self) -> Decimal:
        return quantize(sum((row.amount for row in self.ready), ZERO), self.currency)

    @property
    def granted_total(self) -> Decimal:
        return quantize(sum((row.amount for row in self.granted), ZERO), self.currency)

    @property
    def over_budget(self) -> bool:
        return self.budget_left is not None and self.ready_total > self.budget_left

    @property
    def refusal(self) -> str:
        """Why the decision cannot be made now ('' when it can)."""
        if not self.rows:
            return gettext("Customers: attach at least one customer before deciding.")
        if self.over_budget:
            return gettext(
                "The total of %(total)s is above the %(left)s left of this location's monthly budget: "
                "nothing was granted. Ask ops to raise the budget, or grant fewer customers."
            ) % {
                "total": format_money(self.ready_total, self.currency, locale=wording.locale()),
                "left": format_money(self.budget_left, self.currency, locale=wording.locale()),
            }
        return ""


def incident_preview(*, incident: Incident, user, policy=None, now=None) -> IncidentPreview:
    """Every attached customer priced for `user`'s decision now, in five queries however many there are.

    The cap is the counter's (`Policy.quote`: playbook, the tier the customer's tenure, status or
    lifetime spend reaches, authority);
    a cap of nothing, a playbook not offered when nothing was bought, or a
    customer's rolling limit refuses the customer, with the reason. The budget
    is judged on the total, not per customer: the decision is one.
    """
    now = now or timezone.now()
    location = incident.location
    # As the location's counter sees it: a playbook not offered there refuses everyone, its own values apply.
    policy = (policy or load_policy(now)).at_location(location)
    currency = location.currency
    authority = policy.authority_for(roles_of(user), user.pk)
    attached = list(IncidentCustomer.objects.filter(incident=incident).select_related("customer").order_by("pk"))
    granted = {
        row["customer_id"]: row
        for row in Grant.objects.filter(failure__incident=incident).values("customer_id", "pk", "amount", "status")
    }
    usage = _windows_for(
        [entry.customer_id for entry in attached], policy.customer_limits, now, currency, location.timezone
    )
    playbook = policy.playbooks.get(incident.playbook_id)
    standings = _standings(attached, policy, playbook, location, currency)
    rows = []
    for entry in attached:
        done = granted.get(entry.customer_id)
        if done is not None:
            voided = done["status"] != Grant.Status.ACTIVE
            reason = gettext("Voided since.") if voided else ""
            amount = ZERO if voided else done["amount"]
            rows.append(PreviewRow(entry.pk, entry.customer, GRANTED, amount, None, reason, done["pk"]))
            continue
        if playbook is None:
            reason = gettext("The playbook is not active in the version in force: choose another.")
            rows.append(PreviewRow(entry.pk, entry.customer, REFUSED, ZERO, None, reason))
            continue
        standing = standings[entry.customer_id]
        quote = policy.quote(
            playbook.id,
            purchase_value=incident.purchase_value,
            tenure_months=standing.tenure_months,
            authority=authority,
            currency=currency,
            status=standing.status,
            lifetime_spend=standing.lifetime_spend,
        )
        # The playbook's customer limits and the customer's tiers', as their counter grant would check them.
        rules = policy.limits_applying(playbook.id, standing)
        rows.append(_row(entry, quote, rules, usage.get(entry.customer_id, {}), currency, playbook))
    budget = policy.budget_for(location.pk)
    spent = budget_spent(location=location, now=now, currency=currency) if budget else None
    return IncidentPreview(
        incident=incident,
        rows=rows,
        currency=currency,
        version_number=policy.version.number if policy.version else None,
        authority_limit=authority.limit,
        budget_monthly=budget.monthly_amount if budget else None,
        budget_left=budget_remaining(budget, spent) if budget else None,
    )


def _standings(attached, policy, playbook, location, currency) -> dict[int, Standing]:
    """Each attached customer's standing as their own counter grant reads it (`selectors.standing_of`):
    tenure at the location today, the status held, and lifetime spend in its currency, so a Gold
    customer is previewed, and then granted, at the Gold amount. The spend is read (one query for
    everyone) only when the playbook has a spend tier: no other rule looks at it."""
    reads_spend = playbook is not None and any(
        tier.source == TierSource.SPEND for tier in policy.rules[playbook.id].programme_tiers
    )
    spends = lifetime_spends([entry.customer_id for entry in attached], currency) if reads_spend else {}
    today = location.today()
    return {
        entry.customer_id: Standing(
            tenure_months=tenure_in_months(entry.customer.customer_since, today),
            status=entry.customer.status,
            lifetime_spend=spends.get(entry.customer_id, ZERO),
        )
        for entry in attached
    }


def _row(entry, quote, rules, usage, currency, playbook) -> PreviewRow:
    """One customer not granted yet: ready with the cap, or refused with the reason the counter would give."""
    if not quote.offered:
        reason = gettext("“%(playbook)s” is not offered when nothing was bought.") % {
            "playbook": localized_text(playbook, "name")
        }
        return PreviewRow(entry.pk, entry.customer, REFUSED, ZERO, quote.cap, reason)
    if quote.cap <= 0:
        reason = gettext("Your authority allows nothing for this customer.")
        return PreviewRow(entry.pk, entry.customer, REFUSED, ZERO, quote.cap, reason)
    check = limits_check(
        cap=quote.cap,
        cap_reason="",
        customer_rules=rules,
        usage=usage,
        budget=None,
        budget_spent=ZERO,
        currency=currency,
    )
    stops = [stop for stop in check.stops_for(quote.cap) if stop.limit != "cap"]
    if stops:
        return PreviewRow(entry.pk, entry.customer, REFUSED, ZERO, quote.cap, " ".join(stop.text for stop in stops))
    note = gettext("Limited by your authority.") if quote.limited_by_authority else ""
    return PreviewRow(entry.pk, entry.customer, READY, quote.cap, quote.cap, note)


def _windows_for(customer_ids, rules, now, currency, zone) -> dict[int, dict]:
    """Each customer's active grants per rule's window and scope (all locations), for all customers in one query.

    The same measure as `selectors.usage.limit_usage` (`windows_used`: amounts added
    within `currency` only), read for many customers at once.
    """
    if not customer_ids or not rules:
        return {}
    starts = window_starts(rules, now, zone)
    grants: dict[int, list] = defaultdict(list)
    rows = (
        Grant.objects.filter(
            customer_id__in=customer_ids, granted_at__gt=min(starts.values()), status=Grant.Status.ACTIVE
        )
        .order_by()
        .values_list("customer_id", "granted_at", "amount", "currency", "playbook_id")
    )
    for customer_id, *grant in rows:
        grants[customer_id].append(grant)
    return {customer_id: windows_used(rows, rules, starts, currency) for customer_id, rows in grants.items()}
