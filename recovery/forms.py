"""Counter and audit forms: field formats only; policy checks live in the services."""

import datetime
import re
import zoneinfo
from decimal import Decimal

from babel.numbers import get_currency_symbol
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from compensation import wording
from compensation.forms import FieldNamedErrorsMixin
from compensation.money import minor_unit, quantize
from recovery.case_opened import MAX_STAMP_LENGTH, case_opened_at
from recovery.insights import MAX_WINDOW_DAYS, default_window
from recovery.models import AnomalyFlag, Customer, Location, RuleFlag, ServiceFailure
from recovery.services import phone_normalize

MAX_MONEY = Decimal("1000000000")


def money_field(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    """A money input that opens the numeric keypad and explains every refusal by name."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_MONEY,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        # Lazy, so each refusal is worded in the language of the page that shows it.
        error_messages={
            "required": format_lazy(_("{label}: enter an amount."), label=label),
            "invalid": format_lazy(_("{label}: enter a number such as 24.50."), label=label),
            "min_value": format_lazy(_("{label}: must be more than 0."), label=label),
            "max_value": format_lazy(_("{label}: must not exceed 1,000,000,000."), label=label),
            "max_digits": format_lazy(_("{label}: too large."), label=label),
            "max_decimal_places": format_lazy(_("{label}: at most 2 decimal places."), label=label),
            "max_whole_digits": format_lazy(_("{label}: must not exceed 1,000,000,000."), label=label),
        },
    )


def money_in_currency(value, currency: str, label) -> None:
    """Refuse an amount finer than `currency`'s minor unit (1000.5 yen): it is a typing mistake,
    never something to round away silently."""
    if value is not None and value != quantize(value, currency):
        raise forms.ValidationError(
            gettext("%(label)s: %(currency)s has no smaller unit than %(unit)s.")
            % {"label": label, "currency": currency, "unit": wording.amount(minor_unit(currency), currency)}
        )


def money_input(currency: str) -> dict:
    """How the counter's money inputs look for `currency`: the keypad, the step and the symbol."""
    unit = minor_unit(currency)
    return {
        "code": currency,
        "symbol": get_currency_symbol(currency, locale=translation.get_language() or settings.LANGUAGE_CODE),
        # Whole-unit currencies (JPY) need no decimal key on the phone keypad.
        "inputmode": "decimal" if unit < 1 else "numeric",
        "step": f"{unit:f}",
    }


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Phone, loyalty card, email or name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "type": "search"}),
    )


class WalkInForm(forms.Form):
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


class ResolveForm(forms.Form):
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
    purchase_value = money_field(_("Purchase value"))
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


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Reason: say why the grant is voided.")},
    )


class EscalateForm(ResolveForm):
    """Above a limit: the same case as the resolve form, the amount to approve and why."""

    amount = money_field(_("Amount to approve"))
    reason = forms.CharField(
        label=_("Why this customer should get more"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Reason: tell the manager why this customer should get more."),
            "max_length": _("Reason: at most 500 characters."),
        },
    )

    # The hidden copies of the case are checked like the resolve form; their errors are shown there too.
    CASE_FIELDS = ("category", "purchase_value", "note", "playbook", "token", "quoted_purchase_value", "opened")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Reason: tell the manager why this customer should get more."))
        return reason


class DecisionForm(forms.Form):
    """A manager's decision on an escalation; the service insists on a note for a decline."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        error_messages={
            "required": _("Decision: choose approve or decline."),
            "invalid_choice": _("Decision: choose approve or decline."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        error_messages={"max_length": _("Note: at most 500 characters.")},
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class RuleFlagForm(forms.Form):
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


# --- ops pages: replay window, flag list and handling ------------------------------------


class ReplayForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days back"),
        required=False,
        min_value=1,
        max_value=366,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Days back: enter a whole number of days such as 90."),
            "min_value": _("Days back: at least 1."),
            "max_value": _("Days back: at most 366."),
        },
    )


class FlagFilterForm(forms.Form):
    STATUS_CHOICES = [("open", _("Open")), ("handled", _("Handled")), ("all", _("All"))]

    status = forms.ChoiceField(
        label=_("Show"),
        choices=STATUS_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Show: choose open, handled or all.")},
    )


class FlagHandleForm(forms.Form):
    handled_note = forms.CharField(
        label=_("What was done"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("What was done: say how the flag was handled."),
            "max_length": _("What was done: at most 500 characters."),
        },
    )


class AnomalyReviewForm(FieldNamedErrorsMixin, forms.Form):
    """A manager's review of an anomaly flag; the service insists on a note for "Other"."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=AnomalyFlag.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Outcome: choose fine, talked to the employee, or other."),
            "invalid_choice": _("Outcome: choose fine, talked to the employee, or other."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Required for “Other”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _("Note: at most 500 characters.")},
    )

    def clean_note(self):
        return self.cleaned_data["note"].strip()


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before anything looks it up."""

    username = UsernameField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages={"max_length": _("Username: at most 150 characters.")},
    )


class VoucherCodeForm(forms.Form):
    """The redeem screen's one input: typed, or scanned (a scanner types the code or link, then Enter)."""

    code = forms.CharField(
        label=_("Voucher code"),
        max_length=300,  # room for the customer's link, which a QR code holds
        help_text=_("Type or scan it, with or without the dash; the customer's link works too."),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "enterkeyhint": "go",
                "type": "search",
                "placeholder": "7KQ4M-XR9TB",
                "data-select-on-load": True,  # a scanned code replaces the last one (static/js/desk.js)
                "aria-describedby": "id_code_helptext voucher-status",
            }
        ),
        error_messages={
            "required": _("Voucher code: type or scan the code."),
            "max_length": _("Voucher code: too long to be a code or a voucher link."),
        },
    )


