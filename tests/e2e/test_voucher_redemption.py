"""A voucher granted at one counter is redeemed once at another: look it up as it is typed, redeem, see it used."""

from django.urls import reverse

from recovery.models import VoucherRedemption
from tests import factories

REDEEM_URL = reverse("voucher_redeem")


def test_a_voucher_from_one_counter_redeems_once_at_another(
    page, sign_in, browser_errors, central, airport, frontline, frontline_airport, customer
):
    voucher = factories.grant_for(frontline, central, customer, code="free-month", purchase_value="40")
    sign_in(frontline_airport)

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Redeem voucher").click()
    page.wait_for_url(f"**{REDEEM_URL}")
    status = page.locator("#voucher-status")
    page.get_by_label("Voucher code").fill(voucher.voucher_code)  # looked up through htmx as it is typed
    status.get_by_text("Valid — redeem it").wait_for()
    assert "Alice M." in status.inner_text()
    assert voucher.voucher_code in status.inner_text()

    status.get_by_role("button", name="Redeem now at Airport Desk").click()
    page.get_by_role("status").filter(has_text=f"Voucher {voucher.voucher_code} redeemed").wait_for()
    assert status.get_by_text("Redeemed", exact=True).is_visible()
    assert status.get_by_role("button", name="Redeem now at Airport Desk").count() == 0
    redemption = VoucherRedemption.objects.get(grant=voucher)
    assert (redemption.location, redemption.redeemed_by) == (airport, frontline_airport)

    # The same code again: shown as used, by whom, and it cannot redeem twice.
    page.goto(REDEEM_URL)
    page.get_by_label("Voucher code").fill(voucher.voucher_code)
    status.get_by_text("Redeemed", exact=True).wait_for()
    assert "That was you." in status.inner_text()
    assert status.get_by_role("button", name="Redeem now at Airport Desk").count() == 0
    assert VoucherRedemption.objects.filter(grant=voucher).count() == 1
    assert browser_errors == []
