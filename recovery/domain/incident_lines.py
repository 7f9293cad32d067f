"""The lines of a pasted list or CSV of customers an incident hit, read into what to look them up by.

Pure (no database): each line becomes the keys a customer is found by (phone
in E.164 through the counter's own normaliser, loyalty card, email), or a
problem worded with its line number, so a manager pasting 200 lines sees every
bad one at once and the rest is still previewed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

from recovery.domain.phones import phone_digits, phone_normalize

# A loyalty card as the counter types it: letters, digits and a few separators (LC-1, 4000 1234).
_CARD = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]{0,39}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class LineKeys:
    """One line's lookup keys ('' where it is not that kind); `bad_phone` says why digits were no phone."""

    number: int
    raw: str
    phone: str = ""
    card: str = ""
    email: str = ""
    bad_phone: str = ""


@dataclass(frozen=True)
class LineProblem:
    """A line that names no customer: its number, what it said, and why."""

    number: int
    raw: str
    reason: str

    @property
    def text(self) -> str:
        return gettext("Line %(number)d (“%(raw)s”): %(reason)s") % {
            "number": self.number,
            "raw": self.raw,
            "reason": self.reason,
        }


def line_keys(number: int, raw: str) -> LineKeys | LineProblem | None:
    """What one line is looked up by; None for a blank line (lists end with some).

    Digits are read as a phone number by the counter's normaliser; digits that
    make no possible number may still be a card, so the card is looked up too
    and the phone's problem is only reported if no card matches (`bad_phone`).
    """
    text = raw.strip()
    if not text:
        return None
    if "@" in text:
        if _EMAIL.fullmatch(text):
            return LineKeys(number=number, raw=text, email=text.lower())
        return LineProblem(number=number, raw=text, reason=gettext("not a valid email address."))
    if phone_digits(text) is not None:
        card = text.upper() if _CARD.fullmatch(text) else ""
        try:
            return LineKeys(number=number, raw=text, phone=phone_normalize(text), card=card)
        except ValueError:
            reason = gettext("not a possible phone number (nor a known loyalty card).")
            return LineKeys(number=number, raw=text, card=card, bad_phone=reason)
    if _CARD.fullmatch(text):
        return LineKeys(number=number, raw=text, card=text.upper())
    return LineProblem(
        number=number, raw=text, reason=gettext("not a phone number, a loyalty card or an email address.")
    )


def lines_read(lines: Iterable[tuple[int, str]]) -> tuple[list[LineKeys], list[LineProblem]]:
    """Every non-blank line as its keys, and the lines that cannot name anyone, in line order."""
    keys: list[LineKeys] = []
    problems: list[LineProblem] = []
    for number, raw in lines:
        read = line_keys(number, raw)
        if isinstance(read, LineKeys):
            keys.append(read)
        elif isinstance(read, LineProblem):
            problems.append(read)
    return keys, problems


def pasted_lines(text: str) -> list[tuple[int, str]]:
    """A pasted list as (line number, text), one customer per line, numbered from 1."""
    return list(enumerate(text.splitlines(), start=1))
