"""Seed a demo: two locations, one user per role, customers and weeks of past grants.

Safe to run twice: existing users, locations and customers are kept, and past
grants are only generated when there are none yet.
"""

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from compensation.models import CustomerLimit, EmployeeAuthority, LocationBudget, Playbook, PolicyVersion
from compensation.policy import load_policy
from compensation.predicates import roles_of
from compensation.services import policy_publish
from recovery.models import Customer, Grant, Location, ServiceFailure, StaffProfile
from recovery.services import (
    GrantRequest,
    RecoveryError,
    escalation_request,
    grant_issue,
    grant_void,
    rule_flag_raise,
)
from recovery.vouchers import voucher_redeem

DEMO_PASSWORD = "recover-2026"

LOCATIONS = [
    ("central", "Central Store", "Europe/London"),
    ("airport", "Airport Desk", "Europe/London"),
]

# username, role, locations, staff flag (ops use the admin)
USERS = [
    ("frontline", "frontline", ["central"], False),
    ("frontline2", "frontline", ["airport"], False),
    ("manager", "manager", ["central"], False),
    ("manager2", "manager", ["airport"], False),
    ("ops", "ops", [], True),
]

# name, phone, email, card, tenure in months
CUSTOMERS = [
    ("Alice Moreau", "+447700900101", "alice@example.com", "LC-1001", 62),
    ("Ben Okafor", "+447700900102", "ben@example.com", "LC-1002", 40),
    ("Chiara Rossi", "+447700900103", "chiara@example.com", "LC-1003", 26),
    ("Dmitri Volkov", "+447700900104", "dmitri@example.com", "LC-1004", 14),
    ("Emma Lindqvist", "+447700900105", "emma@example.com", "LC-1005", 8),
    ("Farid Haddad", "+447700900106", "farid@example.com", "", 3),
    ("Grace Kim", "+447700900107", "", "LC-1007", 48),
    ("Hugo Martin", "", "hugo@example.com", "LC-1008", 1),
    ("Ines Duarte", "+447700900109", "ines@example.com", "", 0),
    ("Jonas Weber", "+447700900110", "jonas@example.com", "LC-1010", 19),
]

FAILURES = [
    ("waiting", "late-table", "Booked 19:00, seated 19:35", (40, 160)),
    ("waiting", "free-drinks", "Kitchen backed up, order 25 min late", (15, 60)),
    ("product_defective", "replace-spoiled", "Half the berries mouldy", (8, 40)),
    ("repeat_repair", "repeat-repair", "Same brake noise after last week's repair", (180, 900)),
    ("billing", "free-month", "Service down for two days, threatened to cancel", (30, 60)),
    ("appointment_moved", "wait-consultation", "Waited 40 minutes past appointment", (60, 200)),
    ("appointment_moved", "moved-appointment-massage", "Clinic moved the appointment without notice", (80, 150)),
    ("missed_promise", "out-of-pocket", "Shuttle never came; paid a taxi", (25, 70)),
]


# window days, max grants, max total: counted across all locations
DEMO_CUSTOMER_LIMITS = [(30, 8, Decimal("600.00")), (90, None, Decimal("1500.00"))]
# monthly budget, what happens once it is used up
DEMO_BUDGETS = {"central": (Decimal("3000.00"), "warn"), "airport": (Decimal("1500.00"), "escalate")}


def months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


