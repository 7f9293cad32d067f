"""One failure, many customers: an incident logged once, its customers attached, all granted in one decision."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.models import AuditEvent, CustomerLimit, LocationBudget
from compensation.predicates import roles_of
from recovery.models import Customer, Grant, Incident, IncidentCustomer, ServiceFailure
from recovery.services import grant_issue
from recovery.services import incidents as incident_services
from recovery.services.incidents import incident_attach, incident_grant, incident_log, incident_token
from recovery.services.pricing import GrantRequest
from tests import factories
from tests.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def phone(n: int) -> str:
    return f"+4477009{n:05d}"


def passengers(count: int, start: int = 1) -> list[Customer]:
    """`count` customers of long standing with phones +4477009000001…, made in one insert."""
    return Customer.objects.bulk_create(
        Customer(name=f"Passenger {n:03d}", phone=phone(n), customer_since=date(2020, 1, 1))
        for n in range(start, start + count)
    )


def flight_delay(actor, location, *, code="free-drinks", purchase_value="0") -> Incident:
    return incident_log(
        actor=actor,
        location=location,
        title="Flight LX 345 delayed 4 hours",
        category="waiting",
        happened_at=timezone.now() - timedelta(hours=2),
        playbook_id=factories.playbook(code).pk,
        purchase_value=Decimal(purchase_value),
    )


def decide(client, incident) -> list[int]:
    """Press "Grant all" and follow the progress bar's own requests (htmx) until it stops; the status codes."""
    url = reverse("incident_grant", args=[incident.pk])
    data, statuses = {}, []
    for _ in range(100):
        response = client.post(url, data, **HTMX)
        statuses.append(response.status_code)
        follow = re.search(r'hx-vals=\'\{"after": "(\d+)"\}\'', response.content.decode())
        if not follow:
            return statuses
        data = {"after": follow.group(1)}
    raise AssertionError("the progress bar never stopped")


def test_200_customers_of_a_delayed_flight_are_compensated_in_one_decision_with_one_grant_each(
    manager, manager_client, central
):
    customers = passengers(200)
    incident = flight_delay(manager, central)
    pasted = "\n".join(customer.phone for customer in customers)
    response = manager_client.post(reverse("incident_attach", args=[incident.pk]), {"lines": pasted})
    assert response.status_code == 302
    assert IncidentCustomer.objects.filter(incident=incident).count() == 200

    page = manager_client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "Grant all 200 customers, €1,500.00" in page  # free drinks, nothing bought: the floor €5.00 × 1.5 (tenure)

    started = time.perf_counter()
    statuses = decide(manager_client, incident)
    elapsed = time.perf_counter() - started
    print(f"\n200-customer decision: {elapsed:.2f} s in {len(statuses)} requests")

    assert set(statuses) == {200} and len(statuses) == 8  # 200 / INCIDENT_CHUNK (25)
    grants = Grant.objects.filter(failure__incident=incident)
    assert grants.count() == 200
    assert sorted(grants.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)
    assert {grant.amount for grant in grants} == {Decimal("7.50")}
    assert set(grants.values_list("granted_by", flat=True)) == {manager.pk}
    assert AuditEvent.objects.filter(kind="grant.issued").count() == 200
    assert all(event.payload["incident_id"] == incident.pk for event in AuditEvent.objects.filter(kind="grant.issued"))
    incident.refresh_from_db()
    assert incident.decided_by == manager

    # Retried (the button pressed again, the whole chain replayed from the start): nothing more is granted.
    statuses = decide(manager_client, incident)
    assert statuses == [200]
    assert Grant.objects.count() == 200
    page = manager_client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "Grant all" not in page and "Ready to grant" in page


def test_a_retry_after_a_broken_off_decision_grants_only_the_missing_customers(manager, central):
    customers = passengers(12)
    incident = flight_delay(manager, central)
    incident_attach(actor=manager, incident=incident, customers=customers, source="list")

    first = incident_grant(actor=manager, roles=roles_of(manager), incident=incident, chunk=5)
    assert (first.granted, first.remaining) == (5, 7)
    # The tab was closed; a second manager of the location decides again from the start.
    second_manager = factories.make_user("mona", "manager", [central])
    outcome = incident_grant(actor=second_manager, roles=roles_of(second_manager), incident=incident, chunk=50)
    assert (outcome.granted, outcome.remaining) == (7, 0)
    assert Grant.objects.filter(failure__incident=incident).count() == 12
    assert Grant.objects.filter(granted_by=second_manager).count() == 7


