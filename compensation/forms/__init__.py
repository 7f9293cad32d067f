"""Ops forms for the policy, one module per area; every form is importable from here.

- `named_errors`: `FieldNamedErrorsMixin`, which the case app's forms use too
- `plain_text`: `PlainTextFieldsMixin`, free text without control or direction characters (both apps)
- `draft`: the draft policy tables (`DRAFT_FORMS`)
- `publish`: publishing and rollback
- `simulator`: the simulator's question
"""

from compensation.forms.draft import (
    DRAFT_FORMS,
    CustomerLimitForm,
    DraftForm,
    EmployeeAuthorityForm,
    LocationBudgetForm,
    PlaybookForm,
    RoleAuthorityForm,
    TenureTierForm,
    TierMultiplierForm,
)
from compensation.forms.named_errors import FieldNamedErrorsMixin
from compensation.forms.plain_text import PlainTextFieldsMixin, PlainTextValidator
from compensation.forms.publish import PublishForm
from compensation.forms.simulator import MAX_PURCHASE_VALUE, MAX_TENURE_MONTHS, SimulatorForm

__all__ = [
    "CustomerLimitForm",
    "DRAFT_FORMS",
    "DraftForm",
    "EmployeeAuthorityForm",
    "FieldNamedErrorsMixin",
    "LocationBudgetForm",
    "MAX_PURCHASE_VALUE",
    "MAX_TENURE_MONTHS",
    "PlainTextFieldsMixin",
    "PlainTextValidator",
    "PlaybookForm",
    "PublishForm",
    "RoleAuthorityForm",
    "SimulatorForm",
    "TenureTierForm",
    "TierMultiplierForm",
]
