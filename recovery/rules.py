"""History-model permissions for recovery records (autodiscovered by rules)."""

import rules

from compensation.predicates import is_ops
from recovery.predicates import is_status_trusted_token, is_tenure_trusted_token

for model_name in ("staffprofile", "customer"):
    rules.add_perm(f"recovery.view_historical{model_name}", is_ops)

# Tenure (`customer_since`) raises a customer's tier and caps: ops, or an integration explicitly trusted with it.
rules.add_perm("recovery.set_customer_tenure", is_ops | is_tenure_trusted_token)
# A programme status (Gold…) raises a customer's tier the same way: ops, or an integration trusted with it.
rules.add_perm("recovery.set_customer_status", is_ops | is_status_trusted_token)

# Who turned two-step sign-in on or off for whom (recovery.models.two_step): ops read it, as staff profiles.
rules.add_perm("recovery.view_historicaltotpdevice", is_ops)
