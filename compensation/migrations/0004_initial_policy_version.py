"""Publish the installed default policy as version 1, in force since before any grant.

The document is built here from the historical models (not the live code), so
this migration keeps working when the models change later.
"""

import datetime

from django.db import migrations

INITIAL_EFFECTIVE_AT = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
PLAYBOOK_FIELDS = (
    "code", "name", "kind", "offer", "apology_script", "percent", "floor", "ceiling",
    "voucher_valid_days", "sort_order", "is_active",
)


def publish_initial(apps, schema_editor):
    PolicyVersion = apps.get_model("compensation", "PolicyVersion")
    if PolicyVersion.objects.exists():
        return
    TenureTier = apps.get_model("compensation", "TenureTier")
    Playbook = apps.get_model("compensation", "Playbook")
    Multiplier = apps.get_model("compensation", "PlaybookTierMultiplier")
    RoleAuthority = apps.get_model("compensation", "RoleAuthority")
    multipliers = {}
    for row in Multiplier.objects.all():
        multipliers.setdefault(row.playbook_id, {})[str(row.tier_id)] = str(row.multiplier)
    playbooks = []
    for playbook in Playbook.objects.order_by("sort_order", "name", "id"):
        entry = {"id": playbook.id}
        for name in PLAYBOOK_FIELDS:
            value = getattr(playbook, name)
            entry[name] = value if value is None or isinstance(value, (bool, int, str)) else str(value)
        entry["multipliers"] = multipliers.get(playbook.id, {})
        playbooks.append(entry)
    document = {
        "tiers": [
            {"id": t.id, "name": t.name, "min_months": t.min_months, "multiplier": str(t.multiplier)}
            for t in TenureTier.objects.order_by("min_months")
        ],
        "playbooks": playbooks,
        "role_authorities": {row.role: str(row.limit) for row in RoleAuthority.objects.order_by("role")},
        "employee_authorities": {},
        "customer_limits": [],
        "location_budgets": {},
    }
    PolicyVersion.objects.create(
        number=1,
        effective_at=INITIAL_EFFECTIVE_AT,
        reason="Initial policy installed with Recovery Desk.",
        document=document,
        published_by_username="system",
        published_at=INITIAL_EFFECTIVE_AT,
    )


class Migration(migrations.Migration):
    dependencies = [("compensation", "0003_policy_versions_and_limits")]

    operations = [migrations.RunPython(publish_initial, migrations.RunPython.noop)]
