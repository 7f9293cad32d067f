"""Insight selectors: what compensation costs, where, for what, and who resolves well.

Every figure is aggregated by the database (SUM, COUNT, AVG, GROUP BY, window
functions for the top three per location) over a bounded date window read
through an index (`grant_recent` for every location, `grant_location_recent`
for some; the flags and escalations by location and time). The grant figures
read the grant table alone: each grant keeps a copy of its failure's category
and logged time. A page costs the same handful of grouped queries whether the
window holds ten grants or a million; Python only names, orders, zero-fills
and adds up the few grouped rows.

Locations may grant in different currencies, and amounts of different
currencies are never added: the grouped queries also group by the grant's
currency, and every money figure is an `Amounts` (one sum per currency), shown
as one figure per currency. Charts plot one currency (the dashboard's main one).

Each function takes an `InsightScope`, made by `insight_scope_for`, which is
already limited to the locations the user may see (`location_ids_for`): a
manager's scope can never reach another location's rows.

- `periods`: week, month and local-day arithmetic, durations in words (pure)
- `scope`: `InsightScope` and the functions that make one
- `rows`: active/voided filters and grouped sums as exact money
- `daily`: the summed figures' reads of the daily rollups (`LocationDayTotal`) instead of the grants
- `spending`: per week, playbook, category and location; resolution-time buckets
- `repeats`: repeat failures per customer
- `recognition`: the employees who recovered most and fastest
- `dashboard`: the dashboard's figures together
- `report`: the monthly report (flags, escalations, the month's figures)
- `charts`, `svg_bars`: the charts drawn from those figures (not re-exported here:
  import them from `recovery.insight_charts` or their modules)

Every name callers used is re-exported here (`from recovery import insights`).
"""

from recovery.insights.dashboard import Dashboard, budget_use_for, dashboard_for
from recovery.insights.effect import recovery_bought_compute_again
from recovery.insights.periods import (
    DEFAULT_WEEKS,
    MAX_WINDOW_DAYS,
    default_window,
    duration_text,
    local_date,
    local_midnight,
    month_days,
    weeks_touching,
)
from recovery.insights.recognition import (
    FASTEST_MIN_GRANTS,
    RECOGNISED_PER_LOCATION,
    LocationRecognition,
    Recognised,
    recognition_for,
)
from recovery.insights.repeats import (
    REPEAT_BUCKETS,
    TOP_REPEAT_CUSTOMERS,
    RepeatCustomer,
    repeat_failure_buckets,
    top_repeat_customers,
)
from recovery.insights.report import (
    TOP_PLAYBOOKS,
    EscalationSummary,
    FlagOutcome,
    MonthlyReport,
    anomaly_flag_outcomes,
    escalation_summary,
    monthly_report_for,
    rule_flag_outcomes,
)
from recovery.insights.rows import ACTIVE, VOIDED, row_amounts, row_money
from recovery.insights.scope import InsightScope, insight_scope_for, month_scope_for
from recovery.insights.spending import (
    RESOLUTION_BUCKETS,
    CategoryLine,
    CountBucket,
    SpendLine,
    SpendTotals,
    WeekSpend,
    WindowFigures,
    failures_by_category,
    resolution_time,
    spend_by_location,
    spend_by_playbook,
    window_figures,
)

__all__ = [
    "ACTIVE",
    "CategoryLine",
    "CountBucket",
    "DEFAULT_WEEKS",
    "Dashboard",
    "EscalationSummary",
    "FASTEST_MIN_GRANTS",
    "FlagOutcome",
    "InsightScope",
    "LocationRecognition",
    "MAX_WINDOW_DAYS",
    "MonthlyReport",
    "RECOGNISED_PER_LOCATION",
    "REPEAT_BUCKETS",
    "RESOLUTION_BUCKETS",
    "Recognised",
    "RepeatCustomer",
    "SpendLine",
    "SpendTotals",
    "TOP_PLAYBOOKS",
    "TOP_REPEAT_CUSTOMERS",
    "VOIDED",
    "WeekSpend",
    "WindowFigures",
    "anomaly_flag_outcomes",
    "budget_use_for",
    "dashboard_for",
    "default_window",
    "duration_text",
    "escalation_summary",
    "failures_by_category",
    "insight_scope_for",
    "local_date",
    "local_midnight",
    "month_days",
    "month_scope_for",
    "monthly_report_for",
    "recovery_bought_compute_again",
    "recognition_for",
    "repeat_failure_buckets",
    "resolution_time",
    "row_amounts",
    "row_money",
    "rule_flag_outcomes",
    "spend_by_location",
    "spend_by_playbook",
    "top_repeat_customers",
    "weeks_touching",
    "window_figures",
]
