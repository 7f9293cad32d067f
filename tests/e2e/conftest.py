"""Browser tests: headless Chromium (Debian's package) driven by Playwright against a live server.

The browser is never downloaded: Playwright starts the Chromium at `RD_CHROMIUM`
(default /usr/bin/chromium, from `apt-get install chromium`). axe-core comes from
the npm registry through package.json / package-lock.json (`npm ci`).

Without a browser (or Playwright, or axe-core) these tests skip with the reason,
so a developer without Chromium can still run the suite; with
`RD_REQUIRE_BROWSER=1` (set by .ci/run) a missing piece fails them instead.

Each failing test saves a screenshot of every page it had open to test-results/.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.test_permissions import world  # noqa: F401 - the access matrix's world, for the page catalogue

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("RD_CHROMIUM", "/usr/bin/chromium"))
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = REPO / "test-results"
# The two screens the counter runs on: a tablet held upright and a small laptop.
TABLET = {"width": 768, "height": 1024}
LAPTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"tablet-768x1024": TABLET, "laptop-1280x800": LAPTOP}
# Chromium as root in a container, with nothing that calls home (this machine has no network).
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-gpu",
]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _missing_piece() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -r requirements.txt"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: apt-get install chromium (or set RD_CHROMIUM)"
    if not AXE_SCRIPT.exists():
        return f"axe-core is not installed at {AXE_SCRIPT}: run npm ci"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium per test module.

    Playwright's sync API keeps an asyncio event loop running in this thread
    while it is started, and Django refuses ORM calls from a thread with a
    running loop. The calls here are plain synchronous ones (test set-up and
    the transactional flush), so the check is switched off only while the
    browser runs, and the browser is stopped at the end of each module, so no
    other test runs beside a running loop.
    """
    missing = _missing_piece()
    if missing:
        if os.environ.get("RD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"RD_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _installed_roles_and_policy(installed_policy):
    """Live-server tests are transactional: put back what the migrations install, the auditor role too."""
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name="auditor")


class BrowserErrors(list):
    """JavaScript errors and console errors (a CSP refusal shows up here) seen by a test's pages."""

    def watch(self, page):
        page.on("pageerror", lambda error: self.append(f"{page.url}: uncaught {error}"))
        page.on("console", lambda message: self._console(page, message))

    def _console(self, page, message):
        # A 403 or 404 page is itself logged as a failed load; that is the page under test, not an error.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.append(f"{page.url}: {message.text}")


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def context(browser, live_server, request, browser_errors):
    """A fresh browser profile at the laptop size; screenshots of its pages if the test fails."""
    stem = _screenshot_stem(request.node.nodeid)
    for stale in RESULTS.glob(f"{stem}*.png"):  # from an earlier run of this test
        stale.unlink()
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.on("page", browser_errors.watch)
    yield context
    failed = any(
        getattr(request.node, f"report_{when}", None) is not None and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        _screenshot_pages(context, stem)
    context.close()


def _screenshot_stem(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")


def _screenshot_pages(context, stem: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    for number, page in enumerate(context.pages):
        path = RESULTS / (f"{stem}.png" if number == 0 else f"{stem}.{number}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # noqa: BLE001 - a screenshot must never hide the real failure
            print(f"screenshot of {page.url} failed: {error}")
        else:
            print(f"screenshot of {page.url}: {path}")


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def sign_in(context, live_server):
    """Give the browser a signed-in session for a user (the login form has its own keyboard test)."""

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.clear_cookies()
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return sign_in


# --- axe-core ----------------------------------------------------------------------------

AXE_OPTIONS = {"resultTypes": ["violations"]}
SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; its serious and critical violations.

    The script is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not govern, so the CSP stays as strict as in production.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [violation for violation in results["violations"] if violation["impact"] in SERIOUS]


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def describe_violations(where: str, violations: list[dict]) -> str:
    """One readable block per violation: rule, impact, help, and the elements that break it."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(json.dumps(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
            lines.append(f"      {node['html'][:200]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)
