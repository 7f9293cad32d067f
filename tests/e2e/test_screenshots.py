"""The counter flow in Russian on a tablet (768×1024) and a laptop (1280×800), each screen checked in Russian,
and the first screen of each role's main pages at both sizes: the pictures are kept.

`RD_SCREENSHOTS=1 python -m pytest tests/e2e/test_screenshots.py` writes the
pictures to docs/screenshots/ (committed, for the issue's closing note);
without it they go to test-results/, so an ordinary run never changes the repo.
"""

import os
from decimal import Decimal

import pytest
from django.conf import settings

from recovery.models import Grant, StaffProfile
from tests.e2e.catalogue import build_site, price_the_cards
from tests.e2e.conftest import LAPTOP, RESULTS, TABLET
from tests.test_permissions import AUDITOR, FRONTLINE, MANAGER, OPS

DOCS = RESULTS.parent / "docs" / "screenshots"


def shots_dir():
    where = DOCS if os.environ.get("RD_SCREENSHOTS") == "1" else RESULTS
    where.mkdir(parents=True, exist_ok=True)
    return where


SIZES = {"768x1024": TABLET, "1280x800": LAPTOP}


@pytest.mark.parametrize("size", SIZES)
def test_the_counter_flow_in_russian_on_a_tablet(
    page, context, live_server, sign_in, browser_errors, frontline, customer, size
):
    StaffProfile.objects.filter(user=frontline).update(language="ru")
    sign_in(frontline)  # the employee's own language comes with the session
    page.set_viewport_size(SIZES[size])
    where = shots_dir()

    page.goto("/counter/?q=Alice")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("heading", name="Найти клиента").wait_for()
    assert "компенсац" in page.locator("a.customer-row").first.inner_text()
    page.screenshot(path=str(where / f"ru-1-customer-search-{size}.png"), full_page=True)

    page.locator("a.customer-row").first.click()
    page.get_by_role("heading", name="Выберите сценарий").wait_for()
    page.check("input[name=category][value=waiting]")
    page.fill("#id_purchase_value", "80")
    # Replacing spoiled goods: 100 % of 80,00, ×1,5 for a loyal customer, written as Russian money.
    spoiled = page.locator("#playbook-cards .card").filter(has=page.locator(f"input[value='{_playbook_pk()}']"))
    spoiled.locator(".card-cap strong").filter(has_text="120,00\xa0€").wait_for()
    assert spoiled.locator(".card-title").inner_text() == "Немедленная замена испорченного товара"
    spoiled.locator("input[name=playbook]").check()
    page.screenshot(path=str(where / f"ru-2-resolve-with-cards-{size}.png"), full_page=True)

    page.locator("#resolve-form button.primary[type=submit]").click()
    page.get_by_role("heading", name="Скажите клиенту").wait_for()
    grant = Grant.objects.get()
    assert page.get_by_role("heading", level=1).inner_text().startswith("120,00\xa0€")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Немедленная замена испорченного товара")
    # The apology in the employee's Russian; the English one a click away, for a customer who needs it.
    said = page.locator(".script > blockquote")
    assert said.get_attribute("lang") == "ru" and said.inner_text().startswith("Простите — такой товар")
    english = page.locator(".script details blockquote[lang=en]")
    assert not english.is_visible()
    page.locator(".script details summary").filter(has_text="English").click()
    assert english.inner_text().startswith("I'm sorry — this should never have left our shelves.")
    page.screenshot(path=str(where / f"ru-3-granted-{size}.png"), full_page=True)

    # A voucher from another grant, redeemed at the counter.
    voucher = _a_voucher(frontline, customer)
    page.goto(f"/counter/vouchers/?code={voucher.voucher_code}")
    page.get_by_role("heading", name="Погасить ваучер").wait_for()
    page.locator(".voucher-state").filter(has_text="Действителен").wait_for()
    page.screenshot(path=str(where / f"ru-4-redeem-voucher-{size}.png"), full_page=True)

    assert grant.amount == Decimal("120.00")
    assert context.cookies() and settings.LANGUAGE_COOKIE_NAME not in {c["name"] for c in context.cookies()}
    assert browser_errors == []


