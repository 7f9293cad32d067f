"""Counter pages on a tablet (768×1024) and a small laptop (1280×800): no sideways scrolling,
touch targets of at least 44×44 px, and a numeric keypad for money."""

import pytest

from tests.e2e.catalogue import NO_LOCATION, build_site, price_the_cards, visits_for
from tests.e2e.conftest import LAPTOP, TABLET, VIEWPORTS
from tests.test_permissions import ANON, FRONTLINE, MANAGER

MIN_TARGET = 44  # px, WCAG 2.5.5 and the platform guidelines for touch

# Everything a finger presses on a counter page. Radio buttons are pressed through their
# label (the chip or card around them), so the label is what is measured.
TOUCH_TARGETS_JS = """
minimum => {
  const selectors = [
    "button", "a.button", "[role=button]", "summary", "select", "textarea",
    "input:not([type=hidden]):not([type=radio]):not([type=checkbox])",
    ".topbar a", "nav a", ".steps a", "a.customer-row", "a.today-row", "label.chip", "label.card", "label.card-pick",
  ].join(",");
  const describe = el => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : ""} "${text}"`;
  };
  const small = [];
  for (const el of document.querySelectorAll(selectors)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;  // not shown
    if (el.closest("details:not([open])") && el.tagName !== "SUMMARY") continue;  // folded away
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      small.push(`${describe(el)}: ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
    }
  }
  return small;
}
"""
SIDEWAYS_JS = """
() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 0.5)
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${String(el.className).trim()} right=${el.getBoundingClientRect().right.toFixed(0)}`);
  return `scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}; too wide: ${wide.join(", ")}`;
}
"""


@pytest.fixture
def site(world):
    return build_site(world)


@pytest.mark.parametrize("role", [ANON, FRONTLINE, MANAGER, NO_LOCATION])
def test_counter_pages_fit_the_screen_and_the_finger(page, sign_in, site, role):
    if role != ANON:
        sign_in(site.users[role])
    visits = [visit for visit in visits_for(role, site) if visit.counter]
    assert visits, role
    problems = []
    for visit in visits:
        response = page.goto(visit.path)
        assert response.status == visit.status, (visit.label, response.status)
        if visit.prepare:
            visit.prepare(page)
        for size_name, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            where = f"{role} {visit.label} {visit.path} at {size_name}"
            sideways = page.evaluate(SIDEWAYS_JS)
            if sideways:
                problems.append(f"{where}: scrolls sideways: {sideways}")
            for small in page.evaluate(TOUCH_TARGETS_JS, MIN_TARGET):
                problems.append(f"{where}: touch target under {MIN_TARGET}px: {small}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_has_the_counter_pages_of_every_counter_role(site):
    """The ergonomics test above really walks the counter: login, the three screens, my grants."""
    labels = {role: {visit.label for visit in visits_for(role, site) if visit.counter} for role in (ANON, FRONTLINE)}
    assert {"login", "locked out"} <= labels[ANON]
    assert {"counter", "counter search results", "resolve with priced cards", "resolve above the limit"} <= labels[
        FRONTLINE
    ]
    assert {"counter_granted", "granted voucher", "my_grants", "escalation_status"} <= labels[FRONTLINE]


@pytest.mark.parametrize("size", [TABLET, LAPTOP], ids=["tablet", "laptop"])
def test_money_fields_open_the_numeric_keypad(page, sign_in, site, size):
    """A tablet shows its number pad for inputmode=decimal: the purchase value, the amount, the amount to approve."""
    sign_in(site.users[FRONTLINE])
    page.set_viewport_size(size)
    page.goto(f"/counter/customers/{site.world.customer.pk}/resolve/")
    price_the_cards(page)
    for label in ("Purchase value (EUR)", "Amount (EUR)"):
        field = page.get_by_label(label, exact=True)
        assert field.get_attribute("inputmode") == "decimal", label
        assert field.get_attribute("type") == "text", label  # type=number would refuse "24,50" and spin on scroll
    page.get_by_label("Waiting or delay").check()
    page.get_by_label("Replace spoiled goods at once").check()
    page.get_by_label("Amount (EUR)", exact=True).fill("400")
    page.get_by_role("button", name="Grant €400.00").click()
    approve = page.get_by_label("Amount to approve (EUR)")
    assert approve.get_attribute("inputmode") == "decimal"
    assert approve.input_value() == "400"


def test_the_checks_catch_what_they_look_for(page):
    """The walk above can fail: a small button, a small chip and a too-wide block are all reported."""
    page.set_viewport_size(TABLET)
    page.set_content(
        "<!doctype html><html><body style='margin:0'>"
        "<button style='height:30px'>Tiny</button><a class='button' style='display:inline-block;height:44px'>Go</a>"
        "<label class='chip' style='display:inline-block;height:20px'><input type='radio'> A</label>"
        "<div class='wide' style='width:900px'>wide</div></body></html>"
    )
    small = page.evaluate(TOUCH_TARGETS_JS, MIN_TARGET)
    assert [entry.split(" ")[0] for entry in small] == ["button", "a.button", "label.chip"]
    assert "div.wide right=900" in page.evaluate(SIDEWAYS_JS)
    page.set_viewport_size(LAPTOP)
    assert page.evaluate(SIDEWAYS_JS) is None
