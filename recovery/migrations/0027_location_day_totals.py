"""Daily rollups per location (`LocationDayTotal`), filled from the existing grants.

The insight pages read these instead of the grant table over a whole window.
The fill groups each location's grants by its own local day, playbook, name,
category and currency in the database, one location at a time. The resolution
buckets' bounds are frozen here as they are in `recovery.domain.resolution`
today (a migration must not change meaning when the code does later).
`manage.py rebuild_rollups` does the same in chunks, for a restore.
"""

import datetime as dt
import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate

BOUNDS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)


def rollups_fill(apps, schema_editor):
    Location = apps.get_model("compensation", "Location")
    Grant = apps.get_model("recovery", "Grant")
    LocationDayTotal = apps.get_model("recovery", "LocationDayTotal")
    bucket = Case(
        *[When(resolution__lt=upper, then=Value(index)) for index, upper in enumerate(BOUNDS)],
        default=Value(len(BOUNDS)),
        output_field=IntegerField(),
    )
    active, voided = Q(status="active"), Q(status="voided")
    figures = {f"resolution_{index}": Count("id", filter=Q(bucket=index)) for index in range(len(BOUNDS) + 1)}
    for location in Location.objects.order_by("pk"):
        rows = (
            Grant.objects.filter(location_id=location.pk)
            .order_by()
            .alias(resolution=ExpressionWrapper(F("granted_at") - F("failure_logged_at"), output_field=DurationField()))
            .alias(bucket=bucket)
            .annotate(
                day=TruncDate("granted_at", tzinfo=zoneinfo.ZoneInfo(location.timezone)),
                site_day=TruncDate("granted_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
            )
            .values("day", "site_day", "playbook_id", "playbook_name", "category", "currency")
            .annotate(
                active_amount=Sum("amount", filter=active),
                active_grants=Count("id", filter=active),
                voided_amount=Sum("amount", filter=voided),
                voided_grants=Count("id", filter=voided),
                **figures,
            )
        )
        LocationDayTotal.objects.bulk_create(
            (
                LocationDayTotal(
                    location_id=location.pk,
                    day=row["day"],
                    site_day=row["site_day"],
                    playbook_id=row["playbook_id"],
                    playbook_name=row["playbook_name"],
                    category=row["category"],
                    currency=row["currency"],
                    **{key: row[key] or 0 for key in row if key.startswith(("active_", "voided_", "resolution_"))},
                )
                for row in rows.iterator(chunk_size=2000)
            ),
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0018_playbook_eligibility"),
        ("recovery", "0026_effect_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="LocationDayTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("site_day", models.DateField()),
                ("playbook_name", models.CharField(max_length=120)),
                ("category", models.CharField(max_length=30)),
                ("currency", models.CharField(max_length=3)),
                ("active_amount", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ("active_grants", models.IntegerField(default=0)),
                ("voided_amount", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ("voided_grants", models.IntegerField(default=0)),
                ("resolution_0", models.IntegerField(default=0)),
                ("resolution_1", models.IntegerField(default=0)),
                ("resolution_2", models.IntegerField(default=0)),
                ("resolution_3", models.IntegerField(default=0)),
                ("resolution_4", models.IntegerField(default=0)),
                ("resolution_5", models.IntegerField(default=0)),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="compensation.location"
                    ),
                ),
                (
                    "playbook",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="compensation.playbook"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["site_day"], name="location_day_total_site_day")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("location", "day", "site_day", "playbook", "playbook_name", "category", "currency"),
                        name="location_day_total_once",
                    )
                ],
            },
        ),
        migrations.RunPython(rollups_fill, migrations.RunPython.noop),
    ]
