"""Every page each role can reach passes axe-core without serious or critical violations, on a tablet and a laptop."""

import pytest

from tests.e2e.conftest import VIEWPORTS, axe_violations, describe_violations
from tests.e2e.site import NOT_PAGES, ROLES, build_site, visits_for
from tests.test_permissions import ANON, EXPECTED


@pytest.fixture
def site(central, frontline, manager, ops, auditor):
    return build_site(central=central, frontline=frontline, manager=manager, ops=ops, auditor=auditor)


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
            violations = axe_violations(page)
            if violations:
                problems.append(describe_violations(f"{role} {visit.label} {visit.path} at {size_name}", violations))
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)


def test_the_catalogue_covers_every_page_of_the_matrix(site):
    """A page with a GET row in the access matrix is visited by some role, or is named as not a page."""
    visited = {visit.label for role in ROLES for visit in visits_for(role, site)}
    pages = {name for name, methods in EXPECTED.items() if 200 in methods["GET"].values()}
    assert pages - set(NOT_PAGES) <= visited
    assert set(NOT_PAGES) <= pages
