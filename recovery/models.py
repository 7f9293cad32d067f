"""The case: locations, customers, service failures and the grants made for them.

Writes to these models go through `recovery.services`; reads for pages through
`recovery.selectors`. Grants are never deleted: a manager voids one with a reason.
"""

import zoneinfo
from decimal import Decimal

from babel.numbers import get_currency_precision, is_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import wording
from compensation.models import MONEY, Playbook, PolicyVersion
from compensation.predicates import can_change_policy, is_ops
from compensation.predicates import can_view_policy as can_view_policy_rule
from compensation.texts import SNAPSHOT_TEXT_KEYS, language_shown, localized_text, texts_by_language
from recovery import predicates


def validate_timezone(value):
    """An IANA time zone name: the location's days, months and shown times are counted in it."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (e.g. Europe/London)."),
            code="invalid_timezone",
            params={"value": value},
        )


def validate_currency(value):
    """An ISO 4217 code Babel knows, upper-case: its minor unit decides how the location's amounts round.

    Amounts are stored with two decimals, so a currency with finer units (KWD's
    fils) cannot be recorded exactly and is refused too.
    """
    if not (isinstance(value, str) and len(value) == 3 and value.isupper() and is_currency(value)):
        raise ValidationError(
            _("Currency: “%(code)s” is not an ISO 4217 currency code (e.g. EUR, JPY)."),
            code="invalid_currency",
            params={"code": value},
        )
    if get_currency_precision(value) > MONEY["decimal_places"]:
        raise ValidationError(
            _("Currency: %(code)s has %(places)s decimal places; amounts are stored with at most 2."),
            code="currency_too_fine",
            params={"code": value, "places": get_currency_precision(value)},
        )


def default_currency() -> str:
    """The deployment's currency (settings.RECOVERY_CURRENCY): new locations and, once, existing ones."""
    return settings.RECOVERY_CURRENCY


class Location(RulesModel):
    """A shop, hotel, clinic or desk where staff serve customers."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=default_currency,
        validators=[validate_currency],
        help_text=_(
            "ISO 4217 code, e.g. EUR or JPY. Grants here are made in it; policy amounts (caps, limits, "
            "budget) are read as amounts of it, without exchange rates."
        ),
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {
            "view": is_ops,
            "add": can_change_policy,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }

    def __str__(self):
        return self.name

    def today(self):
        """The calendar date at this location now (tenure counts local days)."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.timezone))

    def month_start(self, now=None):
        """Midnight on the 1st of this location's current month, in its own time zone (budgets are monthly)."""
        local = timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(self.timezone))
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class StaffProfile(RulesModel):
    """Where an employee works. Frontline grant at these locations; managers review them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    locations = models.ManyToManyField(Location, related_name="staff", blank=True)
    # Blank: the browser's language decides (cookie, then Accept-Language).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    history = HistoricalRecords(m2m_fields=[locations])

    class Meta:
        rules_permissions = {
            "view": is_ops,
            "add": can_change_policy,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }

    def __str__(self):
        return f"{self.user.get_username()} @ {', '.join(str(location) for location in self.locations.all())}"


class Customer(RulesModel):
    """A customer of the whole chain; tenure counts from `customer_since`."""

    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True, help_text=_("Stored in international format (+44…)."))
    email = models.EmailField(blank=True)
    loyalty_card = models.CharField(max_length=40, blank=True)
    customer_since = models.DateField(help_text=_("Tenure is counted from this date."))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        rules_permissions = {
            "view": predicates.can_use_counter | is_ops,
            "add": predicates.can_use_counter,
            "change": is_ops,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="customer_phone_unique"),
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="customer_email_unique"),
            models.UniqueConstraint(
                fields=["loyalty_card"], condition=~Q(loyalty_card=""), name="customer_card_unique"
            ),
        ]

    def __str__(self):
        return self.name


class ServiceFailure(RulesModel):
    """What went wrong for a customer, where, and what they had paid."""

    class Category(models.TextChoices):
        WAITING = "waiting", _("Waiting or delay")
        ORDER_WRONG = "order_wrong", _("Order wrong or incomplete")
        PRODUCT_DEFECTIVE = "product_defective", _("Product defective or spoiled")
        REPEAT_REPAIR = "repeat_repair", _("Repeat repair")
        APPOINTMENT_MOVED = "appointment_moved", _("Appointment moved or cancelled")
        MISSED_PROMISE = "missed_promise", _("Missed promise (transport, delivery)")
        STAFF_BEHAVIOUR = "staff_behaviour", _("Staff behaviour")
        BILLING = "billing", _("Billing error")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="failures")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="failures")
    category = models.CharField(max_length=30, choices=Category.choices)
    purchase_value = models.DecimalField(**MONEY)
    note = models.CharField(max_length=500, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-logged_at"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.can_use_counter,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(condition=Q(purchase_value__gt=0), name="failure_purchase_value_positive"),
        ]
        indexes = [
            models.Index(fields=["location", "-logged_at", "-id"], name="failure_location_recent"),
            models.Index(fields=["-logged_at", "-id"], name="failure_recent"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} — {self.customer}"


# The grant columns its journal entry records; `verify_audit` checks the row still holds them.
JOURNAL_FACTS = ("amount", "cap", "customer_id", "location_id", "granted_by_id", "playbook_id", "voucher_code")


def journal_fact(value) -> str | None:
    """One fact as the journal keeps it: money with its two decimals, ids as text."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


