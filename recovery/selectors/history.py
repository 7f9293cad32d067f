"""A record's change history (django-simple-history) worded for the reader: field names, names, local times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy

from compensation import wording


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    kind: str
    reason: str
    changes: list


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


def _shown(field, value, historical) -> str:
    if value in (None, ""):
        return "—"
    if field.is_relation:
        # The historical row resolves its own foreign key (a name, not an id).
        return str(getattr(historical, field.name))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return wording.moment_words(value)
    return str(value)


def _readable(change, historical, previous) -> FieldChange:
    """A field change as a manager reads it: the field's name, names instead of ids, local times."""
    field = historical.instance_type._meta.get_field(change.field)
    return FieldChange(
        field=str(field.verbose_name),
        old=_shown(field, change.old, previous),
        new=_shown(field, change.new, historical),
    )


# Our own words for simple-history's entry kinds: its catalogue has no plain "ru" (only ru_RU), and a
# noun reads right whatever the record's grammatical gender.
HISTORY_KINDS = {
    "+": pgettext_lazy("history entry", "Created"),
    "~": pgettext_lazy("history entry", "Changed"),
    "-": pgettext_lazy("history entry", "Deleted"),
}


def _reason_shown(reason: str, record) -> str:
    """A change reason in the reader's language when it is one of the record's status names.

    Services store reasons in English (the history is the record): a typed
    reason stays as typed, but "Approved", written for a decision without a
    note, is the status's own label and reads "Одобрено" to a Russian manager.
    """
    statuses = getattr(type(record), "Status", None)
    if statuses is None or not reason:
        return reason
    with translation.override("en"):
        english = {str(label): value for value, label in statuses.choices}
    return str(statuses(english[reason]).label) if reason in english else reason


def history_of(record) -> list[HistoryEntry]:
    """The record's change history, newest first, each with its field-by-field diff, worded for the reader:
    field names (their verbose names), choice labels, times and status reasons in the active language."""
    records = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for historical in records:
        changes = (
            [_readable(change, historical, previous) for change in historical.diff_against(previous).changes]
            if previous is not None
            else []
        )
        entries.append(
            HistoryEntry(
                when=historical.history_date,
                who=historical.history_user.get_username() if historical.history_user else gettext("system"),
                kind=str(HISTORY_KINDS.get(historical.history_type, historical.get_history_type_display())),
                reason=_reason_shown(historical.history_change_reason or "", record),
                changes=changes,
            )
        )
        previous = historical
    return list(reversed(entries))
