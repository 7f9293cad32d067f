"""Every role's pages on a tablet: no sideways scrolling, a header of at most 80 px, and the stylesheet
really in force on screen (a sheet that breaks half-way, as an unclosed `@media print {` once did,
leaves the rules after it for print only)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.catalogue import build_site, price_the_cards, visits_for
from tests.e2e.conftest import TABLET
from tests.test_permissions import ANON, AUDITOR, FRONTLINE, MANAGER, OPS

LANDSCAPE = {"width": 1024, "height": 768}
MAX_HEADER = 80  # px: the header may not eat the tablet's first screen

LAYOUT_JS = """
() => {
  const root = document.documentElement;
  const header = document.querySelector("header.topbar");
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 4)
    .map(el => `${el.tagName.toLowerCase()}.${String(el.className).trim()} right=${el.getBoundingClientRect().right.toFixed(0)}`);
  const chip = document.querySelector("header.topbar .location");
  return {
    chip: chip ? chip.getBoundingClientRect().width > 0 : false,
    scrollWidth: Math.max(root.scrollWidth, document.scrollingElement.scrollWidth),
    innerWidth: window.innerWidth,
    header: header ? header.getBoundingClientRect().height : null,
    wide,
  };
}
"""


@pytest.fixture
def site(world):
    return build_site(world)


@pytest.mark.parametrize("role", [ANON, FRONTLINE, MANAGER, AUDITOR, OPS])
def test_no_page_of_the_role_scrolls_sideways_and_the_header_stays_small(page, sign_in, site, role):
    if role != ANON:
        sign_in(site.users[role])
    problems = []
    visits = [visit for visit in visits_for(role, site) if visit.status == 200 and "slip" not in visit.label]
    assert visits, role
    for visit in visits:
        page.set_viewport_size(TABLET)
        response = page.goto(visit.path)
        assert response is not None and response.status == visit.status, (visit.label, visit.path)
        if visit.prepare:
            visit.prepare(page)
        for size_name, size in (("768x1024", TABLET), ("1024x768", LANDSCAPE)):
            page.set_viewport_size(size)
            layout = page.evaluate(LAYOUT_JS)
            where = f"{role} {visit.label} {visit.path} at {size_name}"
            if layout["scrollWidth"] > layout["innerWidth"]:
                problems.append(
                    f"{where}: scrolls sideways ({layout['scrollWidth']} > {layout['innerWidth']}): {layout['wide']}"
                )
            # Staff who work at a location see it in the header on every page (ops and auditors work at none).
            if role in (FRONTLINE, MANAGER) and layout["header"] is not None and not layout["chip"]:
                problems.append(f"{where}: no location chip in the header")
            if layout["header"] is None:
                # The customer's own pages (the voucher, the follow-up) have no staff header.
                if visit.label not in ("voucher_public", "survey_public"):
                    problems.append(f"{where}: no header")
            elif layout["header"] > MAX_HEADER:
                problems.append(f"{where}: header {layout['header']:.0f} px high (at most {MAX_HEADER})")
    assert not problems, "\n".join(problems)


def test_the_stylesheet_applies_on_screen(page, sign_in, site):
    """Rules from the end of desk.css are in force on screen, not only in print."""
    sign_in(site.users[FRONTLINE])
    page.set_viewport_size(TABLET)
    page.goto(f"/counter/customers/{site.world.customer.pk}/resolve/")
    # The currency sign sits inline, left of the amount (the last rules of the sheet).
    money = page.locator(".money-input").first
    assert money.evaluate("el => getComputedStyle(el).display") == "flex"
    symbol, field = money.locator(".money-symbol").bounding_box(), money.locator("input").bounding_box()
    assert symbol["x"] + symbol["width"] <= field["x"] and abs(symbol["y"] - field["y"]) < field["height"]
    # The language switch is folded into the header's menu, not a full-width row.
    assert not page.locator("#language-switch-header").is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] <= MAX_HEADER
    # "A rule stood in my way" looks like an action: a bordered button in the brand colour.
    summary = page.locator(".rule-flag > summary").first
    assert summary.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
    assert summary.evaluate("el => getComputedStyle(el).color") == "rgb(11, 92, 173)"
    # ... and a finger hits it: at least 44 px high.
    assert summary.bounding_box()["height"] >= 44
    # The location chip is in the header.
    assert page.locator("header .location").inner_text().strip() != ""
    # In print, the header goes (the print rules are at the end and still in force there).
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    page.emulate_media(media="screen")

    sign_in(site.users[MANAGER])
    page.goto("/insights/report/")
    assert page.locator(".insight-totals dd").first.evaluate("el => getComputedStyle(el).fontWeight") == "700"
    bars = page.locator(".svg-bar")
    if bars.count():
        assert bars.first.evaluate("el => getComputedStyle(el).fill") == "rgb(11, 92, 173)"


def test_the_menu_works_without_javascript(browser, live_server, site):
    """The header's menu is a <details>: it opens and the language switch posts without any script."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(base_url=live_server.url, viewport=TABLET, java_script_enabled=False)
    try:
        client = Client()
        client.force_login(site.users[MANAGER])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.goto("/audit/")
        menu = page.locator("header details.menu")
        assert not page.get_by_label("Language").is_visible()
        menu.locator("summary").click()
        # A manager's many links move into the menu on a tablet; language and log out are there too.
        assert page.locator(".menu-nav a[href='/audit/']").is_visible()
        assert page.get_by_role("button", name="Log out").is_visible()
        page.get_by_label("Language").select_option("ru")
        page.get_by_role("button", name="Switch").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "ru"
        assert page.get_by_role("heading", level=1).inner_text() == "История операций"
    finally:
        context.close()


