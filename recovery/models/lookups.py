"""When a customer was last opened at a counter: the memory behind "Today's customers at this counter"."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from compensation.models import Location
from recovery.models.customers import Customer


class CounterLookup(models.Model):
    """The last time `customer` was opened at `location`'s counter, and by whom.

    One row per location and customer, moved forward on every open (a single
    upsert, `counter_lookup_record`), so the table grows with customers, not with
    page views. It saves a second search for a customer who comes back to the
    counter the same day; it decides nothing and nobody edits it, so it keeps no
    history (the grants and the journal are the record of what was done).
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="counter_lookups")
    looked_up_at = models.DateTimeField(default=timezone.now)
    looked_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "customer"], name="counter_lookup_once_per_customer")
        ]
        indexes = [models.Index(fields=["location", "looked_up_at"], name="counter_lookup_recent")]

    def __str__(self):
        return f"{self.customer_id} at {self.location_id}, {self.looked_up_at:%Y-%m-%d %H:%M}"
