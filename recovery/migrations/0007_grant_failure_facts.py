"""Grants carry their failure's category and logged time, so insights aggregate one table.

The failure never changes after it is logged, so the copies cannot drift. Existing
grants (and their history rows) are filled from their failures in one UPDATE each.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery

CATEGORIES = [
    ("waiting", "Waiting or delay"),
    ("order_wrong", "Order wrong or incomplete"),
    ("product_defective", "Product defective or spoiled"),
    ("repeat_repair", "Repeat repair"),
    ("appointment_moved", "Appointment moved or cancelled"),
    ("missed_promise", "Missed promise (transport, delivery)"),
    ("staff_behaviour", "Staff behaviour"),
    ("billing", "Billing error"),
    ("other", "Other"),
]
LOGGED_AT_HELP = "When the failure was logged: the case opened at the counter."


def copy_failure_facts(apps, schema_editor):
    ServiceFailure = apps.get_model("recovery", "ServiceFailure")
    failure = ServiceFailure.objects.filter(pk=OuterRef("failure_id"))
    for model_name in ("Grant", "HistoricalGrant"):
        apps.get_model("recovery", model_name).objects.update(
            category=Subquery(failure.values("category")[:1]),
            failure_logged_at=Subquery(failure.values("logged_at")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recovery", "0006_voucher_redemptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="grant",
            name="category",
            field=models.CharField(choices=CATEGORIES, default="other", max_length=30),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalgrant",
            name="category",
            field=models.CharField(choices=CATEGORIES, default="other", max_length=30),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="grant",
            name="failure_logged_at",
            field=models.DateTimeField(help_text=LOGGED_AT_HELP, null=True),
        ),
        migrations.AddField(
            model_name="historicalgrant",
            name="failure_logged_at",
            field=models.DateTimeField(help_text=LOGGED_AT_HELP, null=True),
        ),
        migrations.RunPython(copy_failure_facts, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="grant",
            name="failure_logged_at",
            field=models.DateTimeField(help_text=LOGGED_AT_HELP),
        ),
        migrations.AlterField(
            model_name="historicalgrant",
            name="failure_logged_at",
            field=models.DateTimeField(help_text=LOGGED_AT_HELP),
        ),
        migrations.AddConstraint(
            model_name="grant",
            constraint=models.CheckConstraint(
                condition=Q(failure_logged_at__lte=F("granted_at")), name="grant_after_failure"
            ),
        ),
    ]
