"""Anomaly forms: the anomalies page's filter (by pattern, status, location) and a manager's review of a flag."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from compensation.forms import FieldNamedErrorsMixin, PlainTextFieldsMixin
from recovery.models import AnomalyFlag, Customer, Grant, Location


class AnomalyFilterForm(FieldNamedErrorsMixin, forms.Form):
    """Filter errors name their field ("Status: Select a valid choice…")."""


class AnomalyFlagFilter(django_filters.FilterSet):
    """The anomalies page: by pattern, open or reviewed, location; links narrow to one customer, employee or grant."""

    STATUS_CHOICES = [("open", _("Open")), ("reviewed", _("Reviewed"))]

    kind = django_filters.ChoiceFilter(
        label=_("Pattern"), choices=AnomalyFlag.Kind.choices, empty_label=_("Any pattern")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="filter_status", empty_label=_("Open and reviewed")
    )
    location = django_filters.ModelChoiceFilter(
        label=_("Location"), queryset=Location.objects.none(), empty_label=_("All my locations")
    )
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), widget=forms.HiddenInput)
    employee = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(), widget=forms.HiddenInput)
    grant = django_filters.ModelChoiceFilter(queryset=Grant.objects.only("id"), widget=forms.HiddenInput)

    class Meta:
        model = AnomalyFlag
        fields = ["kind", "status", "location", "customer", "employee", "grant"]
        form = AnomalyFilterForm

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["location"].queryset = locations

    def filter_status(self, queryset, name, value):
        return queryset.filter(outcome="") if value == "open" else queryset.exclude(outcome="")


class AnomalyReviewForm(PlainTextFieldsMixin, FieldNamedErrorsMixin, forms.Form):
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
