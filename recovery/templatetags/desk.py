"""Template filters for money, tenure and playbook texts, so templates never format or pick them by hand."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import translation

from compensation.caps import describe_tenure
from compensation.money import Amounts, format_money
from compensation.texts import localized_text

register = template.Library()


@register.filter
def money(amount, currency=None):
    """2500 → '€2,500.00' in English, '2 500,00 €' in Russian (the currency's own decimals, the page's language)."""
    if amount is None or amount == "":
        return "—"
    currency = currency or settings.RECOVERY_CURRENCY
    locale = translation.get_language() or settings.LANGUAGE_CODE
    if isinstance(amount, Amounts):
        # One figure per currency ("€120.00 · ¥5,000"), never their sum; nothing at all reads as zero.
        parts = [format_money(value, code, locale=locale) for code, value in amount.items() if value]
        return " · ".join(parts) or format_money(Decimal("0"), currency, locale=locale)
    return format_money(Decimal(amount), currency, locale=locale)


@register.filter
def tenure(months):
    return describe_tenure(int(months or 0))


@register.filter
def localized(playbook, field):
    """A playbook's text in the page's language, English when it has none: `{{ playbook|localized:"offer" }}`."""
    return localized_text(playbook, field)
