"""Vouchers: look a code up, redeem it exactly once at any counter, and the customer's own link.

A voucher is the `voucher_code` of a grant made with a voucher playbook. A
voucher nobody can redeem, or one that redeems twice, is worthless, so:

- codes are typed forgivingly (`voucher_code_normalize`): any case, with or
  without the dash or spaces, or as the customer's link (a scanned QR code);
- a voucher redeems once, at any location (`voucher_redeem`): the grant row is
  locked and the database's one-to-one constraint on `VoucherRedemption.grant`
  is the final guard, so two counters at the same moment give one redemption
  and one clear "already redeemed at … by … on … at …";
- expired and voided vouchers say so, and every redemption is a journal entry
  on the redeeming location's chain;
- the customer's page is addressed by a signed link (`voucher_link_token`), so
  it needs no login and cannot be guessed from the code or a grant number.

This module holds the read-only look-up (`voucher_lookup`, `VoucherStatus`).
Codes and links are pure and live in `recovery.domain.vouchers`; the
redemption is a service, `recovery.services.vouchers.voucher_redeem`. Both are
re-exported here so `from recovery.vouchers import voucher_redeem` (as the
README and the API use it) keeps working.

The JSON API calls the same functions; `VoucherError.code` is its machine-readable reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from compensation.money import format_money
from compensation.texts import ENGLISH
from recovery.domain.vouchers import (
    EXAMPLE,
    VOUCHER_CODE_LENGTH,
    VOUCHER_LOOKALIKES,
    VoucherError,
    customer_display_name,
    local_date,
    voided_words,
    voucher_code_from_link_token,
    voucher_code_incomplete,
    voucher_code_normalize,
    voucher_code_typed,
    voucher_day,
    voucher_link_token,
    voucher_not_found_message,
)
from recovery.models import Grant, Location, VoucherRedemption
from recovery.services.vouchers import voucher_redeem

__all__ = [
    "EXAMPLE",
    "VOUCHER_CODE_LENGTH",
    "VOUCHER_LOOKALIKES",
    "VoucherError",
    "VoucherState",
    "VoucherStatus",
    "customer_display_name",
    "voucher_code_from_link_token",
    "voucher_code_incomplete",
    "voucher_code_normalize",
    "voucher_code_typed",
    "voucher_link_token",
    "voucher_lookup",
    "voucher_redeem",
]


class VoucherState(StrEnum):
    VALID = "valid"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    VOIDED = "voided"


@dataclass(frozen=True)
class VoucherStatus:
    """What the counter sees for a code: what it is worth, whom it was for, and whether it redeems now."""

    grant: Grant
    code: str
    amount: Decimal
    currency: str
    item: str  # the playbook's name, e.g. "Repeat repair voucher"
    offer: str  # what the customer was promised, in the words published when it was granted
    customer_name: str  # first name and initial only
    expires_on: date | None
    state: VoucherState
    redemption: VoucherRedemption | None
    message: str

    @property
    def worth(self) -> str:
        return format_money(self.amount, self.currency, locale=translation.get_language() or settings.LANGUAGE_CODE)

    @property
    def item_shown(self) -> str:
        """The playbook's name in the reader's language (`item` stays as stored, in English, for the API)."""
        return self.grant.playbook_text("name")

    @property
    def offer_shown(self) -> str:
        """The offer in the reader's language (`offer` stays in English, for the API)."""
        return self.grant.playbook_text("offer")

    @property
    def is_redeemable(self) -> bool:
        return self.state == VoucherState.VALID


def _state(grant: Grant, redemption: VoucherRedemption | None, today: date) -> tuple[VoucherState, str]:
    """The voucher's state and what to say about it. A redemption comes first: it is what happened."""
    if redemption is not None:
        return VoucherState.REDEEMED, gettext("Redeemed %(redeemed)s.") % {"redeemed": redemption.summary}
    if grant.is_voided:
        return VoucherState.VOIDED, gettext(
            "This voucher was voided on %(day)s by %(manager)s: it cannot be redeemed."
        ) % voided_words(voided_at=grant.voided_at, timezone_name=grant.location.timezone, voided_by=grant.voided_by)
    if grant.voucher_expires_on is not None and today > grant.voucher_expires_on:
        return VoucherState.EXPIRED, gettext("Expired: it was valid until %(day)s.") % {
            "day": voucher_day(grant.voucher_expires_on)
        }
    if grant.voucher_expires_on is None:
        return VoucherState.VALID, gettext("Valid with no end date.")
    return VoucherState.VALID, gettext("Valid until %(day)s.") % {"day": voucher_day(grant.voucher_expires_on)}


def _offer_of(grant: Grant) -> str:
    """The offer as published when the grant was made (the live playbook row is the ops draft), in English."""
    return grant.playbook_text("offer", ENGLISH)


def voucher_lookup(*, code: str, location: Location | None = None) -> VoucherStatus:
    """A voucher's status in one query, without changing anything.

    `location` is the counter asking: its local date decides whether the
    voucher has expired (default: the issuing location's). Raises VoucherError
    ("not_a_voucher", "not_found"); an expired, voided or redeemed voucher is a
    status, not an error, so the counter can show what happened.
    """
    code = voucher_code_normalize(code)
    grant = (
        Grant.objects.select_related("customer", "location", "voided_by", "playbook", "redemption__location")
        .filter(voucher_code=code)
        .first()
    )
    if grant is None:
        raise VoucherError(VoucherError.NOT_FOUND, voucher_not_found_message(code))
    redemption = getattr(grant, "redemption", None)  # joined above; None when not redeemed
    state, message = _state(grant, redemption, local_date((location or grant.location).timezone))
    return VoucherStatus(
        grant=grant,
        code=code,
        amount=grant.amount,
        currency=grant.currency,
        item=grant.playbook_name,
        offer=_offer_of(grant),
        customer_name=customer_display_name(grant.customer.name),
        expires_on=grant.voucher_expires_on,
        state=state,
        redemption=redemption,
        message=message,
    )
