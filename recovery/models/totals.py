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


RESOLUTION_FIELDS = tuple(f"resolution_{index}" for index in range(6))  # one per RESOLUTION_BUCKETS entry


class LocationDayTotal(models.Model):
    """The grants of one location on one of its local calendar days, per playbook, failure category and currency.

    The daily rollup the insight pages read instead of the grant table over a
    whole window: a 12-week dashboard reads a few thousand of these rows, not
    every grant. Kept by every grant and void in its own transaction (one upsert
    adding in the database, `recovery.services.totals.day_total_add`), rebuilt
    from the grants by `manage.py rebuild_rollups`. Derived data, like
    `LocationMonthTotal`: no history, no journal entry of its own.

    Pages on one location's calendar (its dashboard, its monthly report) group
    by `day`; pages over every location on the site's calendar group by
    `site_day` (`recovery.insights.daily`).

    A grant adds to `active_*` and to the count of its resolution-time bucket; a
    void moves it from `active_*` to `voided_*` (its bucket count stays: the
    resolution chart counts voided grants too). The playbook's name is part of
    the key because the figures show the name the grants recorded.
    """

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()  # on the location's own calendar
    # The same grants' day on the site's calendar (settings.TIME_ZONE), which pages over every location use:
    # a location-day is split in two rows where the two calendars disagree on the date.
    site_day = models.DateField()
    playbook = models.ForeignKey("compensation.Playbook", on_delete=models.PROTECT, related_name="+")
    playbook_name = models.CharField(max_length=120)
    category = models.CharField(max_length=30)
    currency = models.CharField(max_length=3)
    active_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    active_grants = models.IntegerField(default=0)
    voided_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    voided_grants = models.IntegerField(default=0)
    # Grants (active or voided) per resolution-time bucket (`recovery.domain.resolution.RESOLUTION_BUCKETS`).
    resolution_0 = models.IntegerField(default=0)
    resolution_1 = models.IntegerField(default=0)
    resolution_2 = models.IntegerField(default=0)
    resolution_3 = models.IntegerField(default=0)
    resolution_4 = models.IntegerField(default=0)
    resolution_5 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location", "day", "site_day", "playbook", "playbook_name", "category", "currency"],
                name="location_day_total_once",
            ),
        ]
        # Every location's days (ops across all locations): the unique index serves one location's.
        indexes = [models.Index(fields=["site_day"], name="location_day_total_site_day")]

    def __str__(self):
        return f"{self.location_id} {self.day}: {self.playbook_name} {self.category} {self.currency}"
