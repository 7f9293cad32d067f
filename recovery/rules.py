"""History-model permissions for recovery records (autodiscovered by rules)."""

import rules

from compensation.predicates import is_ops

for model_name in ("staffprofile", "customer"):
    rules.add_perm(f"recovery.view_historical{model_name}", is_ops)
