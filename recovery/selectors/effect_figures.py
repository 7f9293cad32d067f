"""The effect figures a reader sees: the rows the background job last computed for their locations and grouping."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from recovery.models import EffectFigures
from recovery.selectors.scope import location_ids_for

logger = logging.getLogger(__name__)


def effect_scope(location_ids: Iterable[int] | None) -> str:
    """The key of a reader's locations: "all" (ops, auditors) or their location ids, sorted."""
    return "all" if location_ids is None else ",".join(str(pk) for pk in sorted(location_ids))


@dataclass(frozen=True)
class ReportCut:
    """The monthly report's cut of the effect figures: grants in the report's currency whose failure was logged
    before its month ended, each case judged as known on `as_of` (the month's last day, or today in the current
    month). Its own stored figures, apart from the effect page's: the same scope cut otherwise gives other rows."""

    as_of: dt.date
    currency: str
    logged_before: dt.datetime  # aware

    def filters(self) -> dict:
        """The cut as `effect_rows_for` keywords."""
        return {"as_of": self.as_of, "currency": self.currency, "logged_before": self.logged_before}

    def key(self) -> str:
        return f"report:{self.as_of.isoformat()}:{self.currency}"


def figures_scope(location_ids: Iterable[int] | None, report: ReportCut | None = None) -> str:
    """The stored figures' key: the reader scope, prefixed with the report cut for a monthly report's."""
    scope = effect_scope(location_ids)
    return scope if report is None else f"{report.key()}:{scope}"


def effect_figures_for(*, user, dimension: str) -> EffectFigures | None:
    """The last figures computed for the reader's locations and this grouping; None when there are none yet,
    or when they were stored by code whose rows no longer read (they are then computed again)."""
    return stored_figures(scope=effect_scope(location_ids_for(user)), dimension=dimension)


def report_figures_for(*, location_ids: Iterable[int], report: ReportCut) -> EffectFigures | None:
    """The last figures computed for a monthly report (its location, by playbook, its cut); as `effect_figures_for`.
    The report's scope is already limited to the reader's locations (`month_scope_for`)."""
    return stored_figures(scope=figures_scope(location_ids, report), dimension=REPORT_DIMENSION)


REPORT_DIMENSION = "playbook"


def stored_figures(*, scope: str, dimension: str) -> EffectFigures | None:
    figures = EffectFigures.objects.filter(scope=scope, dimension=dimension).first()
    if figures is not None and figures.computed_at is not None and not isinstance(figures.rows, list):
        # The pickle field hands back what it cannot unpickle as it is: rows from older code.
        logger.warning("effect figures %s no longer read: computing them again", figures.pk)
        return None
    return figures
