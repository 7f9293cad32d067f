"""Seed a demo: two locations, one user per role, customers and weeks of past grants.

Safe to run twice: existing users, locations and customers are kept, and past
grants are only generated when there are none yet.
"""

import logging
import random
import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from compensation.categories import SUGGESTED_FITS
from compensation.models import CustomerLimit, EmployeeAuthority, LocationBudget, Playbook, PolicyVersion
from compensation.money import quantize
from compensation.policy import load_policy, tenure_in_months
from compensation.predicates import roles_of
from compensation.recording import save_with_history
from compensation.services import policy_publish
from recovery.anomalies import anomalies_raise
from recovery.management.demo_customers import (
    AT_LIMIT_CUSTOMER,
    CUSTOMERS,
    FIRST_GRANT_CUSTOMER,
    HOME_LOCATION_SPLIT,
    customers_by_room,
    months_ago,
)
from recovery.management.demo_patterns import seed_suspicious_patterns
from recovery.management.demo_visits import seed_history_and_visits
from recovery.models import AnomalyFlag, Customer, Grant, Location, ServiceFailure, StaffProfile
from recovery.services import (
    GrantRequest,
    RecoveryError,
    escalation_request,
    grant_issue,
    grant_void,
    rule_flag_raise,
)
from recovery.services.tenure import tenure_journal, tenure_needs_entry
from recovery.vouchers import voucher_redeem

DEMO_PASSWORD = "recover-2026"

# code, name, time zone, kind (playbooks can be offered at locations of a kind: compensation.eligibility)
LOCATIONS = [
    ("central", "Central Store", "Europe/London", "city-store"),
    ("airport", "Airport Desk", "Europe/London", "airport"),
]

# What the roles without a location of their own reach, as printed for the demo.
DEMO_POLICY_REASON = "Rolling limits per customer, monthly budgets per location, starter limit."
ROLE_SCOPE = {"ops": "all locations (policy admin)", "auditor": "all locations, read-only"}
# username, role, locations, staff flag (ops use the admin)
USERS = [
    ("frontline", "frontline", ["central"], False),
    ("frontline2", "frontline", ["airport"], False),
    ("manager", "manager", ["central"], False),
    ("manager2", "manager", ["airport"], False),
    ("ops", "ops", [], True),
    ("auditor", "auditor", [], False),
]

# How many customers with room the seed prints, the first-grant customer first.
HEADROOM_SHOWN = 5

# Honest staff often grant less than the cap the counter proposes (the customer only wanted a coffee);
# "frontline2" always takes the full cap, one of the patterns the anomaly checks flag.
LOWERS_AMOUNT_SHARE = 0.6
ALWAYS_AT_CAP = "frontline2"

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


