"""The pages each role can open, in the states worth looking at, for the accessibility and ergonomics tests.

Every page a role may GET comes from the access matrix (tests/test_permissions.py
EXPECTED), so a new page is checked here as soon as it gets its row there. Extra
visits add the states a plain GET does not show: search results, priced playbook
cards, forms sent back with errors, the above-limit panel, error pages, the lockout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    LocationBudget,
    Playbook,
    PlaybookTierMultiplier,
    RoleAuthority,
    TenureTier,
)
from recovery import services
from recovery.models import Grant, Location
from tests import factories
from tests.test_permissions import ANON, AUDITOR, EXPECTED, FRONTLINE, MANAGER, OPS, World, url_of, voucher_of

NO_LOCATION = "frontline-without-location"
ROLES = (ANON, FRONTLINE, NO_LOCATION, MANAGER, OPS, AUDITOR)
# Answers to a GET that are not pages of their own.
NOT_PAGES = {
    "counter_quotes": "the htmx fragment of re-priced cards: checked inside the resolve page, after typing",
    "audit_export": "a CSV download",
    "audit_timeline_export": "a CSV download",
    "healthz": "JSON for load balancers and uptime monitors",
}
DRAFT_KINDS = (
    "playbook",
    "tier",
    "role-authority",
    "employee-authority",
    "customer-limit",
    "location-budget",
    "tier-multiplier",
)


@dataclass
class Visit:
    """One page state: open `path` (expecting `status`), then `prepare` it in the browser."""

    label: str
    path: str
    status: int = 200
    prepare: Callable | None = None
    counter: bool = False  # a page the counter staff work on (ergonomics apply)


@dataclass
class Site:
    world: World
    users: dict
    voucher_grant: Grant
    voided_grant: Grant
    draft_rows: dict = field(default_factory=dict)


def build_site(world: World) -> Site:
    """The access matrix's world, with more history: a voucher, a voided grant, limits and a budget in force.

    The matrix's `world` fixture already holds a grant, versions 1 and 2 and a
    draft, an escalation, a rule flag, an anomaly and an API token, and grows
    with every feature that needs a record in a URL.
    """
    frontline, manager = world.users[FRONTLINE], world.users[MANAGER]
    central = Location.objects.get(pk=world.location_id)
    factories.make_customer("Matrix Neighbour", phone="+447700900556")  # the search finds two
    voucher_grant = voucher_of(world)
    voided_grant = factories.grant_for(frontline, central, world.customer, code="late-table", purchase_value="80")
    services.grant_void(actor=manager, grant_id=voided_grant.pk, reason="Customer changed their mind")
    voided_grant.refresh_from_db()

    # A customer limit and a budget in force, so the counter shows its limit hints and budgets their meters;
    # the draft still differs from the version in force (the publish page has changes to show).
    drinks = world.playbook
    draft_ceiling = drinks.ceiling
    drinks.ceiling = Decimal("30.00")
    drinks.save()
    CustomerLimit.objects.create(window_days=30, max_grants=10, max_total=Decimal("900.00"))
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("2000.00"))
    factories.publish("Accessibility walk: limits and budget")
    drinks.ceiling = draft_ceiling
    drinks.save()
    draft_rows = {
        "playbook": drinks.pk,
        "tier": TenureTier.objects.order_by("min_months").first().pk,
        "role-authority": RoleAuthority.objects.get(role="frontline").pk,
        "employee-authority": EmployeeAuthority.objects.create(
            user=frontline, limit=Decimal("300.00"), note="Senior at the desk"
        ).pk,
        "customer-limit": CustomerLimit.objects.get().pk,
        "location-budget": LocationBudget.objects.get().pk,
        "tier-multiplier": PlaybookTierMultiplier.objects.create(
            playbook=drinks, tier=TenureTier.objects.order_by("min_months").last(), multiplier=Decimal("2.00")
        ).pk,
    }
    nowhere = factories.make_user("nora", "frontline", [])
    users = {**world.users, NO_LOCATION: nowhere}
    return Site(world=world, users=users, voucher_grant=voucher_grant, voided_grant=voided_grant, draft_rows=draft_rows)


# --- page states that need the browser ----------------------------------------------------


def price_the_cards(page) -> None:
    page.fill("#id_purchase_value", "80")
    page.locator("#playbook-cards .card-cap strong").first.wait_for()


# The page states below find their buttons by the form they send, not by their words, so they run in every language.


def grant_with_nothing_chosen(page) -> None:
    page.locator("#resolve-form button.primary[type=submit]").click()
    page.locator(".has-error").first.wait_for()


def grant_above_the_limit(page) -> None:
    page.check("input[name=category][value=waiting]")
    price_the_cards(page)
    page.check(f"input[name=playbook][value='{Playbook.objects.get(code='replace-spoiled').pk}']")
    page.fill("#id_amount", "400")
    page.locator("#resolve-form button.primary[type=submit]").click()
    page.locator("#above-limit").wait_for()


def add_an_empty_walk_in(page) -> None:
    page.locator("form[action$='/customers/add/'] button[type=submit]").click()
    page.locator(".has-error").first.wait_for()


def void_without_a_reason(page) -> None:
    page.locator("form[action$='/void/'] button[type=submit]").click()
    page.locator(".has-error").first.wait_for()


def publish_without_a_reason(page) -> None:
    page.locator("main form[method=post] button.primary[type=submit]").click()
    page.locator(".has-error").first.wait_for()


def log_in_wrongly(page) -> None:
    page.fill("#id_username", "frank")
    page.fill("#id_password", "not the password")
    page.locator("main form button[type=submit]").click()
    page.locator(".errors").wait_for()


def get_locked_out(page) -> None:
    for _ in range(6):
        if not page.locator("#id_password").count():  # the lockout page has no login form
            return
        log_in_wrongly_once(page)
    assert not page.locator("#id_password").count()


def log_in_wrongly_once(page) -> None:
    page.fill("#id_username", "frank")
    page.fill("#id_password", "not the password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


# --- the catalogue ----------------------------------------------------------------------------

# The matrix names of the pages counter staff work on.
COUNTER_PAGES = {
    "login",
    "counter",
    "counter_resolve",
    "counter_granted",
    "my_grants",
    "escalation_status",
    "voucher_redeem",
}


def visits_for(role: str, site: Site) -> list[Visit]:
    """Every page `role` may open, from the access matrix, plus the states worth checking."""
    matrix_role = FRONTLINE if role == NO_LOCATION else role
    visits = []
    if role != NO_LOCATION:
        for name, methods in EXPECTED.items():
            if methods["GET"][matrix_role] == 200 and name not in NOT_PAGES:
                visits.append(Visit(name, url_of(name, site.world), counter=name in COUNTER_PAGES))
    customer = site.world.customer.pk
    resolve = f"/counter/customers/{customer}/resolve/"
    case_resolve = f"/counter/customers/{site.world.grant.customer_id}/resolve/"  # adding to its case
    extra = {
        ANON: [
            Visit("login with next", "/login/?next=/audit/"),
            Visit("login refused", "/login/", prepare=log_in_wrongly, counter=True),
            Visit("locked out", "/login/", prepare=get_locked_out, counter=True),
        ],
        FRONTLINE: [
            Visit("counter search results", "/counter/?q=Matrix", counter=True),
            Visit("counter search without match", "/counter/?q=Nobody+Here", counter=True),
            Visit("walk-in refused", "/counter/", prepare=add_an_empty_walk_in, counter=True),
            Visit("resolve with priced cards", resolve, prepare=price_the_cards, counter=True),
            Visit("resolve refused", resolve, prepare=grant_with_nothing_chosen, counter=True),
            Visit("resolve above the limit", resolve, prepare=grant_above_the_limit, counter=True),
            Visit("resolve on a case", f"{case_resolve}?case={site.world.grant.failure_id}", counter=True),
            Visit("resolve on a case refused", f"{resolve}?case=999999", status=422, counter=True),
            Visit("granted voucher", f"/counter/grants/{site.voucher_grant.pk}/", counter=True),
            Visit("slip of a voucher", f"/counter/grants/{site.voucher_grant.pk}/slip/"),
            Visit("403 page", "/audit/", status=403),
            Visit("404 page", "/no-such-page/", status=404),
        ],
        NO_LOCATION: [Visit("counter without a location", "/counter/", status=403, counter=True)],
        MANAGER: [
            Visit("audit filtered", "/audit/?status=voided"),
            Visit("audit detail of a voided grant", f"/audit/grants/{site.voided_grant.pk}/"),
            Visit("audit detail of a voucher", f"/audit/grants/{site.voucher_grant.pk}/"),
            Visit("void refused", f"/audit/grants/{site.world.grant.pk}/", prepare=void_without_a_reason),
            Visit("simulator with a case", "/ops/simulator/?purchase_value=80&tenure_months=40&role=frontline"),
            Visit("version 3", "/ops/versions/3/"),
            Visit("404 of a grant", "/audit/grants/999999/", status=404),
        ],
        OPS: [
            *[Visit(f"add {kind}", f"/ops/draft/{kind}/add/") for kind in DRAFT_KINDS],
            *[Visit(f"edit {kind}", f"/ops/draft/{kind}/{pk}/") for kind, pk in site.draft_rows.items()],
            Visit("publish refused", "/ops/publish/", prepare=publish_without_a_reason),
            Visit("compare versions", "/ops/versions/3/?compare=1"),
            Visit("replay 30 days", "/ops/replay/?days=30"),
        ],
        AUDITOR: [Visit("403 page for an auditor", "/counter/", status=403)],
    }
    return visits + extra[role]