def test_the_same_customer_is_never_granted_twice_for_one_incident(manager, central, monkeypatch):
    """Two deciders who both saw the customer as ready: the failure's unique (incident, customer) refuses the second."""
    (customer,) = passengers(1)
    incident = flight_delay(manager, central)
    incident_attach(actor=manager, incident=incident, customers=[customer], source="search")
    stale = incident_services.incident_preview(incident=incident, user=manager)
    other = factories.make_user("mona", "manager", [central])
    incident_grant(actor=other, roles=roles_of(other), incident=incident)

    monkeypatch.setattr(incident_services, "incident_preview", lambda **kwargs: stale)
    outcome = incident_grant(actor=manager, roles=roles_of(manager), incident=incident)
    assert (outcome.granted, outcome.already) == (0, 1)
    assert ServiceFailure.objects.filter(incident=incident).count() == 1

    request = GrantRequest(
        customer=customer,
        location=central,
        category="waiting",
        purchase_value=Decimal("0"),
        note="",
        playbook_id=factories.playbook("free-drinks").pk,
        amount=None,
        token=incident_token(incident.pk + 1, customer.pk),
        incident=incident,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        grant_issue(actor=manager, roles=roles_of(manager), request=request)


def test_the_queries_per_customer_are_bounded(manager, central):
    incident = flight_delay(manager, central)
    incident_attach(actor=manager, incident=incident, customers=passengers(30), source="list")
    incident_grant(actor=manager, roles=roles_of(manager), incident=incident, chunk=1)  # the decision recorded

    def cost(chunk, after):
        with CaptureQueriesContext(connection) as captured:
            outcome = incident_grant(
                actor=manager, roles=roles_of(manager), incident=incident, after=after, chunk=chunk
            )
        assert outcome.granted == chunk
        return len(captured), outcome.next_after

    five, after = cost(5, 0)
    fifteen, _ = cost(15, after)
    per_customer = (fifteen - five) / 10
    print(f"\nqueries: {five} for 5 customers, {fifteen} for 15: {per_customer} per customer")
    assert per_customer <= 16, per_customer
    assert five - 5 * per_customer <= 8  # the fixed part: the policy, the preview's reads


def test_the_preview_names_each_refused_customer_and_the_decision_grants_the_others(manager, manager_client, central):
    CustomerLimit.objects.create(window_days=30, max_grants=1)
    factories.publish("One grant a month")
    regular, newcomer = passengers(2)
    factories.grant_for(manager, central, regular)
    incident = flight_delay(manager, central)
    incident_attach(actor=manager, incident=incident, customers=[regular, newcomer], source="list")

    page = manager_client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "The customer already had 1 grant in the last 30 days (limit 1)." in page
    assert "Grant 1 customer, €7.50" in page

    decide(manager_client, incident)
    assert list(Grant.objects.filter(failure__incident=incident).values_list("customer", flat=True)) == [newcomer.pk]


def test_a_total_above_the_month_budget_is_refused_and_nothing_is_granted(manager, manager_client, central):
    LocationBudget.objects.create(location=central, monthly_amount=Decimal("100.00"))
    factories.publish("Budget")
    incident = flight_delay(manager, central)
    incident_attach(actor=manager, incident=incident, customers=passengers(30), source="list")

    page = manager_client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    message = "The total of €225.00 is above the €100.00 left of this location&#x27;s monthly budget"
    assert message in page and "Grant all" not in page
    response = manager_client.post(reverse("incident_grant", args=[incident.pk]), **HTMX)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Grant.objects.exists()
    incident.refresh_from_db()
    assert incident.decided_at is None


def test_deciding_with_nobody_attached_is_refused(manager, manager_client, central):
    incident = flight_delay(manager, central)
    response = manager_client.post(reverse("incident_grant", args=[incident.pk]), follow=True)
    assert "Customers: attach at least one customer before deciding." in response.content.decode()
    assert not ServiceFailure.objects.exists()


def test_the_audit_page_of_each_grant_names_its_incident(manager, manager_client, central):
    incident = flight_delay(manager, central)
    incident_attach(actor=manager, incident=incident, customers=passengers(1), source="list")
    incident_grant(actor=manager, roles=roles_of(manager), incident=incident)
    grant = Grant.objects.get()
    assert grant.failure.incident == incident
    page = manager_client.get(reverse("audit_detail", args=[grant.pk])).content.decode()
    assert f'href="/incidents/{incident.pk}/">#{incident.pk} Flight LX 345 delayed 4 hours</a>' in page


# --- attaching: lists, CSV files, bad lines ---------------------------------------------------


def attach(client, incident, **data):
    return client.post(reverse("incident_attach", args=[incident.pk]), data)


def test_bad_lines_are_each_named_with_their_line_and_nothing_is_attached(manager, manager_client, central):
    customers = passengers(3)
    Customer.objects.filter(pk=customers[2].pk).update(loyalty_card="LC-77")
    incident = flight_delay(manager, central)
    pasted = "\n".join(
        [customers[0].phone, "12", "", "hello!!", "+44 7700 900099", "lc-77", "07700 900001", customers[1].phone]
    )
    response = attach(manager_client, incident, lines=pasted)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Line 2 (“12”): not a possible phone number (nor a known loyalty card)." in page
    assert "Line 4 (“hello!!”): not a phone number, a loyalty card or an email address." in page
    assert "Line 5 (“+44 7700 900099”): no customer has this phone number, loyalty card or email." in page
    assert "Line 7 (“07700 900001”): the same customer as line 1 (counted once)." in page
    assert "3 customers found" in page and "Line 6: Passenger 003" in page  # the rest still previewed
    assert "3 lines name no customer: nothing was attached." in page
    assert not IncidentCustomer.objects.exists()

    attach(manager_client, incident, lines=pasted, skip_problems="on")
    attached = IncidentCustomer.objects.filter(incident=incident)
    assert sorted(attached.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)
    # The same list again: every line is a repeat, nobody is attached twice.
    attach(manager_client, incident, lines=customers[0].phone)
    assert attached.count() == 3


def test_a_csv_attaches_by_its_phone_or_card_column_and_names_lines_by_their_number(manager, manager_client, central):
    customers = passengers(2)
    incident = flight_delay(manager, central)
    data = f"name,phone\nA,{customers[0].phone}\n\nB,not-a-phone!\nC,{customers[1].phone}\n".encode()
    response = attach(manager_client, incident, file=SimpleUploadedFile("pax.csv", data, "text/csv"))
    assert response.status_code == 422
    assert "Line 4 (“not-a-phone!”)" in response.content.decode()
    assert not IncidentCustomer.objects.exists()

    good = f"phone\n{customers[0].phone}\n{customers[1].phone}\n".encode()
    attach(manager_client, incident, file=SimpleUploadedFile("pax.csv", good, "text/csv"))
    assert IncidentCustomer.objects.filter(incident=incident, source="csv").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,seat\nAlice,12A\n", "CSV file: the first line must name a column phone / card / loyalty_card / email"),
        ("phone\n+447700900001\nM\u00fcller\n".encode("latin-1"), "CSV file: not UTF-8 text (near line 3)"),
    ],
)
def test_an_unreadable_csv_is_refused_naming_the_file_and_nothing_is_attached(
    manager, manager_client, central, data, message
):
    passengers(1)
    incident = flight_delay(manager, central)
    response = attach(manager_client, incident, file=SimpleUploadedFile("pax.csv", data, "text/csv"))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not IncidentCustomer.objects.exists()


