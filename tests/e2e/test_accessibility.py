"""Every page each role can reach passes axe-core without serious or critical violations, on a tablet and a laptop."""

import re

import pytest
from django.conf import settings

from tests.e2e.catalogue import NOT_PAGES, ROLES, build_site, visits_for
from tests.e2e.conftest import TABLET, VIEWPORTS, axe_violations, describe_violations
from tests.test_permissions import ANON, EXPECTED

# A control's label must be seen, not only read out: placeholders and aria-label alone do not count.
UNLABELLED_CONTROLS_JS = """
() => {
  const shown = el => {
    const box = el.getBoundingClientRect();
    return box.width > 2 && box.height > 2 && getComputedStyle(el).visibility !== "hidden";
  };
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea, button"
  );
  const problems = [];
  for (const control of controls) {
    if (!shown(control) && !control.closest("label")) continue;
    if (control.closest("details:not([open])")) continue;
    const visible = control.tagName === "BUTTON"
      ? control.innerText.trim() !== ""
      : [...control.labels].some(label => shown(label) && label.innerText.trim() !== "");
    if (!visible) problems.push(control.outerHTML.slice(0, 160));
  }
  return problems;
}
"""


@pytest.fixture
def site(world):
    return build_site(world)


def open_visit(page, visit):
    response = page.goto(visit.path)
    assert response is not None and response.status == visit.status, (visit.label, visit.path, response.status)
    if visit.prepare:
        visit.prepare(page)
    page.wait_for_load_state("load")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_has_no_serious_axe_violation(page, sign_in, site, role):
    if role != ANON:
        sign_in(site.users[role])
    visits = visits_for(role, site)
    problems = []
    for visit in visits:
        open_visit(page, visit)
        for size_name, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            where = f"{role} {visit.label} {visit.path} at {size_name}"
            violations = axe_violations(page)
            if violations:
                problems.append(describe_violations(where, violations))
            for control in page.evaluate(UNLABELLED_CONTROLS_JS):
                problems.append(f"{where}: a control without a visible label: {control}")
    assert not problems, "Accessibility problems (axe-core serious or critical, unlabelled controls):\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("language", ["ru", "ro"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_in_russian_and_romanian_has_no_serious_axe_violation(
    page, context, live_server, sign_in, site, role, language
):
    """The same walk in Russian and Romanian (longer words, another `lang`), at the tablet size only to keep the
    run short."""
    if role != ANON:
        sign_in(site.users[role])
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.set_viewport_size(TABLET)
    problems = []
    for visit in visits_for(role, site):
        open_visit(page, visit)
        where = f"{role} {visit.label} {visit.path} in {language} at 768x1024"
        assert page.locator("html").get_attribute("lang") == language, where
        violations = axe_violations(page)
        if violations:
            problems.append(describe_violations(where, violations))
        for control in page.evaluate(UNLABELLED_CONTROLS_JS):
            problems.append(f"{where}: a control without a visible label: {control}")
    assert not problems, f"Accessibility problems in {language}:\n" + "\n".join(problems)


def test_the_catalogue_covers_every_page_of_the_matrix(site):
    """A page with a GET row in the access matrix is visited by some role, or is named as not a page."""
    visited = {visit.label for role in ROLES for visit in visits_for(role, site)}
    pages = {name for name, methods in EXPECTED.items() if 200 in methods["GET"].values()}
    assert pages - set(NOT_PAGES) <= visited
    assert set(NOT_PAGES) <= pages


def test_the_checks_catch_what_they_look_for(page):
    """The walk above can fail: axe and the label check both report a page built to break them."""
    page.set_content(
        "<!doctype html><html lang='en'><head><title>Broken</title></head><body><main>"
        "<img src='data:,'><input id='q' placeholder='Search'><input id='name' aria-label='Name'>"
        "<label class='gone' for='card' style='position:absolute;width:1px;height:1px;overflow:hidden'>Card</label>"
        "<input id='card'><select id='pick'><option>One</option></select>"
        "<label for='ok'>Shown</label><input id='ok'><button>Go</button>"
        "</main></body></html>"
    )
    rules = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "select-name"} <= rules
    unlabelled = page.evaluate(UNLABELLED_CONTROLS_JS)
    assert [re.search(r'id="(\w+)"', control)[1] for control in unlabelled] == ["q", "name", "card", "pick"]
