"""Audit history filters (django-filter), limited to the locations the user may review."""

from datetime import UTC, date, datetime, time, timedelta

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
        start = day_start(value)
        if start is None:  # a day at an end of the calendar, outside what a moment in UTC can be
            return queryset if value.year <= 1 else queryset.none()
        return queryset.filter(granted_at__gte=start)

    def filter_to(self, queryset, name, value):
        if value == date.max:
            return queryset
        end = day_start(value + timedelta(days=1))
        if end is None:
            return queryset.none() if value.year <= 1 else queryset
        return queryset.filter(granted_at__lt=end)


def day_start(day: date) -> datetime | None:
    """Midnight starting `day` in the current time zone (what `granted_at__date` compares in), or None
    when that moment is outside what a datetime can hold in UTC (the first and last days of the calendar)."""
    try:
        start = timezone.make_aware(datetime.combine(day, time.min))
        start.astimezone(UTC)
    except OverflowError:
        return None
    return start
