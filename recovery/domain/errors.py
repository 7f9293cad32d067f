"""The errors a counter request is refused with.

They sit at the bottom so that pure code (voucher codes, phone numbers) can
refuse with the same error the services raise, and every caller (views, the
API, commands) catches one type. Both carry the form field they concern.
"""

from __future__ import annotations

from decimal import Decimal

from compensation.errors import DomainError
from compensation.limits import Stop


class RecoveryError(DomainError):
    """A counter request the service refuses, with the form field it concerns (None: the whole form).

    The message is worded when it is raised, in the active language: the
    employee's on a page, English in the integration API (its views run under
    `translation.override("en")`).
    """


class LimitExceeded(RecoveryError):
    """The amount is above what may be granted now. Carries what may be granted and what stops more,
    so the counter can offer "grant up to the limit" or "ask a manager"."""

    def __init__(self, message: str, *, allowed: Decimal, stops: tuple[Stop, ...], requested: Decimal | None = None):
        super().__init__("amount", message)
        self.allowed = allowed
        self.stops = stops
        self.requested = requested  # the amount asked (the full cap when the amount was left empty)
