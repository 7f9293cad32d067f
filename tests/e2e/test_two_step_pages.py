"""Two-step sign-in in the browser: an ops employee whose role requires it is sent to set it up, enrols with
the code their app would show, and a later sign-in asks for the code; both pages pass axe at both sizes.

`RD_SCREENSHOTS=1` keeps the pictures in docs/screenshots/ (see test_screenshots.py).
"""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from recovery.models import TwoStepDevice
from tests.e2e.conftest import axe_violations, describe_violations
from tests.e2e.test_screenshots import SIZES, shots_dir

CODE_LABEL = "Code from your authenticator app"


def code_for(secret_text: str) -> str:
    """What an authenticator app shows for the key typed from the page (Base32, in groups)."""
    key = b32decode(secret_text.replace(" ", ""))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


@pytest.mark.parametrize("size", SIZES)
def test_ops_enrol_then_a_sign_in_asks_for_the_code(page, live_server, sign_in, settings, ops, browser_errors, size):
    settings.MFA_REQUIRED_ROLES = ["ops", "manager"]
    page.set_viewport_size(SIZES[size])
    where = shots_dir()
    sign_in(ops)

    page.goto(f"{live_server.url}/audit/")
    assert page.url.endswith("/account/two-step/?next=/audit/")
    code_field = page.get_by_label(CODE_LABEL)
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    assert page.get_by_role("img", name="QR code with the key for your authenticator app").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations("enrolment", violations)
    page.screenshot(path=str(where / f"ops-two-step-enrol-{size}.png"), full_page=True)

    code_field.fill(code_for(page.locator(".two-step-secret").inner_text()))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url("**/audit/")
    assert TwoStepDevice.objects.filter(user=ops, confirmed=True).exists()

    sign_in(ops)  # a new session: the password was given, the code not yet
    page.goto(f"{live_server.url}/audit/")
    assert "/login/code/?next=/audit/" in page.url
    page.get_by_label(CODE_LABEL).fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").first.inner_text().startswith("Code: ")
    assert "/login/code/" in page.url
    violations = axe_violations(page)
    assert violations == [], describe_violations("code step", violations)
    page.screenshot(path=str(where / f"ops-two-step-code-{size}.png"), full_page=True)
    assert browser_errors == []