class Command(BaseCommand):
    help = "Seed demo locations, users (one per role), customers and several weeks of grants."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=6, help="Weeks of past grants to generate.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable demo data.")

    def execute(self, *args, **options):
        """Seed without the services' log lines (one per grant, for production) unless -v 2 asks for them:
        a hundred of them would bury the logins and customers the seed prints for a newcomer."""
        if options.get("verbosity", 1) >= 2:
            return super().execute(*args, **options)
        logging.disable(logging.INFO)
        try:
            return super().execute(*args, **options)
        finally:
            logging.disable(logging.NOTSET)

    @transaction.atomic
    def handle(self, *args, weeks, seed, **options):
        rng = random.Random(seed)
        locations = {}
        for code, name, tz, kind in LOCATIONS:
            locations[code], _ = Location.objects.get_or_create(
                # Both demo locations are in euros, whatever RECOVERY_CURRENCY says (the screenshots show €).
                code=code,
                defaults={"name": name, "timezone": tz, "currency": "EUR", "kind": kind},
            )
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
            customer, created = Customer.objects.get_or_create(
                name=name,
                defaults={
                    "phone": phone,
                    "email": email,
                    "loyalty_card": card,
                    "customer_since": months_ago(today, tenure),
                },
            )
            if created and tenure_needs_entry(customer):
                # A tenure other than the day they were added is journalled, as a CRM's would be.
                tenure_journal(actor=None, customer=customer, previous=None, reason="Demo data")
            customers.append(customer)
        name, phone, email, card, tenure = FIRST_GRANT_CUSTOMER
        first_grant, created = Customer.objects.get_or_create(
            name=name,
            defaults={
                "phone": phone,
                "email": email,
                "loyalty_card": card,
                "customer_since": months_ago(today, tenure),
            },
        )
        if created and tenure_needs_entry(first_grant):
            tenure_journal(actor=None, customer=first_grant, previous=None, reason="Demo data")
        if not Grant.objects.exists():
            self._past_grants(rng, weeks, locations, users, customers)
            self._demo_vouchers(locations, users, customers)
            self._customer_at_limit(locations["central"], users["frontline"], customers[3])
            seed_suspicious_patterns(users, locations, customers)
            grants, visits = seed_history_and_visits(
                rng=rng,
                now=timezone.now(),
                today=today,
                location=locations["central"],
                actor=users["frontline"],
                reviewer=users["manager"],
                cast=customers,
            )
            self.stdout.write(f"Generated {grants} grants months ago and {visits} visits (What recovery buys).")
        # Version 1 is installed, version 2 (Russian texts) published by a migration; the demo's comes next.
        if not PolicyVersion.objects.filter(reason=DEMO_POLICY_REASON).exists():
            self._demo_policy(users, locations)
            self._demo_escalation_and_flags(users, locations, customers)
        raised = len(anomalies_raise())
        self.stdout.write(f"Anomaly checks: {raised} new flags ({AnomalyFlag.objects.count()} in all).")
        self._print_credentials()
        self._print_customers([first_grant, *customers], locations)

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
                amount=Decimal("5.00"),
                token=uuid.uuid4(),
            )
            grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=policy, at=now - timedelta(days=2))

    def _demo_policy(self, users, locations):
        """The demo's version adds rolling customer limits, budgets, a starter's own limit and the failures
        each playbook suits; a draft change waits."""
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
        # Which failures each playbook suits: the counter shows those first, the rest under "Other playbooks".
        for playbook in Playbook.objects.filter(code__in=SUGGESTED_FITS):
            if playbook.categories:
                continue  # ops already chose
            playbook.categories = SUGGESTED_FITS[playbook.code]
            save_with_history(playbook, actor=ops, reason="Demo: the failures each playbook suits")
        policy_publish(actor=ops, reason=DEMO_POLICY_REASON)
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
        # Weeks ago the installed version was in force, not the one a migration published today.
        now = timezone.now()
        policy = load_policy(now - timedelta(days=weeks * 7 + 1))
        playbooks = {playbook.code: playbook for playbook in Playbook.objects.filter(is_active=True)}
        staff = [
            (users["frontline"], locations["central"]),
            (users["frontline2"], locations["airport"]),
            (users["manager"], locations["central"]),
        ]
        home = {"central": customers[:HOME_LOCATION_SPLIT], "airport": customers[HOME_LOCATION_SPLIT:]}
        made = 0
        for day in range(weeks * 7, 0, -1):
            for _ in range(rng.randint(0, 3)):
                actor, location = rng.choice(staff)
                category, code, note, (low, high) = rng.choice(FAILURES)
                if code not in playbooks:
                    continue
                at = now - timedelta(days=day, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
                customer = rng.choice(home[location.code])
                purchase_value = Decimal(rng.randint(low * 100, high * 100)) / 100
                roles = roles_of(actor)
                request = GrantRequest(
                    customer=customer,
                    location=location,
                    category=category,
                    purchase_value=purchase_value,
                    note=note,
                    playbook_id=playbooks[code].pk,
                    amount=self._amount_chosen(
                        rng, policy, actor, roles, customer, location, playbooks[code].pk, purchase_value
                    ),
                    token=uuid.uuid4(),
                    # The counter opened the case a little earlier: insights time the resolution from there.
                    opened_at=at - timedelta(seconds=rng.randint(20, 900)),
                )
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
                        reason="Entered for the wrong customer; granted again to the right one.",
                        at=at + timedelta(hours=2),  # corrected the same day, at the counter
                    )
        self.stdout.write(f"Generated {made} past grants ({ServiceFailure.objects.count()} failures).")

    def _amount_chosen(self, rng, policy, actor, roles, customer, location, playbook_id, purchase_value):
        """The full cap (None), or for honest staff often a bit less, as the counter lets them choose."""
        if actor.get_username() == ALWAYS_AT_CAP or rng.random() >= LOWERS_AMOUNT_SHARE:
            return None
        cap = policy.quote(
            playbook_id,
            purchase_value=purchase_value,
            tenure_months=tenure_in_months(customer.customer_since, location.today()),
            authority=policy.authority_for(roles, actor.pk),
            currency=location.currency,
        ).cap
        lowered = quantize(cap * Decimal(rng.choice(["0.5", "0.6", "0.75", "0.8"])), location.currency)
        return lowered if Decimal("0") < lowered < cap else None

    def _print_customers(self, customers, locations):
        """Customers a newcomer can grant to right now (search the phone at the counter), and the one at a limit."""
        home = {customer.pk: locations["central"] for customer in customers}
        home.update({customer.pk: locations["airport"] for customer in customers[1 + HOME_LOCATION_SPLIT :]})
        with_room, at_limit = customers_by_room(customers, home=home, policy=load_policy())
        self.stdout.write(self.style.SUCCESS("Customers with room for a grant now (search the phone at the counter):"))
        for _, line in with_room[:HEADROOM_SHOWN]:
            self.stdout.write(line)
        on_purpose = [line for customer, line in at_limit if customer.name == AT_LIMIT_CUSTOMER]
        others = [line for customer, line in at_limit if customer.name != AT_LIMIT_CUSTOMER]
        if on_purpose:
            self.stdout.write("At the 30-day limit on purpose (every card disabled; try Ask a manager):")
            self.stdout.write("\n".join(on_purpose))
        if others:
            self.stdout.write("Also at a limit after the generated history:")
            self.stdout.write("\n".join(others))

    def _print_credentials(self):
        self.stdout.write(self.style.SUCCESS("Demo ready. Log in at http://127.0.0.1:8000/ with:"))
        for username, role, location_codes, _ in USERS:
            where = ", ".join(location_codes) or ROLE_SCOPE.get(role, "all locations")
            self.stdout.write(f"  {role:<10} {username:<11} / {DEMO_PASSWORD}   ({where})")
