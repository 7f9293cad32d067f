"""Counter forms: the customer search, a walk-in customer, the resolve form (screen 2) and a rule flag.

Field formats only; whether a grant may be made is the services' decision.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compensation.forms import PlainTextFieldsMixin
from recovery.case_opened import MAX_STAMP_LENGTH, case_opened_at
from recovery.domain.phones import PHONE_TAIL_MIN, phone_digits, phone_normalize
from recovery.forms.money import MAX_MONEY, money_field, money_in_currency, money_input
from recovery.models import Customer, RuleFlag, ServiceFailure


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Phone, loyalty card, email or name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "type": "search"}),
        help_text=_("Or the last 4 digits of the phone."),
    )

    def clean_q(self):
        """The query with its spaces tidied; a phone that is too short or has a letter in it is refused here,
        before any search (a name, an email or a card is searched as typed)."""
        query = " ".join(self.cleaned_data["q"].split())
        digits = phone_digits(query)
        if digits is not None and len(digits) < PHONE_TAIL_MIN:
            raise forms.ValidationError(
                _("Phone, loyalty card, email or name: type at least the last %(count)s digits of the phone."),
                params={"count": PHONE_TAIL_MIN},
            )
        if query.startswith("+") and digits is None:
            raise forms.ValidationError(
                _("Phone, loyalty card, email or name: a phone number has only digits; “%(query)s” has other signs."),
                params={"query": query},
            )
        return query

    @property
    def is_phone(self) -> bool:
        """Whether the (valid) query is a phone number or its last digits: one match then opens that customer."""
        return phone_digits(self.cleaned_data.get("q", "")) is not None

    def phone_hint(self) -> str:
        """Said when nothing matched a query that starts like a phone but holds letters (a typo, or a card)."""
        query = self.cleaned_data.get("q", "")
        if query[:1].isdigit() and any(character.isalpha() for character in query):
            return _(
                "Phone, loyalty card, email or name: nothing matches “%(query)s”; "
                "a phone number has only digits (check for a letter typed by mistake)."
            ) % {"query": query}
        return ""


class WalkInForm(PlainTextFieldsMixin, forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=120,
        error_messages={"required": _("Name: enter the customer's name.")},
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, required=False, error_messages={"invalid": _("Email: not a valid address.")}
    )
    loyalty_card = forms.CharField(label=_("Loyalty card"), max_length=40, required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Name: enter the customer's name."))
        return name

    def clean_phone(self):
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except ValueError:
            raise forms.ValidationError(
                _("Phone: not a valid phone number (include the country code, e.g. +44…).")
            ) from None

    def clean_loyalty_card(self):
        # Stored upper-case; some letters grow when upper-cased (ß → SS), so check the length after.
        card = self.cleaned_data["loyalty_card"].strip().upper()
        if len(card) > 40:
            raise forms.ValidationError(_("Loyalty card: at most 40 characters."))
        return card

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if len(email) > 254:
            raise forms.ValidationError(_("Email: at most 254 characters."))
        return email


class CaseOpenedField(forms.Field):
    """The resolve page's signed "case opened at" stamp: a hidden value that is never refused.

    Anything that cannot be a stamp of ours (too long, null characters) reads as
    empty; `case_opened_at` then decides whether the rest proves anything.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if not isinstance(value, str) or len(value) > MAX_STAMP_LENGTH or "\x00" in value:
            return ""
        return value.strip()


class ResolveForm(PlainTextFieldsMixin, forms.Form):
    """Screen 2: what went wrong, what the customer paid, and which playbook to grant."""

    category = forms.ChoiceField(
        label=_("What went wrong"),
        choices=ServiceFailure.Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("What went wrong: choose a category."),
            "invalid_choice": _("What went wrong: choose one of the listed categories."),
        },
    )
    # 0 is a purchase value: the customer bought nothing (a long wait); the playbooks' base rule applies.
    purchase_value = money_field(_("Purchase value"), zero_allowed=True)
    note = forms.CharField(
        label=_("Short note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    playbook = forms.IntegerField(
        label=_("Playbook"),
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": _("Playbook: choose one of the cards."),
            "invalid": _("Playbook: choose one of the cards."),
            "min_value": _("Playbook: choose one of the cards."),
            "max_value": _("Playbook: choose one of the cards."),
        },
    )
    amount = money_field(_("Amount"), required=False, help_text=_("Leave empty to grant the full cap."))
    # Required by the grant service only when an experiment suggested another playbook than the one chosen.
    experiment_reason = forms.CharField(
        label=_("Reason for another playbook"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("Reason for another playbook: at most %(limit_value)d characters.")},
    )
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form is missing its one-time token: reload the page and grant again."),
            "invalid": _("This form's one-time token is damaged: reload the page and grant again."),
        },
    )
    quoted_purchase_value = forms.DecimalField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The prices on the cards are damaged: reload the page and grant again.")},
    )
    # The case a further grant adds to ("Add another compensation to this case"); empty: a new case.
    case = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("Case: not a case number; start a new case instead."),
            "min_value": _("Case: not a case number; start a new case instead."),
            "max_value": _("Case: not a case number; start a new case instead."),
        },
    )
    # When the page was opened, signed with the token (recovery.case_opened). Never refused: a
    # damaged, foreign or stale value only means the failure is logged at the grant's own time.
    opened = CaseOpenedField()

    def __init__(self, *args, currency: str | None = None, **kwargs):
        """`currency`: the counter location's; its minor unit bounds the amounts typed (whole yen)."""
        super().__init__(*args, **kwargs)
        self.currency = currency or settings.RECOVERY_CURRENCY
        self.money_input = money_input(self.currency)

    def clean_purchase_value(self):
        value = self.cleaned_data["purchase_value"]
        money_in_currency(value, self.currency, self.fields["purchase_value"].label)
        return value

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        money_in_currency(value, self.currency, self.fields["amount"].label)
        return value

    def opened_at(self, now=None):
        """When the counter opened this case, if the page's signed stamp proves it; else None."""
        return case_opened_at(
            self.cleaned_data.get("opened", ""), token=self.cleaned_data.get("token"), now=now or timezone.now()
        )

    def quoted_cap(self):
        """The cap the card showed for the chosen playbook, if the page sent one."""
        raw = self.data.get(f"quoted_cap_{self.cleaned_data.get('playbook')}")
        try:
            value = Decimal(raw) if raw else None
        except ArithmeticError:
            return None
        # A tampered value is ignored: the service checks the amount against the real cap anyway.
        if value is None or not value.is_finite() or not 0 <= value <= MAX_MONEY:
            return None
        return value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else None


class RuleFlagForm(PlainTextFieldsMixin, forms.Form):
    """'A rule stood in my way', sent from the counter; every refusal names its field."""

    rule = forms.ChoiceField(
        label=_("Which rule"),
        choices=RuleFlag.Rule.choices,
        error_messages={
            "required": _("Rule: choose which rule stood in your way."),
            "invalid_choice": _("Rule: choose which rule stood in your way."),
        },
    )
    playbook = forms.IntegerField(
        label=_("Playbook (optional)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": _("Playbook: choose one of the listed playbooks."),
            "min_value": _("Playbook: choose one of the listed playbooks."),
            "max_value": _("Playbook: choose one of the listed playbooks."),
        },
    )
    note = forms.CharField(
        label=_("What happened, and what would have helped"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Note: say what happened and what would have helped the customer."),
            "max_length": _("Note: at most 500 characters."),
        },
    )
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Customer: not found; reload the customer's page and try again.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Note: say what happened and what would have helped the customer."))
        return note
