"""Services: the only code that writes customers, failures and grants.

Each service validates what the form cannot know (the policy in force, the
customer's cap, a reused token), then writes in one short transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum, Value
from django.utils import timezone, translation
from django.utils.translation import gettext

from compensation import wording
from compensation.errors import DomainError
from compensation.journal import journal_append, location_chain
from compensation.limits import CustomerLimitRule, LimitCheck, Stop, WindowUsage, limits_check
from compensation.models import Playbook
from compensation.money import ZERO, minor_unit, quantize
from compensation.policy import Policy, load_policy, policy_from_document, tenure_in_months
from compensation.texts import localized_text
from recovery.models import Customer, Escalation, Grant, Location, RuleFlag, ServiceFailure, VoucherRedemption

# No 0/O, 1/I/L or U: a code read aloud or copied by hand stays unambiguous.
VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
VOUCHER_HALF_LENGTH = 5
VOUCHER_CODE_ATTEMPTS = 3


class RecoveryError(DomainError):
    """A counter request the service refuses, with the form field it concerns (None: the whole form).

    The message is worded when it is raised, in the active language: the
    employee's on a page, English in the integration API (its views run under
    `translation.override("en")`).
    """


# --- customers -------------------------------------------------------------------


def phone_normalize(raw: str) -> str:
    """A phone number in E.164 (+447700900123), or '' if `raw` is empty.

    Raises ValueError if it is not a possible phone number.
    """
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.RECOVERY_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number") from error
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def customer_add_walk_in(
    *, actor, location: Location, name: str, phone: str = "", email: str = "", loyalty_card: str = ""
) -> Customer:
    """Quick-add a customer met at the counter today: a walk-in has zero tenure."""
    duplicates = {
        "phone": phone and Customer.objects.filter(phone=phone).exists(),
        "email": email and Customer.objects.filter(email__iexact=email).exists(),
        "loyalty_card": loyalty_card and Customer.objects.filter(loyalty_card__iexact=loyalty_card).exists(),
    }
    for field, taken in duplicates.items():
        if taken:
            raise RecoveryError(field, gettext("A customer with this value already exists: search for them instead."))
    customer = Customer(
        name=name,
        phone=phone,
        email=email.lower(),
        loyalty_card=loyalty_card.upper(),
        customer_since=location.today(),
        created_by=actor,
        created_at_location=location,
    )
    customer._history_user = actor
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        raise RecoveryError(None, gettext("This customer was just added by someone else: search for them.")) from error
    return customer


@dataclass(frozen=True)
class CustomerUpsert:
    """An integration's customer: the one found by phone, email or card (unchanged), or a new one."""

    customer: Customer
    created: bool
    # For a found customer: the fields the request gave other values for (changing them is for ops).
    differences: dict[str, str]


CUSTOMER_KEYS = ("phone", "email", "loyalty_card")


def customer_upsert(
    *, actor, location: Location, name: str, phone="", email="", loyalty_card="", customer_since=None
) -> CustomerUpsert:
    """Find the customer a point-of-sale or CRM sends by phone, email or loyalty card, or create them.

    Values arrive normalised (E.164 phone, lower-case email, upper-case card).
    A found customer is returned unchanged, with the fields the request would
    change: the rules let only ops change a customer. A new customer's tenure
    counts from `customer_since` (the CRM knows it), by default today (a walk-in).
    Identifiers that point at two different customers are refused.
    """
    given = {"phone": phone, "email": email, "loyalty_card": loyalty_card}
    lookups = {
        "phone": Q(phone=phone),
        "email": Q(email__iexact=email),
        "loyalty_card": Q(loyalty_card__iexact=loyalty_card),
    }
    matches = {}
    if any(given.values()):
        condition = Q()
        for field, value in given.items():
            if value:
                condition |= lookups[field]
        for customer in Customer.objects.filter(condition)[:4]:
            for field, value in given.items():
                if value and getattr(customer, field).lower() == value.lower():
                    matches[field] = customer
    found = {customer.pk: customer for customer in matches.values()}
    if len(found) > 1:
        which = ", ".join(
            gettext("%(field)s → customer #%(id)s") % {"field": field, "id": customer.pk}
            for field, customer in matches.items()
        )
        raise RecoveryError(
            None,
            gettext("These details belong to different customers (%(which)s): send one of them.") % {"which": which},
        )
    if found:
        customer = next(iter(found.values()))
        wanted = {**{field: value for field, value in given.items() if value}, "name": name}
        if customer_since is not None:
            wanted["customer_since"] = customer_since
        differences = {
            field: str(getattr(customer, field)) for field, value in wanted.items() if getattr(customer, field) != value
        }
        return CustomerUpsert(customer=customer, created=False, differences=differences)
    if not any(given.values()):
        raise RecoveryError(
            "phone", gettext("Send a phone number, email or loyalty card to find or add the customer by.")
        )
    since = customer_since or location.today()
    if since > location.today():
        raise RecoveryError("customer_since", gettext("Customer since: must not be in the future."))
    customer = Customer(
        name=name,
        phone=phone,
        email=email.lower(),
        loyalty_card=loyalty_card.upper(),
        customer_since=since,
        created_by=actor,
        created_at_location=location,
    )
    customer._history_user = actor
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Added by someone else a moment ago: answer with that customer, as a retry would get.
        return customer_upsert(
            actor=actor,
            location=location,
            name=name,
            phone=phone,
            email=email,
            loyalty_card=loyalty_card,
            customer_since=customer_since,
        )
    return CustomerUpsert(customer=customer, created=True, differences={})


