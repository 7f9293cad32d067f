"""Install the roles, the three tenure tiers, role authorities and the eight example playbooks.

Values are a sensible start for a mid-sized chain; ops tune them in the admin.
"""

from decimal import Decimal

from django.db import migrations

ROLES = ["frontline", "manager", "ops"]

TIERS = [
    ("New", 0, "1.00"),
    ("Regular", 12, "1.25"),
    ("Loyal", 36, "1.50"),
]

AUTHORITIES = [("frontline", "250.00"), ("manager", "1000.00")]

PLAYBOOKS = [
    {
        "code": "late-table",
        "name": "Appetisers and desserts on the house",
        "kind": "on_the_spot",
        "offer": "Appetisers and desserts for the whole party, on the house.",
        "apology_script": (
            "I'm sorry you had to wait for the table you booked — that's our fault, not yours. "
            "Starters and desserts for your party are on us tonight."
        ),
        "percent": "15", "floor": "10.00", "ceiling": "60.00", "voucher_valid_days": None,
    },
    {
        "code": "free-drinks",
        "name": "Free drinks while you wait",
        "kind": "on_the_spot",
        "offer": "Drinks on the house while the order is finished.",
        "apology_script": (
            "I'm sorry this is taking longer than it should. Please have your drinks on us "
            "while I make sure your order comes out right away."
        ),
        "percent": "10", "floor": "5.00", "ceiling": "25.00", "voucher_valid_days": None,
    },
    {
        "code": "replace-spoiled",
        "name": "Replace spoiled goods at once",
        "kind": "on_the_spot",
        "offer": "Fresh replacement of the spoiled part of the purchase, right now.",
        "apology_script": (
            "I'm sorry — this should never have left our shelves. Here is a fresh one, "
            "and thank you for taking the time to come back and tell us."
        ),
        "percent": "100", "floor": "0.00", "ceiling": "300.00", "voucher_valid_days": None,
    },
    {
        "code": "repeat-repair",
        "name": "Rental car or free service visit after a repeat repair",
        "kind": "voucher",
        "offer": "A free rental car for the repair time, or a voucher for a free service visit.",
        "apology_script": (
            "I'm sorry your car came back with the same fault — we should have fixed it the first time. "
            "We'll put it right as a priority, and this is yours for the trouble."
        ),
        "percent": "20", "floor": "50.00", "ceiling": "400.00", "voucher_valid_days": 180,
    },
    {
        "code": "free-month",
        "name": "One month of service free",
        "kind": "voucher",
        "offer": "Your next month of service free, and a fast fix of the problem.",
        "apology_script": (
            "I'm sorry for the technical trouble — it's on us, not you. Your next month is free, "
            "and I've asked for this to be fixed as a priority."
        ),
        "percent": "100", "floor": "0.00", "ceiling": "200.00", "voucher_valid_days": 365,
    },
    {
        "code": "wait-consultation",
        "name": "Free consultation or discount after a wait",
        "kind": "on_the_spot",
        "offer": "A free consultation with another specialist, or a discount on today's visit.",
        "apology_script": (
            "I'm sorry you had to wait past your appointment time — your time matters to us. "
            "Today's visit is on us up to this amount, or I can book you a free consultation."
        ),
        "percent": "25", "floor": "10.00", "ceiling": "100.00", "voucher_valid_days": None,
    },
    {
        "code": "moved-appointment-massage",
        "name": "Massage voucher for a moved appointment",
        "kind": "voucher",
        "offer": "A voucher for a free massage or another service of the centre.",
        "apology_script": (
            "I'm sorry we moved your appointment without warning — that's not how we want to treat you. "
            "Please accept this voucher for a massage or any other service of ours."
        ),
        "percent": "50", "floor": "30.00", "ceiling": "120.00", "voucher_valid_days": 90,
    },
    {
        "code": "out-of-pocket",
        "name": "Reimburse out-of-pocket costs, no receipt",
        "kind": "reimbursement",
        "offer": "What you paid out of pocket because of us (taxi, transport), back now — no receipt needed.",
        "apology_script": (
            "I'm sorry you had to pay for our mistake. Here is what it cost you — no receipt needed, "
            "your word is enough."
        ),
        "percent": "100", "floor": "0.00", "ceiling": "150.00", "voucher_valid_days": None,
    },
]


def install(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    TenureTier = apps.get_model("compensation", "TenureTier")
    RoleAuthority = apps.get_model("compensation", "RoleAuthority")
    Playbook = apps.get_model("compensation", "Playbook")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for name, months, multiplier in TIERS:
        TenureTier.objects.get_or_create(
            min_months=months, defaults={"name": name, "multiplier": Decimal(multiplier)}
        )
    for role, limit in AUTHORITIES:
        RoleAuthority.objects.get_or_create(role=role, defaults={"limit": Decimal(limit)})
    for order, data in enumerate(PLAYBOOKS, start=1):
        values = dict(data)
        code = values.pop("code")
        for field in ("percent", "floor", "ceiling"):
            values[field] = Decimal(values[field])
        Playbook.objects.get_or_create(code=code, defaults={**values, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
