"""The grant: compensation given on the spot, and the facts its journal entry keeps."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from compensation.history import HistoricalRecords
from compensation.models import MONEY, Location, Playbook, PolicyVersion
from compensation.texts import SNAPSHOT_TEXT_KEYS, language_shown, localized_text, texts_by_language
from recovery import predicates
from recovery.models.customers import Customer
from recovery.models.failures import ServiceFailure

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

    # A case may carry several grants (a voucher and a refund): the per-case authority bounds their sum.
    failure = models.ForeignKey(ServiceFailure, on_delete=models.PROTECT, related_name="grants")
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
    # The policy snapshot is written once with the grant and never changed (a void sets only the fields
    # above; `change` is denied): kept on the grant alone, not copied again into every history row.
    history = HistoricalRecords(excluded_fields=["policy_snapshot"])

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
