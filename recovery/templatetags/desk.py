"""Template filters for money, tenure and stored records, so templates never format numbers or word records by hand."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import translation

from compensation.caps import describe_tenure, role_word
from compensation.money import format_money
from recovery.anomalies import reason_shown
from recovery.display import cap_steps_shown, stop_reason_shown

register = template.Library()


@register.filter
def money(amount, currency=None):
    """2500 → '€2,500.00' in English, '2 500,00 €' in Russian (the currency's own decimals, the page's language)."""
    if amount is None or amount == "":
        return "—"
    currency = currency or settings.RECOVERY_CURRENCY
    return format_money(Decimal(amount), currency, locale=translation.get_language() or settings.LANGUAGE_CODE)


@register.filter
def tenure(months):
    return describe_tenure(int(months or 0))


@register.filter
def role_label(role):
    """An authority role ("frontline", "own limit") in the page's language."""
    return role_word(str(role or ""))


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
