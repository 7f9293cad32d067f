"""What recovery buys, per group of cases: pure figures from cases and visits, no database.

A group is whatever the page compares: a playbook, a location, a failure
category or a policy version. The figures do not care which: each case carries
the key of its group under the chosen dimension (`Case.group`), so one pure
function serves every dimension and the selector decides the key once.

For the customers compensated in a group: the share who came back within
30 / 90 / 180 days of their case, and their spend in the 90 days after
against the 90 days before. Each figure carries its sample size and a 95 %
confidence interval from scipy (Wilson for a share, Student's t for a mean
difference); below `MIN_CUSTOMERS` it says "too few customers" instead of a
number, since a share of 3 out of 5 says nothing.

The baseline is the fair comparison: customers with a logged failure who were
granted less than the group's median amount, or nothing (a voided grant),
in the same tenure tiers and months as the group's customers (cases in a
stratum the group never served are left out), so a difference is not just
loyal customers or a busy season. A window counts only cases it has fully
seen: a case 40 days old is in the 30-day figure, not yet in the 90-day one.

Beside what customers did, what they said (`Verdict`): the mean of their
"Did we put it right?" scores (1–5) with its Student's t interval, and the
share answering "yes, I will come back" (Wilson), each on the playbook's
answered follow-ups and under the same `MIN_CUSTOMERS` rule.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from scipy import stats

WINDOWS = (30, 90, 180)
SPEND_DAYS = 90
MIN_CUSTOMERS = 20
CONFIDENCE = 0.95
CENT = Decimal("0.01")


Group = Hashable  # a playbook id, a location id, a category code, a policy version number


@dataclass(frozen=True)
class Case:
    """A customer's failure and what they were granted for it.

    `group` is the case's key under the page's dimension (its playbook,
    location, category or policy version); None when the customer was granted
    nothing (a voided grant), so the case belongs to no group and can only be
    someone's baseline.
    """

    customer_id: int
    day: dt.date
    tier: str
    amount: Decimal
    group: Group | None

    @property
    def stratum(self) -> tuple[str, str]:
        return self.tier, f"{self.day:%Y-%m}"


@dataclass(frozen=True)
class VisitDay:
    day: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Share:
    """`returned` of `customers` came back; the interval is None when there are too few customers."""

    returned: int
    customers: int
    low: float | None
    high: float | None

    @property
    def too_few(self) -> bool:
        return self.low is None

    @property
    def rate(self) -> float | None:
        return None if self.too_few else self.returned / self.customers

    def percents(self) -> tuple[int, int, int] | None:
        """The share and its interval in whole percent, for a page (None: too few customers)."""
        if self.low is None or self.high is None:
            return None
        return round(100 * self.returned / self.customers), round(100 * self.low), round(100 * self.high)


@dataclass(frozen=True)
class SpendChange:
    """Mean spend per customer before and after the case, and the change's interval (None: too few)."""

    customers: int
    before: Decimal | None
    after: Decimal | None
    change_low: Decimal | None
    change_high: Decimal | None

    @property
    def too_few(self) -> bool:
        return self.before is None


@dataclass(frozen=True)
class Answer:
    """A customer's answer to a grant's follow-up: the grant's group (its playbook, location…), the 1–5 score,
    and whether they said "yes, I will come back"."""

    group: Group
    score: int
    will_return: bool


@dataclass(frozen=True)
class Verdict:
    """The customers' own word on a group: mean score and interval (None: too few answers), and "will return"."""

    answers: int
    mean: float | None
    low: float | None
    high: float | None
    will_return: Share

    @property
    def too_few(self) -> bool:
        return self.mean is None


