"""django-simple-history's `HistoricalRecords` without its per-access class build.

simple-history's `HistoryDescriptor.__get__` builds a new manager class
(`HistoryManager.from_queryset(HistoricalQuerySet)`, a `type()` call copying
every queryset method) on every `instance.history` access, and
`create_historical_record` makes that access on every save: on the grant
path (a failure and its grant, two history rows) it was 4.6 % of the
request's Python CPU (cProfile, issue #20). The class depends only on the
two classes named at registration, so it is built once here; the history
rows, their fields and the managers' behaviour are simple-history's own.
"""

from __future__ import annotations

from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords as _HistoricalRecords


class PreparedHistoryDescriptor(HistoryDescriptor):
    """`HistoryDescriptor` whose manager class is built once, at registration, instead of on every access."""

    def __init__(self, model, manager, queryset):
        super().__init__(model, manager=manager, queryset=queryset)
        self.prepared_manager_class = manager.from_queryset(queryset)

    def __get__(self, instance, owner):
        return self.prepared_manager_class(self.model, instance)


class HistoricalRecords(_HistoricalRecords):
    """simple-history's `HistoricalRecords`, with the history manager's class prepared once per model."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = vars(sender).get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:  # registered on this very model (not an abstract parent)
            setattr(
                sender,
                self.manager_name,
                PreparedHistoryDescriptor(descriptor.model, descriptor.manager_class, descriptor.queryset_class),
            )
