"""Issue 16's tampering cases, each done on PostgreSQL as the tables' owner after the heads were witnessed.

The owner (the role `migrate` ran as) can do what the app role cannot:
`ALTER TABLE … DISABLE TRIGGER`, `TRUNCATE`, raw UPDATE and DELETE anywhere.
Each case tampers with raw SQL, then `verify_audit --heads DIR` must exit
non-zero naming the journal entry (chain, sequence, kind) and the record
(model and id) and what differs. `scripts/tamper-report.sh` runs the same
cases on the seeded demo and prints what verify_audit says (docs/TAMPER.md).
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from compensation.journal import canonical_content, entry_hash
from compensation.models import AuditEvent, PolicyVersion
from compensation.predicates import roles_of
from recovery.models import Grant
from recovery.services import escalation_decide
from tests.compensation.test_witness import keys  # noqa: F401 (a fixture)
from tests.recovery.test_verify_audit_coverage import desk  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the owner's tampering is PostgreSQL's (ALTER TABLE … DISABLE TRIGGER, TRUNCATE, jsonb_set); "
        "SQLite has no roles to separate",
    ),
]

JOURNAL = "compensation_auditevent"
TRIGGER = "audit_event_append_only"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def unguarded(*statements):
    """Run statements on the journal with its trigger switched off, as its owner may; switched on again after."""
    immediate()
    sql(f"ALTER TABLE {JOURNAL} DISABLE TRIGGER {TRIGGER}")
    for statement, params in statements:
        sql(statement, params)
    sql(f"ALTER TABLE {JOURNAL} ENABLE TRIGGER {TRIGGER}")


def immediate():
    """Check the deferred foreign keys now: the test's open transaction would refuse ALTER TABLE and TRUNCATE
    with checks pending (the owner at a psql prompt, each statement its own transaction, never meets this)."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")


