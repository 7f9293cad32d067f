"""Anomaly flags the user may read: the list, the open counts per pattern, and a grant's own flags."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from recovery.models import AnomalyFlag, Grant
from recovery.selectors.flags import FlagCount
from recovery.selectors.scope import location_ids_for

ANOMALY_LIST_LIMIT = 100

# The grant itself is not joined: the page links to it by id, and its JSON snapshots are large.
ANOMALY_RELATED = ("location", "customer", "employee", "reviewed_by")


def anomaly_flags_for(*, user) -> QuerySet[AnomalyFlag]:
    """The flags the user may read: ops and auditors every location, managers their own."""
    flags = AnomalyFlag.objects.select_related(*ANOMALY_RELATED)
    location_ids = location_ids_for(user)
    if location_ids is not None:
        flags = flags.filter(location_id__in=location_ids)
    return flags


def anomaly_list(flags: QuerySet[AnomalyFlag], *, limit: int = ANOMALY_LIST_LIMIT) -> list[AnomalyFlag]:
    """Open flags first (newest first), then reviewed ones (latest review first); one query, `limit + 1` rows
    so the page can say there are more."""
    ordered = flags.order_by(F("reviewed_at").desc(nulls_first=True), "-raised_at", "-id")
    return list(ordered[: limit + 1])


def anomaly_open_counts_for(*, user) -> list[FlagCount]:
    """Open flags the user may read, per pattern, most first (one grouped query)."""
    open_flags = anomaly_flags_for(user=user).filter(outcome="").order_by()
    return [
        FlagCount(label=AnomalyFlag.Kind(row["kind"]).label, count=row["count"])
        for row in open_flags.values("kind").annotate(count=Count("id")).order_by("-count", "kind")
    ]


def anomaly_flags_of_grant(*, grant: Grant) -> list[AnomalyFlag]:
    """The flags a grant raised, for its audit page (the page already checked the grant's location); with
    what their reasons name (location, employee, customer), so wording them again costs no query."""
    return list(grant.anomaly_flags.select_related(*ANOMALY_RELATED).order_by("-raised_at", "-id"))
