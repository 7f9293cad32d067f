"""The audit journal: append-only, hash-chained entries per chain."""

from django.conf import settings
from django.db import models

from compensation.models.locations import Location


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit journal.

    Each entry's `hash` is SHA-256 over the previous entry's hash and this
    entry's canonical content, so changing, removing or reordering any entry
    breaks every hash after it (`python manage.py verify_audit` finds the
    first). There is one chain per location (its grants, voids, escalations)
    and one for the policy, so the location row lock that a grant already
    takes is the only thing entries wait on. Written only by
    `compensation.journal.journal_append`, in the same transaction as the
    change it records; never updated or deleted (a database trigger refuses it).
    """

    chain = models.CharField(max_length=40)
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    at = models.DateTimeField()
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_event_once_per_place"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_event_subject"),
            models.Index(fields=["location", "-at"], name="audit_event_location_recent"),
        ]

    def __str__(self):
        return f"{self.chain} #{self.sequence}: {self.kind} {self.subject_type} #{self.subject_id}"
