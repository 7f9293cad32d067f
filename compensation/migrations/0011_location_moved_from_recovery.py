"""Locations belong to compensation now (issue 19): bring every database to the model's shape.

Compensation 0003 creates `Location` and its history in the shape recovery 0001
gave them; recovery 0004 and 0010 used to change them afterwards. Those changes
happen here, so compensation alone builds its tables:

- `currency` is added (existing rows get the deployment's currency, as recovery
  0010 did) unless the column is already there, which it is on any database
  that applied recovery 0010 before the move;
- the historical reason becomes text (recovery 0004 did that before the move;
  doing it again changes nothing);
- the content types (and with them the permissions and admin log entries) of
  `recovery.location` and `recovery.historicallocation` are renamed to
  compensation's, so groups keep their location permissions.
"""

import compensation.migration_operations
import compensation.models
from django.db import migrations, models

MOVED = ("location", "historicallocation")


def content_types_to(app_label, from_label):
    def rename(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        for model in MOVED:
            if not types.filter(app_label=app_label, model=model).exists():
                types.filter(app_label=from_label, model=model).update(app_label=app_label)

    return rename


CURRENCY = models.CharField(
    default=compensation.models.default_currency,
    help_text="ISO 4217 code, e.g. EUR or JPY. Grants here are made in it; policy amounts (caps, limits, budget) are read as amounts of it, without exchange rates.",
    max_length=3,
    validators=[compensation.models.validate_currency],
    verbose_name="currency",
)


class Migration(migrations.Migration):

    dependencies = [
        ("compensation", "0010_default_playbooks_in_russian"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        compensation.migration_operations.AddFieldUnlessPresent(
            model_name="historicallocation", name="currency", field=CURRENCY.clone()
        ),
        compensation.migration_operations.AddFieldUnlessPresent(
            model_name="location", name="currency", field=CURRENCY.clone()
        ),
        migrations.AlterField(
            model_name="historicallocation",
            name="history_change_reason",
            field=models.TextField(null=True),
        ),
        migrations.RunPython(
            content_types_to("compensation", "recovery"), content_types_to("recovery", "compensation")
        ),
    ]
