"""In the browser at tablet size: a customer at the rolling limit sees every card disabled, the limit named.

The cards are priced before any tap: nothing at a limit is offered as a
default, each disabled card says why and offers "Ask a manager", and axe finds
nothing serious on the page.
"""

from decimal import Decimal

from compensation.models import CustomerLimit
from tests import factories
from tests.e2e.conftest import TABLET, axe_violations


def test_a_customer_at_the_limit_sees_every_card_disabled_with_the_limit_named(
    page, sign_in, browser_errors, frontline, central, customer
):
    CustomerLimit.objects.create(window_days=30, max_grants=2, max_total=Decimal("600.00"))
    factories.publish("Customer limit")
    for _ in range(2):
        factories.grant_for(frontline, central, customer, amount="5")
    page.set_viewport_size(TABLET)
    sign_in(frontline)
    page.goto(f"/counter/customers/{customer.pk}/resolve/")
    page.get_by_label("Waiting or delay").check()
    page.get_by_label("Purchase value (EUR)").fill("120")
    page.locator(".card-disabled .card-cap strong").first.filter(has_text="€0.00").wait_for()

    radios = page.locator("input[name=playbook]")
    assert radios.count() > 0
    for index in range(radios.count()):
        assert radios.nth(index).is_disabled() and not radios.nth(index).is_checked()
    assert page.locator(".card-limit", has_text="Limited by: 0 of 2 grants left in 30 days").count() == radios.count()
    assert page.get_by_label("Amount (EUR)").input_value() == ""
    assert axe_violations(page) == []

    page.locator(".card-disabled").first.get_by_role("button", name="Ask a manager").click()
    page.get_by_role("heading", name="Above what you can grant now").wait_for()
    assert page.locator("form.escalate").get_by_role("button", name="Ask a manager").is_visible()
    assert browser_errors == []
