"""`PlainTextFieldsMixin`: every free-text field of a form refuses control and direction characters.

The check itself is pure (`compensation.plain_text`); the API applies the same
check in its `TextField`. One-line inputs refuse line breaks too; a textarea
(notes, reasons, apology scripts) keeps them.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from compensation.plain_text import unsafe_character, unsafe_text_reason


@deconstructible
class PlainTextValidator:
    """Refuse `unsafe_character`s, naming the field by `label` ("Name: must be a single line…")."""

    code = "unsafe_text"

    def __init__(self, label, *, multiline: bool = False):
        self.label = label
        self.multiline = multiline

    def __call__(self, value):
        found = unsafe_character(str(value), multiline=self.multiline)
        if found is not None:
            raise ValidationError(f"{self.label}: {unsafe_text_reason(found)}", code=self.code)

    def __eq__(self, other):
        return isinstance(other, PlainTextValidator) and (self.label, self.multiline) == (other.label, other.multiline)


def is_free_text(field: forms.Field) -> bool:
    """A plain `CharField` a person types into (not an email, slug, choice or hidden value)."""
    return type(field) is forms.CharField and not field.widget.is_hidden


class PlainTextFieldsMixin:
    """Give every free-text field a `PlainTextValidator`; a textarea's text may have several lines."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if is_free_text(field):
                label = field.label or name.replace("_", " ").capitalize()
                field.validators.append(PlainTextValidator(label, multiline=isinstance(field.widget, forms.Textarea)))
