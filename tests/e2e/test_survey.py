"""The customer's follow-up on a phone: from the voucher page to the thank-you, with large tap targets."""

import os

from django.urls import reverse

from recovery.models import SurveyAnswer
from recovery.vouchers import voucher_link_token
from tests import factories
from tests.e2e.conftest import TABLET, axe_violations, describe_violations

PHONE = {"width": 390, "height": 844}
# Where a developer can ask for the screenshots to look at (`RD_SURVEY_SHOTS=/tmp`); none are kept otherwise.
SHOTS = os.environ.get("RD_SURVEY_SHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"survey-{name}.png"), full_page=True)


def test_a_customer_answers_from_the_voucher_page_on_a_phone(page, browser_errors, central, frontline, customer):
    voucher = factories.grant_for(frontline, central, customer, code="repeat-repair")
    page.set_viewport_size(PHONE)
    page.goto(reverse("voucher_public", args=[voucher_link_token(voucher.voucher_code)]))
    page.get_by_role("link", name="Tell us in two taps").click()
    page.get_by_role("heading", name="Did we put it right?").wait_for()
    _shot(page, "390x844")
    assert describe_violations("follow-up", axe_violations(page)) == ""

    # Sent without an answer: the page names the question, nothing is stored.
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("alert").first.wait_for()
    assert "Did we put it right?: choose one answer" in page.get_by_role("alert").first.inner_text()
    assert not SurveyAnswer.objects.exists()
    _shot(page, "390x844-error")

    score = page.get_by_role("group", name="Did we put it right?")
    four = score.get_by_role("radio", name="4 Mostly")
    tile = score.locator("label.survey-option", has=page.locator("input[value='4']"))
    box = tile.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a full-width row on a phone, easy to tap
    tile.click()
    assert four.is_checked()
    page.get_by_role("group", name="Will you come back?").get_by_role("radio", name="Yes").check()
    page.get_by_label("Anything else you would like to tell us? (optional)").fill("Quick and kind.")
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("heading", name="Thank you!").wait_for()
    assert "Your answer is recorded" in page.get_by_role("status").inner_text()
    answer = SurveyAnswer.objects.get()
    assert (answer.grant_id, answer.score, answer.will_return, answer.comment) == (
        voucher.pk,
        4,
        "yes",
        "Quick and kind.",
    )
    # The voucher page stops inviting once answered.
    page.goto(reverse("voucher_public", args=[voucher_link_token(voucher.voucher_code)]))
    assert page.get_by_role("link", name="Tell us in two taps").count() == 0
    assert browser_errors == []


def test_the_follow_up_on_a_tablet_lays_the_scale_in_one_row(page, browser_errors, central, frontline, customer):
    from recovery.domain.surveys import survey_link_token

    grant = factories.grant_for(frontline, central, customer)
    page.set_viewport_size(TABLET)
    page.goto(reverse("survey_public", args=[survey_link_token(grant.pk)]))
    tops = {round(page.locator("label.survey-option").nth(i).bounding_box()["y"]) for i in range(5)}
    assert len(tops) == 1  # 1 to 5 side by side
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "768x1024")
    assert describe_violations("follow-up (tablet)", axe_violations(page)) == ""
    assert browser_errors == []
