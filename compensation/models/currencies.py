"""The policy's amounts stated in another currency (`compensation.currencies`): a draft table ops edit on the
"Amounts in JPY" page, published with the version like the per-location overrides."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import predicates
from compensation.models.fields import MONEY, NON_NEGATIVE, POLICY_PERMISSIONS, validate_currency


class PolicyCurrencyAmount(RulesModel):
    """One amount of the policy (a playbook's floor, a role's per-grant limit, …) in one other currency.

    `subject` is the document's section (playbooks, role_authorities, employee_authorities,
    customer_limits) and `key` the item in it as the document names it (a playbook's or employee's id,
    a role, a customer limit's window in days); `field` the amount (floor, limit, max_total, …).
    """

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    subject = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    field = models.CharField(max_length=30)
    amount = models.DecimalField(_("amount"), **MONEY, validators=NON_NEGATIVE)
    history = HistoricalRecords()

    class Meta:
        rules_permissions = POLICY_PERMISSIONS | {"delete": predicates.can_change_policy}
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "subject", "key", "field"], name="one_amount_per_currency_item_field"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="currency_amount_non_negative"),
        ]

    def __str__(self):
        return f"{self.currency} {self.subject} {self.key} {self.field}: {self.amount}"
