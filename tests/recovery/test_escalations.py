"""Escalations as pages: the counter asks, a manager of the location decides, the counter sees it.

The story: a frontline employee is stopped at the customer's rolling limit,
asks a manager from the resolve page and follows the request on its status
page (which polls while pending). A manager of the location approves or
declines from the queue; the approval makes the grant in the employee's name
with the manager as approver. Nobody decides twice, nobody decides their own
request, and nobody sees another location's requests.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compensation.models import CustomerLimit
from compensation.predicates import roles_of
from recovery import services
from recovery.models import Escalation, Grant
from tests import factories
from tests.conftest import client_for
from tests.recovery.test_counter_limits import flashes, form_by_class, forms_on, resolve_post, submit, text

pytestmark = pytest.mark.django_db

QUEUE = reverse("escalations")


@pytest.fixture
def one_grant_a_month(db):
    """At most one grant per customer in 30 days, whatever the amount."""
    CustomerLimit.objects.create(window_days=30, max_grants=1, max_total=None)
    factories.publish("One grant a month")


def escalate(actor, location, customer, *, amount="60.00", reason="Third bad visit this month"):
    """An escalation recorded through the service, as the counter page records it."""
    return services.escalation_request(
        actor=actor,
        roles=roles_of(actor),
        request=factories.grant_request(customer, location, code="replace-spoiled", amount=amount),
        reason=reason,
    )


def decide(client, escalation, decision, note=""):
    return client.post(reverse("escalation_decide", args=[escalation.pk]), {"decision": decision, "note": note})


def status_url(escalation) -> str:
    return reverse("escalation_status", args=[escalation.pk])


def decide_forms(response) -> list[dict]:
    return [form for form in forms_on(response) if "decide" in form["class"].split()]


# --- the whole story ---------------------------------------------------------------------------


def test_stopped_at_the_limit_asked_approved_and_granted(
    frontline, frontline_client, manager, manager_client, central, customer, one_grant_a_month
):
    factories.grant_for(frontline, central, customer, code="free-drinks", amount="5")

    # The counter: stopped by the rolling limit, so the employee asks a manager.
    refused = resolve_post(frontline_client, customer, amount="60.00")
    assert refused.status_code == 422
    assert "The customer already had 1 grant in the last 30 days (limit 1)." in text(refused)
    asked = submit(frontline_client, form_by_class(refused, "escalate"), reason="Third spoiled delivery")
    escalation = Escalation.objects.get()
    assert asked["Location"] == status_url(escalation)

    # The status page says what was asked, why, what stopped it, and polls while pending.
    status = frontline_client.get(status_url(escalation))
    page = text(status)
    assert status.status_code == 200
    assert "Waiting for a manager" in page
    assert "Third spoiled delivery" in page and "€60.00" in page
    assert "The customer already had 1 grant in the last 30 days (limit 1)." in page
    assert f'hx-get="{status_url(escalation)}" hx-trigger="every 5s"' in status.content.decode()
    poll = frontline_client.get(status_url(escalation), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "<html" not in poll.content.decode()
    assert 'hx-trigger="every 5s"' in poll.content.decode()

    # The manager's queue: the request with its reason and two buttons.
    queue = manager_client.get(QUEUE)
    assert queue.status_code == 200
    assert "Third spoiled delivery" in text(queue) and "Waiting" in text(queue)
    [form] = decide_forms(queue)
    assert form["action"] == reverse("escalation_decide", args=[escalation.pk])
    assert 'name="decision" value="approve"' in queue.content.decode()
    assert 'name="decision" value="decline"' in queue.content.decode()

    approved = submit(manager_client, form, decision="approve", note="Regular, keep her")
    assert approved.status_code == 302 and approved["Location"] == QUEUE
    escalation.refresh_from_db()
    grant = escalation.grant
    assert f"Escalation #{escalation.pk} approved: grant #{grant.pk} made." in flashes(manager_client, QUEUE)

    # The grant: the employee's, for the amount asked, approved by the manager.
    assert escalation.status == Escalation.Status.APPROVED and escalation.decided_by == manager
    assert (grant.amount, grant.granted_by, grant.approved_by, grant.customer) == (
        Decimal("60.00"),
        frontline,
        manager,
        customer,
    )
    assert Grant.objects.filter(customer=customer).count() == 2
    latest = escalation.history.order_by("-history_date", "-history_id").first()
    assert latest.status == "approved" and latest.history_user == manager
    assert latest.history_change_reason == "Regular, keep her"

    # The counter sees the decision arrive: the polled panel stops polling and links to the grant.
    poll = frontline_client.get(status_url(escalation), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in poll
    assert reverse("counter_granted", args=[grant.pk]) in poll
    granted = text(frontline_client.get(reverse("counter_granted", args=[grant.pk])))
    assert "Approved above the limits by maria." in granted

    # The audit names the approver and links back to the request's audit story; "My grants" lists it.
    audit = manager_client.get(reverse("audit_detail", args=[grant.pk])).content.decode()
    assert "Approved above the limits by maria" in audit
    assert f'href="{reverse("escalation_audit", args=[escalation.pk])}"' in audit
    mine = text(frontline_client.get(reverse("my_grants")))
    assert status_url(escalation) in mine and "Approved" in mine


def test_approving_twice_says_who_decided_and_makes_one_grant(
    frontline, manager, manager_client, central, customer, one_grant_a_month
):
    factories.grant_for(frontline, central, customer, code="free-drinks", amount="5")
    escalation = escalate(frontline, central, customer)
    colleague = client_for(factories.make_user("mona", "manager", [central]))

    assert decide(manager_client, escalation, "approve").status_code == 302
    second = decide(colleague, escalation, "approve")

    assert second.status_code == 302 and second["Location"] == QUEUE
    assert f"Escalation #{escalation.pk} was already approved by maria at" in flashes(colleague, QUEUE)
    assert Grant.objects.filter(approved_by__isnull=False).count() == 1
    escalation.refresh_from_db()
    assert escalation.decided_by == manager


def test_declining_needs_a_note_which_the_counter_then_sees(
    frontline, frontline_client, manager_client, central, customer, one_grant_a_month
):
    factories.grant_for(frontline, central, customer, code="free-drinks", amount="5")
    escalation = escalate(frontline, central, customer)

    refused = decide(manager_client, escalation, "decline", note="   ")
    assert refused.status_code == 302
    assert "Note: say why you decline" in flashes(manager_client, QUEUE)
    escalation.refresh_from_db()
    assert escalation.is_pending

    decide(manager_client, escalation, "decline", note="Already had a free month in May")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.DECLINED and escalation.grant is None
    page = text(frontline_client.get(status_url(escalation)))
    assert "Declined by maria" in page and "Already had a free month in May" in page
    assert reverse("counter_resolve", args=[customer.pk]) in page
    assert Grant.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": "maybe", "note": ""}, "Decision: choose approve or decline."),
        ({"note": "x"}, "Decision: choose approve or decline."),
        ({"decision": "approve", "note": "x" * 501}, "Note: at most 500 characters."),
    ],
)
def test_a_bad_decision_is_refused_by_field(frontline, manager_client, central, customer, data, message):
    escalation = escalate(frontline, central, customer, amount="400.00")
    response = manager_client.post(reverse("escalation_decide", args=[escalation.pk]), data)
    assert response.status_code == 302
    assert message in flashes(manager_client, QUEUE)
    escalation.refresh_from_db()
    assert escalation.is_pending and not Grant.objects.exists()


def test_approving_above_the_managers_own_authority_is_refused(frontline, manager_client, central, customer):
    escalation = escalate(frontline, central, customer, amount="1500.00")  # manager authority: 1,000.00
    decide(manager_client, escalation, "approve")
    assert "1,500.00 is above your own authority of 1,000.00" in flashes(manager_client, QUEUE)
    escalation.refresh_from_db()
    assert escalation.is_pending and not Grant.objects.exists()


def test_deciding_an_unknown_escalation_is_404(manager_client):
    response = manager_client.post(reverse("escalation_decide", args=[987654]), {"decision": "approve"})
    assert response.status_code == 404


# --- who may see and decide ----------------------------------------------------------------------


def test_a_manager_of_another_location_neither_sees_nor_decides(frontline, manager_airport, central, customer):
    escalation = escalate(frontline, central, customer, amount="400.00")
    airport = client_for(manager_airport)

    queue = airport.get(QUEUE)
    assert queue.status_code == 200
    assert customer.name not in text(queue) and status_url(escalation) not in text(queue)
    # Guessing the URLs does not help.
    assert airport.get(status_url(escalation)).status_code == 403
    assert decide(airport, escalation, "approve").status_code == 403
    escalation.refresh_from_db()
    assert escalation.is_pending and not Grant.objects.exists()


def test_another_frontline_cannot_follow_a_colleagues_request(frontline, central, customer):
    escalation = escalate(frontline, central, customer, amount="400.00")
    colleague = factories.make_user("felix", "frontline", [central])
    assert client_for(colleague).get(status_url(escalation)).status_code == 403


def test_a_manager_who_asked_cannot_decide_their_own_request(manager, manager_client, central, customer):
    escalation = escalate(manager, central, customer, amount="1200.00")  # above the manager's own cap

    queue = manager_client.get(QUEUE)
    assert status_url(escalation) in text(queue)
    assert decide_forms(queue) == []
    assert "Your own request: another manager of Central Store decides it." in text(queue)
    assert decide(manager_client, escalation, "approve").status_code == 403
    escalation.refresh_from_db()
    assert escalation.is_pending

    colleague = client_for(factories.make_user("mona", "manager", [central]))
    assert len(decide_forms(colleague.get(QUEUE))) == 1
    decide(colleague, escalation, "decline", note="Ask ops for this one")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.DECLINED


def test_ops_see_every_location_read_only(
    frontline, frontline_airport, ops_client, central, airport, customer, one_grant_a_month
):
    central_request = escalate(frontline, central, customer, amount="400.00")
    other = factories.make_customer("Airport Customer", phone="+447700900888")
    airport_request = escalate(frontline_airport, airport, other, amount="400.00")

    queue = ops_client.get(QUEUE)
    page = text(queue)
    assert status_url(central_request) in page and status_url(airport_request) in page
    assert decide_forms(queue) == []
    assert "Read-only" in page
    assert ops_client.get(status_url(airport_request)).status_code == 200
    assert decide(ops_client, central_request, "approve").status_code == 403
    assert not Grant.objects.exists()


def test_the_queue_lists_the_longest_waiting_first_then_decisions(
    frontline, manager, manager_client, central, customer
):
    first = escalate(frontline, central, customer, amount="400.00", reason="first in")
    second = escalate(frontline, central, customer, amount="300.00", reason="second in")
    declined = escalate(frontline, central, customer, amount="500.00", reason="already declined")
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=declined.pk, approve=False, note="No"
    )
    page = text(manager_client.get(QUEUE))
    assert page.index("first in") < page.index("second in")
    recently = page.index("Recently decided")
    assert page.index("second in") < recently < page.index(status_url(declined))
    assert first.is_pending and second.is_pending


def test_queue_query_count_does_not_grow_with_the_queue(frontline, manager, manager_client, central, customer):
    def queries_for_queue():
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(QUEUE).status_code == 200
        return len(captured)

    escalate(frontline, central, customer, amount="400.00")
    with_one = queries_for_queue()
    for index in range(4):
        escalate(frontline, central, customer, amount="300.00")
        done = escalate(frontline, central, customer, amount="500.00", reason=f"to decide {index}")
        services.escalation_decide(
            actor=manager, roles=roles_of(manager), escalation_id=done.pk, approve=index % 2 == 0, note="ok"
        )
    assert queries_for_queue() == with_one <= 12


def test_status_page_and_my_grants_query_counts_stay_flat(frontline, frontline_client, central, customer):
    escalation = escalate(frontline, central, customer, amount="400.00")

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert frontline_client.get(url).status_code == 200
        return len(captured)

    status_once, mine_once = count(status_url(escalation)), count(reverse("my_grants"))
    for _ in range(4):
        escalate(frontline, central, customer, amount="400.00")
    assert count(status_url(escalation)) == status_once <= 10
    assert count(reverse("my_grants")) == mine_once <= 12


def test_the_status_page_of_an_unknown_escalation_is_404(frontline_client):
    assert frontline_client.get(reverse("escalation_status", args=[987654])).status_code == 404


def test_html_in_a_reason_is_escaped_everywhere(frontline, frontline_client, manager_client, central, customer):
    escalation = escalate(frontline, central, customer, amount="400.00", reason="<script>alert(1)</script>")
    for client, url in ((frontline_client, status_url(escalation)), (manager_client, QUEUE)):
        content = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert re.search(r"Escalations</a>", manager_client.get(QUEUE).content.decode())


def test_the_status_page_shows_every_step_in_the_history(frontline, manager, central, customer):
    from compensation.predicates import roles_of
    from recovery import services
    from tests.conftest import client_for

    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="400"),
        reason="Whole evening spoiled",
    )
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=False, note="Too much for drinks"
    )
    page = html.unescape(client_for(frontline).get(reverse("escalation_status", args=[escalation.pk])).content.decode())
    assert "Created" in page and "by frank" in page
    assert "Changed" in page and "by maria" in page and "“Too much for drinks”" in page
    assert "Status: Waiting for a manager → Declined" in page


def test_approving_runs_a_bounded_number_of_queries(
    frontline, manager, central, customer, django_assert_max_num_queries
):
    from tests.conftest import client_for

    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="400"),
        reason="Whole evening spoiled",
    )
    client = client_for(manager)
    client.get(reverse("escalations"))
    # 26, and one webhook subscriber lookup for each event the approval emits (grant.created, escalation.decided),
    # and the approved grant's daily rollup upsert (issue 20).
    with django_assert_max_num_queries(29):
        response = client.post(
            reverse("escalation_decide", args=[escalation.pk]), {"decision": "approve", "note": "Fair"}
        )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.grant is not None
