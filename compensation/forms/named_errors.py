"""`FieldNamedErrorsMixin`: every field error names its field, so a message read alone still says where."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class FieldNamedErrorsMixin:
    """Prefix every field error with the field's label, so a message read alone still says where.

    Django's and the models' messages ("Ensure this value is less than or
    equal to 1000.") do not name the field; on a long form, or read out by a
    screen reader, "Percent: Ensure…" does. Messages that already start with
    the label are left alone.
    """

    def full_clean(self):
        super().full_clean()
        for name, errors in list(self._errors.items()):
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            label = str(self.fields[name].label or name.replace("_", " ").capitalize())
            renamed = []
            for error in errors.as_data():
                for message in error:
                    if not message.lower().startswith(label.lower()):
                        message = f"{label}: {message}"
                    renamed.append(ValidationError(message, code=error.code))
            self._errors[name] = self.error_class(renamed, renderer=self.renderer)
