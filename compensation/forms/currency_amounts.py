"""The "Amounts in JPY" form: every amount of the draft policy, stated in one other currency (`compensation.currencies`).

One field per amount (a playbook's floor, a role's per-grant limit, …), labelled with the item and the field and
showing the policy currency's value beside it. A blank field states nothing (publish then refuses, naming it).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from compensation.currencies import FIELD_WORDS
from compensation.forms.money_input import TypedMoneyField
from compensation.forms.named_errors import FieldNamedErrorsMixin
from compensation.models import MONEY
from compensation.money import format_money, minor_unit


def field_name(subject: str, key: str, field: str) -> str:
    """The form field of one amount: `playbooks__12__floor`."""
    return f"{subject}__{key}__{field}"


class CurrencyAmountsForm(FieldNamedErrorsMixin, forms.Form):
    """`rows`: the draft's amounts (`compensation.currencies.policy_amounts`); `stated`: what the draft states now,
    {(subject, key, field): amount}; `currency`: the one stated; `policy_currency`: the one the rows are in."""

    def __init__(self, *args, rows, stated, currency: str, policy_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.amounts = {}
        for subject, key, field, label, value in rows:
            name = field_name(subject, key, field)
            self.amounts[name] = (subject, key, field)
            self.fields[name] = TypedMoneyField(
                label=f"{label} · {gettext(FIELD_WORDS[field])} ({currency})",
                required=False,
                min_value=Decimal("0"),
                max_digits=MONEY["max_digits"],
                decimal_places=MONEY["decimal_places"],
                initial=stated.get((subject, key, field)),
                help_text=gettext("In %(currency)s: %(amount)s")
                % {
                    "currency": policy_currency,
                    "amount": format_money(Decimal(value), policy_currency),
                },
            )

    def clean(self):
        """An amount finer than the currency's smallest unit (800.5 yen) is refused at its field."""
        cleaned = super().clean()
        unit = minor_unit(self.currency)
        for name, value in list(cleaned.items()):
            if value is not None and value != value.quantize(unit):
                self.add_error(
                    name,
                    ValidationError(
                        gettext("%(label)s: %(currency)s has no smaller unit than %(unit)s.")
                        % {"label": self.fields[name].label, "currency": self.currency, "unit": unit.normalize()}
                    ),
                )
        return cleaned

    def statements(self) -> dict[tuple[str, str, str], Decimal | None]:
        """What the valid form states: {(subject, key, field): amount or None (not stated)}."""
        return {self.amounts[name]: value for name, value in self.cleaned_data.items() if name in self.amounts}
