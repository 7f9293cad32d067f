"""Grants made before versions existed were made under version 1; from now on every grant names its version."""

import django.db.models.deletion
from django.db import migrations, models


def grants_to_version_one(apps, schema_editor):
    PolicyVersion = apps.get_model("compensation", "PolicyVersion")
    Grant = apps.get_model("recovery", "Grant")
    first = PolicyVersion.objects.order_by("number").first()
    if first is not None:
        Grant.objects.filter(policy_version__isnull=True).update(policy_version=first)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0002_escalations_flags_versions")]

    operations = [
        migrations.RunPython(grants_to_version_one, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="grant",
            name="policy_version",
            field=models.ForeignKey(
                help_text="The policy version in force.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="grants",
                to="compensation.policyversion",
            ),
        ),
    ]
