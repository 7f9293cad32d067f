"""Permissions for the ops section and the policy models' history (autodiscovered by rules).

simple-history's admin asks for `view_historical<model>` when
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is on; the answer comes from
the same predicates as the models themselves.
"""

import rules

from compensation.predicates import can_change_policy, can_view_policy, is_ops

POLICY_MODELS = (
    "tenuretier",
    "playbook",
    "playbooktiermultiplier",
    "roleauthority",
    "employeeauthority",
    "customerlimit",
    "locationbudget",
)

for model_name in POLICY_MODELS:
    rules.add_perm(f"compensation.view_historical{model_name}", can_view_policy)

# Locations' history, like the location itself, is for ops (it was `recovery.view_historicallocation`).
rules.add_perm("compensation.view_historicallocation", is_ops)

# The ops section: managers read the policy, versions, simulator and flags; ops change them.
rules.add_perm("compensation.view_policy", can_view_policy)
rules.add_perm("compensation.change_policy", can_change_policy)
