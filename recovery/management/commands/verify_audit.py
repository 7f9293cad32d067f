"""Check the audit journal: every chain's hashes, and every grant against its entries.

Exits non-zero and names the first entry (or grant) that does not match, so a
scheduled run or a restore check can alert. `--export-heads FILE` writes each
chain's latest (sequence, hash) to keep outside the database; `--heads FILE`
checks that those entries are still there, unchanged (a rewritten chain would
otherwise verify).
"""

import json
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compensation.journal import chain_heads, verify_chain
from compensation.models import AuditEvent
from compensation.witness import WitnessError, heads_check, witness_write
from recovery.models import JOURNAL_FACTS, Grant, journal_fact

CHUNK = 2000
# A redemption's columns and the "voucher.redeemed" entry's payload keys that must hold the same values.
REDEMPTION_FACTS = {
    "redemption__id": "redemption_id",
    "redemption__redeemed_by_id": "redeemed_by_id",
    "redemption__location_id": "location_id",
}


def _chains():
    """(chain, its events in order) for every chain, streaming the table once in constant memory."""
    events = AuditEvent.objects.order_by("chain", "sequence").iterator(chunk_size=CHUNK)
    return groupby(events, key=attrgetter("chain"))


def grant_mismatch() -> str | None:
    """The first grant whose row differs from its journal entries (changed behind the application's back)."""
    last_id = 0
    while True:
        grants = list(
            Grant.objects.filter(id__gt=last_id)
            .order_by("id")
            .values("id", "status", *JOURNAL_FACTS, *REDEMPTION_FACTS)[:CHUNK]
        )
        if not grants:
            return None
        ids = [grant["id"] for grant in grants]
        entries = {}
        for subject_id, kind, payload in AuditEvent.objects.filter(
            subject_type="grant", subject_id__in=ids
        ).values_list("subject_id", "kind", "payload"):
            entries.setdefault(subject_id, {})[kind] = payload
        for grant in grants:
            recorded = entries.get(grant["id"], {})
            issued = recorded.get("grant.issued")
            if issued is None:
                return f"Grant #{grant['id']} has no journal entry."
            for fact in JOURNAL_FACTS:
                now = journal_fact(grant[fact])
                if issued.get(fact) != now:
                    return f"Grant #{grant['id']}: {fact} is {now} but the journal recorded {issued.get(fact)}."
            if (grant["status"] == Grant.Status.VOIDED) != ("grant.voided" in recorded):
                return f"Grant #{grant['id']}: its status {grant['status']} does not match the journal."
            redeemed = recorded.get("voucher.redeemed")
            if (grant["redemption__id"] is None) != (redeemed is None):
                return f"Grant #{grant['id']}: its voucher redemption does not match the journal."
            if redeemed is not None and tuple(redeemed.get(fact) for fact in REDEMPTION_FACTS.values()) != tuple(
                grant[column] for column in REDEMPTION_FACTS
            ):
                return f"Grant #{grant['id']}: its voucher redemption differs from the journal's."
        last_id = ids[-1]


class _Counted:
    """Iterate and count (the chains are streamed, not held in memory)."""

    def __init__(self, items):
        self.items, self.count = items, 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item


class Command(BaseCommand):
    help = "Verify the tamper-evident audit journal and the grants it records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--heads",
            type=Path,
            help="Heads that must still match: a witness directory (its newest signed file), a signed heads file, "
            "or a file from --export-heads.",
        )
        parser.add_argument(
            "--witness", type=Path, help="After verifying, sign the chains' heads into this directory (a new file)."
        )
        parser.add_argument("--export-heads", type=Path, help="Write each chain's latest sequence and hash here.")

    def handle(self, *args, heads=None, export_heads=None, witness=None, **options):
        checked = 0
        for _chain, events in _chains():
            counted = _Counted(events)
            problem = verify_chain(counted)
            if problem:
                raise CommandError(f"Audit chain {problem.chain}, entry #{problem.sequence}: {problem.message}.")
            checked += counted.count
        if heads is not None:
            try:
                checked_heads = heads_check(heads)
            except WitnessError as error:
                raise CommandError(str(error)) from None
            kind = "Witnessed (signed) heads" if checked_heads.signed else "Exported heads"
            self.stdout.write(f"{kind} still match ({checked_heads.chains} chains, {checked_heads.source}).")
        mismatch = grant_mismatch()
        if mismatch:
            raise CommandError(mismatch)
        if export_heads is not None:
            export_heads.write_text(json.dumps(chain_heads(), indent=2))
        if witness is not None:
            try:
                self.stdout.write(f"Heads witnessed: {witness_write(witness)}")
            except WitnessError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Audit journal verified: {checked} entries, every grant matches."))
