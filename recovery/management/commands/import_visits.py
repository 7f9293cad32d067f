"""Import visits from an ops CSV: `python manage.py import_visits FILE [--dry-run] [--actor USERNAME]`.

Streams the file (bounded memory whatever its length), prints a progress bar
to stderr and every refused line with its field and reason to stdout, then
the totals. The service stores the lines in chunks (one lookup of customers, one of
duplicates and one bulk insert per 500 lines), so 100,000 lines take about
25 seconds of CPU on SQLite. The bar is tqdm's (small, pure Python, no
dependencies, maintained): lines per second and the time left come with it,
which an ops person watching a long import wants, and it redraws at most
twice a second however fast the lines go. A dry run checks and matches every
line and stores nothing.
Running the same file again stores nothing twice (lines are keyed by their
external id per location).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from recovery.forms import csv_lines, csv_problem
from recovery.models import Visit
from recovery.services import LineStatus, visits_record

BAR_FORMAT = "{l_bar}{bar:30}| {n_fmt}/{total_fmt} lines [{elapsed}<{remaining}, {rate_fmt}]"


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
        outcomes = visits_record(actor=user, source=Visit.Source.CSV, lines=csv_lines(raw), dry_run=dry_run)
        # Log lines (one per stored chunk) go through tqdm, above the bar, not through its middle.
        with (
            logging_redirect_tqdm(),
            tqdm(
                total=total,
                # The stream under Django's wrapper: the wrapper would end each '\r' redraw with a newline,
                # and tqdm clears its bar for a log line only on the very stream the log writes to.
                file=self.stderr._out,
                bar_format=BAR_FORMAT,
                unit=" lines",
                ascii=True,
                mininterval=0.5,
            ) as bar,
        ):
            for outcome in outcomes:
                counts[outcome.status] += 1
                done += 1
                bar.update(1)
                if outcome.status == LineStatus.REFUSED:
                    reasons = "; ".join(f"{field}: {' '.join(why)}" for field, why in outcome.errors.items())
                    self.stdout.write(f"line {outcome.number}: {reasons}")
            bar.total = max(total, done)  # a line break inside a quoted cell counts twice in the estimate
        stored = counts[LineStatus.WOULD_STORE] if dry_run else counts[LineStatus.STORED]
        verb = "would be stored (dry run: nothing was)" if dry_run else "stored"
        self.stdout.write(
            f"{done} lines: {stored} {verb}, {counts[LineStatus.DUPLICATE]} already stored, "
            f"{counts[LineStatus.REFUSED]} refused."
        )
