"""Publishing the draft (why and from when); the same form rolls back to an earlier version."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms.named_errors import FieldNamedErrorsMixin
from compensation.forms.plain_text import PlainTextFieldsMixin


class PublishForm(PlainTextFieldsMixin, FieldNamedErrorsMixin, forms.Form):
    """Why the policy changes and from when; also used to roll back to an earlier version."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Reason: say why the policy changes; staff and managers will read it."),
            "max_length": _("Reason: keep it under 500 characters."),
        },
    )
    effective_at = forms.DateTimeField(
        label=_("Effective from"),
        required=False,
        # Typed in the current time zone; Django makes the value aware in it.
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to apply now; set a later time to schedule."),
        error_messages={"invalid": _("Effective from: enter a date and time, e.g. 2030-01-31 09:00.")},
    )

    def clean_effective_at(self):
        value = self.cleaned_data["effective_at"]
        try:
            if value is not None:
                value.astimezone(datetime.UTC)  # year 9999 west of UTC cannot be stored
        except OverflowError:
            raise forms.ValidationError(_("Effective from: choose a date within the next year.")) from None
        return value
