"""Insight forms: the dashboard's window and location, and the monthly report's location and month."""

import datetime
import re
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compensation import wording
from compensation.forms import FieldNamedErrorsMixin
from recovery.insights import MAX_WINDOW_DAYS, default_window
from recovery.models import Location
from recovery.selectors.effect import DEFAULT_DIMENSION, DIMENSIONS

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


class EffectFilterForm(FieldNamedErrorsMixin, forms.Form):
    """What recovery buys: which dimension the cases are grouped by (playbook unless asked)."""

    by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=list(DIMENSIONS.items()),
        error_messages={
            "invalid_choice": _("Group by: choose playbook, location, failure category or policy version.")
        },
    )

    def clean_by(self):
        return self.cleaned_data["by"] or DEFAULT_DIMENSION
