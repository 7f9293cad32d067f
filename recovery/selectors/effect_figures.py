"""The effect figures a reader sees: the rows the background job last computed for their locations and grouping."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from recovery.models import EffectFigures
from recovery.selectors.scope import location_ids_for

logger = logging.getLogger(__name__)


def effect_scope(location_ids: Iterable[int] | None) -> str:
    """The key of a reader's locations: "all" (ops, auditors) or their location ids, sorted."""
    return "all" if location_ids is None else ",".join(str(pk) for pk in sorted(location_ids))


def effect_figures_for(*, user, dimension: str) -> EffectFigures | None:
    """The last figures computed for the reader's locations and this grouping; None when there are none yet,
    or when they were stored by code whose rows no longer read (they are then computed again)."""
    figures = EffectFigures.objects.filter(scope=effect_scope(location_ids_for(user)), dimension=dimension).first()
    if figures is not None and figures.computed_at is not None and not isinstance(figures.rows, list):
        # The pickle field hands back what it cannot unpickle as it is: rows from older code.
        logger.warning("effect figures %s no longer read: computing them again", figures.pk)
        return None
    return figures
