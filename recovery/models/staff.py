"""Where an employee works: the staff profile that ties a user to locations."""

from django.conf import settings
from django.db import models
from rules.contrib.models import RulesModel
from simple_history.models import HistoricalRecords

from compensation.models import Location
from compensation.predicates import can_change_policy, is_ops
from recovery import predicates


class StaffProfile(RulesModel):
    """Where an employee works. Frontline grant at these locations; managers review them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    locations = models.ManyToManyField(Location, related_name="staff", blank=True)
    # Blank: the browser's language decides (cookie, then Accept-Language).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    history = HistoricalRecords(m2m_fields=[locations])

    class Meta:
        rules_permissions = {
            "view": is_ops,
            "add": can_change_policy,
            "change": can_change_policy,
            "delete": predicates.rules.always_deny,
        }

    def __str__(self):
        return f"{self.user.get_username()} @ {', '.join(str(location) for location in self.locations.all())}"
