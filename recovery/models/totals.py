"""Running totals per location and local month: what the budget checks read instead of summing history.

A location's monthly budget is checked under its row lock on every grant. Summing
the month's grants there made each grant cost more as the month filled (a bitmap
scan of every grant so far, while every other counter of the location waited). The
totals are kept in the same transaction as the grant or void that changes them,
under the same lock, so they are exactly the sum of the active grants;
`verify_audit` proves it (a changed total is found).
"""

from django.db import models

from compensation.models import Location


class LocationMonthTotal(models.Model):
    """The active grants of one location in one of its local calendar months, in one currency.

    Derived data, not a record users change: no history, no journal entry of its
    own (the grants and voids that move it are journalled); rebuilt from the
    grants by `recovery.services.totals.month_totals_rebuild`. No check constraint
    on the figures: a void must never fail on a derived row (if ops change a
    location's time zone, a grant near midnight on the 1st may be taken back from
    the month next to the one that counted it; `verify_audit` names it, a rebuild fixes it).
    """

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the 1st of the month on the location's own calendar
    currency = models.CharField(max_length=3)
    # Wider than one grant's amount: a month adds up many of them.
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    grants = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "month", "currency"], name="location_month_total_once"),
        ]

    def __str__(self):
        return f"{self.location_id} {self.month:%Y-%m}: {self.amount} {self.currency} ({self.grants} grants)"
