"""Voiding a grant: the one way a grant stops counting, with a reason kept in the audit.

A void gives back the room the grant took in the customer's limits and the
location's budget, so it is refused once the voucher has been redeemed (the
customer had the service); the grant row is locked, as `voucher_redeem` locks
it, so a void and a redemption at the same moment are settled one after the other.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from compensation.observability import logs_action
from recovery.domain.errors import RecoveryError
from recovery.models import Grant, VoucherRedemption
from recovery.services.locking import location_id_of, location_locked
from recovery.services.recording import record_with_history
from recovery.services.totals import day_total_add, month_total_add
from recovery.services.webhooks import emit_grant_voided


@logs_action("grant.void", fields=lambda kw: {"grant_id": kw["grant_id"]})
def grant_void(*, actor, grant_id: int, reason: str, at=None) -> Grant:
    """Void a grant with a reason. The row is locked so two managers cannot void it twice.

    A voucher already redeemed is refused ("already redeemed at … by … on …"):
    the customer has had the service, so voiding would take from the budget and
    the customer's limits what was really given, and the books would lie. A
    mistaken grant that was redeemed is a matter for the manager's review, not a
    void. The other way round, a voided grant's voucher no longer redeems
    (`recovery.services.vouchers.voucher_redeem` locks the same grant row, so a void and
    a redemption at the same moment are settled one after the other).
    """
    reason = reason.strip()
    if not reason:
        raise RecoveryError("reason", gettext("Say why the grant is voided: the reason is kept in the audit."))
    with location_locked(location_id_of(Grant, grant_id)):
        grant = Grant.objects.select_for_update(of=("self",)).select_related("location").get(pk=grant_id)
        if grant.is_voided:
            raise RecoveryError(
                None, gettext("Grant #%(grant)s was already voided by someone else.") % {"grant": grant.pk}
            )
        redemption = VoucherRedemption.objects.select_related("location").filter(grant_id=grant.pk).first()
        if redemption is not None:
            raise RecoveryError(
                None,
                gettext(
                    "Grant #%(grant)s cannot be voided: its voucher %(code)s was already redeemed %(redeemed)s, "
                    "so the customer has had it."
                )
                % {"grant": grant.pk, "code": grant.voucher_code, "redeemed": redemption.summary},
            )
        # The month that counted it gives its room back (the location is locked: the total stays exact).
        month_total_add(
            location=grant.location, at=grant.granted_at, currency=grant.currency, amount=-grant.amount, grants=-1
        )
        day_total_add(grant, location=grant.location, voided=True)
        grant.status = Grant.Status.VOIDED
        grant.voided_at = at or timezone.now()
        grant.voided_by = actor
        grant.void_reason = reason
        record_with_history(
            grant,
            actor=actor,
            reason=reason,
            history_date=grant.voided_at,
            at=grant.voided_at,
            kind="grant.voided",
            subject_type="grant",
            payload={"reason": reason, "voided_by_id": actor.pk},
        )
        emit_grant_voided(grant)
    return grant
