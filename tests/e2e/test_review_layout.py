"""The review and ops pages on a tablet (768×1024): no sideways scroll for managers, ops and auditors;
audit filters folded until used, with usable amount boxes; /ops/ edit links on screen; the replay's
grant lists readable as cards."""

import os
from pathlib import Path

import pytest

from tests.e2e.catalogue import build_site
from tests.e2e.conftest import TABLET
from tests.recovery.test_replay_flags_budgets import lower_drinks_ceiling_in_draft
from tests.test_permissions import AUDITOR, MANAGER, OPS

LAPTOP_SHOT = {"width": 1280, "height": 800}
SHOTS = os.environ.get("RD_REVIEW_SHOTS")  # a folder: save full-page screenshots there to look at

SIDEWAYS_JS = """
() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 4)
    .map(el => `${el.tagName.toLowerCase()}.${String(el.className).trim()}`);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}
"""


@pytest.fixture
def site(world):
    lower_drinks_ceiling_in_draft("20.00")  # the replay then has pending changes and grants to list
    return build_site(world)


def review_paths(site) -> dict[str, str]:
    grant = site.world.grant.pk
    return {
        "replay": "/ops/replay/",
        "grant": f"/audit/grants/{grant}/",
        "audit": "/audit/",
        "audit filtered": "/audit/?amount_min=1&amount_max=500",
        "ops": "/ops/",
        "ops versions": "/ops/versions/",
        "ops simulator": "/ops/simulator/",
        "ops flags": "/ops/flags/",
        "budgets": "/budgets/",
    }


def shoot(page, role: str, label: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for name, size in (("768x1024", TABLET), ("1280x800", LAPTOP_SHOT)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{SHOTS}/{role}-{label.replace(' ', '-')}-{name}.png", full_page=True)
    page.set_viewport_size(TABLET)


@pytest.mark.parametrize("role", [MANAGER, OPS, AUDITOR])
def test_review_pages_never_scroll_sideways_at_768(page, sign_in, site, role):
    sign_in(site.users[role])
    page.set_viewport_size(TABLET)
    problems = []
    for label, path in review_paths(site).items():
        response = page.goto(path)
        assert response is not None and response.status == 200, (role, path)
        for details in page.locator("details.replay-grants").all():
            details.evaluate("el => el.open = true")  # the grant lists must fit too, once opened
        layout = page.evaluate(SIDEWAYS_JS)
        if layout["scrollWidth"] > layout["clientWidth"]:
            problems.append(f"{role} {label}: {layout['scrollWidth']} > {layout['clientWidth']} {layout['wide']}")
        shoot(page, role, label)
    assert not problems, "\n".join(problems)


def test_audit_filters_fold_until_used_and_amount_boxes_are_usable(page, sign_in, site):
    sign_in(site.users[MANAGER])
    page.set_viewport_size(TABLET)
    page.goto("/audit/")
    assert page.locator("details.filter-panel").evaluate("el => el.open") is False
    # The first screen shows events, not only the filter form.
    assert page.locator("table.timeline").bounding_box()["y"] < TABLET["height"]
    page.goto("/audit/?amount_min=1")
    assert page.locator("details.filter-panel").evaluate("el => el.open") is True
    for name in ("amount_min", "amount_max"):
        assert page.locator(f"input[name={name}]").bounding_box()["width"] >= 120


def test_ops_edit_links_are_on_screen_at_768(page, sign_in, site):
    sign_in(site.users[OPS])
    page.set_viewport_size(TABLET)
    page.goto("/ops/")
    links = page.get_by_role("link", name="edit").all()
    assert links
    for link in links[:5]:
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"]
