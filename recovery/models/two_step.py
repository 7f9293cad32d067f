"""Two-step sign-in: the employee's authenticator app, as django-otp's `TOTPDevice`, with history.

The device table is django-otp's own (`otp_totp_totpdevice`); this module gives
it simple-history, the way the desk records other security-relevant changes to
accounts (an integration token's creation and revocation live in `ApiToken`'s
history, a language in `StaffProfile`'s): who turned two-step sign-in on or off
for whom, when and why, readable by ops. It is not journalled: the hash-chained
journal proves money and policy, and a device decides neither.

Only what an enrolment means is kept: the secret (`key`) and the fields django-otp
writes on every verification (the last time step, drift, throttling, last use)
are left out of the history table, and a verification's save writes no history
row (`recovery.services.two_step` sets `skip_history_when_saving`).
"""

from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register

HISTORY_EXCLUDED_FIELDS = [
    "key",
    "last_t",
    "drift",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
]

# The history model lives in this app (`recovery.HistoricalTOTPDevice`), its table in our migrations.
register(TOTPDevice, app="recovery", excluded_fields=HISTORY_EXCLUDED_FIELDS)

TwoStepDevice = TOTPDevice
