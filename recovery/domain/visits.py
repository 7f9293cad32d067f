"""One visit line as a point of sale, a CRM or an ops CSV sends it: checked field by field, no database.

The API and the CSV import both take lines of text (JSON values or CSV
cells) and must refuse a bad line on its own, naming the field and the
reason, while the good lines of the same batch are stored. So the check is a
pure function from the raw values to clean ones or per-field reasons; which
customer the identifiers name is the selectors' question, asked afterwards
for a whole chunk of lines at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from compensation.typed_money import has_foreign_digits
from recovery.domain.phones import phone_normalize

MAX_AMOUNT = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds
MAX_EXTERNAL_ID = 100
IDENTIFIERS = ("phone", "email", "card")


@dataclass(frozen=True)
class VisitFields:
    """A line's clean values: who (normalised identifiers), when, how much, and its id in the sender's system."""

    phone: str
    email: str
    card: str
    visited_on: datetime.date
    amount: Decimal
    external_id: str
    location_code: str = ""


@dataclass
class LineCheck:
    """A line's clean values, or the reasons per field it was refused for."""

    number: int
    fields: VisitFields | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, []).append(reason)


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list, bool)):
        return "\0"  # not text: refused by the field's own check below
    return str(value).strip()


def _amount(text: str, check: LineCheck) -> Decimal | None:
    if text == "":
        return Decimal("0.00")  # a visit without a purchase still counts as a return
    if has_foreign_digits(text):  # Decimal would read "１２３" as 123: the schema promises ASCII digits
        check.refuse(
            "amount",
            gettext("%(label)s: type the amount with the digits 0–9 (“%(typed)s” has other digits).")
            % {"label": gettext("Amount"), "typed": text},
        )
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        check.refuse("amount", gettext("Not a number."))
        return None
    if not amount.is_finite():
        check.refuse("amount", gettext("Not a number."))
    elif amount < 0:
        check.refuse("amount", gettext("Must not be negative."))
    elif amount > MAX_AMOUNT:
        check.refuse("amount", gettext("Too large."))
    elif amount != amount.quantize(Decimal("0.01")):
        check.refuse("amount", gettext("At most 2 decimal places."))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _visited_on(text: str, today: datetime.date, check: LineCheck) -> datetime.date | None:
    if text == "":
        check.refuse("visited_on", gettext("Required."))
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        check.refuse("visited_on", gettext("Not a date: write it as YYYY-MM-DD."))
        return None
    if day > today:
        check.refuse("visited_on", gettext("In the future: a visit is recorded after it happened."))
        return None
    return day


def visit_line_check(raw: dict, *, number: int, today: datetime.date) -> LineCheck:
    """Check one line: a customer identifier (phone in any format, email or card), a date not after
    `today` (the location's), an amount ≥ 0 with at most 2 decimals, an optional external id."""
    check = LineCheck(number=number)
    if not isinstance(raw, dict):
        check.refuse("line", gettext("Not an object with visit fields."))
        return check
    phone_text, email, card = (_text(raw, name) for name in IDENTIFIERS)
    phone = ""
    if "\0" in phone_text:
        check.refuse("phone", gettext("Not a phone number."))
    elif phone_text:
        try:
            phone = phone_normalize(phone_text)
        except ValueError:
            check.refuse("phone", gettext("Not a phone number."))
    if "\0" in email or (email and "@" not in email):
        check.refuse("email", gettext("Not an email address."))
    if "\0" in card or len(card) > 40:
        check.refuse("card", gettext("Not a loyalty card number."))
    if not (phone_text or email or card):
        check.refuse("customer", gettext("Send the customer's phone, email or loyalty card."))
    visited_on = _visited_on(_text(raw, "visited_on"), today, check)
    amount = _amount(_text(raw, "amount"), check)
    external_id = _text(raw, "external_id")
    if "\0" in external_id or len(external_id) > MAX_EXTERNAL_ID:
        check.refuse("external_id", gettext("At most %(n)d characters of text.") % {"n": MAX_EXTERNAL_ID})
    if check.errors or visited_on is None or amount is None:
        return check
    check.fields = VisitFields(
        phone=phone,
        email=email.lower(),
        card=card.upper(),
        visited_on=visited_on,
        amount=amount,
        external_id=external_id,
        location_code=_text(raw, "location"),
    )
    return check