@dataclass(frozen=True)
class GroupEffect:
    """One group's return shares per window, its baseline's, its spend change, and what it granted.

    `mean_amount` is the mean amount granted to the customers counted in the
    90-day figure (None when there are none): the money side of value for money.
    """

    group: Group
    returns: dict[int, Share]
    baseline: dict[int, Share]
    spend: SpendChange
    mean_amount: Decimal | None = None
    customers: int = 0  # every customer of the group (their first case), whichever window has seen them
    verdict: Verdict | None = None  # the customers' answers to the follow-up (None: none asked for)

    def points_per_100(self, days: int = 90) -> Decimal | None:
        """Return-rate points above the baseline per 100 (of the currency) granted per customer.

        (group's return share − baseline's return share, in percentage points)
        ÷ (mean amount granted per customer ÷ 100). A playbook that lifts
        returns by 10 points while granting 50 on average scores 20; one that
        lifts them by 10 points for 200 scores 5. Money is compared with what it
        buys, so a generous playbook is not "best" only because it is generous.
        None when either share has too few customers or nothing was granted.
        """
        mine, theirs = self.returns[days], self.baseline[days]
        if mine.rate is None or theirs.rate is None or not self.mean_amount:
            return None
        points = Decimal(str(mine.rate - theirs.rate)) * 100
        return (points * 100 / self.mean_amount).quantize(Decimal("0.1"))


def share(returned: int, customers: int, *, minimum: int = MIN_CUSTOMERS) -> Share:
    """The share with its Wilson interval (scipy's `binomtest(...).proportion_ci`), or 'too few'."""
    if customers < max(minimum, 1):
        return Share(returned, customers, None, None)
    interval = stats.binomtest(returned, customers).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return Share(returned, customers, float(interval.low), float(interval.high))


def _came_back(case: Case, visits: Sequence[VisitDay], days: int) -> bool:
    end = case.day + dt.timedelta(days=days)
    return any(case.day < visit.day <= end for visit in visits)


def return_share(
    cases: Iterable[Case], visits: Mapping[int, Sequence[VisitDay]], days: int, as_of: dt.date, minimum: int
) -> Share:
    """Of the cases whose window has fully passed by `as_of`, how many customers visited within `days` after."""
    seen = [case for case in cases if case.day + dt.timedelta(days=days) <= as_of]
    returned = sum(_came_back(case, visits.get(case.customer_id, ()), days) for case in seen)
    return share(returned, len(seen), minimum=minimum)


def _spend(visits: Sequence[VisitDay], start: dt.date, end: dt.date) -> Decimal:
    return sum((visit.amount for visit in visits if start <= visit.day < end), Decimal("0"))


def spend_change(
    cases: Iterable[Case], visits: Mapping[int, Sequence[VisitDay]], as_of: dt.date, minimum: int
) -> SpendChange:
    """Mean spend in the 90 days before the case against the 90 days after (the case's day in neither)."""
    window = dt.timedelta(days=SPEND_DAYS)
    pairs = []
    for case in cases:
        if case.day + window > as_of:
            continue
        mine = visits.get(case.customer_id, ())
        day_after = case.day + dt.timedelta(days=1)
        pairs.append((_spend(mine, case.day - window, case.day), _spend(mine, day_after, day_after + window)))
    if len(pairs) < max(minimum, 2):
        return SpendChange(len(pairs), None, None, None, None)
    before = sum((b for b, _ in pairs), Decimal("0")) / len(pairs)
    after = sum((a for _, a in pairs), Decimal("0")) / len(pairs)
    # The interval is a statistic, not money paid: computed in floats, shown rounded to cents.
    changes = [float(a - b) for b, a in pairs]
    if statistics.pstdev(changes) == 0:
        low = high = Decimal(str(changes[0]))
    else:
        interval = stats.ttest_1samp(changes, 0.0).confidence_interval(confidence_level=CONFIDENCE)
        low, high = Decimal(str(interval.low)), Decimal(str(interval.high))
    return SpendChange(len(pairs), before.quantize(CENT), after.quantize(CENT), low.quantize(CENT), high.quantize(CENT))


