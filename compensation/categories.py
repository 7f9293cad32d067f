"""The failure categories the counter logs a case under, and which playbooks suit each.

They live with the policy because a playbook's fit is policy: ops link each
playbook to the categories it suits (`Playbook.categories`, published with the
version), and `recovery` logs its failures under the same codes
(`ServiceFailure.Category` is this class), so the two can never drift apart.
The moments of truth where service breaks, as the reports group them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FailureCategory(models.TextChoices):
    WAITING = "waiting", _("Waiting or delay")
    ORDER_WRONG = "order_wrong", _("Order wrong or incomplete")
    PRODUCT_DEFECTIVE = "product_defective", _("Product defective or spoiled")
    REPEAT_REPAIR = "repeat_repair", _("Repeat repair")
    APPOINTMENT_MOVED = "appointment_moved", _("Appointment moved or cancelled")
    MISSED_PROMISE = "missed_promise", _("Missed promise (transport, delivery)")
    STAFF_BEHAVIOUR = "staff_behaviour", _("Staff behaviour")
    BILLING = "billing", _("Billing error")
    OTHER = "other", _("Other")


# Which failures the shipped playbooks suit (by playbook code): the demo publishes these.
SUGGESTED_FITS = {
    "late-table": ["waiting", "staff_behaviour"],
    "free-drinks": ["waiting", "order_wrong", "staff_behaviour"],
    "replace-spoiled": ["product_defective", "order_wrong"],
    "repeat-repair": ["repeat_repair"],
    "free-month": ["billing", "repeat_repair"],
    "wait-consultation": ["waiting", "appointment_moved"],
    "moved-appointment-massage": ["appointment_moved"],
    "out-of-pocket": ["missed_promise"],
}


def unknown_categories(codes) -> list[str]:
    """The codes in `codes` that are no failure category (empty: all known)."""
    known = set(FailureCategory.values)
    return [str(code) for code in codes if code not in known]


def fits(categories, category: str | None) -> int:
    """How well a playbook with these `categories` suits a failure of `category`.

    2: ops named this category; 1: the playbook names none, so it suits every
    failure (every document from before fits existed); 0: it suits others.
    No category chosen yet: every playbook fits (1).
    """
    if not category or not categories:
        return 1
    return 2 if category in categories else 0
