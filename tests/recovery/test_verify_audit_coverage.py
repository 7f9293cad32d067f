"""verify_audit checks every money or trust record against the journal, both ways (issue 16, "Full coverage").

Each test tampers as someone with database access would (raw SQL or
`QuerySet.update()`, which write neither history nor journal) and expects the
run to fail naming the entry (chain, sequence, kind) and the record (model, pk)
and what differs. Runs on SQLite and PostgreSQL.
"""

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from compensation.journal import journal_entry
from compensation.models import AuditEvent, PolicyVersion
from compensation.predicates import roles_of
from recovery.anomalies import anomaly_review
from recovery.audit_verify import records_verify
from recovery.models import AnomalyFlag, Customer, Escalation, Grant, ServiceFailure, VoucherRedemption
from recovery.services import customer_tenure_set, escalation_decide, escalation_request, grant_void
from recovery.vouchers import voucher_redeem
from tests.factories import grant_for, grant_request, make_customer, playbook, publish
from tests.recovery.test_audit_journal import without_append_only_trigger

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def refused(pattern: str) -> str:
    """Run verify_audit expecting a non-zero exit whose message matches `pattern`; the message."""
    with pytest.raises(CommandError, match=pattern) as failure:
        verify()
    return str(failure.value)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def desk(frontline, manager, central, customer):
    """Three grants (one voided, one a voucher redeemed), an escalation approved and one pending, a review."""
    first = grant_for(frontline, central, customer, amount="5", note="Waited 40 minutes")
    voided = grant_for(frontline, central, customer, amount="6")
    grant_void(actor=manager, grant_id=voided.pk, reason="Entered twice")
    voucher = grant_for(frontline, central, customer, code="repeat-repair", purchase_value="1000", amount="120.00")
    voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)
    asked = escalation_request(
        actor=frontline, roles=roles_of(frontline), request=grant_request(customer, central, amount="300"), reason="x"
    )
    escalation_decide(actor=manager, roles=roles_of(manager), escalation_id=asked.pk, approve=True, note="ok")
    pending = escalation_request(
        actor=frontline, roles=roles_of(frontline), request=grant_request(customer, central, amount="50"), reason="y"
    )
    flag = AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.CUSTOMER_ACROSS_LOCATIONS,
        location=central,
        customer=customer,
        employee=frontline,
        reason="Three grants in a week",
        figures={"grants": 3},
        dedupe_key="test:coverage",
    )
    anomaly_review(actor=manager, flag_id=flag.pk, outcome=AnomalyFlag.Outcome.TALKED, note="Explained the limit")
    newest = grant_for(frontline, central, customer, amount="7")
    return {"first": first, "voided": voided, "voucher": voucher, "pending": pending, "flag": flag, "newest": newest}


def test_an_untouched_desk_verifies_with_figures_per_kind(desk):
    output = verify()
    assert "grant issued: 5 records, 5 entries" in output  # 4 at the counter + 1 approved escalation
    assert "grant voided: 1 records, 1 entries" in output
    assert "voucher redeemed: 1 records, 1 entries" in output
    assert "escalation requested: 2 records, 2 entries" in output
    assert "escalation decided: 1 records, 1 entries" in output
    assert "anomaly review: 1 records, 1 entries" in output
    assert "customer tenure:" in output
    assert "every record matches its entry" in output


@pytest.mark.parametrize("which", ["first", "newest"])
def test_a_deleted_grant_is_found_by_its_orphaned_entry(desk, which):
    grant = desk[which]
    entry = AuditEvent.objects.get(kind="grant.issued", subject_id=grant.pk)
    sql("DELETE FROM recovery_grant WHERE id = %s", [grant.pk])
    message = refused(
        rf"journal {entry.chain} #{entry.sequence} \(id {entry.pk}, grant.issued\) ↔ recovery.Grant #{grant.pk}: "
        r"the record is missing"
    )
    # The location's running month total and its day's rollup still count it: found too.
    assert "3 record(s) disagree" in message
    assert "month totals ↔ location #" in message
    assert re.search(r"day totals ↔ location #\d+ \S+: [^\n]*active_grants (\d+) vs the grants' (?!\1)\d+", message)


