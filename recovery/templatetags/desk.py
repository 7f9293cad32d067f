"""Template filters for money and tenure, so templates never format numbers by hand."""

from django import template
from django.conf import settings

from compensation.caps import describe_tenure
from compensation.money import format_amount

register = template.Library()


@register.filter
def money(amount, currency=None):
    """2500 → '2,500.00 EUR' (the currency's own number of decimals)."""
    if amount is None or amount == "":
        return "—"
    currency = currency or settings.RECOVERY_CURRENCY
    return f"{format_amount(amount, currency)} {currency}"


@register.filter
def tenure(months):
    return describe_tenure(int(months or 0))
