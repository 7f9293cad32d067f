"""A customer's programme status: set by ops (a page) or a trusted CRM (the API), only a status the
policy in force names, kept in the customer's history and journalled; verify_audit checks it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from compensation.models import AuditEvent
from recovery import services
from recovery.models import Customer
from tests.api.conftest import api_client, issue
from tests.programme import flight_delay_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(ops):
    return flight_delay_programme(actor=ops)


def test_ops_set_a_status_with_history_and_a_journal_entry(ops, customer, programme):
    services.customer_status_set(actor=ops, customer_id=customer.pk, status="gold", reason="Elite since March")

    customer.refresh_from_db()
    assert customer.status == "Gold"  # as the policy spells it
    record = customer.history.first()
    assert record.status == "Gold" and record.history_user == ops
    assert record.history_change_reason == "Elite since March"
    entry = AuditEvent.objects.get(kind="customer.status_set", subject_id=customer.pk)
    assert entry.actor == ops
    assert entry.payload == {
        "v": 1,
        "customer_id": customer.pk,
        "status": "Gold",
        "previous": "",
        "reason": "Elite since March",
    }
    call_command("verify_audit", stdout=io.StringIO())


def test_the_same_status_again_writes_nothing(ops, customer, programme):
    services.customer_status_set(actor=ops, customer_id=customer.pk, status="Gold", reason="Elite")
    services.customer_status_set(actor=ops, customer_id=customer.pk, status="Gold", reason="Elite again")
    assert AuditEvent.objects.filter(kind="customer.status_set").count() == 1


@pytest.mark.parametrize(
    "status, reason, field, words",
    [
        (
            "Bronze",
            "CRM",
            "status",
            "“Bronze” is not a status the policy in force names (it names: Silver, Gold, Platinum)",
        ),
        ("Gold", "  ", "reason", "Say why the status changes"),
    ],
)
def test_a_refused_status_names_the_field_and_changes_nothing(ops, customer, programme, status, reason, field, words):
    with pytest.raises(services.RecoveryError) as refused:
        services.customer_status_set(actor=ops, customer_id=customer.pk, status=status, reason=reason)
    assert refused.value.field == field and words in refused.value.message
    assert Customer.objects.get(pk=customer.pk).status == ""
    assert not AuditEvent.objects.filter(kind="customer.status_set").exists()


def test_without_status_tiers_no_status_is_accepted(ops, customer):
    with pytest.raises(services.RecoveryError, match="the policy in force names no status"):
        services.customer_status_set(actor=ops, customer_id=customer.pk, status="Gold", reason="CRM")


def test_a_status_set_behind_the_journal_is_found_by_verify_audit(ops, customer, programme):
    Customer.objects.filter(pk=customer.pk).update(status="Platinum")
    with pytest.raises(CommandError, match="status: journal \\(no status entry, so none\\) vs record “Platinum”"):
        call_command("verify_audit", stdout=io.StringIO())


# --- the ops page ---------------------------------------------------------------------------


def test_the_ops_page_sets_the_status_of_the_customer_found_by_phone(ops_client, ops, customer, programme):
    page = ops_client.get(reverse("ops_customer_status")).content.decode()
    assert 'for="id_customer"' in page and 'for="id_status"' in page and 'for="id_reason"' in page
    assert "The policy in force names: Silver, Gold, Platinum." in page

    response = ops_client.post(
        reverse("ops_customer_status"), {"customer": "07700 900101", "status": "Platinum", "reason": "Upgraded"}
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == "Platinum" and customer.history.first().history_user == ops


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"customer": "+447700900999", "status": "Gold", "reason": "x"}, "customer", "nobody has this phone"),
        ({"customer": "alice@example.com", "status": "Bronze", "reason": "x"}, "status", "choose one of the statuses"),
        ({"customer": "LC-1", "status": "Gold", "reason": ""}, "reason", "say why the status changes"),
    ],
)
def test_the_ops_page_refuses_bad_input_naming_the_field(ops_client, customer, programme, data, field, words):
    response = ops_client.post(reverse("ops_customer_status"), data)
    assert response.status_code == 422
    assert words in " ".join(response.context["form"].errors[field])
    assert Customer.objects.get(pk=customer.pk).status == ""


# --- the API --------------------------------------------------------------------------------


@pytest.fixture
def pos(central, ops):
    """A till: a frontline token, not trusted with statuses."""
    return api_client(issue(central, "frontline", "POS till", actor=ops).secret)


@pytest.fixture
def status_crm(central, ops):
    return api_client(issue(central, "frontline", "Loyalty CRM", actor=ops, may_set_status=True).secret)


def test_a_trusted_crm_sets_the_status_through_the_api(status_crm, customer, programme):
    response = status_crm.patch(f"/api/v1/customers/{customer.pk}/", {"status": "gold"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "Gold"
    entry = AuditEvent.objects.get(kind="customer.status_set", subject_id=customer.pk)
    assert entry.payload["reason"] == "Sent by Loyalty CRM"
    assert status_crm.get(f"/api/v1/customers/{customer.pk}/").json()["status"] == "Gold"


def test_an_unknown_status_is_a_422_naming_the_field(status_crm, customer, programme):
    response = status_crm.patch(f"/api/v1/customers/{customer.pk}/", {"status": "Bronze"}, format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert "status" in error["fields"] and "Silver, Gold, Platinum" in error["fields"]["status"][0]
    assert Customer.objects.get(pk=customer.pk).status == ""


def test_a_token_not_trusted_with_statuses_is_refused(pos, customer, programme):
    response = pos.patch(f"/api/v1/customers/{customer.pk}/", {"status": "Gold"}, format="json")
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).status == ""


def test_the_schema_describes_the_status_patch(pos):
    schema = pos.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/customers/{customer_id}/"]["patch"]
    assert operation["operationId"] == "customers_status_set"
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][request]["properties"]) == {"status", "reason"}
    assert "status" in schema["components"]["schemas"]["Customer"]["properties"]
