"""The background jobs django-q2 runs (`python manage.py qcluster`), named by their dotted path.

- `webhook_deliver(delivery_id)`: one attempt at one delivery; queued after the
  commit that created it, and by "Deliver again".
- `webhooks_deliver_due()`: every minute (the schedule made by migration
  recovery 0020): queues every pending delivery whose retry time has come, and
  any the worker missed while it was down.
- `effect_figures_compute(location_ids, dimension, report=None)`: what recovery
  buys for one reader scope and grouping (or, with `report`, one monthly report's
  "What recovery bought"), queued by the effect page or the report when its
  figures are missing or older than an hour, and by "Compute again".

All are safe to run twice: an attempt claims its delivery first; figures replace the last ones.
"""

from __future__ import annotations

from recovery.selectors.webhooks import webhooks_due_ids
from recovery.services.effect_figures import effect_figures_compute as _compute_effect
from recovery.services.webhook_delivery import webhook_deliver as _deliver
from recovery.services.webhooks import enqueue_delivery

SWEEP_TASK = "recovery.tasks.webhooks_deliver_due"


def webhook_deliver(delivery_id: int) -> str:
    """One attempt; the answer (kept in django-q2's task results) says how it went."""
    delivery = _deliver(delivery_id=delivery_id)
    return "not due" if delivery is None else f"{delivery.status} after {delivery.attempts} attempt(s)"


def webhooks_deliver_due() -> int:
    """Queue every due delivery; returns how many."""
    due = webhooks_due_ids()
    for delivery_id in due:
        enqueue_delivery(delivery_id)
    return len(due)


def effect_figures_compute(location_ids: list[int] | None, dimension: str, report=None) -> str:
    """What recovery buys for one reader scope and grouping, or one report's cut of it (queued by the page,
    the monthly report or "Compute again")."""
    figures = _compute_effect(location_ids=location_ids, dimension=dimension, report=report)
    return f"{len(figures.rows)} rows for {figures.scope} by {dimension}"