def test_the_audit_quick_filters_are_links_and_the_filters_fold(page, sign_in, site):
    sign_in(site.users[MANAGER])
    page.set_viewport_size(TABLET)
    page.goto("/audit/")
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None  # nothing set: the form stays folded
    quick = page.get_by_role("navigation", name="Quick filters")
    quick.get_by_role("link", name="Flagged").click()
    page.wait_for_load_state("load")
    assert "flagged=on" in page.url
    assert panel.get_attribute("open") is not None  # a filter is set: the form shows it
    assert page.locator("#id_flagged").is_checked()
    quick.get_by_role("link", name="Voided").click()
    page.wait_for_load_state("load")
    assert page.locator("input[name=kinds][value='grant.voided']").is_checked()
    kinds = set(page.locator(".event-kind").all_inner_texts())
    assert kinds == {"Void"}, kinds
    quick.get_by_role("link", name="Today").click()
    page.wait_for_load_state("load")
    assert "date_from=" in page.url and page.locator("#id_date_from").input_value() != ""
    # Below 900 px each event is a card: its cells stack, nothing is cut off at the right.
    row = page.locator("table.timeline tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "grid"


GRANT_BAR_JS = """
() => {
  const bar = document.getElementById("grant-bar").getBoundingClientRect();
  return {
    top: bar.top, bottom: bar.bottom, innerHeight: window.innerHeight, scrollY: window.scrollY,
    position: getComputedStyle(document.getElementById("grant-bar")).position,
  };
}
"""


@pytest.mark.parametrize("size", [TABLET, LANDSCAPE], ids=["768x1024", "1024x768"])
def test_the_grant_bar_is_in_view_and_names_the_amount(page, sign_in, site, browser_errors, size):
    """Once the customer is open the whole decision ends in sight: the sticky bar, with the amount it grants."""
    sign_in(site.users[FRONTLINE])
    page.set_viewport_size(size)
    page.goto(f"/counter/customers/{site.world.customer.pk}/resolve/")
    bar = page.evaluate(GRANT_BAR_JS)
    assert bar["position"] == "sticky"
    assert bar["scrollY"] == 0 and bar["top"] >= 0 and bar["bottom"] <= bar["innerHeight"], bar
    assert page.get_by_role("button", name="Grant now").is_visible()  # nothing chosen yet

    page.check("input[name=category][value=waiting]")
    price_the_cards(page)
    drinks = page.locator("input[name=playbook]:not([disabled])").first
    drinks.check()
    chosen = drinks.get_attribute("data-available") or drinks.get_attribute("data-cap")
    button = page.locator("#grant-bar button[type=submit]")
    expect(button).to_have_text(f"Grant €{chosen}")  # the script updates after the card's own handlers
    assert page.get_by_role("button", name=f"Grant €{chosen}").is_visible()
    page.get_by_label("Amount (EUR)").fill("5,5")  # typed the continental way
    assert page.get_by_role("button", name="Grant €5.50").is_visible()
    # Scrolled to the bottom of the cards, the bar is still on screen.
    page.locator("#playbook-cards .card").last.scroll_into_view_if_needed()
    bar = page.evaluate(GRANT_BAR_JS)
    assert bar["top"] >= 0 and bar["bottom"] <= bar["innerHeight"] + 0.5, bar
    page.get_by_label("Amount (EUR)").fill("")
    expect(button).to_have_text("Grant now")
    assert browser_errors == []