class Grant(RulesModel):
    """Compensation given on the spot, with a snapshot of the limits it was made under.

    The cap, its explanation and the policy values are copied at grant time, so a
    later change to a playbook, tier or authority never rewrites the past.
    `(granted_by, token)` is unique: a double click or a resubmitted form finds
    the first grant instead of making a second.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        VOIDED = "voided", _("Voided")

    failure = models.OneToOneField(ServiceFailure, on_delete=models.PROTECT, related_name="grant")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="grants")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="grants")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="grants")
    playbook_name = models.CharField(max_length=120)
    playbook_kind = models.CharField(max_length=20, choices=Playbook.Kind.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY)
    cap = models.DecimalField(**MONEY)
    purchase_value = models.DecimalField(**MONEY)
    # Copied from the failure (which never changes), so insights group and time grants without a join.
    category = models.CharField(max_length=30, choices=ServiceFailure.Category.choices)
    failure_logged_at = models.DateTimeField(
        help_text=_("When the failure was logged: the case opened at the counter.")
    )
    tenure_months = models.PositiveIntegerField()
    tenure_tier = models.CharField(max_length=60)
    authority_role = models.CharField(max_length=20)
    authority_limit = models.DecimalField(**MONEY)
    cap_steps = models.JSONField(help_text=_("How the cap was computed, step by step."))
    policy_snapshot = models.JSONField(help_text=_("The playbook, tier and authority values in force."))
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="grants", help_text=_("The policy version in force.")
    )
    limit_notes = models.JSONField(
        default=list, blank=True, help_text=_("Limits that warned but did not stop this grant (e.g. budget used up).")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The manager who approved this grant above a limit (escalations only)."),
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants")
    granted_by_username = models.CharField(max_length=150)
    granted_at = models.DateTimeField(default=timezone.now)
    token = models.UUIDField(help_text=_("One-time form token that makes the grant exactly-once."))
    request_fingerprint = models.CharField(max_length=64)
    voucher_code = models.CharField(max_length=11, null=True, blank=True, unique=True)
    voucher_expires_on = models.DateField(null=True, blank=True)
    # Named for the change history (`selectors.history_of`), which shows these fields as they change.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("void reason"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-id"]
        rules_permissions = {
            "view": predicates.can_view_grant,
            "add": predicates.can_use_counter,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["granted_by", "token"], name="grant_once_per_token"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            # Above the cap only with a manager's approval (an escalation).
            models.CheckConstraint(
                condition=Q(amount__lte=F("cap")) | Q(approved_by__isnull=False), name="grant_amount_within_cap"
            ),
            models.CheckConstraint(
                condition=Q(status="active", voided_at__isnull=True) | Q(status="voided", voided_at__isnull=False),
                name="grant_void_consistent",
            ),
            # A resolution time is never negative: the case is opened before it is granted.
            models.CheckConstraint(condition=Q(failure_logged_at__lte=F("granted_at")), name="grant_after_failure"),
        ]
        indexes = [
            models.Index(fields=["location", "-granted_at", "-id"], name="grant_location_recent"),
            models.Index(fields=["customer", "-granted_at"], name="grant_customer_recent"),
            models.Index(fields=["granted_by", "-granted_at"], name="grant_employee_recent"),
            # The audit timeline's keyset pages: every location (ops, auditors), by playbook, and voids.
            models.Index(fields=["-granted_at", "-id"], name="grant_recent"),
            models.Index(fields=["playbook", "-granted_at", "-id"], name="grant_playbook_recent"),
            models.Index(
                fields=["location", "-voided_at", "-id"],
                name="grant_location_voids",
                condition=Q(voided_at__isnull=False),
            ),
            models.Index(fields=["-voided_at", "-id"], name="grant_voids", condition=Q(voided_at__isnull=False)),
        ]

    def __str__(self):
        return f"Grant #{self.pk}: {self.amount} {self.currency} {self.playbook_name}"

    @property
    def is_voided(self) -> bool:
        return self.status == self.Status.VOIDED

    def playbook_texts(self, field: str) -> dict[str, str]:
        """The playbook's `field` ("name", "offer" or "apology_script") as published for this grant, by language.

        From the snapshot: it is what the customer was promised, while the live
        playbook row is the ops draft. Only a grant whose snapshot kept no such
        text (made before it did) falls back to the playbook row.
        """
        texts = texts_by_language(self.policy_snapshot or {}, SNAPSHOT_TEXT_KEYS[field])
        return texts or texts_by_language(self.playbook, field)

    def playbook_text(self, field: str, language: str | None = None) -> str:
        """`playbook_texts(field)` in `language` (default: the active one), else in English."""
        texts = self.playbook_texts(field)
        return texts.get(language_shown(texts, language), "")

    @property
    def playbook_name_shown(self) -> str:
        """The playbook's name as published for this grant, in the page's language (lists, the audit).

        From the snapshot, else the name stored on the grant: never a query per row.
        """
        return localized_text(self.policy_snapshot or {}, "playbook") or self.playbook_name

    def journal_facts(self) -> dict:
        return {name: journal_fact(getattr(self, name)) for name in JOURNAL_FACTS}


class VoucherRedemption(RulesModel):
    """A voucher handed in at a counter: at most one per grant, enforced by the database.

    The one-to-one on `grant` is the final guard of "a voucher redeems once";
    `recovery.vouchers.voucher_redeem` also locks the grant row, so two counters
    scanning one code at the same moment give one redemption and one clear
    "already redeemed at … by … at …". It may be at any location, not only the
    grant's. `token` is the redeem form's one-time token (or an API's
    idempotency key): a double click replays the redemption instead of refusing.
    """

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="redemption")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="voucher_redemptions")
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redeemed_by_username = models.CharField(max_length=150)
    redeemed_at = models.DateTimeField(default=timezone.now)
    token = models.UUIDField(null=True, blank=True, help_text=_("The redeem form's one-time token, if any."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-redeemed_at", "-id"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.can_redeem_voucher,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        indexes = [
            # The audit timeline of a location's redemptions, newest first (keyset pages).
            models.Index(fields=["location", "-redeemed_at", "-id"], name="redemption_location_recent"),
        ]

    def __str__(self):
        return f"Voucher {self.grant.voucher_code} redeemed at {self.location}"

    @property
    def local_redeemed_at(self):
        """The moment on the wall clock of the location where it was redeemed."""
        return timezone.localtime(self.redeemed_at, zoneinfo.ZoneInfo(self.location.timezone))

    @property
    def summary(self) -> str:
        """'at Airport Desk by fiona on 3 Mar 2026 at 14:02' (the redeeming location's time, the active language)."""
        when = self.local_redeemed_at
        return gettext("at %(location)s by %(employee)s on %(day)s at %(time)s") % {
            "location": self.location.name,
            "employee": self.redeemed_by_username,
            "day": wording.day(when),
            "time": wording.clock(when),
        }


class Escalation(RulesModel):
    """A request to grant more than a cap or limit allows, decided by a manager of the location.

    The counter records it instead of refusing silently; the approval creates
    the grant. `(requested_by, token)` is unique so a double click records one
    request.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a manager")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="escalations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="escalations")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="escalations")
    category = models.CharField(max_length=30, choices=ServiceFailure.Category.choices)
    purchase_value = models.DecimalField(**MONEY)
    failure_note = models.CharField(max_length=500, blank=True)
    requested_amount = models.DecimalField(**MONEY)
    allowed_amount = models.DecimalField(**MONEY, help_text=_("What the employee could grant without approval."))
    reason = models.CharField(max_length=500)
    stopped_by = models.JSONField(help_text=_("The limits that stopped the grant, with why."))
    # The quote at the time of the request, copied to the grant if approved.
    cap = models.DecimalField(**MONEY)
    cap_steps = models.JSONField()
    tenure_months = models.PositiveIntegerField()
    tenure_tier = models.CharField(max_length=60)
    authority_role = models.CharField(max_length=20)
    authority_limit = models.DecimalField(**MONEY)
    policy_snapshot = models.JSONField()
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations")
    requested_at = models.DateTimeField(default=timezone.now)
    token = models.UUIDField()
    # Named for the change history (`selectors.history_of`), which shows these fields as they change.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    grant = models.OneToOneField(
        Grant, verbose_name=_("grant"), null=True, blank=True, on_delete=models.PROTECT, related_name="escalation"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        rules_permissions = {
            "view": predicates.can_view_escalation,
            "add": predicates.can_use_counter,
            "change": predicates.can_decide_escalation,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "token"], name="escalation_once_per_token"),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="escalation_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="escalation_decision_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "status", "-requested_at"], name="escalation_queue"),
            models.Index(fields=["location", "-requested_at", "-id"], name="escalation_location_recent"),
            models.Index(
                fields=["location", "-decided_at", "-id"],
                name="escalation_location_decided",
                condition=Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Escalation #{self.pk}: {self.requested_amount} for {self.customer}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def currency(self) -> str:
        """The currency it was asked in (its quote's), else its location's: never the deployment's default."""
        return (self.policy_snapshot or {}).get("currency") or self.location.currency


class RuleFlag(RulesModel):
    """'A rule stood in my way': an employee's report that a limit or playbook prevented good service."""

    class Rule(models.TextChoices):
        PLAYBOOK_CAP = "playbook_cap", _("A playbook's cap")
        AUTHORITY = "authority", _("My authority limit")
        CUSTOMER_LIMIT = "customer_limit", _("The per-customer limit")
        LOCATION_BUDGET = "location_budget", _("The location budget")
        MISSING_PLAYBOOK = "missing_playbook", _("No playbook fits this case")
        OTHER = "other", _("Another rule")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    rule = models.CharField(max_length=20, choices=Rule.choices)
    playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    note = models.CharField(max_length=500)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rule_flags")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rule_flags")
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        rules_permissions = {
            "view": can_view_policy_rule,
            "add": predicates.can_use_counter,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }
        indexes = [models.Index(fields=["status", "rule", "-raised_at"], name="rule_flag_open")]

    def __str__(self):
        return f"{self.get_rule_display()}: {self.note[:40]}"


class AnomalyFlag(RulesModel):
    """A pattern worth a manager's look: flagged for review afterwards, never blocking the grant.

    About 3% of customers try to cheat, so the counter never waits on these;
    `recovery.anomalies.anomalies_detect` raises them from the grants already
    made, each with the reason in words and the figures behind it. A manager of
    the location records the review outcome, which the audit journal keeps.
    `dedupe_key` makes detection idempotent: running it twice raises nothing new.
    """

    class Kind(models.TextChoices):
        CUSTOMER_ACROSS_LOCATIONS = "customer_across_locations", _("Same customer compensated at several locations")
        EMPLOYEE_ABOVE_PEERS = "employee_above_peers", _("Employee far above peers")
        AT_CAP_REPEATEDLY = "at_cap_repeatedly", _("Grants repeatedly at exactly the cap")
        NEW_CUSTOMER = "new_customer", _("Customer created minutes before the grant")
        VOID_AFTER_THE_FACT = "void_after_the_fact", _("Voided after the fact")

    class Outcome(models.TextChoices):
        FINE = "fine", _("Fine")
        TALKED = "talked", _("Talked to the employee")
        OTHER = "other", _("Other")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="anomaly_flags")
    grant = models.ForeignKey(
        Grant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="anomaly_flags",
        help_text=_("The grant that raised the flag (the latest one, for patterns over several grants)."),
    )
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, help_text=_("Why this was flagged, in words, with the figures."))
    figures = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    dedupe_key = models.CharField(max_length=120, unique=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.rules.always_deny,
            "change": predicates.can_review_anomaly,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", reviewed_at__isnull=True) | ~Q(outcome="") & Q(reviewed_at__isnull=False),
                name="anomaly_review_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "-raised_at"], name="anomaly_location_recent"),
            models.Index(fields=["grant"], name="anomaly_grant"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reason[:40]}"

    @property
    def is_open(self) -> bool:
        return not self.outcome


# --- the integration API ----------------------------------------------------------------------


class ApiToken(RulesModel):
    """A point-of-sale or CRM integration's key to the JSON API, tied to one location and one role.

    The integration acts as a user of its own (in the role's group, working at
    the token's location, with no password), so the very rules that decide what
    a person in that role may do decide what the token may do. Only the SHA-256
    of the secret is stored: the secret is shown once, when ops create it.
    Tokens are revoked, never deleted, so grants keep naming who made them.
    """

    class Role(models.TextChoices):
        FRONTLINE = "frontline", _("Frontline (quote, grant, redeem)")
        MANAGER = "manager", _("Manager (also void and reconcile the location)")

    name = models.CharField(max_length=120, help_text=_("What the integration is, e.g. “POS till 3”."))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="api_tokens")
    role = models.CharField(max_length=20, choices=Role.choices)
    prefix = models.CharField(
        max_length=24, unique=True, help_text=_("The secret's first characters, to recognise it.")
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Written on every request with one UPDATE (no history): when it was last used and its rate window.
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_window_start = models.DateTimeField(null=True, blank=True)
    rate_window_count = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["last_used_at", "rate_window_start", "rate_window_count"])

    class Meta:
        ordering = ["-created_at", "-id"]
        rules_permissions = {
            "view": can_view_policy_rule,
            "add": can_change_policy,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["frontline", "manager"]), name="api_token_role_serves_customers"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(models.Model):
    """The first response to an API write sent with an `Idempotency-Key`, replayed on a retry.

    Written in the same transaction as the grant or redemption it answers, so a
    retry sees either nothing (the first attempt changed nothing) or the whole
    answer. `(token, key)` is unique: a simultaneous duplicate waits for the
    first and then gets its answer. Kept at least 24 hours (`prune_idempotency_keys`).
    """

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    request_method = models.CharField(max_length=10)
    request_path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text=_("SHA-256 of the method, path and canonical JSON body."))
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return f"{self.request_method} {self.request_path} [{self.key}]"
