"""Services: the only code that writes customers, failures, grants, escalations, flags and redemptions.

Each service validates what the form cannot know (the policy in force, the
customer's cap, a reused token), then writes in one short transaction. One
module per concern:

- `customers`: walk-ins and the integrations' find-or-create;
- `tenure`: a customer's `customer_since`, set by ops or an allowed integration, always journalled;
- `customer_status`: a customer's programme status, set by ops or an allowed integration, always journalled;
- `pricing`: a `GrantRequest` priced under the policy in force;
- `limits`: the customer's windows and the location's budget, measured and checked;
- `grants`: `grant_issue`, exactly once, and `grant_write` (the failure and its grant);
- `escalations`: above a limit, the employee asks and a manager decides;
- `voids`: `grant_void`;
- `vouchers`: `voucher_redeem`;
- `visits`: visits and purchases in (API batches, CSV imports, the counter finding a customer);
- `experiments`: ops start and stop experiments; the counter's draw per case and its record on the grant;
- `flags`: "a rule stood in my way";
- `surveys`: the customer's one answer to a grant's follow-up (no login, a signed link);
- `lookups`: whom the counter opened today (no decision, no journal);
- `locking` and `recording`: the lock order and the history-plus-journal write every service shares.

Import from here (`from recovery.services import grant_issue`); the names are
the same as when this was one module.
"""

from recovery.domain.errors import LimitExceeded, RecoveryError
from recovery.domain.phones import phone_normalize
from recovery.domain.vouchers import VOUCHER_ALPHABET, VOUCHER_HALF_LENGTH, voucher_code_new
from recovery.selectors.usage import (  # reads, kept here for callers
    LimitUsage,
    budget_spent,
    customer_usage,
    limit_usage,
)
from recovery.services.cases import case_of
from recovery.services.customer_status import customer_status_set, status_checked
from recovery.services.customers import (
    CUSTOMER_KEYS,
    CustomerUpsert,
    DuplicateCustomer,
    customer_add_walk_in,
    customer_upsert,
)
from recovery.services.escalations import escalation_decide, escalation_request
from recovery.services.experiments import (
    Suggestion,
    experiment_start,
    experiment_stop,
    experiment_suggestion,
)
from recovery.services.flags import rule_flag_handle, rule_flag_raise
from recovery.services.grants import (
    VOUCHER_CODE_ATTEMPTS,
    GrantOutcome,
    TokenUse,
    grant_issue,
    grant_refusal,
    grant_write,
)
from recovery.services.limits import limits_for
from recovery.services.locking import location_id_of, location_locked, lock_customer, lock_location
from recovery.services.pricing import QUOTE_FIELDS, GrantRequest, Priced, purchase_value_check
from recovery.services.recording import record_with_history
from recovery.services.surveys import survey_answer
from recovery.services.tenure import CUSTOMER_CHAIN, TENURE_KIND, customer_tenure_set, tenure_journal
from recovery.services.visits import (
    ImportReport,
    LineOutcome,
    LineStatus,
    visit_record_at_counter,
    visits_import_report,
    visits_record,
)
from recovery.services.voids import grant_void
from recovery.services.vouchers import voucher_redeem

# Kept for callers not yet moved (recovery.anomalies): use `lock_location`.
_lock_location = lock_location

__all__ = [
    "CUSTOMER_CHAIN",
    "CUSTOMER_KEYS",
    "QUOTE_FIELDS",
    "VOUCHER_ALPHABET",
    "VOUCHER_CODE_ATTEMPTS",
    "VOUCHER_HALF_LENGTH",
    "CustomerUpsert",
    "GrantOutcome",
    "GrantRequest",
    "LimitExceeded",
    "ImportReport",
    "LimitUsage",
    "LineOutcome",
    "LineStatus",
    "Priced",
    "DuplicateCustomer",
    "RecoveryError",
    "TENURE_KIND",
    "TokenUse",
    "budget_spent",
    "case_of",
    "customer_add_walk_in",
    "customer_tenure_set",
    "customer_upsert",
    "customer_status_set",
    "status_checked",
    "customer_usage",
    "escalation_decide",
    "escalation_request",
    "experiment_start",
    "experiment_stop",
    "experiment_suggestion",
    "Suggestion",
    "grant_issue",
    "grant_refusal",
    "grant_void",
    "grant_write",
    "limit_usage",
    "limits_for",
    "location_id_of",
    "location_locked",
    "lock_customer",
    "lock_location",
    "phone_normalize",
    "purchase_value_check",
    "record_with_history",
    "rule_flag_handle",
    "rule_flag_raise",
    "survey_answer",
    "tenure_journal",
    "voucher_code_new",
    "visit_record_at_counter",
    "visits_import_report",
    "visits_record",
    "voucher_redeem",
]
