"""Template filters for money, days, tenure, roles and policy texts: `{% load wording %}`.

They word what the policy app knows (amounts in a currency, a playbook's text in
the page's language, an authority role), so compensation's templates and
recovery's use the same ones; recovery's `desk` library adds the case's own
(cap steps, stop reasons, anomaly reasons) on top of these.
"""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import translation

from compensation import wording
from compensation.caps import describe_tenure, role_word
from compensation.money import Amounts, format_money
from compensation.texts import localized_text, tier_name_shown

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


# Days and times the way the page's language writes them ("3 Mar 2026 14:02", "3 марта 2026 14:02"),
# shared with the messages built in Python (compensation.wording). Put `|timezone:location.timezone`
# before them to read a location's wall clock; otherwise the site's time zone applies.


@register.filter(expects_localtime=True)
def day(value):
    return wording.day(value) if value else ""


@register.filter(expects_localtime=True)
def long_day(value):
    """The month written out, for the customer's voucher page: "3 March 2026", "3 марта 2026", "3 martie 2026"."""
    return wording.day(value, long=True) if value else ""


@register.filter(expects_localtime=True)
def day_time(value, detail=""):
    """`detail`: "seconds" for the audit's own times, "zone" to name the time zone (times of other locations)."""
    return wording.day_and_clock(value, seconds=detail == "seconds", zone=detail == "zone") if value else ""


@register.filter(expects_localtime=True)
def day_month(value):
    return wording.day_month(value) if value else ""


@register.filter(expects_localtime=True)
def day_month_time(value):
    return f"{wording.day_month(value)} {wording.clock(value)}" if value else ""


@register.filter(expects_localtime=True)
def month_year(value):
    return wording.month_year(value) if value else ""


@register.filter
def figure(text):
    """A figure kept as English text in a record ("10.00", "1.25"), with the page's decimal sign."""
    return wording.figure(text)


@register.filter
def tier_shown(record):
    """The tier a grant or an escalation was made in, named in the page's language: `{{ grant|tier_shown }}`."""
    return tier_name_shown(record.policy_snapshot, record.tenure_tier)


@register.filter
def tenure(months):
    return describe_tenure(int(months or 0))


@register.filter
def localized(playbook, field):
    """A playbook's text in the page's language, English when it has none: `{{ playbook|localized:"offer" }}`."""
    return localized_text(playbook, field)


@register.filter
def role_label(role):
    """An authority role ("frontline", "own limit") in the page's language."""
    return role_word(str(role or ""))
