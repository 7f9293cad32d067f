"""Check the audit journal: every chain's hashes, and every money or trust record against its entries, both ways.

Grants, voids, redemptions, escalations (request and decision), policy
versions (their document's SHA-256), anomaly reviews and customer tenure are
compared field by field (`recovery.audit_verify`); an entry whose record is
gone is found too. Exits non-zero and names each entry and record that do not match, so a
scheduled run or a restore check can alert. `--export-heads FILE` writes each
chain's latest (sequence, hash) to keep outside the database; `--heads FILE`
checks that those entries are still there, unchanged (a rewritten chain would
otherwise verify). `--witness DIR` signs the heads, and the entries since the
directory's last file, into a new file there (compensation.witness), after
checking the newest file still matches; `--heads DIR` checks every file.
"""

import json
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compensation.journal import chain_heads, verify_chain
from compensation.models import AuditEvent
from compensation.witness import FILE_GLOB, WitnessError, heads_check, witness_write
from recovery.audit_verify import records_verify

CHUNK = 2000


def _chains():
    """(chain, its events in order) for every chain, streaming the table once in constant memory."""
    events = AuditEvent.objects.order_by("chain", "sequence").iterator(chunk_size=CHUNK)
    return groupby(events, key=attrgetter("chain"))


def records_mismatch(stdout) -> str | None:
    """Compare every money or trust record with the journal, both ways (`recovery.audit_verify`);
    print the figures and each mismatch, and return the summary that fails the run (None if all match)."""
    report = records_verify()
    for line in report.figures():
        stdout.write(line)
    if report.ok:
        return None
    shown = [str(mismatch) for mismatch in report.mismatches]
    more = report.mismatch_count - len(shown)
    return (
        f"{report.mismatch_count} record(s) disagree with the audit journal:\n"
        + "\n".join(shown)
        + (f"\n… and {more} more." if more else "")
    )


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
        failures = []
        for where, every_file in ((heads, True), (witness, False)):
            # Witnessing checks the directory's newest file first: a rewrite is never signed over.
            if where is None or (not every_file and (where == heads or not any(where.glob(FILE_GLOB)))):
                continue
            try:
                checked_heads = heads_check(where, every_file=every_file)
            except WitnessError as error:
                failures.append(str(error))
                continue
            kind = "Witnessed (signed) heads" if checked_heads.signed else "Exported heads"
            self.stdout.write(
                f"{kind} still match ({checked_heads.chains} chains, {checked_heads.files} file(s), "
                f"{checked_heads.entries} witnessed entries, newest {checked_heads.source})."
            )
        # The records are compared even when the heads failed: the run names every entry and record it can.
        mismatch = records_mismatch(self.stdout)
        if mismatch:
            failures.append(mismatch)
        if failures:
            raise CommandError("\n".join(failures))
        if export_heads is not None:
            export_heads.write_text(json.dumps(chain_heads(), indent=2))
        if witness is not None:
            try:
                self.stdout.write(f"Heads witnessed: {witness_write(witness)}")
            except WitnessError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Audit journal verified: {checked} entries, every record matches its entry.")
        )
