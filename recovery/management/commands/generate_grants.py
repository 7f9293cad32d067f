"""Generate synthetic grants at scale (benchmarks, load tests): see bench/synthetic/.

    python manage.py generate_grants --count 1000000
    python manage.py generate_grants --count 1000000 --locations 8 --employees 64 --customers 100000 --weeks 104

Creates the locations gen-01…, their staff (gen-frontline-001…, gen-manager-01…, gen-ops; password
recover-2026) and customers if missing, then the cases in batches, each batch one transaction. A second
run refuses (the data is there) unless --append: then it adds as many again, reusing the same people.

The generator is benchmark tooling and lives in `bench/synthetic/`, outside the running app; the command
stays here so `manage.py` finds it under the normal settings. Django imports a command only when it runs,
so nothing in the app loads `bench` otherwise.
"""

from django.core.management.base import BaseCommand, CommandError

from bench.synthetic import GeneratedDataExists, Options, generate_grants


class Command(BaseCommand):
    help = "Generate synthetic grants with their failures, history rows and journal entries, fast."

    def add_arguments(self, parser):
        defaults = Options(count=0)
        parser.add_argument("--count", type=int, required=True, help="Cases to generate (about as many grants).")
        parser.add_argument("--locations", type=int, default=defaults.locations)
        parser.add_argument("--employees", type=int, default=defaults.employees, help="Frontline staff in all.")
        parser.add_argument("--customers", type=int, default=defaults.customers)
        parser.add_argument("--weeks", type=int, default=defaults.weeks, help="How far back the grants go.")
        parser.add_argument("--seed", type=int, default=defaults.seed, help="Random seed (repeatable data).")
        parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="Cases per transaction.")
        parser.add_argument("--append", action="store_true", help="Add to generated data already there.")

    def handle(self, *args, count, locations, employees, customers, weeks, seed, batch_size, append, **options):
        for name, value in (("count", count), ("locations", locations), ("customers", customers), ("weeks", weeks)):
            if value < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if employees < locations:
            raise CommandError("--employees must be at least --locations (every location needs staff).")
        if not 100 <= batch_size <= 50_000:
            raise CommandError("--batch-size must be between 100 and 50,000.")
        try:
            totals = generate_grants(
                Options(
                    count=count,
                    locations=locations,
                    employees=employees,
                    customers=customers,
                    weeks=weeks,
                    seed=seed,
                    batch_size=batch_size,
                    append=append,
                ),
                log=self.stdout.write,
            )
        except GeneratedDataExists as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {totals['grants']:,} grants, {totals['failures']:,} failures, "
                f"{totals['escalations']:,} escalations and {totals['events']:,} journal entries "
                f"in {totals['seconds']:,.1f} s ({totals['grants'] / totals['seconds']:,.0f} grants/s)."
            )
        )
