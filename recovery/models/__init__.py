"""The case: customers, service failures and the grants made for them, one module per concept.

Writes to these models go through `recovery.services`; reads for pages through
`recovery.selectors`. Grants are never deleted: a manager voids one with a reason.

`Location` is re-exported from `compensation.models`, where it lives: both
apps need it (budgets and the journal in compensation, every case record
here), and compensation may not depend on recovery. Callers keep writing
`from recovery.models import Grant, Location`.
"""

from compensation.models import Location
from recovery.models.anomaly_flags import AnomalyFlag
from recovery.models.api import ApiToken, IdempotencyRecord
from recovery.models.customers import Customer
from recovery.models.effect_figures import EffectFigures
from recovery.models.escalations import Escalation
from recovery.models.experiments import Experiment, ExperimentArm, ExperimentAssignment
from recovery.models.failures import ServiceFailure
from recovery.models.grants import JOURNAL_FACTS, Grant, journal_fact
from recovery.models.incidents import Incident, IncidentCustomer
from recovery.models.rule_flags import RuleFlag
from recovery.models.staff import StaffProfile
from recovery.models.surveys import SurveyAnswer
from recovery.models.totals import LocationDayTotal, LocationMonthTotal
from recovery.models.two_step import TwoStepDevice
from recovery.models.visits import Visit
from recovery.models.vouchers import VoucherRedemption
from recovery.models.webhooks import WebhookDelivery, WebhookSubscriber

__all__ = [
    "JOURNAL_FACTS",
    "AnomalyFlag",
    "ApiToken",
    "Customer",
    "EffectFigures",
    "Escalation",
    "Experiment",
    "ExperimentArm",
    "ExperimentAssignment",
    "Grant",
    "IdempotencyRecord",
    "Incident",
    "IncidentCustomer",
    "Location",
    "LocationDayTotal",
    "LocationMonthTotal",
    "RuleFlag",
    "ServiceFailure",
    "StaffProfile",
    "SurveyAnswer",
    "TwoStepDevice",
    "Visit",
    "VoucherRedemption",
    "WebhookDelivery",
    "WebhookSubscriber",
    "journal_fact",
]
