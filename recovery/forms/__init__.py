"""The case app's forms, one module per area; every form is importable from here (`from recovery.forms import ResolveForm`).

Field formats only: policy checks live in the services.

- `money`: the money field and a currency's inputs, shared by the counter forms and the API's serializers
- `counter`: customer search, walk-in customer, the resolve form, a rule flag
- `escalations`: the request to a manager and the manager's decision
- `vouchers`: the redeem screen
- `audit`: the timeline's filters, voiding a grant
- `anomalies`: the anomalies page's filter and a flag's review
- `insights`: the dashboard's and the monthly report's filters
- `ops`: the replay window, rule flags' list and handling
- `integrations`: a new API token
- `webhooks`: a new webhook subscriber, the delivery log's filter
- `incidents`: one failure for many customers, and attaching them (a pasted list, a CSV)
- `visit_import`: the ops CSV of visits, read as a stream
- `accounts`: sign-in and the language switch
- `surveys`: the customer's follow-up (no login)
- `two_step`: the code from an authenticator app (enrolment, the sign-in's second step, removal)
"""

from recovery.forms.accounts import LanguageForm, LoginForm
from recovery.forms.anomalies import AnomalyFilterForm, AnomalyFlagFilter, AnomalyReviewForm
from recovery.forms.audit import TimelineFilterForm, VoidForm
from recovery.forms.counter import CaseOpenedField, CustomerSearchForm, ResolveForm, RuleFlagForm, WalkInForm
from recovery.forms.customer_status import CustomerStatusForm
from recovery.forms.escalations import DecisionForm, EscalateForm
from recovery.forms.incidents import AttachForm, IncidentForm
from recovery.forms.insights import EARLIEST_INSIGHT_DATE, EffectFilterForm, InsightFilterForm, MonthlyReportForm
from recovery.forms.integrations import ApiTokenForm
from recovery.forms.money import MAX_MONEY, money_field, money_in_currency, money_input
from recovery.forms.ops import FlagFilterForm, FlagHandleForm, ReplayForm
from recovery.forms.surveys import SurveyAnswerForm
from recovery.forms.two_step import TwoStepCodeForm
from recovery.forms.visit_import import VisitImportForm, csv_lines, csv_problem
from recovery.forms.vouchers import VoucherCodeForm, VoucherRedeemForm
from recovery.forms.webhooks import DeliveryFilterForm, WebhookSubscriberForm

__all__ = [
    "CustomerStatusForm",
    "DeliveryFilterForm",
    "WebhookSubscriberForm",
    "AttachForm",
    "IncidentForm",
    "csv_lines",
    "csv_problem",
    "EARLIEST_INSIGHT_DATE",
    "MAX_MONEY",
    "AnomalyFilterForm",
    "AnomalyFlagFilter",
    "AnomalyReviewForm",
    "ApiTokenForm",
    "SurveyAnswerForm",
    "CaseOpenedField",
    "CustomerSearchForm",
    "DecisionForm",
    "EffectFilterForm",
    "EscalateForm",
    "FlagFilterForm",
    "FlagHandleForm",
    "InsightFilterForm",
    "LanguageForm",
    "LoginForm",
    "MonthlyReportForm",
    "ReplayForm",
    "ResolveForm",
    "RuleFlagForm",
    "TimelineFilterForm",
    "TwoStepCodeForm",
    "VisitImportForm",
    "VoidForm",
    "VoucherCodeForm",
    "VoucherRedeemForm",
    "WalkInForm",
    "money_field",
    "money_in_currency",
    "money_input",
]
