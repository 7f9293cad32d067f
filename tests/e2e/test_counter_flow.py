"""The counter with the keyboard alone: log in, find the customer, price the cards, grant, read the apology.

Only Tab moves focus and only Enter and Space act (text is typed into fields);
no click and no programmatic focus. The order focus visits the resolve form in
is asserted, so a layout change that scrambles it fails here.
"""

from decimal import Decimal

import pytest

from compensation.models import Playbook
from recovery.models import Grant, ServiceFailure
from tests import factories

# Describes the focused element the same way for every check: tag, name and value or text.
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  const name = el.getAttribute("name");
  const what = el.type === "radio" ? `=${el.value}` : el.id ? `#${el.id}` : ` "${el.innerText.trim().slice(0, 30)}"`;
  return `${el.tagName.toLowerCase()}${name ? `[${name}]` : ""}${what}`;
}
"""
MAX_TABS = 40


def focused(page) -> str:
    return page.evaluate(FOCUSED_JS)


def tab_to(page, selector: str) -> list[str]:
    """Press Tab until the element matching `selector` has focus; the elements passed on the way."""
    passed = []
    for _ in range(MAX_TABS):
        if page.evaluate("selector => document.activeElement?.matches(selector) ?? false", selector):
            return passed
        page.keyboard.press("Tab")
        passed.append(focused(page))
    raise AssertionError(f"{selector} never got focus after {MAX_TABS} Tabs; focus went through {passed}")


def tab(page) -> str:
    page.keyboard.press("Tab")
    return focused(page)


@pytest.fixture
def vouchers_first(installed_policy):
    """Ops put the one-month voucher first among the cards (Tab enters a radio group at its first card)."""
    free_month = factories.playbook("free-month")
    free_month.sort_order = 1
    free_month.save()
    factories.publish("Vouchers first at the counter")
    return Playbook.objects.get(code="free-month")


def test_a_grant_with_the_keyboard_alone(page, browser_errors, frontline, customer, vouchers_first):
    page.goto("/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(frontline.username)
    assert tab(page) == "input[password]#id_password"
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/counter/")

    # Screen 1: the search field has focus on arrival.
    tab_to(page, "#id_q")
    page.keyboard.type("0101")  # the last four digits of the stored +447700900101: only Alice's phone ends so
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")  # one match: her page opens without another key
    assert page.get_by_role("heading", level=1).inner_text() == "Alice Moreau"

    # Screen 2, in the order the form reads: what went wrong, the value, a note, the card, the amount, grant.
    tab_to(page, "input[name=category]")
    order = [focused(page)]
    page.keyboard.press("Space")
    order.append(tab(page))
    cards = page.locator("#playbook-cards .card")
    assert cards.first.locator(".card-cap").inner_text() == "Enter the purchase value to see the cap."
    page.keyboard.type("80")
    # The cards re-price through htmx: 100 % of 80.00, ×1.5 for a loyal customer.
    first_cap = cards.first.locator(".card-cap strong")
    first_cap.filter(has_text="€120.00").wait_for()
    page.keyboard.type("0")  # 800.00: above the ceiling of 200.00 ×1.5, held to the frontline authority
    first_cap.filter(has_text="€250.00").wait_for()
    assert focused(page) == "input[purchase_value]#id_purchase_value"  # the swap did not steal focus
    order.append(tab(page))
    page.keyboard.type("Order came 40 minutes late")
    order.append(tab(page))
    page.keyboard.press("Space")
    # Between the cards and the amount: each card's folded "Why this amount" (and "Other playbooks"), nothing else.
    passed = tab_to(page, "#id_amount")
    folds = ('summary "Why this amount', 'summary "Other playbooks')
    assert passed[:-1] and all(stop.startswith(folds) for stop in passed[:-1]), passed
    order.append(passed[-1])
    assert page.locator("#id_amount").input_value() == "250.00"  # the chosen card's cap
    order.append(tab(page))
    assert order == [
        f"input[category]={ServiceFailure.Category.WAITING}",
        "input[purchase_value]#id_purchase_value",
        "textarea[note]#id_note",
        f"input[playbook]={vouchers_first.pk}",
        "input[amount]#id_amount",
        'button "Grant €250.00"',  # the sticky bar names the amount
    ]
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Screen 3: the amount, the apology to read out, the voucher.
    grant = Grant.objects.get()
    assert page.url.endswith(f"/counter/grants/{grant.pk}/")
    assert (grant.amount, grant.playbook_id, grant.granted_by, grant.customer) == (
        Decimal("250.00"),
        vouchers_first.pk,
        frontline,
        customer,
    )
    assert grant.failure.category == ServiceFailure.Category.WAITING
    assert grant.failure.note == "Order came 40 minutes late"
    assert page.get_by_role("heading", level=1).inner_text() == "€250.00 · One month of service free"
    assert vouchers_first.apology_script in page.locator(".script > blockquote").inner_text()
    assert grant.voucher_code and page.locator(".voucher-code").inner_text() == grant.voucher_code
    assert page.get_by_role("img", name=f"QR code of voucher {grant.voucher_code}").locator("svg").count() == 1

    # And on to the next customer, still without the mouse.
    tab_to(page, "a.button.primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/counter/")

    # Another compensation on the same case: the granted page's link opens screen 2 on that case.
    page.goto(f"/counter/grants/{grant.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Add another compensation to this case").click()
    assert page.url.endswith(f"?case={grant.failure_id}")
    assert page.locator(".case-adding").inner_text().startswith(f"Adding to case #{grant.failure_id}")
    assert "left on this case" in page.locator(".case-room").inner_text()
    assert browser_errors == []


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, sign_in, frontline):
    sign_in(frontline)
    page.goto("/counter/my-grants/")
    assert tab(page) == 'a "Skip to content"'
    assert page.locator(".skip").bounding_box()["x"] >= 0  # shown on screen while it has focus
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert tab(page) not in ('a "Recovery Desk"', 'a "Counter"')  # the next stop is inside the content


def test_re_pricing_keeps_the_chosen_card_and_refreshes_its_amount(page, sign_in, browser_errors, frontline, customer):
    """The htmx swap replaces the cards: the chosen one stays chosen and an auto-filled amount follows its cap."""
    sign_in(frontline)
    page.goto(f"/counter/customers/{customer.pk}/resolve/")
    drinks = page.get_by_label("Free drinks while you wait")
    page.get_by_label("Purchase value (EUR)").fill("100")
    drinks.locator("xpath=ancestor::label").locator(".card-cap strong").filter(has_text="€15.00").wait_for()
    drinks.check()
    assert page.get_by_label("Amount (EUR)").input_value() == "15.00"  # 10 % of 100, ×1.5 loyal
    page.get_by_label("Purchase value (EUR)").fill("120")
    drinks.locator("xpath=ancestor::label").locator(".card-cap strong").filter(has_text="€18.00").wait_for()
    assert drinks.is_checked()
    assert page.get_by_label("Amount (EUR)").input_value() == "18.00"
    assert browser_errors == []