# --- grants -----------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRequest:
    """What the counter submits for one grant; `amount=None` means 'the full cap'."""

    customer: Customer
    location: Location
    category: str
    purchase_value: Decimal
    note: str
    playbook_id: int
    amount: Decimal | None
    token: uuid.UUID
    quoted_cap: Decimal | None = None
    # When the counter opened the case (signed by the resolve page), logged as the failure's time.
    # Not part of the fingerprint: a retry of the same form still replays its grant.
    opened_at: datetime | None = None

    def fingerprint(self) -> str:
        """SHA-256 of the request's content, to tell a true retry from a reused token."""
        canonical = json.dumps(
            [
                self.customer.pk,
                self.location.pk,
                self.category,
                str(self.purchase_value),
                self.note,
                self.playbook_id,
                None if self.amount is None else str(self.amount),
            ]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class GrantOutcome:
    grant: Grant
    replayed: bool  # True when the token had already been used for this very request


def voucher_code_new() -> str:
    """An unguessable, human-readable code such as 7KQ4M-XR9TB (about 49 bits)."""
    chars = "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(2 * VOUCHER_HALF_LENGTH))
    return f"{chars[:VOUCHER_HALF_LENGTH]}-{chars[VOUCHER_HALF_LENGTH:]}"


def _grant_for_token(*, actor, request: GrantRequest) -> GrantOutcome | None:
    existing = Grant.objects.filter(granted_by=actor, token=request.token).first()
    if existing is None:
        return None
    return _replayed(existing.pk, existing.request_fingerprint, request, grant=existing)


def _replayed(grant_id: int, fingerprint: str, request: GrantRequest, grant: Grant | None = None) -> GrantOutcome:
    """The first grant made with this token, if this is the same request again; else a clear refusal."""
    if fingerprint != request.fingerprint():
        raise RecoveryError(
            None,
            gettext(
                "This form was already used for grant #%(grant)s with other values. "
                "Start a new grant from the customer's page."
            )
            % {"grant": grant_id},
        )
    return GrantOutcome(grant=grant or Grant.objects.get(pk=grant_id), replayed=True)


@dataclass(frozen=True)
class TokenUse:
    """What this employee already did with a form token: a grant, and/or an escalation not declined."""

    grant_id: int | None = None
    grant_fingerprint: str = ""
    escalation_id: int | None = None
    escalation_status: str = ""


def _token_uses(*, actor, token) -> TokenUse:
    """The grant and the open escalation made with `token`, in one query (the usual answer: neither)."""
    grants = (
        Grant.objects.filter(granted_by=actor, token=token)
        .order_by()
        .values_list(Value("grant"), "pk", "request_fingerprint")
    )
    escalations = (
        Escalation.objects.filter(requested_by=actor, token=token)
        .exclude(status=Escalation.Status.DECLINED)
        .order_by()
        .values_list(Value("escalation"), "pk", "status")
    )
    use = {}
    for kind, pk, detail in grants.union(escalations, all=True):
        use[kind] = (pk, detail)
    grant, escalation = use.get("grant", (None, "")), use.get("escalation", (None, ""))
    return TokenUse(
        grant_id=grant[0], grant_fingerprint=grant[1], escalation_id=escalation[0], escalation_status=escalation[1]
    )


@dataclass(frozen=True)
class Priced:
    """A request priced under one policy version: the cap quote and the employee's authority."""

    policy: Policy
    playbook: object
    quote: object
    authority: object
    tenure_months: int
    currency: str  # the location's: the quote, the limits and the grant are all in it
    shown_steps: tuple[str, ...] = ()  # the quote's steps in the active language (`quote.steps` are English)


class LimitExceeded(RecoveryError):
    """The amount is above what may be granted now. Carries what may be granted and what stops more,
    so the counter can offer "grant up to the limit" or "ask a manager"."""

    def __init__(self, message: str, *, allowed: Decimal, stops: tuple[Stop, ...], requested: Decimal | None = None):
        super().__init__("amount", message)
        self.allowed = allowed
        self.stops = stops
        self.requested = requested  # the amount asked (the full cap when the amount was left empty)


def _price(*, actor, roles, request: GrantRequest, policy: Policy) -> Priced:
    playbook = policy.playbooks.get(request.playbook_id)
    if playbook is None:
        raise RecoveryError("playbook", gettext("This playbook is unknown or no longer active: choose another."))
    authority = policy.authority_for(roles, actor.pk)
    tenure_months = tenure_in_months(request.customer.customer_since, request.location.today())
    # The steps become the grant's audit snapshot (`cap_steps`, returned by the API): always
    # worded in English, so the record reads the same to every reviewer whatever the granting
    # employee's language. Only the counter's cards (selectors) word them in the page's language.
    currency = request.location.currency
    purchase_value_check(request.purchase_value, currency)
    quote_now = partial(
        policy.quote,
        playbook.id,
        purchase_value=request.purchase_value,
        tenure_months=tenure_months,
        authority=authority,
        currency=currency,
    )
    with translation.override("en"):
        quote = quote_now()
    if request.quoted_cap is not None and request.quoted_cap != quote.cap:
        money = partial(wording.amount, currency=currency)
        version = (
            gettext("version %(number)s") % {"number": policy.version.number}
            if policy.version
            else gettext("unpublished draft")
        )
        raise RecoveryError(
            "playbook",
            gettext(
                "The cap of “%(playbook)s” changed from %(before)s to %(now)s while you were deciding "
                "(%(version)s is now in force). Check the amount and grant again."
            )
            % {
                "playbook": localized_text(playbook, "name"),
                "before": money(request.quoted_cap),
                "now": money(quote.cap),
                "version": version,
            },
        )
    # The same steps in the employee's language, for a refusal shown to them now (pure: no query).
    steps = quote.steps if wording.language() == "en" else quote_now().steps
    return Priced(
        policy=policy,
        playbook=playbook,
        quote=quote,
        authority=authority,
        tenure_months=tenure_months,
        shown_steps=steps,
        currency=currency,
    )


def purchase_value_check(purchase_value: Decimal, currency: str) -> None:
    """A purchase value finer than the location's currency allows (1000.5 yen) is a typing mistake:
    refused, rather than quietly rounded into a cap the customer cannot check."""
    if purchase_value != quantize(purchase_value, currency):
        raise RecoveryError(
            "purchase_value",
            gettext("Purchase value: %(currency)s has no smaller unit than %(unit)s.")
            % {"currency": currency, "unit": wording.amount(minor_unit(currency), currency)},
        )


def _amount_checked(amount: Decimal, currency: str) -> Decimal:
    if amount != quantize(amount, currency):
        raise RecoveryError(
            "amount",
            gettext("Amount: %(currency)s has no smaller unit than %(unit)s.")
            % {"currency": currency, "unit": wording.amount(minor_unit(currency), currency)},
        )
    return amount


@dataclass(frozen=True)
class LimitUsage:
    """What the limits are measured against: the customer's rolling windows and the location's month."""

    customer: dict[int, WindowUsage]  # window (days) -> the customer's active grants in it, all locations
    budget_spent: Decimal  # the location's active grants this calendar month


def limit_usage(
    *, customer_id: int | None, rules: tuple[CustomerLimitRule, ...], location: Location | None, now, currency: str
) -> LimitUsage:
    """The customer's usage per rolling window and the location's spending this month, in one query.

    Either part is left out (and costs nothing) when there is no rule for it:
    no `rules`, or no `location` (pass the location only when it has a budget).
    No upper time bound: a grant another counter committed a moment after our
    `now` (while we waited for the lock) must still count. The location's own
    wall clock decides its month.

    `currency` is the new grant's (its location's). Grants are counted in every
    currency, but amounts are only ever added within one: a customer's window
    total and a location's spending sum the grants in `currency` only (yen and
    euros do not add up, and there are no exchange rates).
    """
    starts = {rule.window_days: now - timedelta(days=rule.window_days) for rule in rules} if customer_id else {}
    aggregates, rows = {}, Q()
    if starts:
        customers = Q(customer_id=customer_id)
        for days, start in starts.items():
            aggregates[f"grants_{days}"] = Count("id", filter=customers & Q(granted_at__gt=start))
            aggregates[f"total_{days}"] = Sum("amount", filter=customers & Q(granted_at__gt=start, currency=currency))
        rows |= customers & Q(granted_at__gt=min(starts.values()))
    if location is not None:
        this_month = Q(location_id=location.pk, granted_at__gte=location.month_start(now), currency=currency)
        aggregates["budget_spent"] = Sum("amount", filter=this_month)
        rows |= this_month
    row = Grant.objects.filter(rows, status=Grant.Status.ACTIVE).aggregate(**aggregates) if aggregates else {}
    return LimitUsage(
        customer={
            days: WindowUsage(grants=row[f"grants_{days}"], total=quantize(row[f"total_{days}"] or ZERO, currency))
            for days in starts
        },
        budget_spent=quantize(row.get("budget_spent") or ZERO, currency),
    )


def customer_usage(*, customer_id: int, rules: tuple[CustomerLimitRule, ...], now, currency: str) -> dict:
    """The customer's active grants per rolling window (all locations), in one query."""
    return limit_usage(customer_id=customer_id, rules=rules, location=None, now=now, currency=currency).customer


def budget_spent(*, location: Location, now, currency: str) -> Decimal:
    """This calendar month's active grants at the location (its own wall clock decides the month)."""
    return limit_usage(customer_id=None, rules=(), location=location, now=now, currency=currency).budget_spent


def _lock_location(location_id: int) -> None:
    """Lock the location row: it owns the budget and orders the location's audit chain.
    Taken first, before the customer row, always in that order (no deadlocks)."""
    list(Location.objects.select_for_update().filter(pk=location_id).values_list("pk"))


def _lock_customer(customer_id: int) -> None:
    """Lock the customer row: it owns the rolling per-customer limits. Taken after the location."""
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk"))


def limits_for(*, priced: Priced, request: GrantRequest, now, lock: bool) -> LimitCheck:
    """The cap, the customer's rolling limits and the location budget, read once.

    With `lock`, the rows that own the limits are locked first (location, then
    customer: always this order), so two counters granting at once cannot both
    pass a limit that has room for one.
    """
    policy = priced.policy
    budget = policy.budget_for(request.location.pk)
    if lock:
        # Always: the location row also orders its audit chain.
        _lock_location(request.location.pk)
    if lock and policy.customer_limits:
        _lock_customer(request.customer.pk)
    usage = limit_usage(
        customer_id=request.customer.pk,
        rules=policy.customer_limits,
        location=request.location if budget else None,
        now=now,
        currency=priced.currency,
    )

    def cap_reason(steps) -> str:
        return gettext("The cap of “%(playbook)s” for this customer is %(cap)s (%(steps)s).") % {
            "playbook": localized_text(priced.playbook, "name"),  # English under override("en"): the record
            "cap": wording.amount(priced.quote.cap, priced.currency),
            "steps": "; ".join(steps),
        }

    with translation.override("en"):
        reason = cap_reason(priced.quote.steps)
    return limits_check(
        cap=priced.quote.cap,
        cap_reason=reason,
        cap_shown=cap_reason(priced.shown_steps or priced.quote.steps),
        customer_rules=policy.customer_limits,
        usage=usage.customer,
        budget=budget,
        budget_spent=usage.budget_spent,
        currency=priced.currency,
    )


def _limit_exceeded(amount: Decimal, check: LimitCheck, currency: str) -> LimitExceeded:
    stops = check.stops_for(amount)
    money = partial(wording.amount, currency=currency)
    what = " ".join(stop.text for stop in stops)
    if check.headroom > 0:
        offer = gettext("You can grant up to %(allowed)s now, or ask a manager to approve %(amount)s.") % {
            "allowed": money(check.headroom),
            "amount": money(amount),
        }
    else:
        offer = gettext("Nothing more can be granted without approval: ask a manager to approve %(amount)s.") % {
            "amount": money(amount)
        }
    above = gettext("%(amount)s is above what you can grant now.") % {"amount": money(amount)}
    return LimitExceeded(
        f"{above} {what} {offer}",
        allowed=check.headroom,
        stops=stops,
        requested=amount,
    )


def grant_issue(
    *, actor, roles: list[str], request: GrantRequest, policy: Policy | None = None, at=None
) -> GrantOutcome:
    """Log the failure and grant the compensation at once, exactly once.

    The cap is recomputed here from the policy version in force; the amount the
    form shows is never trusted. The per-customer limits and the location budget
    are checked under a row lock in the same transaction as the insert. Above any
    limit, `LimitExceeded` says which limit and what may be granted instead;
    nothing is written. A repeat of the same token returns the first grant
    (double click, browser retry); two simultaneous repeats are settled by the
    `(granted_by, token)` unique constraint. `at` backdates a grant (demo data only).
    """
    uses = _token_uses(actor=actor, token=request.token)
    if uses.grant_id is not None:
        return _replayed(uses.grant_id, uses.grant_fingerprint, request)

    now = at or timezone.now()
    priced = _price(actor=actor, roles=roles, request=request, policy=policy or load_policy(now))
    currency = priced.currency
    if request.amount is None and priced.quote.cap <= 0:
        raise LimitExceeded(
            gettext(
                "“%(playbook)s” allows nothing for this customer with your authority: ask a manager to approve an amount."
            )
            % {"playbook": localized_text(priced.playbook, "name")},
            allowed=ZERO,
            stops=(
                Stop(
                    limit="cap",
                    allows=ZERO,
                    reason=priced.quote.explanation,
                    shown="; ".join(priced.shown_steps or priced.quote.steps),
                ),
            ),
        )
    amount = _amount_checked(priced.quote.cap if request.amount is None else request.amount, currency)
    if amount <= 0:
        raise RecoveryError("amount", gettext("Amount: enter an amount above zero."))
    _refuse_if_escalated(uses)
    for attempt in range(VOUCHER_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                check = limits_for(priced=priced, request=request, now=now, lock=True)
                if check.stops_for(amount):
                    # A simultaneous submit of this very form may have taken the room while we waited.
                    replay = _grant_for_token(actor=actor, request=request)
                    if replay:
                        return replay
                    raise _limit_exceeded(amount, check, currency)
                grant = _grant_write(
                    actor=actor,
                    request=request,
                    playbook=priced.playbook,
                    quote_fields=_quote_fields(priced),
                    amount=amount,
                    now=now,
                    limit_notes=check.warnings_for(amount),
                    savepoint=False,  # this transaction is the attempt: any error rolls it back whole
                )
        except IntegrityError:
            # A simultaneous submit of the same token won the race: answer with its grant.
            replay = _grant_for_token(actor=actor, request=request)
            if replay:
                return replay
            if not priced.playbook.issues_voucher or attempt == VOUCHER_CODE_ATTEMPTS - 1:
                raise
            # Otherwise a voucher code collided (about 1 in 10^14): draw another.
        else:
            return GrantOutcome(grant=grant, replayed=False)
    raise AssertionError("unreachable")


def _refuse_if_escalated(uses: TokenUse) -> None:
    """One case is either granted within the limits or escalated, never both (no double payout)."""
    if uses.escalation_id is not None:
        status = str(Escalation.Status(uses.escalation_status).label)
        raise RecoveryError(
            None,
            gettext(
                "You already asked a manager about this case (escalation #%(escalation)s, %(status)s): "
                "follow it there instead of granting again."
            )
            % {"escalation": uses.escalation_id, "status": status.lower()},
        )


QUOTE_FIELDS = (
    "cap",
    "cap_steps",
    "tenure_months",
    "tenure_tier",
    "authority_role",
    "authority_limit",
    "policy_snapshot",
    "policy_version",
)


def _quote_fields(priced: Priced) -> dict:
    """The quote and policy values (`QUOTE_FIELDS`) copied onto a grant or an escalation."""
    return {
        "cap": priced.quote.cap,
        "cap_steps": list(priced.quote.steps),
        "tenure_months": priced.tenure_months,
        "tenure_tier": priced.quote.tier.name,
        "authority_role": priced.authority.role,
        "authority_limit": priced.authority.limit,
        "policy_snapshot": priced.policy.snapshot(priced.playbook.id, priced.authority, priced.currency),
        "policy_version": priced.policy.version,
    }


def _grant_write(
    *,
    actor,
    request,
    playbook,
    quote_fields,
    amount,
    now,
    limit_notes=(),
    approved_by=None,
    logged_at=None,
    savepoint=True,
) -> Grant:
    """Insert the failure and its grant, with history naming who did it.

    `playbook` is the version's playbook (built from its document), never the
    live row, which is the ops' unpublished draft. `savepoint=False` when the
    caller's own transaction rolls back as a whole on any error (saves two round trips).
    """
    history_user = approved_by or actor
    with transaction.atomic(savepoint=savepoint):
        failure = ServiceFailure(
            customer=request.customer,
            location=request.location,
            category=request.category,
            purchase_value=request.purchase_value,
            note=request.note,
            logged_by=actor,
            # An escalation's request time, else when the counter opened the case (never after the grant).
            logged_at=logged_at or min(request.opened_at or now, now),
        )
        failure._history_user = history_user
        failure._history_date = now
        failure.save()
        grant = Grant(
            failure=failure,
            customer=request.customer,
            location=request.location,
            playbook_id=playbook.id,
            playbook_name=playbook.name,
            playbook_kind=playbook.kind,
            # The currency the quote was made in (an escalation's, when it was asked), which is the location's.
            currency=quote_fields["policy_snapshot"].get("currency") or request.location.currency,
            amount=amount,
            purchase_value=request.purchase_value,
            category=failure.category,
            failure_logged_at=failure.logged_at,
            limit_notes=list(limit_notes),
            approved_by=approved_by,
            granted_by=actor,
            granted_by_username=actor.get_username(),
            granted_at=now,
            token=request.token,
            request_fingerprint=request.fingerprint(),
            **quote_fields,
        )
        if playbook.issues_voucher:
            grant.voucher_code = voucher_code_new()
            valid_days = grant.policy_snapshot.get("voucher_valid_days") or playbook.voucher_valid_days
            # Counted from the day it was granted, on the location's calendar (demo data is backdated).
            local_day = timezone.localdate(now, zoneinfo.ZoneInfo(request.location.timezone))
            grant.voucher_expires_on = local_day + timedelta(days=valid_days)
        grant._history_user = history_user
        grant._history_date = now
        grant.save()
        journal_append(
            chain=location_chain(grant.location_id),
            kind="grant.issued",
            subject_type="grant",
            subject_id=grant.pk,
            actor=history_user,
            location_id=grant.location_id,
            at=now,
            payload={
                **grant.journal_facts(),
                "currency": grant.currency,
                "token": str(grant.token),
                "policy_version": grant.policy_version.number if grant.policy_version else None,
                "approved_by_id": grant.approved_by_id,
                "failure_id": failure.pk,
            },
        )
    return grant


# --- escalations: above a limit, a manager decides ---------------------------------------


def escalation_request(*, actor, roles: list[str], request: GrantRequest, reason: str) -> Escalation:
    """Record a request to grant more than the limits allow, for a manager of the location.

    Exactly-once like a grant: the same form token returns the first request.
    An amount within every limit is refused: it can simply be granted.
    """
    existing = Escalation.objects.filter(requested_by=actor, token=request.token).first()
    if existing is not None:
        same = (existing.customer_id, existing.playbook_id, existing.requested_amount) == (
            request.customer.pk,
            request.playbook_id,
            request.amount,
        )
        if not same:
            raise RecoveryError(
                None,
                gettext(
                    "This form was already used for escalation #%(escalation)s with other values. "
                    "Start again from the customer's page."
                )
                % {"escalation": existing.pk},
            )
        return existing
    granted = Grant.objects.filter(granted_by=actor, token=request.token).first()
    if granted is not None:
        raise RecoveryError(
            None,
            gettext("This case was already granted (grant #%(grant)s): start a new case to ask for more.")
            % {"grant": granted.pk},
        )
    reason = reason.strip()
    if not reason:
        raise RecoveryError("reason", gettext("Reason: tell the manager why this customer should get more."))
    if request.amount is None or request.amount <= 0:
        raise RecoveryError("amount", gettext("Amount: enter the amount you want the manager to approve."))
    now = timezone.now()
    priced = _price(actor=actor, roles=roles, request=request, policy=load_policy(now))
    amount = _amount_checked(request.amount, priced.currency)
    check = limits_for(priced=priced, request=request, now=now, lock=False)
    stops = check.stops_for(amount)
    if not stops:
        raise RecoveryError(
            "amount", gettext("Amount: this is within every limit, so grant it now; no approval is needed.")
        )
    escalation = Escalation(
        location=request.location,
        customer=request.customer,
        playbook_id=priced.playbook.id,
        category=request.category,
        purchase_value=request.purchase_value,
        failure_note=request.note,
        requested_amount=amount,
        allowed_amount=check.headroom,
        reason=reason,
        stopped_by=[{"limit": s.limit, "allows": str(s.allows), "reason": s.reason} for s in stops],
        requested_by=actor,
        requested_at=now,
        token=request.token,
        **_quote_fields(priced),
    )
    escalation._history_user = actor
    try:
        with transaction.atomic():
            _lock_location(request.location.pk)
            escalation.save()
            _journal_escalation(escalation, "escalation.requested", actor, now)
    except IntegrityError:
        return Escalation.objects.get(requested_by=actor, token=request.token)
    return escalation


def escalation_decide(*, actor, roles: list[str], escalation_id: int, approve: bool, note: str) -> Escalation:
    """Approve (creating the grant) or decline an escalation, once.

    The row is locked, so two managers deciding at once give one decision and a
    clear message to the other. A manager approves within their own authority;
    the customer limits and the budget are what the approval overrides.
    """
    note = note.strip()
    if not approve and not note:
        raise RecoveryError(
            "note", gettext("Note: say why you decline, so the employee can explain it to the customer.")
        )
    now = timezone.now()
    location_id = Escalation.objects.values_list("location_id", flat=True).get(pk=escalation_id)
    with transaction.atomic():
        _lock_location(location_id)
        escalation = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("location", "customer")
            .get(pk=escalation_id)
        )
        if not escalation.is_pending:
            # The location's wall clock: the manager and the employee both work there.
            decided_at = wording.local(escalation.decided_at, escalation.location.timezone)
            raise RecoveryError(
                None,
                gettext("Escalation #%(escalation)s was already %(status)s by %(manager)s at %(time)s.")
                % {
                    "escalation": escalation.pk,
                    "status": str(escalation.get_status_display()).lower(),
                    "manager": escalation.decided_by,
                    "time": wording.clock(decided_at),
                },
            )
        if approve:
            authority = load_policy(now).authority_for(roles, actor.pk)
            if escalation.requested_amount > authority.limit:
                currency = escalation.currency
                raise RecoveryError(
                    None,
                    gettext("%(amount)s is above your own authority of %(limit)s: decline with a note, or ask ops.")
                    % {
                        "amount": wording.amount(escalation.requested_amount, currency),
                        "limit": wording.amount(authority.limit, currency),
                    },
                )
            # Same lock order as a counter grant (location, then customer): a grant at the same moment sees this one.
            _lock_customer(escalation.customer_id)
            try:
                # _grant_write's own atomic block is a savepoint: a refused insert leaves this transaction usable.
                escalation.grant = _grant_for_escalation(escalation, approver=actor, note=note, now=now)
            except IntegrityError as error:
                raise RecoveryError(
                    None,
                    gettext("This case was already granted by %(employee)s meanwhile: decline it.")
                    % {"employee": escalation.requested_by},
                ) from error
        escalation.status = Escalation.Status.APPROVED if approve else Escalation.Status.DECLINED
        escalation.decided_by = actor
        escalation.decided_at = now
        escalation.decision_note = note
        escalation._history_user = actor
        with translation.override("en"):  # the history is the record: English, whoever decides
            escalation._change_reason = note or str(escalation.get_status_display())
        escalation.save()
        _journal_escalation(escalation, f"escalation.{escalation.status}", actor, now)
    return escalation


def _journal_escalation(escalation: Escalation, kind: str, actor, at) -> None:
    journal_append(
        chain=location_chain(escalation.location_id),
        kind=kind,
        subject_type="escalation",
        subject_id=escalation.pk,
        actor=actor,
        location_id=escalation.location_id,
        at=at,
        payload={
            "customer_id": escalation.customer_id,
            "playbook_id": escalation.playbook_id,
            "requested_amount": escalation.requested_amount,
            "reason": escalation.reason,
            "requested_by_id": escalation.requested_by_id,
            "decision_note": escalation.decision_note,
            "grant_id": escalation.grant_id,
        },
    )


def _grant_for_escalation(escalation: Escalation, *, approver, note: str, now) -> Grant:
    request = GrantRequest(
        customer=escalation.customer,
        location=escalation.location,
        category=escalation.category,
        purchase_value=escalation.purchase_value,
        note=escalation.failure_note,
        playbook_id=escalation.playbook_id,
        amount=escalation.requested_amount,
        # The case's own token: `(granted_by, token)` is unique, so the case can never be paid twice.
        token=escalation.token,
    )
    stopped = " ".join(stop["reason"] for stop in escalation.stopped_by)
    approval = f"Approved above the limits by {approver.get_username()}: {stopped}"
    # The quote the employee was shown (and its version): the manager approves that request.
    fields = {name: getattr(escalation, name) for name in QUOTE_FIELDS}
    fields["cap_steps"] = [*escalation.cap_steps, approval + (f" Note: {note}" if note else "")]
    # The playbook as the escalation's version had it: the live row may be an unpublished draft.
    playbook = policy_from_document(escalation.policy_version.document).playbooks[escalation.playbook_id]
    return _grant_write(
        actor=escalation.requested_by,
        request=request,
        playbook=playbook,
        quote_fields=fields,
        amount=escalation.requested_amount,
        now=now,
        approved_by=approver,
        logged_at=escalation.requested_at,  # the failure was met when the employee asked
    )


# --- "a rule stood in my way" -------------------------------------------------------------


def rule_flag_raise(*, actor, location: Location, rule: str, note: str, playbook_id=None, customer=None) -> RuleFlag:
    """Record that a limit or playbook prevented good service, for ops to see when tuning."""
    note = note.strip()
    if not note:
        raise RecoveryError("note", gettext("Note: say what happened and what would have helped the customer."))
    if rule not in RuleFlag.Rule.values:
        raise RecoveryError("rule", gettext("Rule: choose which rule stood in your way."))
    if playbook_id is not None and not Playbook.objects.filter(pk=playbook_id).exists():
        raise RecoveryError("playbook", gettext("Playbook: choose one of the listed playbooks."))
    flag = RuleFlag(
        rule=rule, note=note, playbook_id=playbook_id, customer=customer, location=location, raised_by=actor
    )
    flag._history_user = actor
    flag.save()
    return flag


def rule_flag_handle(*, actor, flag_id: int, note: str) -> RuleFlag:
    """Mark a flag handled, saying what ops did about it (changed a limit, explained the rule…)."""
    note = note.strip()
    if not note:
        raise RecoveryError("handled_note", gettext("What was done: say how the flag was handled."))
    with transaction.atomic():
        flag = RuleFlag.objects.select_for_update().get(pk=flag_id)
        if flag.status == RuleFlag.Status.HANDLED:
            raise RecoveryError(
                None, gettext("This flag was already handled by %(person)s.") % {"person": flag.handled_by}
            )
        flag.status = RuleFlag.Status.HANDLED
        flag.handled_by = actor
        flag.handled_at = timezone.now()
        flag.handled_note = note
        flag._history_user = actor
        flag._change_reason = note
        flag.save()
    return flag


def grant_void(*, actor, grant_id: int, reason: str, at=None) -> Grant:
    """Void a grant with a reason. The row is locked so two managers cannot void it twice.

    A voucher already redeemed is refused ("already redeemed at … by … on …"):
    the customer has had the service, so voiding would take from the budget and
    the customer's limits what was really given, and the books would lie. A
    mistaken grant that was redeemed is a matter for the manager's review, not a
    void. The other way round, a voided grant's voucher no longer redeems
    (`recovery.vouchers.voucher_redeem` locks the same grant row, so a void and
    a redemption at the same moment are settled one after the other).
    """
    reason = reason.strip()
    if not reason:
        raise RecoveryError("reason", gettext("Say why the grant is voided: the reason is kept in the audit."))
    location_id = Grant.objects.values_list("location_id", flat=True).get(pk=grant_id)
    with transaction.atomic():
        _lock_location(location_id)
        grant = Grant.objects.select_for_update().get(pk=grant_id)
        if grant.is_voided:
            raise RecoveryError(
                None, gettext("Grant #%(grant)s was already voided by someone else.") % {"grant": grant.pk}
            )
        redemption = VoucherRedemption.objects.select_related("location").filter(grant_id=grant.pk).first()
        if redemption is not None:
            raise RecoveryError(
                None,
                gettext(
                    "Grant #%(grant)s cannot be voided: its voucher %(code)s was already redeemed %(redeemed)s, "
                    "so the customer has had it."
                )
                % {"grant": grant.pk, "code": grant.voucher_code, "redeemed": redemption.summary},
            )
        grant.status = Grant.Status.VOIDED
        grant.voided_at = at or timezone.now()
        grant._history_date = grant.voided_at
        grant.voided_by = actor
        grant.void_reason = reason
        grant._history_user = actor
        grant._change_reason = reason
        grant.save()
        journal_append(
            chain=location_chain(location_id),
            kind="grant.voided",
            subject_type="grant",
            subject_id=grant.pk,
            actor=actor,
            location_id=location_id,
            at=grant.voided_at,
            payload={"reason": reason, "voided_by_id": actor.pk},
        )
    return grant
