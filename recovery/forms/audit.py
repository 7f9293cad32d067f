"""Audit forms: the timeline's filters (limited to the locations and people the user may review) and voiding a grant."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.forms import FieldNamedErrorsMixin, PlainTextFieldsMixin
from compensation.models import Playbook
from compensation.texts import localized_text
from recovery.models import Location, ServiceFailure
from recovery.timeline import KINDS, TimelineQuery

# Far enough for any real review, and safely inside what every time zone can convert.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


class PlaybookChoiceField(forms.ModelChoiceField):
    """Playbooks named in the reader's language (the rows' own `str` is the English name)."""

    def label_from_instance(self, obj):
        return localized_text(obj, "name")


class TimelineFilterForm(FieldNamedErrorsMixin, forms.Form):
    # Empty choices say what they mean in the page's language, instead of Django's "---------".
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("All locations")
    )
    employee = forms.ModelChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Any"),
        help_text=_("Who acted: granted, voided, asked…"),
    )
    playbook = PlaybookChoiceField(
        label=_("Playbook"), queryset=Playbook.objects.all(), required=False, empty_label=_("Any")
    )
    category = forms.ChoiceField(
        label=_("Failure category"), choices=[("", _("Any"))] + ServiceFailure.Category.choices, required=False
    )
    customer = forms.CharField(
        label=_("Customer"),
        max_length=120,
        required=False,
        help_text=_("Name, phone, loyalty card or email."),
        strip=True,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount_min = forms.DecimalField(
        label=_("Amount from"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    amount_max = forms.DecimalField(
        label=_("Amount to"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    flagged = forms.BooleanField(label=_("Flagged only"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Events"),
        choices=KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked shows every kind."),
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["employee"].queryset = (
            get_user_model().objects.filter(staff_profile__locations__in=locations).distinct().order_by("username")
        )

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.")
        return value

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "must be on or after “From”.")
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "must be at least “Amount from”.")
        return data

    def query(self) -> TimelineQuery:
        """The valid filters as a TimelineQuery; dates are whole days in the site's time zone."""
        if not self.is_bound:
            return TimelineQuery()
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def start_of(day):
            return dt.datetime.combine(day, dt.time.min, tzinfo=zone) if day else None

        until = data.get("date_to") and data["date_to"] + dt.timedelta(days=1)
        return TimelineQuery(
            location_id=data["location"].pk if data.get("location") else None,
            employee_id=data["employee"].pk if data.get("employee") else None,
            playbook_id=data["playbook"].pk if data.get("playbook") else None,
            category=data.get("category") or "",
            customer=data.get("customer") or "",
            since=start_of(data.get("date_from")),
            until=start_of(until),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            flagged_only=bool(data.get("flagged")),
            kinds=tuple(data.get("kinds") or ()),
        )


class VoidForm(PlainTextFieldsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Reason: say why the grant is voided.")},
    )
