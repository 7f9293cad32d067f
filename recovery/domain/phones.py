"""Phone numbers as the customer records store them (E.164).

One normaliser for every door a number comes in by (the counter's forms, the
integration API, the search box), so the same customer is always found by the
same string whichever way the number was typed.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings


def phone_normalize(raw: str) -> str:
    """A phone number in E.164 (+447700900123), or '' if `raw` is empty.

    A number typed without its country code is read in `RECOVERY_PHONE_REGION`.
    Raises ValueError if it is not a possible phone number.
    """
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.RECOVERY_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number") from error
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
