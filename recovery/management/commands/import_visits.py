"""Import visits from an ops CSV: `python manage.py import_visits FILE [--dry-run] [--actor USERNAME]`.

Streams the file (bounded memory whatever its length), prints a progress bar
to stderr and every refused line with its field and reason to stdout, then
the totals. A dry run checks and matches every line and stores nothing.
Running the same file again stores nothing twice (lines are keyed by their
external id per location).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recovery.forms import csv_lines, csv_problem
from recovery.models import Visit
from recovery.services import LineStatus, visits_record

PROGRESS_EVERY = 5000
BAR_WIDTH = 30


def line_count(raw) -> int:
    """Data lines in the file, for the progress bar (a binary pass in blocks; the header is not one)."""
    raw.seek(0)
    count = sum(block.count(b"\n") for block in iter(lambda: raw.read(64 * 1024), b""))
    raw.seek(0)
    return max(count - 1, 1)


class Command(BaseCommand):
    help = "Import customers' visits from a CSV (visited_on, amount, location, external_id, phone/email/card)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Check and match every line; store nothing.")
        parser.add_argument("--actor", default="", help="The ops username to record as the importer.")

    def handle(self, *args, file, dry_run, actor, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"--actor: no active user “{actor}”.")
        try:
            raw = open(file, "rb")  # noqa: SIM115 (closed below; the stream outlives a with-block's indent)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}.") from None
        try:
            problem = csv_problem(raw)
            if problem:
                raise CommandError(f"{file}: {problem}")
            self._import(raw, user, dry_run, total=line_count(raw))
        finally:
            raw.close()

    def _import(self, raw, user, dry_run, *, total):
        counts = {LineStatus.STORED: 0, LineStatus.WOULD_STORE: 0, LineStatus.DUPLICATE: 0, LineStatus.REFUSED: 0}
        done = 0
        for outcome in visits_record(actor=user, source=Visit.Source.CSV, lines=csv_lines(raw), dry_run=dry_run):
            counts[outcome.status] += 1
            done += 1
            if outcome.status == LineStatus.REFUSED:
                reasons = "; ".join(f"{field}: {' '.join(why)}" for field, why in outcome.errors.items())
                self.stdout.write(f"line {outcome.number}: {reasons}")
            if done % PROGRESS_EVERY == 0:
                self._progress(done, total)
        self._progress(done, max(total, done))
        self.stderr.write("")
        stored = counts[LineStatus.WOULD_STORE] if dry_run else counts[LineStatus.STORED]
        verb = "would be stored (dry run: nothing was)" if dry_run else "stored"
        self.stdout.write(
            f"{done} lines: {stored} {verb}, {counts[LineStatus.DUPLICATE]} already stored, "
            f"{counts[LineStatus.REFUSED]} refused."
        )

    def _progress(self, done, total):
        filled = min(BAR_WIDTH, BAR_WIDTH * done // total)
        self.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} lines", ending="")
