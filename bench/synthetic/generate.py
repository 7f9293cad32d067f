"""A whole run: the cast, then the cases in batches, each batch one transaction holding the locations' locks."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bench.synthetic.cases import ESCALATION_SHARE, GrantFactory
from bench.synthetic.cast import cast_prepare
from bench.synthetic.options import PREFIX, GeneratedDataExists, Options
from bench.synthetic.writers import Batch, IdPool, Journal
from compensation.policy import load_policy
from recovery.models import Escalation, Grant, Location, ServiceFailure
from recovery.services.totals import day_totals_rebuild, month_totals_rebuild


def generated_grant_count() -> int:
    return Grant.objects.filter(location__code__startswith=PREFIX).count()


def generate_grants(options: Options, *, log=print) -> dict:
    """Generate `options.count` cases (about that many grants) at the generated locations. Returns counts."""
    already = generated_grant_count()
    if already and not options.append:
        raise GeneratedDataExists(f"{already:,} generated grants are already there: pass --append to add more.")
    policy = load_policy()
    if policy.version is None:
        raise ValueError("No policy version is in force: publish one first.")
    # Repeatable for a seed; an appending run draws other tokens and codes than the runs before it.
    rng = random.Random(f"{options.seed}:{already}")
    started = time.perf_counter()
    end = timezone.now() - timedelta(minutes=1)
    start = end - timedelta(weeks=options.weeks)
    cast = cast_prepare(options, rng, window_start=start, log=log)
    factory = GrantFactory(
        cast=cast, policy=policy, rng=rng, salt=rng.randrange(30**10), pending_after=end - timedelta(days=2)
    )
    step = (end - start) / options.count
    done = 0
    totals = {"grants": 0, "failures": 0, "escalations": 0, "events": 0}
    while done < options.count:
        size = min(options.batch_size, options.count - done)
        first_at = start + step * done
        until = start + step * (done + size)
        with transaction.atomic():
            # The location rows order their journal chains: hold them, as a grant does.
            list(Location.objects.select_for_update().filter(id__in=[loc.id for loc in cast.locations]).order_by("id"))
            ids = {
                "failure": IdPool(ServiceFailure, size),
                "grant": IdPool(Grant, size),
                "escalation": IdPool(Escalation, int(size * ESCALATION_SHARE * 2)),
            }
            batch, journal = Batch(), Journal(cast.locations)
            for index in range(size):
                at = first_at + step * (index + rng.random())
                factory.case(batch=batch, journal=journal, ids=ids, at=min(at, until), until=until)
            journal.write(batch.events)
            counts = {
                "grants": len(batch.grants.rows),
                "failures": len(batch.failures.rows),
                "escalations": len(batch.escalations.rows),
                "events": len(batch.events.rows),
            }
            batch.flush()
        for name, value in counts.items():
            totals[name] += value
        done += size
        elapsed = time.perf_counter() - started
        log(
            f"  {done:,} / {options.count:,} cases, {totals['grants']:,} grants, {elapsed:,.0f} s ({totals['grants'] / elapsed:,.0f} grants/s)"
        )
    # The running month totals the budget check reads, recomputed once from what was written (one grouped
    # query per location, under its lock), rather than kept row by row through the bulk writes.
    month_totals_rebuild(location_ids=[location.id for location in cast.locations])
    # The daily rollups the insight pages read, the same way (chunked, each chunk under the location's lock).
    day_totals_rebuild(location_ids=[location.id for location in cast.locations])
    totals["seconds"] = time.perf_counter() - started
    return totals