def test_a_changed_month_total_is_found(desk):
    """The budget check trusts the running total: a total that no longer adds up to its grants is named."""
    grant = desk["first"]
    sql("UPDATE recovery_locationmonthtotal SET amount = amount - 1 WHERE location_id = %s", [grant.location_id])
    message = refused(r"month totals ↔ location #\d+ \S+: \d{4}-\d{2} \w{3}: total ")
    assert "vs the grants'" in message


def test_a_changed_daily_rollup_is_found_and_a_rebuild_repairs_it(desk):
    """The insight pages and the monthly report trust the daily rollups: a row that no longer adds up is named."""
    grant = desk["first"]
    sql(
        "UPDATE recovery_locationdaytotal SET active_amount = active_amount + 5 WHERE location_id = %s",
        [grant.location_id],
    )
    message = refused(r"day totals ↔ location #\d+ \S+: \d{4}-\d{2}-\d{2} “[^”]+” \S+ \w{3}: active_amount ")
    assert "vs the grants'" in message
    call_command("rebuild_rollups", stdout=io.StringIO())
    output = io.StringIO()
    call_command("verify_audit", stdout=output)
    assert "every record matches its entry" in output.getvalue()


def test_a_rewritten_published_policy_document_is_found(desk):
    latest = PolicyVersion.objects.order_by("-number").first()
    document = latest.document
    document["role_authorities"]["frontline"] = "99999.00"
    PolicyVersion.objects.filter(pk=latest.pk).update(document=document)
    entry = AuditEvent.objects.get(kind="policy.published", subject_id=latest.pk)
    refused(
        rf"journal policy #{entry.sequence} \(id {entry.pk}, policy.published\) ↔ compensation.PolicyVersion "
        rf"#{latest.pk}: document: journal {entry.payload['document_sha256']} vs record [0-9a-f]{{64}}"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="jsonb_set is PostgreSQL's")
def test_the_issues_jsonb_set_rewrite_of_the_newest_version_is_found(desk):
    """The exact statement from issue 16: frontline authority raised to 99,999.00 in the published document."""
    sql(
        "UPDATE compensation_policyversion SET document = jsonb_set(document, '{role_authorities,frontline}', "
        "'\"99999.00\"') WHERE number = (SELECT max(number) FROM compensation_policyversion)"
    )
    latest = PolicyVersion.objects.order_by("-number").first()
    assert latest.document["role_authorities"]["frontline"] == "99999.00"
    refused(rf"policy.published\) ↔ compensation.PolicyVersion #{latest.pk}: document: journal [0-9a-f]{{64}} vs")


def test_a_pending_escalations_amount_raised_is_found_before_and_after_approval(desk, manager):
    pending = desk["pending"]
    Escalation.objects.filter(pk=pending.pk).update(requested_amount=Decimal("900.00"))
    entry = AuditEvent.objects.get(kind="escalation.requested", subject_id=pending.pk)
    pattern = (
        rf"#{entry.sequence} \(id {entry.pk}, escalation.requested\) ↔ recovery.Escalation #{pending.pk}: "
        r"requested_amount: journal 50.00 vs record 900.00"
    )
    refused(pattern)
    escalation_decide(actor=manager, roles=roles_of(manager), escalation_id=pending.pk, approve=True, note="")
    refused(pattern)  # approving it does not launder the request


@pytest.mark.parametrize(
    ("table", "column", "value", "label"),
    [
        ("recovery_grant", "granted_at", None, "granted_at"),
        ("recovery_grant", "purchase_value", "800.00", "purchase_value"),
        ("recovery_grant", "cap_steps", '["Anything goes"]', "cap_steps"),
        ("recovery_servicefailure", "note", "Nothing happened", "failure.note"),
    ],
)
def test_a_grants_facts_changed_behind_the_application_are_found(desk, table, column, value, label):
    grant = desk["first"]
    if column == "granted_at":
        Grant.objects.filter(pk=grant.pk).update(
            granted_at=grant.granted_at - timedelta(days=40), failure_logged_at=grant.granted_at - timedelta(days=41)
        )
    elif table == "recovery_servicefailure":
        ServiceFailure.objects.filter(pk=grant.failure_id).update(note=value)
    else:
        sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, grant.pk])
    entry = AuditEvent.objects.get(kind="grant.issued", subject_id=grant.pk)
    refused(rf"#{entry.sequence} \(id {entry.pk}, grant.issued\) ↔ recovery.Grant #{grant.pk}: {label}: journal ")


