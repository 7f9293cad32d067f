"""History-model permissions for the policy models (autodiscovered by rules).

simple-history's admin asks for `view_historical<model>` when
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is on; the answer comes from
the same predicates as the models themselves.
"""

import rules

from compensation.predicates import can_view_policy

for model_name in ("tenuretier", "playbook", "playbooktiermultiplier", "roleauthority"):
    rules.add_perm(f"compensation.view_historical{model_name}", can_view_policy)
