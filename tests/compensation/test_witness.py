"""Witnessed heads: signed outside the database, they catch a cut tail, a rehashed rewrite and an un-void."""

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from compensation.journal import canonical_content, entry_hash, location_chain
from compensation.models import AuditEvent
from compensation.witness import FORMAT, WitnessError, heads_check, key_id, latest_heads_file, witness_write
from tests.recovery.test_audit_journal import story, verify

pytestmark = pytest.mark.django_db


def key_file(directory, name):
    key = Ed25519PrivateKey.generate()
    private = directory / f"{name}.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public = directory / f"{name}.pub.pem"
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return str(private), str(public), key_id(key.public_key())


@pytest.fixture
def keys(tmp_path):
    directory = tmp_path / "keys"
    directory.mkdir()
    return {name: key_file(directory, name) for name in ("a", "b")}


@pytest.fixture
def witnessed(keys, tmp_path, frontline, manager, central, customer):
    """The story's journal, verified and its heads witnessed with key A."""
    story(frontline, manager, central, customer)
    witness = tmp_path / "witness"
    with override_settings(AUDIT_WITNESS_KEYS=[keys["a"][0]]):
        verify("--witness", str(witness))
        yield witness


def without_append_only_trigger(sql, params=()):
    """Change the journal behind the application's back, as the database's owner could (any number of times)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only")
            cursor.execute(sql, params)


def rehash(chain):
    """Recompute every hash of `chain` after a change, as an attacker with the database would."""
    prev = "0" * 64
    for event in AuditEvent.objects.filter(chain=chain).order_by("sequence"):
        new = entry_hash(prev_hash=prev, content=canonical_content(event))
        without_append_only_trigger(
            "UPDATE compensation_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, event.pk]
        )
        prev = new


def test_the_witness_file_is_signed_and_checks(witnessed, keys, central):
    path = latest_heads_file(witnessed)
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT and document["key_id"] == keys["a"][2]
    assert document["heads"][location_chain(central.pk)][0] == 5
    verify("--heads", str(witnessed))
    checked = heads_check(witnessed)
    assert checked.signed and checked.source == path


def test_a_cut_tail_is_caught(witnessed, central):
    chain = location_chain(central.pk)
    newest = AuditEvent.objects.filter(chain=chain).latest("sequence")
    without_append_only_trigger("DELETE FROM compensation_auditevent WHERE id = %s", [newest.pk])
    with pytest.raises(
        CommandError,
        match=rf"Audit chain {chain}: entry #5 \(escalation.approved, escalation #\d+\) witnessed at .* is gone",
    ):
        verify("--heads", str(witnessed))


def test_a_removed_void_with_the_chain_rehashed_is_caught(witnessed, central):
    chain = location_chain(central.pk)
    void = AuditEvent.objects.get(chain=chain, kind="grant.voided")
    without_append_only_trigger("DELETE FROM compensation_auditevent WHERE id = %s", [void.pk])
    for event in AuditEvent.objects.filter(chain=chain, sequence__gt=void.sequence).order_by("sequence"):
        without_append_only_trigger(
            "UPDATE compensation_auditevent SET sequence = %s WHERE id = %s", [event.sequence - 1, event.pk]
        )
    rehash(chain)
    # Named: the void itself (the witness listed every entry), not only the head the renumbering cut.
    with pytest.raises(
        WitnessError,
        match=rf"Audit chain {chain}: entry #{void.sequence} \(grant.voided, grant #{void.subject_id}\) witnessed "
        rf"at .* is gone: #{void.sequence} now holds escalation.requested, escalation #\d+",
    ):
        heads_check(witnessed)


def test_a_rewritten_and_rehashed_entry_is_caught(witnessed):
    first = AuditEvent.objects.get(chain="policy", sequence=1)
    without_append_only_trigger(
        "UPDATE compensation_auditevent SET actor_username = 'someone-else' WHERE id = %s", [first.pk]
    )
    rehash("policy")
    with pytest.raises(
        CommandError,
        match=rf"Audit chain policy: entry #1 \(policy.published, policy_version #{first.subject_id}\) witnessed at "
        r".* was changed: its hash was [0-9a-f]{12}… and is now [0-9a-f]{12}…",
    ):
        verify("--heads", str(witnessed))


def test_a_changed_heads_file_fails_its_signature(witnessed, central):
    path = latest_heads_file(witnessed)
    document = json.loads(path.read_text())
    document["heads"][location_chain(central.pk)][0] = 4
    forged = witnessed / "heads-99990101T000000000000Z.json"
    forged.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="the signature does not verify"):
        verify("--heads", str(witnessed))


def test_rotation_keeps_old_files_readable_until_their_key_is_dropped(witnessed, keys):
    with override_settings(AUDIT_WITNESS_KEYS=[keys["b"][0]], AUDIT_WITNESS_PUBLIC_KEYS=[keys["a"][1]]):
        verify("--heads", str(witnessed))  # signed with A, A kept as a retired public key
        path = witness_write(witnessed)
        assert json.loads(path.read_text())["key_id"] == keys["b"][2]
        assert latest_heads_file(witnessed) == path
    with override_settings(AUDIT_WITNESS_KEYS=[keys["b"][0]], AUDIT_WITNESS_PUBLIC_KEYS=[]):
        old = sorted(witnessed.glob("heads-*.json"))[0]
        with pytest.raises(WitnessError, match=f"signed with key {keys['a'][2]}, which is not among"):
            heads_check(old)


def test_witnessing_without_a_key_says_what_to_set(tmp_path, central):
    with override_settings(AUDIT_WITNESS_KEYS=[]), pytest.raises(CommandError, match="set AUDIT_WITNESS_KEYS"):
        verify("--witness", str(tmp_path / "w"))
    with pytest.raises(CommandError, match="no witnessed heads"):
        (tmp_path / "empty").mkdir()
        verify("--heads", str(tmp_path / "empty"))