def test_an_edited_anomaly_review_outcome_is_found(desk):
    flag = desk["flag"]
    AnomalyFlag.objects.filter(pk=flag.pk).update(outcome=AnomalyFlag.Outcome.FINE)
    entry = AuditEvent.objects.get(kind="anomaly.reviewed", subject_id=flag.pk)
    refused(
        rf"#{entry.sequence} \(id {entry.pk}, anomaly.reviewed\) ↔ recovery.AnomalyFlag #{flag.pk}: "
        r"outcome: journal talked vs record fine"
    )


def test_an_unvoided_grant_and_a_deleted_redemption_are_found(desk):
    Grant.objects.filter(pk=desk["voided"].pk).update(status=Grant.Status.ACTIVE, voided_at=None, void_reason="")
    VoucherRedemption.objects.filter(grant=desk["voucher"]).delete()
    message = refused(rf"grant.voided\) ↔ recovery.Grant #{desk['voided'].pk}: the journal says voided")
    assert f"voucher.redeemed) ↔ recovery.VoucherRedemption (grant_id {desk['voucher'].pk}): the record is missing" in (
        message
    )


def test_a_tenure_changed_without_the_journal_is_found(desk, customer, central):
    walk_in = Customer.objects.create(name="Walk In", customer_since=central.today(), created_at_location=central)
    verify()  # a walk-in's tenure is the day they were added: no entry needed
    Customer.objects.filter(pk=walk_in.pk).update(customer_since=date(1900, 1, 1))
    Customer.objects.filter(pk=customer.pk).update(customer_since=date(1999, 1, 1))
    entry = AuditEvent.objects.filter(kind="customer.tenure_set", subject_id=customer.pk).latest("id")
    message = refused(
        rf"#{entry.sequence} \(id {entry.pk}, customer.tenure_set\) ↔ recovery.Customer #{customer.pk}: "
        r"customer_since: journal 2020-01-01 vs record 1999-01-01"
    )
    assert f"recovery.Customer #{walk_in.pk}: customer_since: journal (no tenure entry" in message
    assert "vs record 1900-01-01" in message


def test_a_tenure_set_by_ops_is_journalled_and_verifies(desk, customer, ops):
    customer_tenure_set(actor=ops, customer_id=customer.pk, customer_since=date(2015, 3, 1), reason="CRM import fix")
    entry = AuditEvent.objects.filter(kind="customer.tenure_set", subject_id=customer.pk).latest("id")
    assert entry.payload["customer_since"] == "2015-03-01" and entry.payload["previous"] == "2020-01-01"
    assert entry.actor == ops and entry.chain == "customers"
    verify()


def test_entries_from_before_v2_are_named_not_silently_skipped(desk):
    """An entry journalled before version 2 lacks the new facts: counted and said, the rest still compared."""
    old = make_customer("Old Timer", since=date(2010, 1, 1))
    assert old.pk
    report = records_verify()
    assert report.ok
    assert not any("not journaled" in line for line in report.figures())
    sql(
        "INSERT INTO recovery_customer (name, phone, email, loyalty_card, customer_since, created_at) "
        "VALUES ('Raw', '', '', '', %s, %s)",
        [date(2001, 1, 1), desk["first"].granted_at],
    )
    assert not records_verify().ok


def test_the_v1_grant_payload_is_tolerated_only_for_the_facts_it_lacked(frontline, central, customer):
    """Simulate an entry written before v2 (same chain, re-hashed): the lacking facts are reported, not failed."""
    grant = grant_for(frontline, central, customer, amount="5")
    entry = AuditEvent.objects.get(kind="grant.issued", subject_id=grant.pk)
    v1 = {key: entry.payload[key] for key in (*Grant().journal_facts(), "currency", "token", "policy_version")}
    v1.update(approved_by_id=None, failure_id=grant.failure_id)
    rebuilt = journal_entry(
        head=(entry.sequence - 1, entry.prev_hash),
        chain=entry.chain,
        kind=entry.kind,
        subject_type="grant",
        subject_id=grant.pk,
        actor=frontline,
        payload=v1,
        at=entry.at,
        location_id=central.pk,
    )
    assert entry.sequence == AuditEvent.objects.filter(chain=entry.chain).count()  # the newest: nothing follows
    without_append_only_trigger(
        "UPDATE compensation_auditevent SET payload = %s, hash = %s WHERE id = %s",
        [json.dumps(rebuilt.payload), rebuilt.hash, entry.pk],
    )
    output = verify()
    assert "grant issued: purchase_value, cap_steps, note" in output and "not journaled before v2" in output
    Grant.objects.filter(pk=grant.pk).update(amount=Decimal("9.00"))
    refused(rf"recovery.Grant #{grant.pk}: amount: journal 5.00 vs record 9.00")


