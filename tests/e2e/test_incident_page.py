"""An incident with 200 customers in the browser: the preview, "Grant all" and the progress bar to the end.

The pictures go to test-results/ (or `RD_INCIDENT_SHOTS`, a directory) at the tablet and laptop sizes.
"""

import os
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from recovery.models import Customer, Grant
from recovery.services.incidents import incident_attach, incident_log
from tests import factories
from tests.e2e.conftest import LAPTOP, RESULTS, TABLET

SIZES = {"768x1024": TABLET, "1280x800": LAPTOP}


@pytest.mark.parametrize("size", SIZES)
def test_200_customers_are_granted_with_one_click_and_the_progress_bar_runs_to_the_end(
    page, sign_in, browser_errors, central, manager, size
):
    where = Path(os.environ.get("RD_INCIDENT_SHOTS", RESULTS))
    where.mkdir(parents=True, exist_ok=True)
    customers = Customer.objects.bulk_create(
        Customer(name=f"Passenger {n:03d}", phone=f"+4477009{n:05d}", customer_since=date(2020, 1, 1))
        for n in range(1, 201)
    )
    incident = incident_log(
        actor=manager,
        location=central,
        title="Flight LX 345 to Zurich delayed 4 hours",
        category="waiting",
        happened_at=timezone.now() - timedelta(hours=2),
        playbook_id=factories.playbook("free-drinks").pk,
        purchase_value=Decimal("0"),
    )
    incident_attach(actor=manager, incident=incident, customers=customers, source="list")
    sign_in(manager)
    page.set_viewport_size(SIZES[size])

    page.goto(f"/incidents/{incident.pk}/")
    grant_all = page.get_by_role("button", name="Grant all 200 customers, €1,500.00")
    grant_all.wait_for()
    page.screenshot(path=str(where / f"incident-preview-{size}.png"))

    started = time.perf_counter()
    grant_all.click()
    # The button gives way to the progress bar, which asks for the next chunk until none is left.
    progress = page.locator("#incident-progress progress")
    progress.wait_for()
    assert 0 < int(progress.get_attribute("value")) < 200 and progress.get_attribute("max") == "200"
    page.screenshot(path=str(where / f"incident-progress-{size}.png"))
    # The last chunk brings the page back with every row granted.
    page.locator(".flash").filter(has_text="200 of 200 customers granted, €1,500.00 in all.").wait_for(timeout=180_000)
    print(f"\n200 customers in the browser: {time.perf_counter() - started:.1f} s")
    page.screenshot(path=str(where / f"incident-granted-{size}.png"))

    assert Grant.objects.filter(failure__incident=incident).count() == 200
    assert not page.get_by_role("button", name="Grant all").count()
    assert page.locator("tbody .state-ok").count() == 200
    assert browser_errors == []
