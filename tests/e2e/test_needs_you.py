"""A manager at a tablet: lands on what waits, sees the request and approves it from its audit story."""

import re

from compensation.predicates import roles_of
from recovery import services
from recovery.models import Escalation
from tests import factories
from tests.e2e.conftest import LAPTOP, RESULTS, TABLET, axe_violations, describe_violations

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_manager_lands_on_the_waiting_escalation_and_approves_it_from_its_story(
    page, sign_in, browser_errors, central, frontline, manager, customer
):
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="500.00"),
        reason="The whole evening was lost",
    )
    page.set_viewport_size(TABLET)
    sign_in(manager)

    page.goto("/")
    page.wait_for_url("**/needs/")
    page.get_by_role("heading", name="Needs you now").wait_for()
    item = page.locator(f"#needs-escalation-{escalation.pk}")
    assert "Waiting 0 min" in item.inner_text() and "by frank at Central Store" in item.inner_text()
    # The menu button carries the count, named for a screen reader.
    menu = page.locator("details.menu > summary")
    assert menu.locator(".menu-badge").inner_text() == "1"
    assert "1 escalation waiting" in menu.text_content()
    menu.click()
    page.get_by_role("link", name=re.compile(r"^Needs you now\W+1 escalation waiting$")).wait_for()
    violations = axe_violations(page)
    assert not violations, describe_violations("menu open", violations)
    menu.click()
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 80
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    violations = axe_violations(page)
    assert not violations, describe_violations("needs you now", violations)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "needs-you-768x1024.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(RESULTS / "needs-you-1280x800.png"), full_page=True)
    page.set_viewport_size(TABLET)

    item.get_by_role("link", name=f"Escalation #{escalation.pk}: €500.00 for Alice Moreau").click()
    page.wait_for_url(f"**/audit/escalations/{escalation.pk}/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    violations = axe_violations(page)
    assert not violations, describe_violations("escalation story", violations)
    page.screenshot(path=str(RESULTS / "escalation-story-768x1024.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(RESULTS / "escalation-story-1280x800.png"), full_page=True)
    page.set_viewport_size(TABLET)

    page.get_by_label("Note (required to decline)").fill("Fair: a lost evening")
    page.get_by_role("button", name="Approve €500.00").click()
    escalation.refresh_from_db()
    page.get_by_role("status").filter(
        has_text=f"Escalation #{escalation.pk} approved: grant #{escalation.grant_id} made."
    ).wait_for()
    assert page.url.endswith(f"/audit/escalations/{escalation.pk}/")
    assert escalation.status == Escalation.Status.APPROVED and escalation.decided_by == manager
    assert page.get_by_role("button", name="Approve €500.00").count() == 0
    assert page.locator("details.menu .menu-badge").count() == 0  # nothing waits any more
    page.screenshot(path=str(RESULTS / "escalation-approved-768x1024.png"), full_page=True)
    assert browser_errors == []
