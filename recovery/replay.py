"""Replay a draft policy over past grants: what would recent compensation have cost under it?

Ops (and managers, for their locations) ask this before publishing. Each active
grant of the window is re-priced with the draft for its own playbook and its
recorded purchase value, tenure and (from its snapshot) status and lifetime spend, and the authority the draft gives its employee
(customer limits, budgets and the employee's daily and monthly totals are not replayed). A past amount is never raised by
a more generous draft (nobody can hand out money retroactively), so the draft
amount is `min(actual amount, draft cap)`; a playbook the draft withdraws
counts as 0. A grant a manager approved above its cap keeps its amount: a cap
change does not say what the manager would have approved.

Several grants on one case are bounded together, as the counter bounds them: the
draft's per-case authority of the employee (`Authority.per_case`) caps what the
case's grants add up to under the draft, in the order they were granted, so a
second grant the draft's per-case bound would have refused counts as 0 and one it
would have cut counts at what was left ("capped by the authority per case"). A grant
a manager approved is kept as it was, and still counts towards its case. The rows
come ordered by case for this: only the current case's running total is kept.

Experiments are not replayed: a grant made while an experiment ran is re-priced for
the playbook it was actually granted with. The draw stored for its case is not
drawn again, and a draft cannot change which playbook an experiment suggests, so
the replay counts those grants (`in_experiment`) and says so rather than guess.

The grants are read in one query as plain values and streamed in chunks, so the
replay runs in constant memory and a constant number of queries whatever the
number of grants. `DraftCaps` keeps the engine's work small (see there).

Each grant is re-priced in its own currency (its location's), and amounts of
different currencies are never added: the totals and every line are per
currency (a playbook granted in euros and in yen is two lines).

With a `baseline` policy (the version in force) the comparison is the draft
against what that policy gives the same grants, not against what was granted:
a draft equal to the version in force then changes nothing, even where the
version in force already caps older grants lower. Behind each figure the replay
keeps the grants it counted (`GrantList`, the largest differences first,
bounded so that memory stays constant).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Iterator

from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from compensation.caps import Authority, Standing
from compensation.money import ZERO
from compensation.policy import Policy
from recovery.models import Grant
from recovery.replay_caps import CaseTotals, DraftCaps, Place  # noqa: F401 (DraftCaps re-exported: tests read it here)

CHUNK_SIZE = 2000
SNAPSHOT_STANDING = {
    "snapshot_status": "customer_status",
    "snapshot_spend": "lifetime_spend",
}  # row key -> snapshot key
GRANT_LIST_LIMIT = 100  # grants listed behind one figure; the rest are counted, not listed
GRANT_VALUES = (
    "id",
    "customer__name",
    "granted_at",
    "granted_by_id",
    "playbook_id",
    "playbook_name",
    "location_id",
    "location__name",
    "location__code",
    "location__kind",
    "currency",
    "amount",
    "cap",
    "purchase_value",
    "tenure_months",
    "authority_role",
    "authority_limit",
    "failure_id",
    "approved_by_id",
)
# Whether the grant was made in an experiment (its case's stored draw): counted, never re-drawn.
EXPERIMENT_VALUE = "experiment_assignment__experiment_id"


@dataclass
class ReplayLine:
    """Totals of one group of grants (a playbook, a location, or all of them)."""

    key: int | None
    name: str
    currency: str
    grants: int = 0
    actual: Decimal = ZERO
    draft: Decimal = ZERO
    capped_lower: int = 0  # the draft cap is below the amount given
    withdrawn: int = 0  # the draft no longer offers the playbook
    allowed_more: int = 0  # the draft cap is above the recorded cap (shown, never added)
    approved_above_cap: int = 0  # a manager approved more than the cap: kept as it was
    restored: int = 0  # the draft gives back (up to the amount granted) what the baseline cut
    case_capped: int = 0  # the draft's per-case authority leaves less on the grant's case
    in_experiment: int = 0  # made while an experiment ran: replayed with the playbook actually granted

    @property
    def difference(self) -> Decimal:
        return self.draft - self.actual

    def add(
        self,
        *,
        actual: Decimal,
        draft: Decimal,
        capped_lower: bool,
        withdrawn: bool,
        allowed_more: bool,
        approved_above_cap: bool,
        restored: bool = False,
        case_capped: bool = False,
        in_experiment: bool = False,
    ):
        self.grants += 1
        self.actual += actual
        self.draft += draft
        self.capped_lower += capped_lower
        self.withdrawn += withdrawn
        self.allowed_more += allowed_more
        self.approved_above_cap += approved_above_cap
        self.restored += restored
        self.case_capped += case_capped
        self.in_experiment += in_experiment


# The figures a replay counts, each with the grants behind it: "changed" is the difference's.
FIGURES = (
    "changed",
    "capped_lower",
    "case_capped",
    "withdrawn",
    "restored",
    "approved_above_cap",
    "allowed_more",
    "in_experiment",
)


@dataclass(frozen=True)
class ReplayedGrant:
    """One grant behind a figure: what was granted, what the baseline gives, what the draft would."""

    grant_id: int | None
    customer: str
    playbook: str
    location: str
    currency: str
    granted_at: datetime | None
    granted: Decimal
    before: Decimal  # the baseline: the amount granted, or what the version in force gives
    after: Decimal  # under the draft

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


@dataclass
class GrantList:
    """The grants behind one figure: all counted, at most `limit` kept (the largest differences, then the newest).

    A heap keeps the memory constant however many grants the window holds.
    """

    limit: int = GRANT_LIST_LIMIT
    total: int = 0
    _heap: list = field(default_factory=list)

    def add(self, grant: ReplayedGrant) -> None:
        self.total += 1
        # Smallest first in the heap, so the one dropped is the least telling: smallest change, oldest.
        key = (abs(grant.difference), grant.grant_id or 0, self.total)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, (key, grant))
        elif key > self._heap[0][0]:
            heapq.heapreplace(self._heap, (key, grant))

    @property
    def shown(self) -> list[ReplayedGrant]:
        return [grant for _key, grant in sorted(self._heap, key=lambda item: item[0], reverse=True)]

    @property
    def not_shown(self) -> int:
        return self.total - len(self._heap)


@dataclass
class ReplayResult:
    """The replay's totals, overall and by playbook and by location (each sorted by name)."""

    since: datetime
    until: datetime
    totals: dict[str, ReplayLine] = field(default_factory=dict)  # currency -> all its grants
    by_playbook: list[ReplayLine] = field(default_factory=list)
    by_location: list[ReplayLine] = field(default_factory=list)
    # figure -> the grants behind it (see FIGURES)
    grants: dict[str, GrantList] = field(default_factory=lambda: {figure: GrantList() for figure in FIGURES})

    @property
    def total_lines(self) -> list[ReplayLine]:
        """One totals line per currency, by currency code."""
        return [self.totals[currency] for currency in sorted(self.totals)]

    @property
    def total(self) -> ReplayLine:
        """The totals when every grant was in one currency (an empty line when none was replayed)."""
        if len(self.totals) > 1:
            raise ValueError("grants in several currencies have no single total: use total_lines")
        return next(iter(self.totals.values()), ReplayLine(key=None, name="All grants", currency=""))