def test_a_policy_version_published_after_tampering_still_verifies_its_own(desk, ops):
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal("30.00")
    drinks.save()
    publish("Dearer drinks", actor=ops)
    verify()


def test_ops_setting_a_tenure_in_the_admin_is_journalled(ops_client, ops, customer):
    url = f"/admin/recovery/customer/{customer.pk}/change/"
    form = ops_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(customer_since="2012-06-01", created_at_0="2026-01-01", created_at_1="10:00:00")
    response = ops_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEvent.objects.filter(kind="customer.tenure_set", subject_id=customer.pk).latest("id")
    assert entry.actor == ops and entry.payload["customer_since"] == "2012-06-01"
    assert entry.payload["previous"] == "2020-01-01"
    verify()


def test_a_tenure_set_shows_on_the_customers_audit_story(ops, manager, airport, frontline_airport, customer):
    from recovery.timeline import TimelineQuery, timeline_page

    customer_tenure_set(
        actor=ops, customer_id=customer.pk, customer_since=date(2016, 4, 1), reason="CRM merge", location=airport
    )
    story = timeline_page(user=ops, query=TimelineQuery(customer="07700 900101"))
    # Newest first: this change, then the tenure the customer was added with (the test data's, journalled).
    tenure, added = [entry for entry in story.entries if entry.kind == "customer.tenure_set"]
    assert added.summary == "Customer since 2020-01-01: “Test data”"
    assert tenure.customer == "Alice Moreau" and tenure.actor == ops.get_username()
    assert tenure.summary == "Customer since 2016-04-01 (was 2020-01-01): “CRM merge”"
    assert tenure.location == airport.name
    # A manager of another location does not see what was set at the airport.
    mine = timeline_page(user=manager, query=TimelineQuery(customer="07700 900101"))
    assert not any(entry.kind == "customer.tenure_set" for entry in mine.entries)


def test_who_may_set_a_tenure_is_a_rules_permission(ops, manager, frontline, auditor, central):
    from tests.api.conftest import issue

    plain = issue(central, "frontline", "Till")
    trusted = issue(central, "frontline", "CRM", may_set_tenure=True)
    assert ops.has_perm("recovery.set_customer_tenure")
    assert not any(user.has_perm("recovery.set_customer_tenure") for user in (manager, frontline, auditor))
    assert not plain.token.user.has_perm("recovery.set_customer_tenure")
    assert trusted.token.user.has_perm("recovery.set_customer_tenure")


def test_api_token_create_can_trust_a_token_with_tenure(central):
    from recovery.models import ApiToken

    out = io.StringIO()
    call_command(
        "api_token_create",
        "--name",
        "CRM",
        "--location",
        "central",
        "--role",
        "frontline",
        "--may-set-tenure",
        stdout=out,
    )
    assert "It may set a customer's tenure." in out.getvalue()
    call_command("api_token_create", "--name", "Till", "--location", "central", "--role", "frontline", stdout=out)
    assert dict(ApiToken.objects.values_list("name", "may_set_tenure")) == {"CRM": True, "Till": False}


def test_the_baseline_migration_journals_tenures_from_before_the_journal_covered_them(central):
    """An upgraded desk: a CRM customer added before tenure was journalled gets a baseline entry, once."""
    from importlib import import_module

    from django.apps import apps

    baseline = import_module("recovery.migrations.0013_journal_baseline").journal_baseline
    old = Customer.objects.create(name="Old CRM", customer_since=date(2011, 2, 3), created_at_location=central)
    refused(rf"recovery.Customer #{old.pk}: customer_since: journal \(no tenure entry")
    baseline(apps, None)
    baseline(apps, None)  # safe to run again: nothing twice
    [entry] = AuditEvent.objects.filter(kind="customer.tenure_set", subject_id=old.pk)
    assert entry.payload["baseline"] is True and entry.payload["customer_since"] == "2011-02-03"
    verify()
