"""The tamper-evident journal: every grant, void, escalation decision and policy change is chained."""

from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from compensation.journal import GENESIS, chain_heads, location_chain
from compensation.models import AuditEvent, PolicyVersion
from compensation.predicates import roles_of
from recovery.services import escalation_decide, escalation_request, grant_void
from tests.factories import grant_for, grant_request, playbook, publish

pytestmark = pytest.mark.django_db


def verify(*args):
    call_command("verify_audit", *args, stdout=open("/dev/null", "w"))


def story(frontline, manager, central, customer):
    """A grant, a void, an escalation approved, a policy change."""
    first = grant_for(frontline, central, customer, amount="5")
    grant_void(actor=manager, grant_id=first.pk, reason="Entered twice")
    escalation = escalation_request(
        actor=frontline, roles=roles_of(frontline), request=grant_request(customer, central, amount="300"), reason="x"
    )
    escalation_decide(actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="ok")
    drinks = playbook("free-drinks")
    drinks.ceiling = Decimal("30.00")
    drinks.save()
    publish("Dearer drinks")
    return first


def without_append_only_trigger(sql, params=()):
    """Change the journal behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off for the session.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER audit_event_append_only")
            cursor.execute(sql, params)


def test_every_change_appends_a_chained_entry(frontline, manager, central, customer):
    story(frontline, manager, central, customer)
    kinds = list(AuditEvent.objects.filter(chain=location_chain(central.pk)).values_list("kind", flat=True))
    assert kinds == ["grant.issued", "grant.voided", "escalation.requested", "grant.issued", "escalation.approved"]
    # One entry for each version: the migrations that published the shipped texts appended theirs; the
    # baseline migration journalled version 1, published before the journal existed; the story's publish.
    policy_kinds = list(AuditEvent.objects.filter(chain="policy").values_list("kind", flat=True))
    assert policy_kinds == ["policy.published"] * PolicyVersion.objects.count() and len(policy_kinds) >= 3
    entries = list(AuditEvent.objects.filter(chain=location_chain(central.pk)).order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS and all(b.prev_hash == a.hash for a, b in pairwise(entries))
    verify()


def test_a_grant_changed_behind_the_applications_back_is_found(frontline, manager, central, customer):
    story(frontline, manager, central, customer)
    grant = grant_for(frontline, central, customer, amount="7")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE recovery_grant SET amount = 12 WHERE id = %s", [grant.pk])
    with pytest.raises(CommandError, match=rf"recovery.Grant #{grant.pk}: amount: journal 7.00 vs record 12"):
        verify()


def test_a_journal_entry_changed_by_sql_is_found(frontline, manager, central, customer):
    story(frontline, manager, central, customer)
    target = AuditEvent.objects.get(chain=location_chain(central.pk), sequence=2)
    without_append_only_trigger(
        "UPDATE compensation_auditevent SET payload = %s WHERE id = %s", ['{"reason": "nothing to see"}', target.pk]
    )
    with pytest.raises(CommandError, match=r"location-\d+, entry #2: its content was changed \(grant.voided"):
        verify()


def test_a_removed_entry_is_found(frontline, manager, central, customer):
    story(frontline, manager, central, customer)
    target = AuditEvent.objects.get(chain=location_chain(central.pk), sequence=3)
    without_append_only_trigger("DELETE FROM compensation_auditevent WHERE id = %s", [target.pk])
    with pytest.raises(CommandError, match=r"entry #4: entry #3 is missing"):
        verify()


def test_the_database_refuses_to_edit_entries(frontline, manager, central, customer):
    story(frontline, manager, central, customer)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(chain="policy").update(kind="policy.nothing")


def test_exported_heads_catch_a_rewritten_chain_end(frontline, manager, central, customer, tmp_path):
    story(frontline, manager, central, customer)
    heads = tmp_path / "heads.json"
    verify("--export-heads", str(heads))
    verify("--heads", str(heads))
    last = AuditEvent.objects.get(chain="policy", sequence=chain_heads()["policy"][0])
    # Dropping the newest entry leaves a chain that verifies on its own; the exported head does not,
    # and the version it recorded now has no entry.
    without_append_only_trigger("DELETE FROM compensation_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match=rf"compensation.PolicyVersion #{last.subject_id}: no policy.published"):
        verify()
    with pytest.raises(CommandError, match=rf"Audit chain policy: entry #{last.sequence} no longer matches"):
        verify("--heads", str(heads))


def test_grants_and_entries_have_no_page_to_edit_them(ops_client):
    from django.contrib import admin

    from recovery.models import Grant

    assert Grant not in admin.site._registry and AuditEvent not in admin.site._registry