def test_an_empty_list_is_refused(manager, manager_client, central):
    incident = flight_delay(manager, central)
    response = attach(manager_client, incident, lines="  \n ")
    assert response.status_code == 422
    assert "Phone numbers: paste at least one line, or choose a CSV file." in response.content.decode()


def test_a_customer_found_by_the_search_is_attached_once(manager, manager_client, central, customer):
    incident = flight_delay(manager, central)
    page = manager_client.get(reverse("incident_detail", args=[incident.pk]), {"q": "0101"}).content.decode()
    assert "Alice Moreau" in page and 'aria-label="Attach Alice Moreau"' in page
    attach(manager_client, incident, customer=customer.pk)
    attach(manager_client, incident, customer=customer.pk)
    assert IncidentCustomer.objects.filter(incident=incident, customer=customer).count() == 1
    assert attach(manager_client, incident, customer="nope").status_code == 302
    assert IncidentCustomer.objects.count() == 1


# --- logging an incident ---------------------------------------------------------------------


def incident_form(central, **changes):
    data = {
        "location": central.pk,
        "title": "Outage of the card terminals",
        "category": "waiting",
        "happened_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "playbook": factories.playbook("free-drinks").pk,
        "purchase_value": "0",
    }
    data.update(changes)
    return data


def test_a_manager_logs_an_incident_at_their_location(manager, manager_client, central):
    response = manager_client.post(reverse("incident_new"), incident_form(central))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert (incident.location, incident.created_by, incident.purchase_value) == (central, manager, Decimal("0"))
    assert incident.history.get().history_user == manager
    assert AuditEvent.objects.filter(kind="incident.logged", subject_id=incident.pk).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"happened_at": "2999-01-01T10:00"}, "When it happened: it cannot be in the future."),
        ({"purchase_value": "-1"}, "Purchase value: must not be negative"),
        ({"title": ""}, "What happened: This field is required."),
        ({"location": "999999"}, "Location: Select a valid choice."),
    ],
)
def test_a_bad_incident_is_refused_naming_the_field(manager_client, central, changes, message):
    response = manager_client.post(reverse("incident_new"), incident_form(central, **changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Incident.objects.exists()


def test_a_manager_cannot_log_or_open_an_incident_of_another_location(manager, central, airport, manager_airport):
    client = client_for(manager_airport)
    response = client.post(reverse("incident_new"), incident_form(central))
    assert response.status_code == 422 and not Incident.objects.exists()
    incident = flight_delay(manager, central)
    assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 403
    assert attach(client, incident, customer=1).status_code == 403
    assert client.post(reverse("incident_grant", args=[incident.pk])).status_code == 403


def test_the_auditor_reads_and_frontline_is_kept_out(manager, central, auditor_client, frontline_client):
    incident = flight_delay(manager, central)
    page = auditor_client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "Flight LX 345" in page and "Attach the list" not in page
    assert attach(auditor_client, incident, lines=phone(1)).status_code == 403
    assert frontline_client.get(reverse("incidents")).status_code == 403
    assert 'href="/incidents/"' not in frontline_client.get(reverse("counter")).content.decode()
    assert 'href="/incidents/"' in auditor_client.get(reverse("audit")).content.decode()