def rehash(chain):
    """Recompute every hash of `chain`, so `verify_chain` accepts the rewritten journal."""
    prev, updates = "0" * 64, []
    for event in AuditEvent.objects.filter(chain=chain).order_by("sequence"):
        new = entry_hash(prev_hash=prev, content=canonical_content(event))
        updates.append((f"UPDATE {JOURNAL} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, event.pk]))
        prev = new
    unguarded(*updates)


def entry_of(kind, subject_id) -> AuditEvent:
    return AuditEvent.objects.get(kind=kind, subject_id=subject_id)


def named(entry: AuditEvent) -> str:
    """The entry as a mismatch line names it (a regex)."""
    return rf"journal {entry.chain} #{entry.sequence} \(id {entry.pk}, {entry.kind}\)"


def witnessed_as(entry: AuditEvent) -> str:
    """The entry as a witness problem names it (a regex): its chain, sequence, kind and subject."""
    return (
        rf"Audit chain {entry.chain}: entry #{entry.sequence} \({entry.kind}, {entry.subject_type} "
        rf"#{entry.subject_id}\) witnessed at "
    )


# Each case tampers with the desk (issue 16, "Why") and returns the patterns the failure must contain.


def delete_old_grant(story, **_):
    grant = story["first"]
    entry = entry_of("grant.issued", grant.pk)
    sql("DELETE FROM recovery_grant WHERE id = %s", [grant.pk])
    return [rf"{named(entry)} ↔ recovery.Grant #{grant.pk}: the record is missing \(deleted\?\)"]


def delete_newest_grant(story, **_):
    grant = story["newest"]
    entry = entry_of("grant.issued", grant.pk)
    sql("DELETE FROM recovery_grant WHERE id = %s", [grant.pk])
    return [rf"{named(entry)} ↔ recovery.Grant #{grant.pk}: the record is missing"]


def rewrite_published_policy(story, **_):
    sql(
        "UPDATE compensation_policyversion SET document = jsonb_set(document, '{role_authorities,frontline}', "
        "'\"99999.00\"') WHERE number = (SELECT max(number) FROM compensation_policyversion)"
    )
    latest = PolicyVersion.objects.order_by("-number").first()
    entry = entry_of("policy.published", latest.pk)
    return [
        (
            rf"{named(entry)} ↔ compensation.PolicyVersion #{latest.pk}: document: journal "
            rf"{entry.payload['document_sha256']} vs record [0-9a-f]{{64}}"
        )
    ]


def escalation_amount_raised_then_approved(story, manager, **_):
    pending = story["pending"]
    sql("UPDATE recovery_escalation SET requested_amount = 900 WHERE id = %s", [pending.pk])
    decided = escalation_decide(actor=manager, roles=roles_of(manager), escalation_id=pending.pk, approve=True, note="")
    assert decided.grant.amount == 900  # the tampering paid out
    entry = entry_of("escalation.requested", pending.pk)
    return [rf"{named(entry)} ↔ recovery.Escalation #{pending.pk}: requested_amount: journal 50.00 vs record 900.00"]


def granted_at_moved_back(story, **_):
    grant = story["first"]
    sql(
        "UPDATE recovery_grant SET granted_at = granted_at - interval '40 days', "
        "failure_logged_at = failure_logged_at - interval '40 days' WHERE id = %s",
        [grant.pk],
    )
    entry = entry_of("grant.issued", grant.pk)
    moved = str(grant.granted_at - timedelta(days=40))[:19]
    return [rf"{named(entry)} ↔ recovery.Grant #{grant.pk}: granted_at: journal .+ vs record {moved}"]


def purchase_value_changed(story, **_):
    grant = story["first"]
    sql("UPDATE recovery_grant SET purchase_value = 800 WHERE id = %s", [grant.pk])
    entry = entry_of("grant.issued", grant.pk)
    return [rf"{named(entry)} ↔ recovery.Grant #{grant.pk}: purchase_value: journal \S+ vs record 800.00"]


def cap_steps_changed(story, **_):
    grant = story["first"]
    sql("UPDATE recovery_grant SET cap_steps = '[\"Anything goes\"]' WHERE id = %s", [grant.pk])
    entry = entry_of("grant.issued", grant.pk)
    return [rf"{named(entry)} ↔ recovery.Grant #{grant.pk}: cap_steps: journal .* vs record \['Anything goes'\]"]


def failure_note_changed(story, **_):
    grant = story["first"]
    sql("UPDATE recovery_servicefailure SET note = 'Nothing happened' WHERE id = %s", [grant.failure_id])
    entry = entry_of("grant.issued", grant.pk)
    return [
        (
            rf"{named(entry)} ↔ recovery.Grant #{grant.pk}: failure.note: journal Waited 40 minutes vs record "
            "Nothing happened"
        )
    ]


def trigger_disabled_update_rehash(story, **_):
    """The amount raised (5.00 → its cap, 15.00) in the grant, its history and its journal entry alike, the chain
    rehashed: only the witness can tell, and it names the entry and the grant."""
    grant = story["first"]
    entry = entry_of("grant.issued", grant.pk)
    sql("UPDATE recovery_grant SET amount = 15 WHERE id = %s", [grant.pk])
    sql("UPDATE recovery_historicalgrant SET amount = 15 WHERE id = %s", [grant.pk])
    payload = {**entry.payload, "amount": "15.00"}
    unguarded((f"UPDATE {JOURNAL} SET payload = %s WHERE id = %s", [json.dumps(payload), entry.pk]))
    rehash(entry.chain)
    return [rf"{witnessed_as(entry)}.* was changed: its hash was [0-9a-f]{{12}}… and is now [0-9a-f]{{12}}…"]


def truncated_and_tail_cut(story, **_):
    """TRUNCATE, re-insert all but the newest entry, and delete the grant it recorded (and its history)."""
    grant = story["newest"]
    entry = entry_of("grant.issued", grant.pk)
    assert entry.sequence == AuditEvent.objects.filter(chain=entry.chain).count()  # the tail
    sql(f"CREATE TEMPORARY TABLE journal_copy AS SELECT * FROM {JOURNAL}")
    immediate()
    sql(f"TRUNCATE {JOURNAL}")
    sql(f"INSERT INTO {JOURNAL} SELECT * FROM journal_copy WHERE id <> %s", [entry.pk])
    sql("DROP TABLE journal_copy")
    sql("DELETE FROM recovery_historicalgrant WHERE id = %s", [grant.pk])
    sql("DELETE FROM recovery_grant WHERE id = %s", [grant.pk])
    rehash(entry.chain)
    return [rf"{witnessed_as(entry)}.* is gone \(the chain was cut"]


def void_removed(story, **_):
    """Un-void: the void's entry deleted, the entries after it renumbered, the chain rehashed, the grant reset."""
    grant = story["voided"]
    entry = entry_of("grant.voided", grant.pk)
    later = AuditEvent.objects.filter(chain=entry.chain, sequence__gt=entry.sequence).order_by("sequence")
    unguarded(
        (f"DELETE FROM {JOURNAL} WHERE id = %s", [entry.pk]),
        *((f"UPDATE {JOURNAL} SET sequence = %s WHERE id = %s", [e.sequence - 1, e.pk]) for e in later),
    )
    rehash(entry.chain)
    sql(
        "UPDATE recovery_grant SET status = 'active', voided_at = NULL, voided_by_id = NULL, void_reason = '' "
        "WHERE id = %s",
        [grant.pk],
    )
    sql("DELETE FROM recovery_historicalgrant WHERE id = %s AND status = 'voided'", [grant.pk])
    return [rf"{witnessed_as(entry)}.* is gone: #{entry.sequence} now holds "]


def history_row_edited(story, **_):
    grant = story["first"]
    entry = entry_of("grant.issued", grant.pk)
    row = Grant.history.model.objects.get(id=grant.pk, history_type="+")
    sql("UPDATE recovery_historicalgrant SET amount = 50 WHERE history_id = %s", [row.history_id])
    return [
        (
            rf"{named(entry)} ↔ recovery.HistoricalGrant #{row.history_id} \(the history of grant #{grant.pk}\): "
            r"amount: journal 5.00 vs record 50.00"
        )
    ]


def history_rows_deleted(story, **_):
    grant = story["voided"]
    issued, voided = entry_of("grant.issued", grant.pk), entry_of("grant.voided", grant.pk)
    sql("DELETE FROM recovery_historicalgrant WHERE id = %s", [grant.pk])
    return [
        rf"{named(issued)} ↔ recovery.HistoricalGrant \(the history of grant #{grant.pk}\): the record is missing",
        rf"{named(voided)} ↔ recovery.HistoricalGrant \(the history of grant #{grant.pk}\): the record is missing",
    ]


def anomaly_outcome_changed(story, **_):
    flag = story["flag"]
    sql("UPDATE recovery_anomalyflag SET outcome = 'fine' WHERE id = %s", [flag.pk])
    entry = entry_of("anomaly.reviewed", flag.pk)
    return [rf"{named(entry)} ↔ recovery.AnomalyFlag #{flag.pk}: outcome: journal talked vs record fine"]


def customer_since_changed(story, customer, **_):
    sql("UPDATE recovery_customer SET customer_since = '1999-01-01' WHERE id = %s", [customer.pk])
    entry = AuditEvent.objects.filter(kind="customer.tenure_set", subject_id=customer.pk).latest("id")
    return [
        rf"{named(entry)} ↔ recovery.Customer #{customer.pk}: customer_since: journal 2020-01-01 vs record 1999-01-01"
    ]


CASES = [
    delete_old_grant,
    delete_newest_grant,
    rewrite_published_policy,
    escalation_amount_raised_then_approved,
    granted_at_moved_back,
    purchase_value_changed,
    cap_steps_changed,
    failure_note_changed,
    trigger_disabled_update_rehash,
    truncated_and_tail_cut,
    void_removed,
    history_row_edited,
    history_rows_deleted,
    anomaly_outcome_changed,
    customer_since_changed,
]


@pytest.fixture
def witness(desk, keys, tmp_path):  # noqa: F811
    """The desk verified and its heads (and every entry) witnessed, signed with key A; as the tables' owner."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner = current_user FROM pg_tables WHERE tablename = %s", [JOURNAL])
        assert cursor.fetchone() == (True,), "the tampering must run as the journal's owner"
    directory = tmp_path / "witness"
    with override_settings(AUDIT_WITNESS_KEYS=[keys["a"][0]]):
        verify("--witness", str(directory))
        yield directory


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def report(case, message):
    """With TAMPER_REPORT set (scripts/tamper-report.sh), append what verify_audit printed to that file."""
    path = os.environ.get("TAMPER_REPORT")
    if path:
        doc = (case.__doc__ or "").strip().replace("\n    ", " ")
        with open(path, "a") as file:
            file.write(
                f"### {case.__name__}\n\n{doc + chr(10) * 2 if doc else ''}```\n$ manage.py verify_audit --heads "
                f"WITNESS_DIR\nCommandError: {message}\nexit code: 1\n```\n\n"
            )


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_each_tamper_case_fails_verify_audit_naming_the_entry_and_the_record(case, desk, witness, manager, customer):  # noqa: F811
    verify("--heads", str(witness))  # clean before the tampering
    patterns = case(desk, manager=manager, customer=customer)
    with pytest.raises(CommandError) as failure:
        verify("--heads", str(witness))
    message = str(failure.value)
    report(case, message)
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in:\n{message}"


def test_a_tampered_journal_is_never_witnessed_over(desk, witness):  # noqa: F811
    """The cron run (`--witness DIR`) checks the newest file first: it refuses to sign the rewritten journal."""
    void_removed(desk)
    with pytest.raises(CommandError, match=r"entry #\d+ \(grant.voided, grant #\d+\) witnessed at .* is gone"):
        verify("--witness", str(witness))
    assert len(list(witness.glob("heads-*.json"))) == 1


def test_an_older_witness_file_still_catches_what_a_later_one_signed(desk, witness):  # noqa: F811
    """Even if a rewritten journal got witnessed (a run without the check), `--heads DIR` reads every file."""
    from compensation.witness import witness_write

    entry = entry_of("grant.voided", desk["voided"].pk)
    void_removed(desk)
    witness_write(witness)  # signs the rewritten journal, bypassing the command's check
    with pytest.raises(CommandError, match=witnessed_as(entry)):
        verify("--heads", str(witness))
