"""Services: the only code that writes customers, failures and grants.

Each service validates what the form cannot know (the policy in force, the
customer's cap, a reused token), then writes in one short transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from compensation.money import format_amount, minor_unit, quantize
from compensation.policy import Policy, load_policy, tenure_in_months
from recovery.models import Customer, Grant, Location, ServiceFailure

# No 0/O, 1/I/L or U: a code read aloud or copied by hand stays unambiguous.
VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
VOUCHER_HALF_LENGTH = 5
VOUCHER_CODE_ATTEMPTS = 3


class RecoveryError(Exception):
    """A request the service refuses, with the form field it concerns (None: the whole form)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


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
            raise RecoveryError(field, "A customer with this value already exists: search for them instead.")
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
        raise RecoveryError(None, "This customer was just added by someone else: search for them.") from error
    return customer


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
    if existing.request_fingerprint != request.fingerprint():
        raise RecoveryError(
            None,
            f"This form was already used for grant #{existing.pk} with other values. "
            "Start a new grant from the customer's page.",
        )
    return GrantOutcome(grant=existing, replayed=True)


def grant_issue(
    *, actor, roles: list[str], request: GrantRequest, policy: Policy | None = None, at=None
) -> GrantOutcome:
    """Log the failure and grant the compensation at once, exactly once.

    The cap is recomputed here from the policy in force; the amount the form
    shows is never trusted. A repeat of the same token returns the first grant
    (double click, browser retry); two simultaneous repeats are settled by the
    `(granted_by, token)` unique constraint. `at` backdates a grant (demo data only).
    """
    replay = _grant_for_token(actor=actor, request=request)
    if replay:
        return replay

    policy = policy or load_policy()
    playbook = policy.playbooks.get(request.playbook_id)
    if playbook is None:
        raise RecoveryError("playbook", "This playbook is unknown or no longer active: choose another.")

    authority = policy.authority_for(roles)
    tenure_months = tenure_in_months(request.customer.customer_since, request.location.today())
    quote = policy.quote(
        playbook.id, purchase_value=request.purchase_value, tenure_months=tenure_months, authority=authority
    )

    def money(amount: Decimal) -> str:
        return format_amount(amount, policy.currency)

    if request.quoted_cap is not None and request.quoted_cap != quote.cap:
        raise RecoveryError(
            "playbook",
            f"The cap of “{playbook.name}” changed from {money(request.quoted_cap)} to {money(quote.cap)} "
            "while you were deciding (the policy was updated). Check the amount and grant again.",
        )
    if quote.cap <= 0:
        raise RecoveryError("playbook", f"“{playbook.name}” allows nothing for this customer with your authority.")
    amount = quote.cap if request.amount is None else request.amount
    if amount != quantize(amount, policy.currency):
        raise RecoveryError(
            "amount", f"Amount: {policy.currency} has no smaller unit than {money(minor_unit(policy.currency))}."
        )
    if amount > quote.cap:
        raise RecoveryError(
            "amount", f"{money(amount)} is above this customer's cap of {money(quote.cap)} for “{playbook.name}”."
        )

    now = at or timezone.now()
    for attempt in range(VOUCHER_CODE_ATTEMPTS):
        try:
            grant = _grant_write(
                actor=actor,
                request=request,
                policy=policy,
                playbook=playbook,
                quote=quote,
                authority=authority,
                tenure_months=tenure_months,
                amount=amount,
                now=now,
            )
        except IntegrityError:
            # A simultaneous submit of the same token won the race: answer with its grant.
            replay = _grant_for_token(actor=actor, request=request)
            if replay:
                return replay
            if not playbook.issues_voucher or attempt == VOUCHER_CODE_ATTEMPTS - 1:
                raise
            # Otherwise a voucher code collided (about 1 in 10^14): draw another.
        else:
            return GrantOutcome(grant=grant, replayed=False)
    raise AssertionError("unreachable")


def _grant_write(*, actor, request, policy, playbook, quote, authority, tenure_months, amount, now) -> Grant:
    """Insert the failure and its grant in one transaction, with history naming the actor."""
    with transaction.atomic():
        failure = ServiceFailure(
            customer=request.customer,
            location=request.location,
            category=request.category,
            purchase_value=request.purchase_value,
            note=request.note,
            logged_by=actor,
            logged_at=now,
        )
        failure._history_user = actor
        failure._history_date = now
        failure.save()
        grant = Grant(
            failure=failure,
            customer=request.customer,
            location=request.location,
            playbook=playbook,
            playbook_name=playbook.name,
            playbook_kind=playbook.kind,
            currency=policy.currency,
            amount=amount,
            cap=quote.cap,
            purchase_value=request.purchase_value,
            tenure_months=tenure_months,
            tenure_tier=quote.tier.name,
            authority_role=authority.role,
            authority_limit=authority.limit,
            cap_steps=list(quote.steps),
            policy_snapshot=policy.snapshot(playbook.id, authority),
            granted_by=actor,
            granted_by_username=actor.get_username(),
            granted_at=now,
            token=request.token,
            request_fingerprint=request.fingerprint(),
        )
        if playbook.issues_voucher:
            grant.voucher_code = voucher_code_new()
            grant.voucher_expires_on = request.location.today() + timedelta(days=playbook.voucher_valid_days)
        grant._history_user = actor
        grant._history_date = now
        grant.save()
    return grant


def grant_void(*, actor, grant_id: int, reason: str, at=None) -> Grant:
    """Void a grant with a reason. The row is locked so two managers cannot void it twice."""
    reason = reason.strip()
    if not reason:
        raise RecoveryError("reason", "Say why the grant is voided: the reason is kept in the audit.")
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant_id)
        if grant.is_voided:
            raise RecoveryError(None, f"Grant #{grant.pk} was already voided by someone else.")
        grant.status = Grant.Status.VOIDED
        grant.voided_at = at or timezone.now()
        grant._history_date = grant.voided_at
        grant.voided_by = actor
        grant.void_reason = reason
        grant._history_user = actor
        grant._change_reason = reason
        grant.save()
    return grant
