"""Template filters for the case: a grant's cap steps, an escalation's stop reasons, an anomaly's reason.

`{% load desk %}` also brings compensation's `wording` filters (money, days,
tenure, playbook texts, roles), registered here again so a recovery template
needs one library. Compensation's templates load `wording` itself: they never
depend on recovery.
"""

from django import template

from compensation.templatetags import wording
from compensation.templatetags.wording import money  # noqa: F401  (callers in Python import it from here)
from recovery.anomalies import reason_shown
from recovery.display import cap_steps_shown, stop_reason_shown
from recovery.domain.phones import phone_masked

register = template.Library()
register.filters.update(wording.register.filters)


@register.filter
def cap_steps(record):
    """A grant's or escalation's stored cap steps, worded again in the page's language."""
    return cap_steps_shown(record)


@register.filter
def stop_reason(stop, escalation):
    """Why one limit stopped an escalation, in the page's language where it can be worded again."""
    return stop_reason_shown(stop, escalation)


@register.filter
def anomaly_reason(flag):
    """An anomaly flag's reason in the page's language, from its stored figures."""
    return reason_shown(flag)


@register.filter
def masked_phone(phone):
    """A phone in a list of customers: its last four digits only ('•••• 0101')."""
    return phone_masked(phone or "")
