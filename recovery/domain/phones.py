"""Phone numbers as the customer records store them (E.164).

One normaliser for every door a number comes in by (the counter's forms, the
integration API, the search box), so the same customer is always found by the
same string whichever way the number was typed.
"""

from __future__ import annotations

import re

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


# The fewest digits the counter searches by: the last four are what a customer reads out quickly,
# and fewer would list a large share of the chain's customers.
PHONE_TAIL_MIN = 4
_PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
_DIGITS = re.compile(r"\+?\d+")


def phone_digits(raw: str) -> str | None:
    """The digits of `raw` if it is written like (part of) a phone number: digits with spaces,
    dots, dashes, brackets and one leading '+'; None for anything else (a name, an email, a card)."""
    compact = _PHONE_PUNCTUATION.sub("", raw.strip())
    if not compact or not _DIGITS.fullmatch(compact):
        return None
    return compact.lstrip("+")


def phone_masked(phone: str) -> str:
    """A stored phone with all but its last four digits hidden ('•••• 0101'), for lists that
    several customers share: the employee confirms the number with the customer, nobody reads it off."""
    digits = "".join(character for character in phone if character.isdigit())
    if not digits:
        return ""
    return "•••• " + digits[-PHONE_TAIL_MIN:]