def draft_authority(policy: Policy, row: dict) -> Authority:
    """The authority the draft gives the employee who made the grant.

    Their own limit if the draft sets one, else their role's limit in the draft, each with the
    draft's bounds per case (and per day and month, which the replay does not sum). A grant made
    under an own limit the draft drops keeps its recorded limit: the grant does not record which
    role the employee would fall back to.
    """
    employee = row["granted_by_id"]
    if employee in policy.employee_authorities:
        return Authority(
            role="own limit", limit=policy.employee_authorities[employee], **policy.employee_bounds.get(employee, {})
        )
    role = row["authority_role"]
    if role in policy.authorities:
        return Authority(role=role, limit=policy.authorities[role], **policy.role_bounds.get(role, {}))
    return Authority(role=role, limit=row["authority_limit"])


def _priced(
    policy: Policy, caps: DraftCaps, row: dict, case: CaseTotals | None = None
) -> tuple[Decimal, Decimal, bool, bool]:
    """(cap, amount, withdrawn, cut by the case's bound) of one grant row under `policy`.

    A past amount is never raised, so the amount is `min(granted, cap)`; a playbook
    the policy does not offer counts as 0. A manager approved an amount above the
    cap it was made under (an escalation): a cap change says nothing about that
    decision, so only withdrawing the playbook changes it. With `case` (the running total of the
    row's case), the amount is also bounded by what the per-case authority leaves on it.
    """
    actual = row["amount"]
    if row.get("location__code") is not None:
        # Where the grant was made: a playbook withdrawn there counts as withdrawn, its values there apply.
        policy = policy.at_location(Place(code=row["location__code"], kind=row.get("location__kind") or ""))
    if row["playbook_id"] not in policy.rules:
        if case is not None:
            case.bounded(row, ZERO, None)
        return ZERO, ZERO, True, False
    authority = draft_authority(policy, row)
    cap = caps.cap(
        row["playbook_id"],
        purchase_value=row["purchase_value"],
        # The status and spend the grant was priced with (its snapshot; none before programme tiers).
        standing=Standing(
            row["tenure_months"], row.get("snapshot_status") or "", Decimal(row.get("snapshot_spend") or ZERO)
        ),
        authority=authority,
        currency=row["currency"],
        policy=policy,
    )
    amount = actual if actual > row["cap"] else min(actual, cap)
    cut = False
    if case is not None:
        amount, cut = case.bounded(row, amount, None if actual > row["cap"] else authority)
    return cap, amount, False, cut


