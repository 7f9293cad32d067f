"""The tamper-evident audit journal: append entries, verify the chains.

simple-history keeps readable history for the review screens, but its rows are
ordinary, editable rows. The journal is the proof: each `AuditEvent` carries
SHA-256(previous hash ‖ canonical JSON of its content), as in ledger databases
and Certificate Transparency. `verify_chain` recomputes a chain and names the
first entry that does not match; the latest hash of each chain (`chain_heads`)
can be kept outside the database, so even a rewrite of a whole chain shows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone

from compensation.models import AuditEvent

GENESIS = "0" * 64
POLICY_CHAIN = "policy"


def location_chain(location_id: int) -> str:
    return f"location-{location_id}"


def _plain(value):
    """JSON-safe, round-trip-stable values: Decimals and datetimes as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(dt_timezone.utc).isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def entry_hash(*, prev_hash: str, content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def canonical_content(event: AuditEvent) -> dict:
    """What the hash covers: every field of the entry except the hashes themselves."""
    return {
        "chain": event.chain,
        "sequence": event.sequence,
        "kind": event.kind,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "location_id": event.location_id,
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "at": _plain(event.at),
        "payload": event.payload,
    }


# Compatibility: migration 0010 (frozen history, not edited) imports the old private name.
_content = canonical_content


def chain_head(chain: str) -> tuple[int, str]:
    """The (sequence, hash) the next entry of `chain` follows: its newest entry's, or (0, GENESIS) if empty."""
    head = AuditEvent.objects.filter(chain=chain).order_by("-sequence").values_list("sequence", "hash").first()
    return tuple(head) if head else (0, GENESIS)


def journal_entry(
    *,
    head: tuple[int, str],
    chain: str,
    kind: str,
    subject_type: str,
    subject_id: int,
    actor,
    payload: dict,
    at,
    location_id=None,
) -> AuditEvent:
    """The unsaved entry that follows `head` in `chain`, hashed: the one place an entry is chained.

    `journal_append` saves it at once; a bulk writer (the synthetic data
    generator) keeps each chain's head itself and writes many entries in one
    statement, chained by this same code, so `verify_chain` accepts both.
    """
    sequence, prev_hash = head
    event = AuditEvent(
        chain=chain,
        sequence=sequence + 1,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        location_id=location_id,
        actor=actor,
        actor_username=actor.get_username() if actor else "system",
        at=at,
        payload=_plain(payload),
        prev_hash=prev_hash,
    )
    event.hash = entry_hash(prev_hash=prev_hash, content=canonical_content(event))
    return event


def journal_append(
    *, chain: str, kind: str, subject_type: str, subject_id: int, actor, payload: dict, location_id=None, at=None
) -> AuditEvent:
    """Append one entry to `chain`. Call inside the transaction of the change it records,
    holding the lock that orders the chain (the location row, or the newest policy version)."""
    event = journal_entry(
        head=chain_head(chain),
        chain=chain,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        location_id=location_id,
        actor=actor,
        at=at or timezone.now(),
        payload=payload,
    )
    event.save()
    return event


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    sequence: int
    message: str


def verify_chain(events) -> ChainProblem | None:
    """The first entry of one chain (events in sequence order) that breaks it, or None if it holds."""
    expected_sequence, prev_hash = 1, GENESIS
    for event in events:
        if event.sequence != expected_sequence:
            return ChainProblem(
                event.chain, event.sequence, f"entry #{expected_sequence} is missing (found #{event.sequence} next)"
            )
        if event.prev_hash != prev_hash:
            return ChainProblem(
                event.chain, event.sequence, "does not follow the entry before it (previous hash differs)"
            )
        if event.hash != entry_hash(prev_hash=prev_hash, content=canonical_content(event)):
            return ChainProblem(
                event.chain,
                event.sequence,
                f"its content was changed ({event.kind} {event.subject_type} #{event.subject_id})",
            )
        expected_sequence, prev_hash = expected_sequence + 1, event.hash
    return None


def chain_heads() -> dict[str, tuple[int, str]]:
    """The latest (sequence, hash) of every chain: export it to detect a rewrite of a whole chain."""
    latest = AuditEvent.objects.values("chain").annotate(last=Max("sequence")).order_by()
    wanted = Q()
    for row in latest:
        wanted |= Q(chain=row["chain"], sequence=row["last"])
    if not latest:
        return {}
    return {
        chain: (sequence, hash_)
        for chain, sequence, hash_ in AuditEvent.objects.filter(wanted).values_list("chain", "sequence", "hash")
    }
