"""An experiment's running comparison: pure figures per arm and the test of their difference, no database.

Each arm is the playbook *drawn* for a case, whatever the employee then chose
(intention to treat): grouping by the playbook chosen would let the employee's
judgement (who gets the override) bias the comparison the random draw exists
to avoid. A customer counts once, in the arm of their first case, so one loyal
customer with three failures does not weigh three times.

Per arm: the cases, the share who came back within 90 days with its Wilson
interval, and the spend in the 90 days after (both from `recovery.domain.effect`,
the same figures "What recovery buys" shows). The difference between the arms'
return shares is tested on the contingency table (returned / not, per arm):
Fisher's exact test when there are two arms and a cell expected below 5 (the
chi-square approximation is poor there), else Pearson's chi-square. Below
`MIN_CUSTOMERS` seen cases in any arm the page says "too few cases" rather than
a p-value nobody should act on.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from scipy import stats

from recovery.domain.effect import (
    MIN_CUSTOMERS,
    Case,
    Share,
    SpendChange,
    VisitDay,
    first_case_per_customer,
    return_share,
    spend_change,
)

RETURN_DAYS = 90
ALPHA = 0.05  # "significant at 95 %"
FISHER_BELOW = 5  # expected count under which a 2×2 table is tested exactly
SIMILAR_COST = Decimal("0.25")  # the arms' caps at the reference purchase may differ by at most 25 % of the smaller


class Verdict(enum.StrEnum):
    TOO_FEW = "too_few"
    SIGNIFICANT = "significant"
    NOT_YET = "not_yet"


@dataclass(frozen=True)
class Difference:
    """The test of the arms' return shares: its p-value (None: too few cases) and the method used."""

    verdict: Verdict
    p_value: float | None
    method: str  # "fisher", "chi-square" or "" (not tested)


@dataclass(frozen=True)
class ArmFigures:
    playbook_id: int
    cases: int
    returns: Share
    spend: SpendChange


@dataclass(frozen=True)
class Comparison:
    arms: list[ArmFigures]
    difference: Difference


def caps_similar(caps: Sequence[Decimal], *, tolerance: Decimal = SIMILAR_COST) -> bool:
    """Whether the largest cap is at most `tolerance` above the smallest (a zero cap is similar only to zero).

    An experiment compares how customers react to different kinds of
    compensation, not to more or less money: arms that differ in cost would
    measure the money.
    """
    smallest, largest = min(caps), max(caps)
    if smallest <= 0:
        return largest <= 0
    return largest - smallest <= smallest * tolerance


def difference_test(
    counts: Sequence[tuple[int, int]], *, minimum: int = MIN_CUSTOMERS, alpha: float = ALPHA
) -> Difference:
    """Test whether the arms' return shares differ; `counts` is (returned, cases) per arm.

    Too few: fewer than two arms, or an arm with fewer than `minimum` cases.
    When every case came back, or none did, the shares cannot differ (p = 1).
    """
    if len(counts) < 2 or any(total < max(minimum, 1) for _returned, total in counts):
        return Difference(Verdict.TOO_FEW, None, "")
    table = [[returned, total - returned] for returned, total in counts]
    if all(row[0] == 0 for row in table) or all(row[1] == 0 for row in table):
        return Difference(Verdict.NOT_YET, 1.0, "chi-square")
    expected = stats.contingency.expected_freq(table)
    if len(table) == 2 and expected.min() < FISHER_BELOW:
        p_value, method = float(stats.fisher_exact(table).pvalue), "fisher"
    else:
        p_value, method = float(stats.chi2_contingency(table).pvalue), "chi-square"
    verdict = Verdict.SIGNIFICANT if p_value < alpha else Verdict.NOT_YET
    return Difference(verdict, p_value, method)


def arm_of_first_case(cases_by_arm: Mapping[int, Sequence[Case]]) -> dict[int, list[Case]]:
    """Each customer once, in the arm of their first case in the experiment."""
    every = [case for cases in cases_by_arm.values() for case in cases]
    first = {(case.customer_id, case.day, case.group) for case in first_case_per_customer(every)}
    return {
        arm: [case for case in cases if (case.customer_id, case.day, case.group) in first]
        for arm, cases in cases_by_arm.items()
    }


def experiment_comparison(
    cases_by_arm: Mapping[int, Sequence[Case]],
    visits: Mapping[int, Sequence[VisitDay]],
    *,
    as_of: dt.date,
    minimum: int = MIN_CUSTOMERS,
) -> Comparison:
    """Per arm (the playbook drawn, in the order given) its figures, and the test of the 90-day return shares.

    Each `Case.group` is the arm's playbook (its id); a case counts in the
    90-day share once its 90 days have passed by `as_of`.
    """
    arms = []
    for playbook_id, cases in arm_of_first_case(cases_by_arm).items():
        returns = return_share(cases, visits, RETURN_DAYS, as_of, minimum)
        arms.append(
            ArmFigures(
                playbook_id=playbook_id,
                cases=len(cases),
                returns=returns,
                spend=spend_change(cases, visits, as_of, minimum),
            )
        )
    difference = difference_test([(arm.returns.returned, arm.returns.customers) for arm in arms], minimum=minimum)
    return Comparison(arms=arms, difference=difference)
