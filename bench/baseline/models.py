import uuid

from django.db import models
from django.utils import timezone


class BaselineGrant(models.Model):
    """One row comparable to a grant: who, how much, why, a one-time token. No rules, history or audit."""

    customer_ref = models.PositiveIntegerField()
    category = models.CharField(max_length=40)
    purchase_value = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
