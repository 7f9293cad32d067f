"""Recompute the daily rollups (`LocationDayTotal`) from the grant table.

    python manage.py rebuild_rollups                     # every location
    python manage.py rebuild_rollups --location 3 --chunk-days 14

For existing data, after a restore, or after a location's time zone (or the site's TIME_ZONE) was
changed (its days move). Idempotent: a second run writes the same rows. Each
location is rebuilt a few weeks at a time, each chunk one short transaction
under the location's lock, so the counters keep granting while it runs.
"""

from django.core.management.base import BaseCommand, CommandError

from recovery.models import Location
from recovery.services.totals import REBUILD_CHUNK_DAYS, day_totals_rebuild


class Command(BaseCommand):
    help = "Recompute the daily rollups the insight pages read, from the grants (idempotent, chunked)."

    def add_arguments(self, parser):
        parser.add_argument("--location", type=int, action="append", help="A location id (repeatable); default all.")
        parser.add_argument("--chunk-days", type=int, default=REBUILD_CHUNK_DAYS, help="Days per transaction.")

    def handle(self, *args, location, chunk_days, **options):
        if not 1 <= chunk_days <= 366:
            raise CommandError("--chunk-days must be between 1 and 366.")
        if location:
            missing = set(location) - set(Location.objects.filter(pk__in=location).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No location with id {', '.join(map(str, sorted(missing)))}.")
        written = day_totals_rebuild(location_ids=location, chunk_days=chunk_days, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Daily rollups rebuilt: {written:,} rows."))
