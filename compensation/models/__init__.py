"""Compensation policy: playbooks, tenure tiers and role authority limits, and the locations they apply at.

These are the rules ops tune. Every change is kept in history
(django-simple-history) and grants copy the values they were made under, so a
later edit never rewrites the past. One module per concern; every name is
re-exported here, so `from compensation.models import Playbook` keeps working
(and the migrations' references to the validators too).
"""

from compensation.models.currencies import PolicyCurrencyAmount
from compensation.models.fields import (
    MONEY,
    MULTIPLIER_RANGE,
    NON_NEGATIVE,
    POLICY_PERMISSIONS,
    default_currency,
    validate_currency,
    validate_timezone,
)
from compensation.models.journal import AuditEvent
from compensation.models.limits import CustomerLimit, EmployeeAuthority, LocationBudget, RoleAuthority
from compensation.models.locations import Location
from compensation.models.overrides import PlaybookLocationOverride
from compensation.models.playbooks import (
    Playbook,
    PlaybookTierMultiplier,
    TenureTier,
    categories_problem,
    nothing_bought_problem,
)
from compensation.models.programme import ProgrammeTier, programme_tier_problem
from compensation.models.versions import PolicyVersion

__all__ = [
    "MONEY",
    "categories_problem",
    "nothing_bought_problem",
    "MULTIPLIER_RANGE",
    "NON_NEGATIVE",
    "POLICY_PERMISSIONS",
    "AuditEvent",
    "CustomerLimit",
    "EmployeeAuthority",
    "Location",
    "LocationBudget",
    "Playbook",
    "PlaybookLocationOverride",
    "PlaybookTierMultiplier",
    "PolicyCurrencyAmount",
    "PolicyVersion",
    "ProgrammeTier",
    "programme_tier_problem",
    "RoleAuthority",
    "TenureTier",
    "default_currency",
    "validate_currency",
    "validate_timezone",
]
