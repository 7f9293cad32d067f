"""After the counter: a manager reviews and voids a grant; ops change a limit and publish it."""

from decimal import Decimal

from compensation.models import PolicyVersion, RoleAuthority
from compensation.policy import load_policy
from recovery.models import Grant
from tests import factories


def test_manager_filters_the_audit_opens_a_grant_and_voids_it(
    page, sign_in, browser_errors, central, frontline, manager, customer
):
    other = factories.make_customer("Bruno Keller", phone="+447700900202")
    factories.grant_for(frontline, central, customer, code="free-drinks")
    late_table = factories.grant_for(frontline, central, other, code="late-table", purchase_value="120")
    factories.grant_for(frontline, central, other, code="free-drinks", purchase_value="60")
    sign_in(manager)

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit history").click()
    events = page.get_by_role("region", name="Audit events").locator("tbody tr")
    grant_events = events.filter(has=page.get_by_text("Grant", exact=True))
    assert grant_events.count() == 3

    page.locator("details.filter-panel > summary").click()  # the filters fold away until one is set
    page.get_by_label("Playbook").select_option(label="Appetisers and desserts on the house")
    page.get_by_label("Grants", exact=True).check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**/audit/?*playbook={late_table.playbook_id}*")
    assert events.count() == 1
    assert "Bruno Keller" in events.first.inner_text()

    events.first.get_by_role("link").click()
    page.get_by_role("heading", name=f"Grant #{late_table.pk}: €27.00").wait_for()  # 15 % of 120, ×1.5 loyal
    page.get_by_label("Reason for voiding").fill("The table was ready on time after all")
    page.get_by_role("button", name="Void grant").click()

    page.get_by_role("status").filter(has_text=f"Grant #{late_table.pk} voided.").wait_for()
    assert "by maria: “The table was ready on time after all”" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Void grant").count() == 0  # once voided, no second void
    late_table.refresh_from_db()
    assert (late_table.status, late_table.voided_by, late_table.void_reason) == (
        Grant.Status.VOIDED,
        manager,
        "The table was ready on time after all",
    )

    page.go_back()
    page.go_back()  # the filtered timeline as the manager left it
    page.get_by_label("Grants", exact=True).uncheck()
    page.get_by_label("Voids", exact=True).check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/audit/?*kinds=grant.voided*")
    assert events.count() == 1
    assert "Bruno Keller" in events.first.inner_text()
    assert "The table was ready on time after all" in events.first.inner_text()
    assert browser_errors == []


def test_ops_raise_a_limit_in_the_draft_and_publish_it(page, sign_in, browser_errors, ops, frontline, customer):
    before = PolicyVersion.objects.count()
    frontline_authority = RoleAuthority.objects.get(role=RoleAuthority.Role.FRONTLINE)
    assert frontline_authority.limit == Decimal("250.00")
    sign_in(ops)

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policy").click()
    page.get_by_role("link", name="edit Frontline").click()
    page.get_by_label("Limit").fill("300.00")
    page.get_by_role("button", name="Save to the draft").click()

    # Saved to the draft only: the overview shows it as an unpublished change, the counter does not see it yet.
    page.wait_for_url("**/ops/")
    changes = page.locator("section", has=page.get_by_role("heading", name="Unpublished changes"))
    assert "250.00" in changes.inner_text() and "300.00" in changes.inner_text()
    assert load_policy().authority_for(["frontline"], frontline.pk).limit == Decimal("250.00")

    page.get_by_role("link", name="Review and publish").click()
    page.get_by_label("Reason").fill("Frontline settle bigger cases themselves")
    page.get_by_role("button", name="Publish").click()

    number = before + 1
    page.wait_for_url(f"**/ops/versions/{number}/")
    page.get_by_role("status").filter(has_text=f"Version {number} published").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == f"Version {number} in force"
    assert "Frontline settle bigger cases themselves" in page.locator("main").inner_text()
    changes = page.get_by_role("region", name="Changes")
    assert changes.locator("tbody tr").count() == 1
    cells = [" ".join(text.split()) for text in changes.locator("tbody td").all_inner_texts()]
    assert cells == ["Role authority", "frontline", "limit", "before: 250.00", "after: 300.00"]
    assert PolicyVersion.objects.count() == number
    assert PolicyVersion.objects.latest("number").reason == "Frontline settle bigger cases themselves"
    assert load_policy().authority_for(["frontline"], frontline.pk).limit == Decimal("300.00")

    # The counter uses it at once.
    sign_in(frontline)
    page.goto(f"/counter/customers/{customer.pk}/resolve/")
    assert "Your authority: €300.00 (frontline)" in page.locator("main").inner_text()
    assert browser_errors == []
