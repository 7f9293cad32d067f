"""Computing what recovery buys in the background: a job per reader scope and grouping, its rows kept for the page.

The figures read every grant and visit a reader may see, so they are never
computed by a page request: the page asks for them (`effect_figures_request`),
the worker computes them (`effect_figures_compute`, run by django-q2), and the
page shows the last rows with the time they were computed. One job per scope
and grouping at a time: a second ask within ten minutes queues nothing.

The monthly report's "What recovery bought" is the same job on a report cut
(`ReportCut`: one location, the report's currency, up to the month's end):
its figures read the location's whole grant history just the same, so the
report request never computes them either.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from recovery.models import EffectFigures
from recovery.selectors.effect import effect_rows_for
from recovery.selectors.effect_figures import ReportCut, figures_scope

logger = logging.getLogger(__name__)

COMPUTE_TASK = "recovery.tasks.effect_figures_compute"
# Older than this, the page still shows the figures but asks for fresh ones: 90-day return rates move slowly.
FRESH_FOR = timedelta(hours=1)
# The whole history of a chain's scope: more than the cluster's one-minute default for a webhook delivery.
COMPUTE_TIMEOUT_SECONDS = 1800
# A request not answered within this (a worker down, a job lost) may be made again.
ASK_AGAIN_AFTER = timedelta(minutes=10)


def effect_figures_compute(
    *, location_ids: list[int] | None, dimension: str, report: ReportCut | None = None
) -> EffectFigures:
    """Compute the rows for one scope (None: every location) and grouping, and keep them (replacing the last).

    With `report`, the rows are the monthly report's cut of that scope (its currency, up to its month's end)."""
    rows = effect_rows_for(
        user=None,
        dimension=dimension,
        location_ids=None if location_ids is None else frozenset(location_ids),
        **({} if report is None else report.filters()),
    )
    figures, _created = EffectFigures.objects.update_or_create(
        scope=figures_scope(location_ids, report),
        dimension=dimension,
        defaults={"rows": rows, "computed_at": timezone.now(), "requested_at": None},
    )
    logger.info("effect.compute scope=%s dimension=%s rows=%s", figures.scope, dimension, len(rows))
    return figures


def effect_figures_request(
    *, location_ids, dimension: str, force: bool = False, report: ReportCut | None = None
) -> bool:
    """Queue the computation for this scope and grouping, unless one was asked for in the last ten minutes
    (the page polls while it waits); `force` ("Compute again") asks anyway. True when a job was queued.
    With the cluster in sync mode (tests, `Q_SYNC`) the job runs here, at once."""
    ids = None if location_ids is None else sorted(location_ids)
    scope, now = figures_scope(ids, report), timezone.now()
    with transaction.atomic():
        figures, _created = EffectFigures.objects.select_for_update().get_or_create(scope=scope, dimension=dimension)
        if not force and figures.requested_at is not None and now - figures.requested_at < ASK_AGAIN_AFTER:
            return False
        figures.requested_at = now
        figures.save(update_fields=["requested_at"])
    args = (ids, dimension) if report is None else (ids, dimension, report)
    async_task(COMPUTE_TASK, *args, group="effect", timeout=COMPUTE_TIMEOUT_SECONDS)
    return True


def effect_figures_stale(figures: EffectFigures | None) -> bool:
    """No figures yet, or older than `FRESH_FOR`."""
    return figures is None or figures.computed_at is None or timezone.now() - figures.computed_at > FRESH_FOR