class Command(BaseCommand):
    help = "Seed demo locations, users (one per role), customers and several weeks of grants."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=6, help="Weeks of past grants to generate.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable demo data.")

    @transaction.atomic
    def handle(self, *args, weeks, seed, **options):
        rng = random.Random(seed)
        locations = {}
        for code, name, tz in LOCATIONS:
            locations[code], _ = Location.objects.get_or_create(code=code, defaults={"name": name, "timezone": tz})
        users = {}
        User = get_user_model()
        for username, role, location_codes, is_staff in USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.first_name = username.capitalize()
                user.save()
            user.groups.add(Group.objects.get(name=role))
            profile, _ = StaffProfile.objects.get_or_create(user=user)
            profile.locations.add(*[locations[code] for code in location_codes])
            users[username] = user
        today = timezone.localdate()
        customers = []
        for name, phone, email, card, tenure in CUSTOMERS:
            customer, _ = Customer.objects.get_or_create(
                name=name,
                defaults={
                    "phone": phone,
                    "email": email,
                    "loyalty_card": card,
                    "customer_since": months_ago(today, tenure),
                },
            )
            customers.append(customer)
        if not Grant.objects.exists():
            self._past_grants(rng, weeks, locations, users, customers)
            self._demo_vouchers(locations, users, customers)
            self._customer_at_limit(locations["central"], users["frontline"], customers[3])
        if not PolicyVersion.objects.filter(number__gt=1).exists():
            self._demo_policy(users, locations)
            self._demo_escalation_and_flags(users, locations, customers)
        self._print_credentials()

    def _demo_vouchers(self, locations, users, customers):
        """Vouchers to try the redeem screen with: one valid, one redeemed at the other location, one expired."""
        policy = load_policy()
        now = timezone.now()
        central, airport = locations["central"], locations["airport"]

        def voucher(customer, code, purchase_value, days_ago, note):
            request = GrantRequest(
                customer=customer,
                location=central,
                category="appointment_moved" if code == "moved-appointment-massage" else "repeat_repair",
                purchase_value=Decimal(purchase_value),
                note=note,
                playbook_id=Playbook.objects.get(code=code).pk,
                amount=None,
                token=uuid.uuid4(),
            )
            actor = users["frontline"]
            at = now - timedelta(days=days_ago)
            return grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=policy, at=at).grant

        valid = voucher(customers[0], "repeat-repair", "640.00", 3, "Same rattle after last week's repair")
        redeemed = voucher(customers[6], "moved-appointment-massage", "90.00", 10, "Massage moved twice")
        voucher_redeem(
            actor=users["frontline2"], code=redeemed.voucher_code, location=airport, at=now - timedelta(days=2)
        )
        voucher(customers[2], "moved-appointment-massage", "80.00", 100, "Clinic closed for a day")  # expired
        self.stdout.write(
            f"Vouchers: {valid.voucher_code} is valid (try it at /counter/vouchers/); "
            f"{redeemed.voucher_code} was redeemed at {airport.name}."
        )

    def _customer_at_limit(self, location, actor, customer):
        """Bring one customer to the 30-day limit published below, so the escalation path can be tried."""
        policy = load_policy()
        now = timezone.now()
        while (
            Grant.objects.filter(customer=customer, status="active", granted_at__gt=now - timedelta(days=29)).count()
            < (DEMO_CUSTOMER_LIMITS[0][1])
        ):
            request = GrantRequest(
                customer=customer,
                location=location,
                category="waiting",
                purchase_value=Decimal("40.00"),
                note="Order late again",
                playbook_id=Playbook.objects.get(code="free-drinks").pk,
                amount=None,
                token=uuid.uuid4(),
            )
            grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=policy, at=now - timedelta(days=2))

    def _demo_policy(self, users, locations):
        """Version 2 adds rolling customer limits, budgets and a starter's own limit; a draft change waits."""
        ops = users["ops"]
        for window_days, max_grants, max_total in DEMO_CUSTOMER_LIMITS:
            CustomerLimit.objects.get_or_create(
                window_days=window_days, defaults={"max_grants": max_grants, "max_total": max_total}
            )
        for code, (monthly, when_exhausted) in DEMO_BUDGETS.items():
            LocationBudget.objects.get_or_create(
                location=locations[code], defaults={"monthly_amount": monthly, "when_exhausted": when_exhausted}
            )
        EmployeeAuthority.objects.get_or_create(
            user=users["frontline2"], defaults={"limit": Decimal("100.00"), "note": "New starter: first three months"}
        )
        policy_publish(actor=ops, reason="Rolling limits per customer, monthly budgets per location, starter limit.")
        # Left unpublished, for the simulator and the replay: drinks would cost less.
        drinks = Playbook.objects.get(code="free-drinks")
        drinks.ceiling = Decimal("15.00")
        drinks._history_user = ops
        drinks._change_reason = "Draft: drinks ceiling 25 → 15?"
        drinks.save()

    def _demo_escalation_and_flags(self, users, locations, customers):
        frontline, central = users["frontline"], locations["central"]
        request = GrantRequest(
            customer=customers[1],
            location=central,
            category="waiting",
            purchase_value=Decimal("120.00"),
            note="Anniversary dinner: table 50 minutes late",
            playbook_id=Playbook.objects.get(code="late-table").pk,
            amount=Decimal("120.00"),
            token=uuid.uuid4(),
        )
        escalation_request(
            actor=frontline,
            roles=roles_of(frontline),
            request=request,
            reason="Their anniversary; the whole evening was spoiled. Offer the full meal.",
        )
        rule_flag_raise(
            actor=frontline,
            location=central,
            rule="playbook_cap",
            playbook_id=Playbook.objects.get(code="free-drinks").pk,
            note="Drinks cap is below the price of two coffees and a cake for a family of four.",
            customer=customers[0],
        )
        rule_flag_raise(
            actor=users["frontline2"],
            location=locations["airport"],
            rule="customer_limit",
            note="Frequent flyer hit the 30-day limit after two delayed flights in one week.",
        )

    def _past_grants(self, rng, weeks, locations, users, customers):
        policy = load_policy()
        playbooks = {playbook.code: playbook for playbook in Playbook.objects.filter(is_active=True)}
        staff = [
            (users["frontline"], locations["central"]),
            (users["frontline2"], locations["airport"]),
            (users["manager"], locations["central"]),
        ]
        now = timezone.now()
        made = 0
        for day in range(weeks * 7, 0, -1):
            for _ in range(rng.randint(0, 3)):
                actor, location = rng.choice(staff)
                category, code, note, (low, high) = rng.choice(FAILURES)
                if code not in playbooks:
                    continue
                at = now - timedelta(days=day, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
                request = GrantRequest(
                    customer=rng.choice(customers),
                    location=location,
                    category=category,
                    purchase_value=Decimal(rng.randint(low * 100, high * 100)) / 100,
                    note=note,
                    playbook_id=playbooks[code].pk,
                    amount=None,
                    token=uuid.uuid4(),
                )
                roles = roles_of(actor)
                try:
                    outcome = grant_issue(actor=actor, roles=roles, request=request, policy=policy, at=at)
                except RecoveryError:
                    continue
                made += 1
                if rng.random() < 0.05:
                    reviewer = users["manager"] if location.code == "central" else users["manager2"]
                    grant_void(
                        actor=reviewer,
                        grant_id=outcome.grant.pk,
                        reason="Customer had already been compensated for this visit.",
                        at=at + timedelta(days=1),
                    )
        self.stdout.write(f"Generated {made} past grants ({ServiceFailure.objects.count()} failures).")

    def _print_credentials(self):
        self.stdout.write(self.style.SUCCESS("Demo ready. Log in at http://127.0.0.1:8000/ with:"))
        for username, role, location_codes, _ in USERS:
            where = ", ".join(location_codes) or "all locations (policy admin)"
            self.stdout.write(f"  {role:<10} {username:<11} / {DEMO_PASSWORD}   ({where})")