def _a_voucher(frontline, customer) -> Grant:
    from tests import factories

    location = frontline.staff_profile.locations.get()
    return factories.grant_for(frontline, location, customer, code="free-month", purchase_value="80")


def _playbook_pk() -> int:
    from tests import factories

    return factories.playbook("replace-spoiled").pk


# The pages each role works on, as the first screen shows them (what someone holding the tablet sees).
REVIEW_SHOTS = [
    (FRONTLINE, "resolve", "resolve"),
    (FRONTLINE, "counter", "/counter/?q=Matrix"),  # with the customer just opened under "Today's customers"
    (FRONTLINE, "counter-phone-ending", "/counter/?q=0555"),  # two phones end in 0555: choose
    (MANAGER, "audit", "/audit/"),
    (MANAGER, "audit-filtered", "/audit/?flagged=on"),
    (MANAGER, "escalations", "/escalations/"),
    (MANAGER, "monthly-report", "/insights/report/"),
    (AUDITOR, "insights", "/insights/"),
    (OPS, "ops", "/ops/"),
    (OPS, "ops-replay", "/ops/replay/"),
]


@pytest.mark.parametrize("size", SIZES)
def test_each_roles_pages_at_both_sizes(page, sign_in, world, browser_errors, size):
    site = build_site(world)
    from tests import factories

    factories.make_customer("Matrix Namesake", phone="+447700910555")  # its phone ends as Matrix Customer's
    page.set_viewport_size(SIZES[size])
    where = shots_dir()
    signed_in = None
    for role, name, path in REVIEW_SHOTS:
        if role != signed_in:
            sign_in(site.users[role])
            signed_in = role
        if path == "resolve":
            page.goto(f"/counter/customers/{site.world.customer.pk}/resolve/")
            page.check("input[name=category][value=waiting]")
            price_the_cards(page)
            page.locator("input[name=playbook]:not([disabled])").first.check()  # the grant bar names its amount
        else:
            page.goto(path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # charts finish drawing
        page.screenshot(path=str(where / f"{role}-{name}-{size}.png"))
    assert browser_errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_counter_flow_in_romanian_on_a_tablet(
    page, live_server, sign_in, browser_errors, frontline, customer, size
):
    """The same flow for a Romanian-speaking employee: the shipped playbook's own Romanian name and apology."""
    StaffProfile.objects.filter(user=frontline).update(language="ro")
    sign_in(frontline)
    page.set_viewport_size(SIZES[size])
    where = shots_dir()

    page.goto("/counter/?q=Alice")
    assert page.locator("html").get_attribute("lang") == "ro"
    page.get_by_role("heading", name="Găsiți clientul").wait_for()
    page.screenshot(path=str(where / f"ro-1-customer-search-{size}.png"), full_page=True)

    page.locator("a.customer-row").first.click()
    page.get_by_role("heading", name="Alegeți un scenariu").wait_for()
    page.check("input[name=category][value=waiting]")
    page.fill("#id_purchase_value", "80")
    spoiled = page.locator("#playbook-cards .card").filter(has=page.locator(f"input[value='{_playbook_pk()}']"))
    spoiled.locator(".card-cap strong").filter(has_text="120,00").wait_for()
    assert spoiled.locator(".card-title").inner_text() == "Înlocuirea imediată a produselor alterate"
    spoiled.locator("input[name=playbook]").check()
    page.screenshot(path=str(where / f"ro-2-resolve-with-cards-{size}.png"), full_page=True)

    page.locator("#resolve-form button.primary[type=submit]").click()
    page.get_by_role("heading", name="Spuneți-i clientului").wait_for()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Înlocuirea imediată a produselor alterate")
    said = page.locator(".script > blockquote")
    assert said.get_attribute("lang") == "ro" and said.inner_text().startswith("Îmi pare rău")
    page.screenshot(path=str(where / f"ro-3-granted-{size}.png"), full_page=True)
    assert Grant.objects.get().amount == Decimal("120.00")
