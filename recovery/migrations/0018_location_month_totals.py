"""Running month totals per location (`LocationMonthTotal`), backfilled from the active grants.

The budget check read the month's grants on every grant; it now reads (and
adds to) one row. The backfill groups each location's active grants by its own
local month and currency, in the database, one location at a time.
"""

import zoneinfo

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth


def totals_backfill(apps, schema_editor):
    Location = apps.get_model("compensation", "Location")
    Grant = apps.get_model("recovery", "Grant")
    LocationMonthTotal = apps.get_model("recovery", "LocationMonthTotal")
    for location in Location.objects.order_by("pk"):
        rows = (
            Grant.objects.filter(location_id=location.pk, status="active")
            .annotate(month=TruncMonth("granted_at", tzinfo=zoneinfo.ZoneInfo(location.timezone)))
            .order_by()
            .values("month", "currency")
            .annotate(amount=Sum("amount"), grants=Count("id"))
        )
        LocationMonthTotal.objects.bulk_create(
            LocationMonthTotal(
                location_id=location.pk,
                month=row["month"].date() if hasattr(row["month"], "date") else row["month"],
                currency=row["currency"],
                amount=row["amount"],
                grants=row["grants"],
            )
            for row in rows
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0012_playbook_categories"),
        ("recovery", "0017_anomaly_split_grants"),
    ]

    operations = [
        migrations.CreateModel(
            name="LocationMonthTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField()),
                ("currency", models.CharField(max_length=3)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=16)),
                ("grants", models.IntegerField()),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="compensation.location"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("location", "month", "currency"), name="location_month_total_once")
                ],
            },
        ),
        migrations.RunPython(totals_backfill, migrations.RunPython.noop),
    ]
