"""The auditor role: reads every location's audit, flags and policy, changes nothing."""

from django.db import migrations


def install(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="auditor")


class Migration(migrations.Migration):
    dependencies = [("compensation", "0007_audit_journal_append_only")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
