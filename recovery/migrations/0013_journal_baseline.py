"""Journal what `verify_audit` now compares but no entry recorded yet: a baseline, attested at upgrade time.

Policy versions published by migrations before the journal existed get a
"policy.published" entry with their document's SHA-256; customers whose
tenure is not the day they were added (a CRM's date, seed data) get a
"customer.tenure_set" entry. Both say `"baseline": true`: they prove the
state from this upgrade on, not before it. Built like migration
compensation 0010 does, with the historical models and the journal's own
hashing, so the chains verify.
"""

import hashlib
import json
import zoneinfo
from datetime import UTC

from django.db import migrations
from django.utils import timezone

BATCH = 2000


def _head(AuditEvent, chain):
    from compensation.journal import GENESIS

    head = AuditEvent.objects.filter(chain=chain).order_by("-sequence").values_list("sequence", "hash").first()
    return tuple(head) if head else (0, GENESIS)


def _append(AuditEvent, *, head, chain, kind, subject_type, subject_id, payload, now):
    """Save the entry after `head`; return the new head."""
    from compensation.journal import _plain, canonical_content, entry_hash

    sequence, prev_hash = head[0] + 1, head[1]
    event = AuditEvent(
        chain=chain,
        sequence=sequence,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        location_id=None,
        actor=None,
        actor_username="system",
        at=now,
        payload=_plain(payload),
        prev_hash=prev_hash,
    )
    event.hash = entry_hash(prev_hash=prev_hash, content=canonical_content(event))
    event.save()
    return sequence, event.hash


def journal_baseline(apps, schema_editor):
    AuditEvent = apps.get_model("compensation", "AuditEvent")
    PolicyVersion = apps.get_model("compensation", "PolicyVersion")
    Customer = apps.get_model("recovery", "Customer")
    now = timezone.now()
    journalled = set(
        AuditEvent.objects.filter(kind="policy.published", subject_type="policy_version").values_list(
            "subject_id", flat=True
        )
    )
    head = _head(AuditEvent, "policy")
    for version in PolicyVersion.objects.exclude(pk__in=journalled).order_by("number"):
        head = _append(
            AuditEvent,
            head=head,
            chain="policy",
            kind="policy.published",
            subject_type="policy_version",
            subject_id=version.pk,
            now=now,
            payload={
                "v": 2,
                "baseline": True,
                "number": version.number,
                "effective_at": version.effective_at,
                "reason": version.reason,
                "document_sha256": hashlib.sha256(
                    json.dumps(version.document, sort_keys=True, separators=(",", ":")).encode()
                ).hexdigest(),
                "restores": None,
            },
        )
    last, head = 0, _head(AuditEvent, "customers")
    while True:
        customers = list(
            Customer.objects.filter(pk__gt=last)
            .order_by("pk")
            .values("pk", "customer_since", "created_at", "created_at_location__timezone")[:BATCH]
        )
        if not customers:
            return
        already = set(
            AuditEvent.objects.filter(
                kind="customer.tenure_set", subject_type="customer", subject_id__in=[c["pk"] for c in customers]
            ).values_list("subject_id", flat=True)
        )
        for customer in customers:
            if customer["pk"] in already:
                continue
            zone = customer["created_at_location__timezone"]
            joined = customer["created_at"].astimezone(zoneinfo.ZoneInfo(zone) if zone else UTC).date()
            if customer["customer_since"] != joined:
                head = _append(
                    AuditEvent,
                    head=head,
                    chain="customers",
                    kind="customer.tenure_set",
                    subject_type="customer",
                    subject_id=customer["pk"],
                    now=now,
                    payload={
                        "v": 2,
                        "baseline": True,
                        "customer_id": customer["pk"],
                        "customer_since": customer["customer_since"].isoformat(),
                        "previous": None,
                        "reason": "Tenure as found when the journal began to cover it",
                    },
                )
        last = customers[-1]["pk"]


class Migration(migrations.Migration):
    dependencies = [
        ("recovery", "0012_api_token_may_set_tenure"),
        ("compensation", "0011_location_moved_from_recovery"),
    ]

    operations = [migrations.RunPython(journal_baseline, migrations.RunPython.noop)]