def verdict(answers: Sequence[Answer], *, minimum: int = MIN_CUSTOMERS) -> Verdict:
    """The mean "put it right" score with its 95 % t-interval, and the share who said they will come back.

    Every answered follow-up counts (one per grant, as the customer gave it).
    Below `minimum` answers there is no figure, as for the shares: a mean of
    three answers says nothing. The interval is cut to the scale (1–5): the
    mean cannot lie outside it, however few answers spread it.
    """
    scores = [answer.score for answer in answers]
    said_yes = sum(answer.will_return for answer in answers)
    will_return = share(said_yes, len(scores), minimum=minimum)
    if len(scores) < max(minimum, 2):
        return Verdict(len(scores), None, None, None, will_return)
    mean = statistics.fmean(scores)
    if statistics.pstdev(scores) == 0:
        return Verdict(len(scores), mean, mean, mean, will_return)
    interval = stats.ttest_1samp(scores, 0.0).confidence_interval(confidence_level=CONFIDENCE)
    low, high = max(float(interval.low), 1.0), min(float(interval.high), 5.0)
    return Verdict(len(scores), mean, low, high, will_return)


def first_case_per_customer(cases: Iterable[Case]) -> list[Case]:
    """One case per customer (their first): a customer with three failures is one customer, not three."""
    first: dict[int, Case] = {}
    for case in sorted(cases, key=lambda c: (c.day, c.customer_id)):
        first.setdefault(case.customer_id, case)
    return list(first.values())


def baseline_cases(group: Group, cases: Sequence[Case]) -> list[Case]:
    """Customers granted less than the group's median amount, or nothing, in the group's tiers and months.

    The baseline is drawn from every case the reader sees, not only the
    group's own dimension value: a location's customers are compared with
    customers elsewhere (or voided there) in the same tiers and months who were
    granted less, as a playbook's are with other playbooks' smaller grants.
    """
    treated = [case for case in cases if case.group == group]
    if not treated:
        return []
    median = statistics.median(case.amount for case in treated)
    strata = {case.stratum for case in treated}
    treated_customers = {case.customer_id for case in treated}
    return first_case_per_customer(
        case
        for case in cases
        if case.group != group
        and case.amount < median
        and case.stratum in strata
        and case.customer_id not in treated_customers
    )


def _mean_amount(cases: Sequence[Case], days: int, as_of: dt.date) -> Decimal | None:
    seen = [case.amount for case in cases if case.day + dt.timedelta(days=days) <= as_of]
    return (sum(seen, Decimal("0")) / len(seen)).quantize(CENT) if seen else None


def group_effect(
    group: Group,
    cases: Sequence[Case],
    visits: Mapping[int, Sequence[VisitDay]],
    *,
    as_of: dt.date,
    minimum: int = MIN_CUSTOMERS,
    answers: Sequence[Answer] = (),
) -> GroupEffect:
    """The group's return shares per window and spend change, the baseline's return shares, and its
    customers' own verdict from `answers` (those of other groups are left out)."""
    treated = first_case_per_customer(case for case in cases if case.group == group)
    baseline = baseline_cases(group, cases)
    return GroupEffect(
        group=group,
        returns={days: return_share(treated, visits, days, as_of, minimum) for days in WINDOWS},
        baseline={days: return_share(baseline, visits, days, as_of, minimum) for days in WINDOWS},
        spend=spend_change(treated, visits, as_of, minimum),
        mean_amount=_mean_amount(treated, 90, as_of),
        customers=len(treated),
        verdict=verdict([answer for answer in answers if answer.group == group], minimum=minimum),
    )


def value_for_money_extremes(effects: Iterable[GroupEffect]) -> tuple[GroupEffect, GroupEffect] | None:
    """The best and the worst group by `points_per_100`, or None with fewer than two groups that have it.

    With one figure there is nothing to rank; ties go to the first given (the
    caller passes groups in a stable order, by name).
    """
    ranked = [(points, effect) for effect in effects if (points := effect.points_per_100()) is not None]
    if len(ranked) < 2:
        return None
    best = max(ranked, key=lambda pair: pair[0])[1]
    worst = min(ranked, key=lambda pair: pair[0])[1]
    return best, worst
