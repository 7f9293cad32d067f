"""Redeeming a voucher: once, at any counter, journalled on the redeeming location's chain.

A voucher that redeems twice is worthless, so `voucher_redeem` takes the
redeeming location's lock, then the grant's (the row `grant_void` locks too),
checks the state only then, and leaves the database's one-to-one constraint on
`VoucherRedemption.grant` as the final guard. Codes and links are
`recovery.domain.vouchers`; looking a code up without changing anything is
`recovery.vouchers.voucher_lookup`.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext

from compensation.observability import logs_action
from recovery.domain.vouchers import (
    VoucherError,
    local_date,
    voided_words,
    voucher_code_normalize,
    voucher_day,
    voucher_not_found_message,
)
from recovery.models import Grant, Location, VoucherRedemption
from recovery.services.locking import location_locked
from recovery.services.recording import record_with_history
from recovery.services.webhooks import emit_voucher_redeemed


def _redemption_of(grant_id: int) -> VoucherRedemption | None:
    return VoucherRedemption.objects.select_related("location", "grant").filter(grant_id=grant_id).first()


def _replayed_or_refused(existing: VoucherRedemption, *, actor, token, code: str) -> VoucherRedemption:
    """The same request again (double click, retry: same actor, same token) gets its redemption back;
    anyone else is told where, by whom and when it was redeemed."""
    if token is not None and existing.token == token and existing.redeemed_by_id == actor.pk:
        return existing
    raise VoucherError(
        VoucherError.ALREADY_REDEEMED,
        gettext("Voucher code: %(code)s was already redeemed %(redeemed)s.")
        % {"code": code, "redeemed": existing.summary},
        redemption=existing,
    )


def _refuse_unredeemable(grant: Grant, *, code: str, today: date) -> None:
    if grant.is_voided:
        raise VoucherError(
            VoucherError.VOIDED,
            gettext("Voucher code: %(code)s was voided on %(day)s by %(manager)s: do not redeem it.")
            % {
                "code": code,
                **voided_words(
                    voided_at=grant.voided_at, timezone_name=grant.location.timezone, voided_by=grant.voided_by
                ),
            },
        )
    if grant.voucher_expires_on is not None and today > grant.voucher_expires_on:
        raise VoucherError(
            VoucherError.EXPIRED,
            gettext("Voucher code: %(code)s expired: it was valid until %(day)s.")
            % {"code": code, "day": voucher_day(grant.voucher_expires_on)},
        )


@logs_action(
    "voucher.redeem",
    fields=lambda kw: {"location_id": kw["location"].pk},
    result_fields=lambda redemption: {"grant_id": redemption.grant_id, "redemption_id": redemption.pk},
)
def voucher_redeem(
    *, actor, code: str, location: Location, at=None, token: uuid.UUID | None = None
) -> VoucherRedemption:
    """Redeem a voucher at `location` (any location, not only the issuing one), exactly once.

    Locks the redeeming location first (it orders that location's audit chain,
    and every service takes the location before anything else), then the
    grant row, so a void and a redemption of the same voucher are serialised
    and two counters redeeming one code wait for each other; the one-to-one
    constraint on the redemption's grant is the final guard if anything gets
    past the lock. The loser gets VoucherError("already_redeemed") naming where,
    by whom and when. `token` (the redeem form's one-time token or an API's
    idempotency key): the same actor sending the same token again gets the
    first redemption back instead of an error (a double click). Expiry is
    checked in the redeeming location's local date: the customer is standing
    there. Raises PermissionDenied unless the actor serves at `location`.
    """
    code = voucher_code_normalize(code)
    if not actor.has_perm("recovery.redeem_voucher", location):
        raise PermissionDenied(
            gettext("%(employee)s does not serve customers at %(location)s.")
            % {"employee": actor.get_username(), "location": location.name}
        )
    grant_id = Grant.objects.filter(voucher_code=code).values_list("pk", flat=True).first()
    if grant_id is None:
        raise VoucherError(VoucherError.NOT_FOUND, voucher_not_found_message(code))
    now = at or timezone.now()
    try:
        with location_locked(location.pk):
            grant = Grant.objects.select_for_update().get(pk=grant_id)
            existing = _redemption_of(grant_id)
            if existing is not None:
                return _replayed_or_refused(existing, actor=actor, token=token, code=code)
            _refuse_unredeemable(grant, code=code, today=local_date(location.timezone, now))
            redemption = VoucherRedemption(
                grant=grant,
                location=location,
                redeemed_by=actor,
                redeemed_by_username=actor.get_username(),
                redeemed_at=now,
                token=token,
            )
            # Journalled on the grant it redeems, on the chain of the location that redeemed it.
            record_with_history(
                redemption,
                actor=actor,
                history_date=now,
                at=now,
                kind="voucher.redeemed",
                subject_type="grant",
                subject_id=grant.pk,
                payload=lambda: {
                    "voucher_code": code,
                    "redemption_id": redemption.pk,
                    "redeemed_by_id": actor.pk,
                    "location_id": location.pk,
                    "grant_location_id": grant.location_id,
                    "amount": grant.amount,
                    "currency": grant.currency,
                },
            )
            emit_voucher_redeemed(redemption, grant)
    except IntegrityError:
        # Past the lock anyway (the one-to-one held): answer as the loser of the race.
        existing = _redemption_of(grant_id)
        if existing is None:
            raise
        return _replayed_or_refused(existing, actor=actor, token=token, code=code)
    return redemption
