"""A voucher handed in at a counter: the redemption of a voucher grant."""

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation import wording
from compensation.models import Location
from recovery import predicates
from recovery.models.grants import Grant


class VoucherRedemption(RulesModel):
    """A voucher handed in at a counter: at most one per grant, enforced by the database.

    The one-to-one on `grant` is the final guard of "a voucher redeems once";
    `recovery.vouchers.voucher_redeem` also locks the grant row, so two counters
    scanning one code at the same moment give one redemption and one clear
    "already redeemed at … by … at …". It may be at any location, not only the
    grant's. `token` is the redeem form's one-time token (or an API's
    idempotency key): a double click replays the redemption instead of refusing.
    """

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="redemption")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="voucher_redemptions")
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redeemed_by_username = models.CharField(max_length=150)
    redeemed_at = models.DateTimeField(default=timezone.now)
    token = models.UUIDField(null=True, blank=True, help_text=_("The redeem form's one-time token, if any."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-redeemed_at", "-id"]
        rules_permissions = {
            "view": predicates.can_review_location_record,
            "add": predicates.can_redeem_voucher,
            "change": predicates.rules.always_deny,
            "delete": predicates.rules.always_deny,
        }
        indexes = [
            # The audit timeline of a location's redemptions, newest first (keyset pages).
            models.Index(fields=["location", "-redeemed_at", "-id"], name="redemption_location_recent"),
        ]

    def __str__(self):
        return f"Voucher {self.grant.voucher_code} redeemed at {self.location}"

    @property
    def local_redeemed_at(self):
        """The moment on the wall clock of the location where it was redeemed."""
        return timezone.localtime(self.redeemed_at, zoneinfo.ZoneInfo(self.location.timezone))

    @property
    def summary(self) -> str:
        """'at Airport Desk by fiona on 3 Mar 2026 at 14:02' (the redeeming location's time, the active language)."""
        when = self.local_redeemed_at
        return gettext("at %(location)s by %(employee)s on %(day)s at %(time)s") % {
            "location": self.location.name,
            "employee": self.redeemed_by_username,
            "day": wording.day(when),
            "time": wording.clock(when),
        }
