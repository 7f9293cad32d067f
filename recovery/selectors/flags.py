"""'A rule stood in my way' flags for the ops and manager pages: counts per rule and playbook, and the list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from recovery.models import RuleFlag
from recovery.selectors.scope import location_ids_for

FLAG_LIST_LIMIT = 200


def _flags_for(user):
    flags = RuleFlag.objects.all()
    location_ids = location_ids_for(user)
    if location_ids is not None:
        flags = flags.filter(location_id__in=location_ids)
    return flags


@dataclass(frozen=True)
class FlagCount:
    label: str
    count: int


def rule_flag_counts_for(*, user) -> tuple[list[FlagCount], list[FlagCount]]:
    """Open flags per rule kind and per playbook (two grouped queries), most flagged first."""
    open_flags = _flags_for(user).filter(status=RuleFlag.Status.OPEN).order_by()
    by_rule = [
        FlagCount(label=RuleFlag.Rule(row["rule"]).label, count=row["count"])
        for row in open_flags.values("rule").annotate(count=Count("id")).order_by("-count", "rule")
    ]
    by_playbook = [
        FlagCount(label=row["playbook__name"] or "No playbook named", count=row["count"])
        for row in open_flags.values("playbook_id", "playbook__name")
        .annotate(count=Count("id"))
        .order_by("-count", "playbook__name")
    ]
    return by_rule, by_playbook


def rule_flag_list_for(*, user, status: str, limit: int = FLAG_LIST_LIMIT) -> list[RuleFlag]:
    """The newest flags (open, handled or all), with everything the list shows, in one query."""
    flags = _flags_for(user)
    if status != "all":
        flags = flags.filter(status=status)
    flags = flags.select_related("location", "raised_by", "handled_by", "playbook", "customer")
    return list(flags.order_by("-raised_at", "-id")[: limit + 1])
