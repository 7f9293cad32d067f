"""Selectors: the reads behind each page, already restricted to what the user may see.

One module per concern; every name is re-exported here, so callers keep
`from recovery import selectors` and `selectors.grant_list_for(...)`:

- `scope`: which locations a user's reads reach (used by the others)
- `counter`: the counter's locations, customer search and 90-day value
- `counter_today`: today's customers at a counter (granted or opened since the location's midnight)
- `limits`: the budget and rolling-limit hints before a grant
- `quotes`: playbook caps for one customer (counter cards, API quotes)
- `grants`: the audit list, one grant's story, its journal, "My grants"
- `exports`: the CSV columns and rows
- `history`: a record's change history worded for the reader
- `escalations`: the status page, the manager queue, the employee's requests
- `flags`: "a rule stood in my way" flags
- `budgets`: each location's budget this month
- `anomalies`: anomaly flags the user may read
- `needs`: what waits for a manager now (the landing page, the header's count)
- `api`: the integration API's reads

Selectors never call services. Two names still come from `recovery.services`
until they move below the selectors: `phone_normalize` (pure, in `counter`)
and `limit_usage` (a read, in `limits`).
"""

from recovery.selectors.anomalies import (
    ANOMALY_LIST_LIMIT,
    ANOMALY_RELATED,
    anomaly_flags_for,
    anomaly_flags_of_grant,
    anomaly_list,
    anomaly_open_counts_for,
)
from recovery.selectors.api import (
    API_GRANT_RELATED,
    API_PAGE_SIZE,
    api_grant_detail,
    api_grant_page,
    api_grants_for,
    api_tokens_for,
    customer_by_any_identifier,
    customers_by_identifier,
)
from recovery.selectors.budgets import BudgetRow, budget_rows_for
from recovery.selectors.counter import (
    RECENT_DAYS,
    SEARCH_LIMIT,
    CustomerValue,
    counter_location_for,
    counter_locations_for,
    customer_matches,
    customer_search,
    customer_value,
)
from recovery.selectors.counter_today import TODAY_LIMIT, counter_customers_today, location_day_start
from recovery.selectors.escalations import (
    DECIDED_DAYS,
    DECIDED_LIMIT,
    ESCALATION_RELATED,
    EscalationQueue,
    escalation_detail_for,
    escalation_journal_for,
    escalation_queue_for,
    escalation_recent_by,
    escalations_visible_to,
)
from recovery.selectors.exports import (
    EXPORT_COLUMNS,
    TIMELINE_COLUMNS,
    grant_export_rows,
    read_in_one_transaction,
    timeline_export_rows,
)
from recovery.selectors.flags import FLAG_LIST_LIMIT, FlagCount, rule_flag_counts_for, rule_flag_list_for
from recovery.selectors.grants import grant_detail_for, grant_list_for, grant_recent_by, journal_entries_for
from recovery.selectors.history import HISTORY_KINDS, FieldChange, HistoryEntry, history_of
from recovery.selectors.limits import CounterLimits, WindowHeadroom, counter_limits_for, counter_usage_for
from recovery.selectors.needs import (
    NEEDS_FLAG_LIMIT,
    NeedsYouNow,
    WaitingEscalation,
    escalations_waiting_count,
    escalations_waiting_for,
    needs_you_now_for,
)
from recovery.selectors.quotes import (
    CustomerQuote,
    PlaybookCap,
    cards_by_fit,
    case_exists,
    customer_quote_for,
    playbook_caps,
)
from recovery.selectors.scope import audit_locations_for, location_ids_for
from recovery.selectors.standing import lifetime_spend, standing_of

__all__ = [
    "customer_by_any_identifier",
    "ANOMALY_LIST_LIMIT",
    "ANOMALY_RELATED",
    "API_GRANT_RELATED",
    "API_PAGE_SIZE",
    "BudgetRow",
    "CounterLimits",
    "CustomerQuote",
    "CustomerValue",
    "DECIDED_DAYS",
    "DECIDED_LIMIT",
    "ESCALATION_RELATED",
    "EXPORT_COLUMNS",
    "EscalationQueue",
    "FLAG_LIST_LIMIT",
    "FieldChange",
    "FlagCount",
    "HISTORY_KINDS",
    "HistoryEntry",
    "NEEDS_FLAG_LIMIT",
    "NeedsYouNow",
    "PlaybookCap",
    "RECENT_DAYS",
    "SEARCH_LIMIT",
    "TIMELINE_COLUMNS",
    "TODAY_LIMIT",
    "WaitingEscalation",
    "WindowHeadroom",
    "anomaly_flags_for",
    "anomaly_flags_of_grant",
    "anomaly_list",
    "anomaly_open_counts_for",
    "api_grant_detail",
    "api_grant_page",
    "api_grants_for",
    "api_tokens_for",
    "audit_locations_for",
    "budget_rows_for",
    "cards_by_fit",
    "case_exists",
    "counter_customers_today",
    "counter_limits_for",
    "counter_usage_for",
    "counter_location_for",
    "counter_locations_for",
    "customer_matches",
    "customer_quote_for",
    "customer_search",
    "customer_value",
    "customers_by_identifier",
    "escalation_detail_for",
    "escalation_journal_for",
    "escalation_queue_for",
    "escalation_recent_by",
    "escalations_visible_to",
    "escalations_waiting_count",
    "escalations_waiting_for",
    "grant_detail_for",
    "grant_export_rows",
    "read_in_one_transaction",
    "grant_list_for",
    "grant_recent_by",
    "history_of",
    "journal_entries_for",
    "location_day_start",
    "location_ids_for",
    "needs_you_now_for",
    "playbook_caps",
    "lifetime_spend",
    "standing_of",
    "rule_flag_counts_for",
    "rule_flag_list_for",
    "timeline_export_rows",
]
