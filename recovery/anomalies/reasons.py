"""How a flag reads on the anomalies page: its reason and figures in the reader's language.

`reason` is stored in English: it is the record (history, journal, API). The
page words it again from the stored figures and the flag's own relations (its
location, employee, customer, grant), in the reader's language, through the
registered detector of its kind; a flag whose figures do not say enough shows
the stored text.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from compensation import wording
from recovery.anomalies import words
from recovery.anomalies.detectors import DETECTORS
from recovery.models import AnomalyFlag

# How each figure reads on the anomalies page (in the reader's language).
FIGURE_LABELS = {
    "window_days": gettext_lazy("Window (days)"),
    "grants": gettext_lazy("Grants"),
    "grants_here": gettext_lazy("Grants at this location"),
    "locations": gettext_lazy("Locations"),
    "amounts": gettext_lazy("Amounts"),
    "total": gettext_lazy("Total"),
    "average": gettext_lazy("Average amount"),
    "colleagues": gettext_lazy("Colleagues compared"),
    "colleague_median_grants": gettext_lazy("Colleagues' median grants"),
    "colleague_median_average": gettext_lazy("Colleagues' median average"),
    "count_ratio": gettext_lazy("Grants vs colleagues"),
    "average_ratio": gettext_lazy("Average vs colleagues"),
    "at_cap": gettext_lazy("Grants at the cap"),
    "at_cap_share": gettext_lazy("Share at the cap"),
    "others_at_cap_share": gettext_lazy("Everyone else at the cap"),
    "others_grants": gettext_lazy("Everyone else's grants"),
    "amount": gettext_lazy("Amount"),
    "minutes_after_creation": gettext_lazy("Minutes after the customer was created"),
    "created_by": gettext_lazy("Customer created by"),
    "granted_by": gettext_lazy("Granted by"),
    "voided_by": gettext_lazy("Voided by"),
    "hours_after_grant": gettext_lazy("Hours after the grant"),
    "void_reason": gettext_lazy("Void reason"),
}

# The figures that are numbers written in English ("1,250.00", "2.3"): the page rewrites their separators.
NUMBER_FIGURES = frozenset(
    {
        "amounts",
        "total",
        "average",
        "colleague_median_grants",
        "colleague_median_average",
        "count_ratio",
        "average_ratio",
        "amount",
    }
)

# kind -> the function that words a flag of that kind from its figures (one per registered detector).
REASONS = {detector.kind: detector.reason_words for detector in DETECTORS}


def figure_rows(flag: AnomalyFlag) -> list[tuple[str, str]]:
    """The flag's figures as (label, value) lines for the page, lists written out, numbers the reader's way."""
    rows = []
    for key, value in (flag.figures or {}).items():
        if value is None or value == "":
            continue
        shown = wording.figure if key in NUMBER_FIGURES else str
        value = ", ".join(shown(item) for item in value) if isinstance(value, list) else shown(value)
        rows.append((FIGURE_LABELS.get(key, key.replace("_", " ").capitalize()), value))
    return rows


def reason_shown(flag: AnomalyFlag) -> str:
    """Why the flag was raised, in the active language, from its stored figures (no query: the page
    loads the flag's location, employee and customer with it).

    English readers get the stored reason itself, the record. A flag whose
    figures are missing or damaged (an older flag, a hand-made one) also shows
    the stored text: better English than a wrong sentence.
    """
    build = REASONS.get(flag.kind)
    if wording.language().split("-")[0] == "en" or build is None or not flag.figures:
        return flag.reason
    try:
        return words.fit(build(flag, flag.figures))
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        return flag.reason
