"""Figures inside sentences, written the way the active language writes them.

Messages built in Python (a refusal, a limit's reason, a cap step) take their
amounts, numbers, days and times from here, so a Russian employee reads
"45,00" and "3 марта 2026" where an English one reads "45.00" and "3 Mar 2026".
Texts kept as a record (cap steps, limit reasons, anomaly reasons) are worded
under `translation.override("en")`, so they come out exactly as before.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from compensation.money import format_amount

# How a day reads inside a sentence. English keeps its short month ("3 Mar 2026"); Russian needs
# the month's genitive ("3 марта 2026"), which Django's "E" gives and "M" does not.
# Romanian writes the whole month ("3 martie 2026").
DAY_FORMATS = {"en": "j M Y", "ru": "j E Y", "ro": "j F Y"}
LONG_DAY_FORMATS = {"en": "j F Y", "ru": "j E Y", "ro": "j F Y"}
DAY_MONTH_FORMATS = {"en": "j M", "ru": "j E", "ro": "j F"}  # this year's days in lists: "3 Mar", "3 марта"
MONTH_YEAR_FORMATS = {"en": "M Y", "ru": "E Y", "ro": "F Y"}  # "customer since Mar 2026", "клиент с марта 2026"
# Django's Romanian catalogue capitalises month names ("Martie"); Romanian writes them in lower case.
LOWER_CASE_MONTHS = {"ro"}
CLOCK_FORMAT = "H:i"  # 24-hour in both languages: the counter's clocks read 14:02
SECONDS_CLOCK_FORMAT = "H:i:s"  # the audit's own times, to the second


def language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def locale() -> str:
    """The active language as Babel names it ("ru", "en_US" for "en-us")."""
    return translation.to_locale(language())


def amount(value, currency: str) -> str:
    """An amount with the currency's decimals and the language's separators: 2,500.00 / 2 500,00."""
    return format_amount(Decimal(value), currency, locale())


def number(value) -> str:
    """A plain number (a percent, a multiplier, a ratio) with the language's decimal sign: 1.5 / 1,5."""
    return _number(Decimal(value), locale())


@lru_cache(maxsize=1024)  # Babel is slow and a quote writes the same few percents and multipliers
def _number(value: Decimal, locale_name: str) -> str:
    return format_decimal(value, format="0.######", locale=locale_name)


def day(value: date, *, long: bool = False) -> str:
    """A calendar day inside a sentence: "3 Mar 2026" ("3 March 2026" when `long`), "3 марта 2026"."""
    return _in_language(value, LONG_DAY_FORMATS if long else DAY_FORMATS)


def day_month(value: date) -> str:
    """A day without its year, for lists of recent events: "3 Mar", "3 марта"."""
    return _in_language(value, DAY_MONTH_FORMATS)


def month_year(value: date) -> str:
    """A month of a year after "since": "Mar 2026", "марта 2026" (Russian's genitive after "с")."""
    return _in_language(value, MONTH_YEAR_FORMATS)


def _in_language(value: date, table: dict[str, str]) -> str:
    code = language().split("-")[0]
    text = formats.date_format(value, table.get(code, table["en"]))
    return text.lower() if code in LOWER_CASE_MONTHS else text  # digits and the month's name only


def local(moment: datetime, tz: str | None = None) -> datetime:
    """`moment` on the wall clock of `tz` (a location's time zone), else of the site's TIME_ZONE."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(tz) if tz else None)


def clock(moment: datetime, *, seconds: bool = False) -> str:
    """The time of day of an already local `moment`: 14:02 (14:02:09 with `seconds`)."""
    return formats.time_format(moment, SECONDS_CLOCK_FORMAT if seconds else CLOCK_FORMAT)


def moment_words(moment: datetime, tz: str | None = None, *, zone: bool = False) -> str:
    """A day and time inside a sentence, on `tz`'s wall clock: "3 Mar 2026 14:02" (+ " UTC" with `zone`)."""
    return day_and_clock(local(moment, tz), zone=zone)


def day_and_clock(when: datetime, *, seconds: bool = False, zone: bool = False) -> str:
    """An already local moment: "3 Mar 2026 14:02" (14:02:09 with `seconds`, + " UTC" with `zone`)."""
    text = f"{day(when)} {clock(when, seconds=seconds)}"
    return f"{text} {when.tzname()}" if zone else text


def figure(text) -> str:
    """A figure kept as English text ("1,250.00", "2.5") written with the active language's separators.

    Stored figures (an anomaly flag's amounts and ratios) were written in English
    for the record; the page rewrites them for its reader, keeping exactly their
    decimals, so no currency is needed. Anything not a plain number is returned as is.
    """
    raw = str(text)
    try:
        value = Decimal(raw.replace(",", ""))
    except ArithmeticError:
        return raw
    if not value.is_finite():
        return raw
    decimals = max(0, -value.as_tuple().exponent)
    return _figure(value, decimals, locale())


@lru_cache(maxsize=1024)
def _figure(value: Decimal, decimals: int, locale_name: str) -> str:
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=locale_name)


def minutes(count: int) -> str:
    """A wait in whole minutes: "18 min", "2 h 05 min" ("18 мин", "2 ч 05 мин").

    Abbreviated units need no plural forms, and hours keep two-digit minutes so
    a column of waits lines up.
    """
    if count < 60:
        return gettext("%(minutes)s min") % {"minutes": count}
    hours, rest = divmod(count, 60)
    return gettext("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": rest}
