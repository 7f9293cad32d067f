"""Template filters for money, tenure and playbook texts, so templates never format or pick them by hand."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import translation

from compensation.caps import describe_tenure
from compensation.money import format_money
from compensation.texts import localized_text

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
def localized(playbook, field):
    """A playbook's text in the page's language, English when it has none: `{{ playbook|localized:"offer" }}`."""
    return localized_text(playbook, field)
