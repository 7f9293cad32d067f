"""When the counter opened a case: a signed timestamp the resolve form carries back with the grant.

The failure is met when the employee opens the customer's resolve page, not when
they press *Grant now*; insights time the resolution from that moment. The page
embeds the moment signed (Django's `TimestampSigner`) together with the form's
one-time token, so a value copied from another form, edited, forged, or kept
from yesterday is worth nothing: the grant then counts from its own time.

Pure (a signature and a clock, no database), so the resolve view that makes the
stamp and the form that reads it back share it from the bottom layer.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing

SALT = "recovery.case-opened"
# A case left open longer than a shift is not a resolution time worth reporting.
MAX_AGE = dt.timedelta(hours=12)
# Far longer than any stamp we make (a UUID, a timestamp and a signature): anything bigger is not ours.
MAX_STAMP_LENGTH = 200


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def case_opened_stamp(token) -> str:
    """The value the resolve page embeds: the form's token, signed with the current time."""
    return _signer().sign(str(token))


def case_opened_at(stamp: str, *, token, now: dt.datetime) -> dt.datetime | None:
    """The moment the case was opened, or None when the stamp proves nothing.

    None when the stamp is missing, damaged or signed with another key, belongs
    to another form's token, is older than `MAX_AGE`, or lies in the future
    (another server's clock); the caller then uses the grant's own time.
    """
    if not stamp or not isinstance(stamp, str) or len(stamp) > MAX_STAMP_LENGTH or token is None:
        return None
    try:
        signed_token = _signer().unsign(stamp, max_age=MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if signed_token != str(token):
        return None
    # The signature covered "token:timestamp", so this part is the signer's own base62 timestamp.
    _, timestamp, _ = stamp.rsplit(_signer().sep, 2)
    opened = dt.datetime.fromtimestamp(signing.b62_decode(timestamp), tz=dt.UTC)
    if opened > now:
        return None
    return opened
