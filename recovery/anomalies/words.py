"""Words the anomaly reasons share: counted nouns in the reader's language, amount lists, the length limit.

Each counted word is its own function because makemessages finds a plural
only when its singular and plural are literal arguments of `npgettext`.
Nothing here reads the database.
"""

from __future__ import annotations

from django.utils.translation import npgettext

from compensation import wording
from recovery.anomalies.thresholds import AMOUNTS_IN_REASON, REASON_MAX


def fit(text: str) -> str:
    """A reason cut to what one screen shows (the figures keep the full lists)."""
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def days(count) -> str:
    return npgettext("anomaly reason", "%(count)d day", "%(count)d days", int(count)) % {"count": int(count)}


def times(count) -> str:
    return npgettext("anomaly reason", "%(count)d time", "%(count)d times", int(count)) % {"count": int(count)}


def locations(count) -> str:
    return npgettext("anomaly reason", "at %(count)d location", "at %(count)d locations", int(count)) % {
        "count": int(count)
    }


def grants(count) -> str:
    return npgettext("anomaly reason", "%(count)d grant", "%(count)d grants", int(count)) % {"count": int(count)}


def of_grants(count) -> str:
    return npgettext("anomaly reason", "of %(count)d grant", "of %(count)d grants", int(count)) % {"count": int(count)}


def colleagues(count) -> str:
    return npgettext("anomaly reason", "%(count)d colleague", "%(count)d colleagues", int(count)) % {
        "count": int(count)
    }


def minutes(count) -> str:
    return npgettext("anomaly reason", "%(count)d minute", "%(count)d minutes", int(count)) % {"count": int(count)}


def hours(count) -> str:
    return npgettext("anomaly reason", "%(count)d hour", "%(count)d hours", int(count)) % {"count": int(count)}


def shown_amounts(amounts: list) -> str:
    """The first AMOUNTS_IN_REASON stored amounts, the reader's way, and how many more."""
    shown = ", ".join(wording.figure(amount) for amount in amounts[:AMOUNTS_IN_REASON])
    more = len(amounts) - AMOUNTS_IN_REASON
    if more <= 0:
        return shown
    return npgettext("anomaly reason", "%(amounts)s and %(count)d more", "%(amounts)s and %(count)d more", more) % {
        "amounts": shown,
        "count": more,
    }
