"""Audit history filters (django-filter), limited to the locations the user may review."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from compensation.models import Playbook
from recovery.models import Grant, Location, ServiceFailure


class GrantAuditFilter(django_filters.FilterSet):
    location = django_filters.ModelChoiceFilter(queryset=Location.objects.none())
    granted_by = django_filters.ModelChoiceFilter(label="Employee", queryset=get_user_model().objects.none())
    playbook = django_filters.ModelChoiceFilter(queryset=Playbook.objects.all())
    category = django_filters.ChoiceFilter(
        field_name="failure__category", label="Failure category", choices=ServiceFailure.Category.choices
    )
    status = django_filters.ChoiceFilter(choices=Grant.Status.choices)
    # Whole days in the current time zone, as bounds on `granted_at` itself (not `granted_at__date`,
    # which no index can serve: on a million grants that turned a keyset page into a sort of thousands).
    granted_from = django_filters.DateFilter(
        field_name="granted_at", method="filter_from", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    granted_to = django_filters.DateFilter(
        field_name="granted_at", method="filter_to", label="To", widget=forms.DateInput(attrs={"type": "date"})
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

    def filter_from(self, queryset, name, value):
        return queryset.filter(granted_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(granted_at__lt=day_start(value + timedelta(days=1)))


def day_start(day: date) -> datetime:
    """Midnight starting `day` in the current time zone (what `granted_at__date` compares in)."""
    return timezone.make_aware(datetime.combine(day, time.min))
