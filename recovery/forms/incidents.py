"""Incident forms: logging what happened, and attaching the customers it hit (a pasted list or a CSV).

Field formats only; whom the lines name and what they may be granted is for
the selectors and services. A CSV that cannot be read (its encoding, a missing
column) is refused here, naming the field, before any line is looked at.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compensation.categories import FailureCategory
from compensation.forms import PlainTextFieldsMixin
from compensation.forms.named_errors import FieldNamedErrorsMixin
from compensation.texts import localized_text
from recovery.forms.money import money_field, money_in_currency

# The columns a customer CSV may name them by (any one per line); `loyalty_card` as the admin export calls it.
CSV_COLUMNS = ("phone", "card", "loyalty_card", "email")
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_LINES = 2000


class IncidentForm(PlainTextFieldsMixin, FieldNamedErrorsMixin, forms.Form):
    """What happened, where, when, and the terms every customer it hit is compensated on."""

    location = forms.TypedChoiceField(label=_("Location"), coerce=int)
    title = forms.CharField(label=_("What happened"), max_length=200)
    category = forms.ChoiceField(label=_("Failure category"), choices=FailureCategory.choices)
    happened_at = forms.DateTimeField(
        label=_("When it happened"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("When it happened: enter a date and time, e.g. 2030-01-31 09:00.")},
    )
    playbook = forms.TypedChoiceField(label=_("Playbook"), coerce=int)
    # 0 is valid: the customers bought nothing (the playbook's base rule applies).
    purchase_value = money_field(_("Purchase value"), zero_allowed=True)

    def __init__(self, *args, locations, playbooks, **kwargs):
        super().__init__(*args, **kwargs)
        self.locations = {location.pk: location for location in locations}
        self.fields["location"].choices = [(location.pk, location.name) for location in locations]
        self.fields["playbook"].choices = [(pk, localized_text(playbook, "name")) for pk, playbook in playbooks.items()]
        self.fields["purchase_value"].initial = "0"

    def clean_happened_at(self):
        value = self.cleaned_data["happened_at"]
        if value > timezone.now():
            raise forms.ValidationError(gettext("it cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        location = self.locations.get(cleaned.get("location"))
        if location is not None:
            cleaned["location"] = location
            if cleaned.get("purchase_value") is not None:
                try:
                    money_in_currency(cleaned["purchase_value"], location.currency, self.fields["purchase_value"].label)
                except forms.ValidationError as error:
                    self.add_error("purchase_value", error)
        return cleaned


class AttachForm(forms.Form):
    """Customers by the list: phone numbers, loyalty cards or emails pasted one per line, or a CSV file."""

    lines = forms.CharField(
        label=_("Phone numbers, loyalty cards or emails, one per line"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("UTF-8, first line naming a column phone, card or email."),
    )
    skip_problems = forms.BooleanField(
        label=_("Attach the customers found and leave out the lines listed as problems"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(gettext("CSV file: larger than 2 MB; split it."))
        return csv_customer_lines(upload.read())

    def clean(self):
        cleaned = super().clean()
        text, rows = cleaned.get("lines", ""), cleaned.get("file")
        if self.errors:
            return cleaned
        if text.strip() and rows is not None:
            raise forms.ValidationError(gettext("Paste a list or choose a CSV file, not both."))
        if rows is None:
            rows = list(enumerate(text.splitlines(), start=1))
        if not any(raw.strip() for _number, raw in rows):
            self.add_error("lines", gettext("Phone numbers: paste at least one line, or choose a CSV file."))
        elif len(rows) > MAX_LINES:
            self.add_error("lines", gettext("Phone numbers: at most %(max)d lines at a time.") % {"max": MAX_LINES})
        cleaned["rows"] = rows
        cleaned["source"] = "csv" if cleaned.get("file") is not None else "list"
        return cleaned


def csv_customer_lines(data: bytes) -> list[tuple[int, str]]:
    """(line number in the file, the line's phone, card or email) for every data line; the header is line 1.

    Refuses a file that is not UTF-8 (naming the line) or whose first line names
    none of `CSV_COLUMNS`, as a `ValidationError` naming the CSV file.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise forms.ValidationError(
            gettext("CSV file: not UTF-8 text (near line %(line)d): save it as “CSV UTF-8” and try again.")
            % {"line": line}
        ) from None
    header = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header and "," not in header else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [name.strip().lower() for name in next(reader, [])]
    wanted = [index for index, name in enumerate(columns) if name in CSV_COLUMNS]
    if not wanted:
        raise forms.ValidationError(
            gettext("CSV file: the first line must name a column %(columns)s (it names: %(found)s).")
            % {"columns": " / ".join(CSV_COLUMNS), "found": ", ".join(columns) or "—"}
        )
    rows = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        picked = next((values[index] for index in wanted if index < len(values) and values[index].strip()), "")
        rows.append((reader.line_num, picked or "—"))  # "—": the line names nobody, reported as such
    return rows
