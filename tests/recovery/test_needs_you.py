"""A manager's "Needs you now": landing on what waits, the header's count, deciding where they look.

The story: requests wait at the manager's location; the manager signs in and
lands on them, oldest first, each with how long it has waited on the
location's clock. The menu counts them. The manager approves from the
escalation's own page or from its audit story; the decision is journalled
once, a second click says who decided, and the employee who asked never sees
a button (a forged POST is refused).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from compensation.models import AuditEvent, LocationBudget
from compensation.predicates import role_names_of, roles_of
from recovery import selectors, services
from recovery.context_processors import WaitingEscalations
from recovery.models import AnomalyFlag, Escalation, Grant
from tests import factories
from tests.conftest import client_for
from tests.recovery.test_counter_limits import flashes, form_by_class, forms_on, submit, text

pytestmark = pytest.mark.django_db

NEEDS = reverse("needs_you")


def escalate(actor, location, customer, *, amount="500.00", reason="The whole evening was lost"):
    """A request above the playbook's cap, recorded as the counter records it."""
    return services.escalation_request(
        actor=actor,
        roles=roles_of(actor),
        request=factories.grant_request(customer, location, amount=amount),
        reason=reason,
    )


def decide_forms(response) -> list[dict]:
    return [form for form in forms_on(response) if "decide" in form["class"].split()]


def journalled(escalation, kind) -> int:
    return AuditEvent.objects.filter(subject_type="escalation", subject_id=escalation.pk, kind=kind).count()


@pytest.fixture
def chisinau(db):
    """A location two hours ahead of UTC in March: its clock is not the site's."""
    return factories.make_location("chisinau", "Chisinau Mall", timezone="Europe/Chisinau")


# --- landing and ordering ----------------------------------------------------------------------


def test_manager_lands_on_needs_you_now_and_frontline_on_the_counter(manager, frontline):
    assert client_for(manager).get("/")["Location"] == NEEDS
    assert client_for(frontline).get("/")["Location"] == reverse("counter")


def test_waiting_escalations_oldest_first_with_minutes_on_the_locations_clock(clock, chisinau):
    frank = factories.make_user("frank", "frontline", [chisinau])
    maria = factories.make_user("maria", "manager", [chisinau])
    clock.move_to("2026-03-02T09:00:00+00:00", tick=False)
    oldest = escalate(frank, chisinau, factories.make_customer("Oldest Olga", phone="+447700900201"))
    clock.move_to("2026-03-02T09:12:00+00:00", tick=False)
    newer = escalate(frank, chisinau, factories.make_customer("Newer Nina", phone="+447700900202"))
    clock.move_to("2026-03-02T10:05:30+00:00", tick=False)

    waiting = selectors.escalations_waiting_for(user=maria)
    assert [(item.escalation.pk, item.minutes) for item in waiting] == [(oldest.pk, 65), (newer.pk, 53)]

    page = text(client_for(maria).get(NEEDS))
    assert page.index("Oldest Olga") < page.index("Newer Nina")
    # 09:00 UTC is 11:00 in Chisinau; an hour and five minutes reads "1 h 05 min".
    assert "Waiting 1 h 05 min" in page and "asked 11:00 by frank at Chisinau Mall" in page
    assert "Waiting 53 min" in page and "asked 11:12 by frank" in page
    assert "2 escalations waiting" in page
    assert f'href="{reverse("escalation_audit", args=[oldest.pk])}"' in page


def test_only_the_managers_own_locations_and_never_their_own_requests(
    manager, frontline, central, airport, frontline_airport, customer
):
    theirs = escalate(frontline, central, customer)
    escalate(manager, central, factories.make_customer("Asked By Maria", phone="+447700900203"))
    escalate(frontline_airport, airport, factories.make_customer("Airport Anna", phone="+447700900204"))

    assert [item.escalation.pk for item in selectors.escalations_waiting_for(user=manager)] == [theirs.pk]
    page = text(client_for(manager).get(NEEDS))
    assert "Alice Moreau" in page
    assert "Asked By Maria" not in page and "Airport Anna" not in page


def test_nothing_waiting_says_so_and_links_to_the_counter(manager):
    response = client_for(manager).get(NEEDS)
    page = text(response)
    assert response.status_code == 200
    assert "Nothing is waiting for you: no escalations to decide, no open flags, and every budget has room." in page
    assert re.search(r'<a class="button primary" href="/counter/">Go to the counter</a>', page)
    assert "escalations waiting" not in page and 'class="menu-badge"' not in page


def test_open_flags_and_budget_alerts_are_listed(manager, frontline, central, customer):
    grant = factories.grant_for(frontline, central, customer, amount="5")
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER,
        location=central,
        grant=grant,
        customer=customer,
        employee=frontline,
        reason="Granted minutes after the customer was created",
        dedupe_key=f"needs:g{grant.pk}",
    )
    services.rule_flag_raise(actor=frontline, location=central, rule="playbook_cap", note="The cap was too low")
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("5.00"))
    factories.publish("A tiny budget")

    needs = selectors.needs_you_now_for(user=manager)
    assert not needs.is_empty and needs.escalations == []
    page = text(client_for(manager).get(NEEDS))
    assert "Open anomaly flags" in page and "Customer created minutes before the grant" in page
    assert "Rules that stood in the way" in page and "“The cap was too low”" in page
    assert "Budgets running out" in page and "Used up" in page
    assert "€5.00 spent of €5.00 this month; €0.00 left." in page


