"""Words for the review pages: a journal entry's kind as a manager reads it.

The journal stores stable technical kinds ("grant.issued"); the grant's page shows
what happened in the reader's language and keeps the code for the technical details.
"""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

JOURNAL_WORDS = {
    "grant.issued": _("Grant made"),
    "grant.voided": _("Grant voided"),
    "voucher.redeemed": _("Voucher redeemed"),
    "escalation.requested": _("Manager approval asked"),
    "escalation.decided": _("Manager decided"),
    "policy.published": _("Policy published"),
    "experiment.case": _("Experiment's suggestion followed or overridden"),
}


@register.filter
def journal_kind(kind: str) -> str:
    """The journal entry's kind in words; an unknown kind is shown as stored rather than hidden."""
    return JOURNAL_WORDS.get(kind, kind)
