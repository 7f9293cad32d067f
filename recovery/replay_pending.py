"""The replay page's two questions, asked apart: what would publishing the draft change, and what does
the version in force already do to the grants of the window?

Grants keep the limits they were made under, so the version in force can already
give less than was granted (an older version, or the tenure tiers moved). Reporting
that as the draft's effect told ops that an unchanged draft would save money. So
the draft is compared with the version in force ("pending changes"), and the
version in force with what was granted ("what it already does"); a draft equal
to the version in force is said to change nothing, without replaying it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from compensation.models import PolicyVersion
from compensation.policy import draft_document, load_policy, policy_from_document, version_in_force
from compensation.versions import Change, document_diff
from recovery.replay import ReplayResult, replay_draft


@dataclass(frozen=True)
class ReplayComparison:
    version: PolicyVersion | None  # in force at the end of the window; None before the first publish
    changes: list[Change]  # the draft against that version, field by field
    pending: ReplayResult | None  # the draft against the version in force; None when they are the same
    in_force: ReplayResult | None  # the version in force against what was granted; None without a version

    @property
    def draft_is_in_force(self) -> bool:
        return self.version is not None and not self.changes


def replay_against_version_in_force(
    *, since: datetime, until: datetime, location_ids: Iterable[int] | None = None
) -> ReplayComparison:
    """Both replays over the active grants from `since` to `until` (see the module's docstring)."""
    document = draft_document()
    draft = policy_from_document(document, None)
    version = version_in_force(until)
    locations = list(location_ids) if location_ids is not None else None
    if version is None:
        # Nothing published yet: the draft can only be compared with what was granted.
        pending = replay_draft(policy=draft, since=since, until=until, location_ids=locations)
        return ReplayComparison(version=None, changes=[], pending=pending, in_force=None)
    in_force_policy = load_policy(until)
    changes = document_diff(version.document, document)
    pending = None
    if changes:
        pending = replay_draft(policy=draft, since=since, until=until, location_ids=locations, baseline=in_force_policy)
    in_force = replay_draft(policy=in_force_policy, since=since, until=until, location_ids=locations)
    return ReplayComparison(version=version, changes=changes, pending=pending, in_force=in_force)