# --- the header's count ------------------------------------------------------------------------


def test_the_menu_counts_waiting_escalations_in_one_query(
    manager, frontline, central, customer, django_assert_num_queries
):
    escalate(frontline, central, customer)
    escalate(frontline, central, factories.make_customer("Second Sam", phone="+447700900205"))
    user = get_user_model().objects.get(pk=manager.pk)
    role_names_of(user)  # the page has read the roles already (its links are chosen by them)
    badge = WaitingEscalations(user)
    with django_assert_num_queries(1):
        assert (badge.count, badge.count) == (2, 2)  # read twice (bar and menu), counted once

    page = text(client_for(manager).get(reverse("audit")))
    assert '<span class="menu-badge" aria-hidden="true">2</span>' in page
    assert '<span class="visually-hidden">, 2 escalations waiting</span>' in page


def test_no_count_for_those_who_do_not_decide(frontline, ops, central, customer):
    escalate(frontline, central, customer)
    assert WaitingEscalations(frontline).count == 0
    for user, url in ((frontline, reverse("counter")), (ops, reverse("audit"))):
        page = text(client_for(user).get(url))
        assert "escalation waiting" not in page and 'class="menu-badge"' not in page


# --- deciding where the manager looks ----------------------------------------------------------


def test_approve_from_the_escalations_own_page_journalled_once(manager, frontline, central, customer):
    escalation = escalate(frontline, central, customer)
    own_page = reverse("escalation_status", args=[escalation.pk])
    maria = client_for(manager)

    page = maria.get(own_page)
    [form] = decide_forms(page)
    assert dict(form["fields"])["next"] == own_page
    assert "Approve €500.00" in text(page)

    approved = submit(maria, form, decision="approve", note="Fair: a lost evening")
    assert approved.status_code == 302 and approved["Location"] == own_page
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.APPROVED and escalation.decided_by == manager
    assert f"Escalation #{escalation.pk} approved: grant #{escalation.grant_id} made." in flashes(maria, own_page)

    # The same form again (a double click): a clear message, no second decision, no second grant.
    again = submit(maria, form, decision="approve", note="Fair: a lost evening")
    assert again["Location"] == own_page
    assert f"Escalation #{escalation.pk} was already approved by maria at" in flashes(maria, own_page)
    assert Grant.objects.filter(customer=customer).count() == 1
    assert journalled(escalation, "escalation.approved") == 1
    assert decide_forms(maria.get(own_page)) == []


def test_approve_from_the_audit_story(manager, frontline, central, customer):
    escalation = escalate(frontline, central, customer)
    story = reverse("escalation_audit", args=[escalation.pk])
    maria = client_for(manager)

    page = maria.get(story)
    assert page.status_code == 200
    assert "escalation.requested" in text(page)  # its journal
    [form] = decide_forms(page)
    assert dict(form["fields"])["next"] == story

    approved = submit(maria, form, decision="approve")
    assert approved["Location"] == story
    escalation.refresh_from_db()
    after = text(maria.get(story))
    assert "Approved" in after and f'href="{reverse("audit_detail", args=[escalation.grant_id])}"' in after
    assert "escalation.approved" in after
    assert journalled(escalation, "escalation.approved") == 1
    # The timeline's line for the request opens this story.
    assert f'href="{story}"' in text(maria.get(reverse("audit")))


def test_decline_without_a_note_is_refused_back_on_the_story(manager, frontline, central, customer):
    escalation = escalate(frontline, central, customer)
    story = reverse("escalation_audit", args=[escalation.pk])
    maria = client_for(manager)
    refused = submit(maria, form_by_class(maria.get(story), "decide"), decision="decline", note="  ")
    assert refused["Location"] == story
    assert "Note: say why you decline" in flashes(maria, story)
    escalation.refresh_from_db()
    assert escalation.is_pending and journalled(escalation, "escalation.declined") == 0


def test_the_employee_who_asked_sees_the_waiting_page_without_buttons_and_cannot_post(
    frontline, frontline_client, central, customer
):
    escalation = escalate(frontline, central, customer)
    page = frontline_client.get(reverse("escalation_status", args=[escalation.pk]))
    assert page.status_code == 200
    assert "This page updates by itself when a manager decides." in text(page)
    assert decide_forms(page) == [] and "Approve" not in text(page)
    forged = frontline_client.post(
        reverse("escalation_decide", args=[escalation.pk]),
        {"decision": "approve", "note": "", "next": reverse("escalation_status", args=[escalation.pk])},
    )
    assert forged.status_code == 403
    escalation.refresh_from_db()
    assert escalation.is_pending and journalled(escalation, "escalation.approved") == 0


def test_ops_read_the_story_without_buttons(ops_client, frontline, central, customer):
    escalation = escalate(frontline, central, customer)
    for url in (reverse("escalation_status", args=[escalation.pk]), reverse("escalation_audit", args=[escalation.pk])):
        page = ops_client.get(url)
        assert page.status_code == 200 and decide_forms(page) == []
        assert "Read-only: a manager of Central Store decides it." in text(page)