class VoucherRedeemForm(VoucherCodeForm):
    """'Redeem now': the code looked up and the page's one-time token, so a double click redeems once."""

    token = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This form's one-time token is damaged: look the code up again.")},
    )


# --- insights: the dashboard window and the monthly report ----------------------------------

EARLIEST_INSIGHT_DATE = datetime.date(2000, 1, 1)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class _InsightLocationMixin:
    """A location field limited to the locations the user may see: another's id is an invalid choice."""

    def _limit_locations(self, locations):
        self.fields["location"].queryset = locations

    def zone(self, location) -> zoneinfo.ZoneInfo:
        """Dates are read in the chosen location's time zone, or the site's for several locations."""
        return zoneinfo.ZoneInfo(location.timezone) if location else timezone.get_current_timezone()


class InsightFilterForm(FieldNamedErrorsMixin, _InsightLocationMixin, forms.Form):
    """The dashboard's window (default: the last 12 weeks) and location (default: all the user sees)."""

    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("All your locations"),
        error_messages={"invalid_choice": _("Location: choose one of your locations.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("From: enter a date such as 2026-03-02.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("To: enter a date such as 2026-05-24.")},
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_locations(locations)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["tz"] = self.zone(data.get("location"))
        today = timezone.localdate(timezone=data["tz"])
        default_start, default_end = default_window(today)
        start, end = data.get("start") or default_start, data.get("end") or default_end
        if start < EARLIEST_INSIGHT_DATE:
            self.add_error(
                "start", gettext("From: must be on or after %(day)s.") % {"day": wording.day(EARLIEST_INSIGHT_DATE)}
            )
        if end > today + datetime.timedelta(days=1):
            self.add_error(
                "end",
                gettext("To: must not be after tomorrow (%(day)s).")
                % {"day": wording.day(today + datetime.timedelta(days=1))},
            )
        if start > end:
            self.add_error("end", _("To: must be on or after From."))
        elif (end - start).days + 1 > MAX_WINDOW_DAYS:
            self.add_error(
                "start",
                gettext("From: the window can cover at most %(days)s days; choose a later date.")
                % {"days": MAX_WINDOW_DAYS},
            )
        data["start"], data["end"] = start, end
        return data


class MonthlyReportForm(FieldNamedErrorsMixin, _InsightLocationMixin, forms.Form):
    """One location and one calendar month (default: the first location, this month there)."""

    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Location: choose one of your locations.")},
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        error_messages={"max_length": _("Month: enter a month as YYYY-MM, e.g. 2026-03.")},
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_locations(locations)

    def clean_month(self):
        raw = self.cleaned_data["month"].strip()
        if not raw:
            return None
        match = MONTH_PATTERN.match(raw)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Month: enter a month as YYYY-MM, e.g. 2026-03."))
        # Compared as numbers first: year 0000 is no date at all.
        if int(match[1]) < EARLIEST_INSIGHT_DATE.year:
            raise forms.ValidationError(
                gettext("Month: must be %(month)s or later.") % {"month": date_format(EARLIEST_INSIGHT_DATE, "F Y")}
            )
        return datetime.date(int(match[1]), int(match[2]), 1)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        location = data.get("location") or self.fields["location"].queryset.first()
        if location is None:
            raise forms.ValidationError(_("Location: you have no location to report on."))
        this_month = timezone.localdate(timezone=self.zone(location)).replace(day=1)
        month = data.get("month") or this_month
        if month > this_month:
            self.add_error(
                "month",
                gettext("Month: %(month)s has not started yet at %(location)s.")
                % {"month": date_format(month, "F Y"), "location": location.name},
            )
        data["location"], data["month"] = location, month
        return data


class LanguageForm(FieldNamedErrorsMixin, forms.Form):
    """The header's language switch: one of the languages the desk speaks, and the page to go back to."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