def replay_rows(
    *,
    policy: Policy,
    rows: Iterable[dict],
    since: datetime,
    until: datetime,
    baseline: Policy | None = None,
) -> ReplayResult:
    """Re-price grant rows (dicts with the `GRANT_VALUES` keys) with `policy`; no database access.

    Compared with what was granted, or with what `baseline` gives the same grants when one is given.
    The per-case bounds need a case's rows together, in the order granted (as `_grant_rows` reads them).
    """
    result = ReplayResult(since=since, until=until)
    playbooks: dict[tuple[int, str], ReplayLine] = {}
    locations: dict[tuple[int, str], ReplayLine] = {}
    caps = DraftCaps(policy)
    baseline_caps = DraftCaps(baseline) if baseline is not None else None
    case, baseline_case = CaseTotals(), CaseTotals()
    for row in rows:
        playbook_id = row["playbook_id"]
        currency = row["currency"]
        actual = row["amount"]
        draft_cap, draft, withdrawn, case_cut = _priced(policy, caps, row, case)
        if baseline is None or baseline_caps is None:
            before_cap, before, before_withdrawn = row["cap"], actual, False
        else:
            before_cap, before, before_withdrawn, _cut = _priced(baseline, baseline_caps, row, baseline_case)
        outcome = {
            "actual": before,
            "draft": draft,
            "capped_lower": draft < before and not withdrawn,
            "withdrawn": withdrawn and not before_withdrawn,
            "allowed_more": not withdrawn and draft_cap > before_cap,
            "approved_above_cap": actual > row["cap"],
            "restored": draft > before,
            "case_capped": case_cut and draft < before,
            "in_experiment": row.get(EXPERIMENT_VALUE) is not None,
        }
        if currency not in result.totals:
            result.totals[currency] = ReplayLine(key=None, name="All grants", currency=currency)
        result.totals[currency].add(**outcome)
        name = row["playbook_name"] if withdrawn else policy.playbooks[playbook_id].name
        if (playbook_id, currency) not in playbooks:
            playbooks[playbook_id, currency] = ReplayLine(key=playbook_id, name=name, currency=currency)
        playbooks[playbook_id, currency].add(**outcome)
        location_id = row["location_id"]
        if (location_id, currency) not in locations:
            locations[location_id, currency] = ReplayLine(
                key=location_id, name=row["location__name"], currency=currency
            )
        locations[location_id, currency].add(**outcome)
        figures = [figure for figure in FIGURES[1:] if outcome[figure]]
        if draft != before:
            figures.append("changed")
        if figures:
            grant = ReplayedGrant(
                grant_id=row.get("id"),
                customer=row.get("customer__name", ""),
                playbook=name,
                location=row["location__name"],
                currency=currency,
                granted_at=row.get("granted_at"),
                granted=actual,
                before=before,
                after=draft,
            )
            for figure in figures:
                result.grants[figure].add(grant)
    order = lambda line: (line.name, line.key, line.currency)  # noqa: E731
    result.by_playbook = sorted(playbooks.values(), key=order)
    result.by_location = sorted(locations.values(), key=order)
    return result


def _grant_rows(*, since: datetime, until: datetime, location_ids: Iterable[int] | None) -> Iterator[dict]:
    grants = Grant.objects.filter(status=Grant.Status.ACTIVE, granted_at__gte=since, granted_at__lte=until)
    if location_ids is not None:
        grants = grants.filter(location_id__in=list(location_ids))
    # values() + iterator(): one query, no model instances, no result cache, constant memory.
    standing = {key: KeyTextTransform(name, "policy_snapshot") for key, name in SNAPSHOT_STANDING.items()}
    # By case, then as granted: the per-case bounds add a case's grants up in their order.
    rows = grants.order_by("failure_id", "granted_at", "id").values(*GRANT_VALUES, EXPERIMENT_VALUE, **standing)
    return rows.iterator(chunk_size=CHUNK_SIZE)


def replay_draft(
    *,
    policy: Policy,
    since: datetime,
    until: datetime | None = None,
    location_ids: Iterable[int] | None = None,
    baseline: Policy | None = None,
) -> ReplayResult:
    """Replay `policy` (usually `draft_policy()`) over the active grants made from `since` to `until`.

    `location_ids` limits the replay to those locations (a manager's own);
    None means every location (ops). Voided grants are left out: they cost
    nothing under either policy. With `baseline`, compared with what that policy gives.
    """
    until = until or timezone.now()
    rows = _grant_rows(since=since, until=until, location_ids=location_ids)
    return replay_rows(policy=policy, rows=rows, since=since, until=until, baseline=baseline)
