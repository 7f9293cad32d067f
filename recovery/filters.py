"""Audit history filters (django-filter), limited to the locations the user may review."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model

from compensation.forms import FieldNamedErrorsMixin
from compensation.models import Playbook
from recovery.models import AnomalyFlag, Customer, Grant, Location, ServiceFailure


class GrantAuditFilter(django_filters.FilterSet):
    location = django_filters.ModelChoiceFilter(queryset=Location.objects.none())
    granted_by = django_filters.ModelChoiceFilter(label="Employee", queryset=get_user_model().objects.none())
    playbook = django_filters.ModelChoiceFilter(queryset=Playbook.objects.all())
    category = django_filters.ChoiceFilter(
        field_name="failure__category", label="Failure category", choices=ServiceFailure.Category.choices
    )
    status = django_filters.ChoiceFilter(choices=Grant.Status.choices)
    granted_from = django_filters.DateFilter(
        field_name="granted_at", lookup_expr="date__gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    granted_to = django_filters.DateFilter(
        field_name="granted_at", lookup_expr="date__lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Grant
        fields = ["location", "granted_by", "playbook", "category", "status", "granted_from", "granted_to"]

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["location"].queryset = locations
        self.filters["granted_by"].queryset = (
            get_user_model().objects.filter(staff_profile__locations__in=locations).distinct().order_by("username")
        )


class AnomalyFilterForm(FieldNamedErrorsMixin, forms.Form):
    """Filter errors name their field ("Status: Select a valid choice…")."""


class AnomalyFlagFilter(django_filters.FilterSet):
    """The anomalies page: by pattern, open or reviewed, location; links narrow to one customer, employee or grant."""

    STATUS_CHOICES = [("open", "Open"), ("reviewed", "Reviewed")]

    kind = django_filters.ChoiceFilter(label="Pattern", choices=AnomalyFlag.Kind.choices, empty_label="Any pattern")
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method="filter_status", empty_label="Open and reviewed"
    )
    location = django_filters.ModelChoiceFilter(queryset=Location.objects.none(), empty_label="All my locations")
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
