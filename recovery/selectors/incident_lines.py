"""Whom a pasted list or CSV of an incident's customers names: every line matched in one query.

The keys come from `recovery.domain.incident_lines` (the counter's phone
normaliser); each line names one customer, or a problem with its line number.
A customer named twice is counted once and the second line says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext

from recovery.domain.incident_lines import LineKeys, LineProblem, lines_read
from recovery.models import Customer


@dataclass(frozen=True)
class LineMatch:
    """A line and the customer it names."""

    number: int
    raw: str
    customer: Customer


@dataclass
class LinesPreview:
    """What a list names: the customers (each once, in line order), the lines naming nobody, the repeats."""

    matches: list[LineMatch] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    repeats: list[LineProblem] = field(default_factory=list)  # named, counted once: not a refusal

    @property
    def customers(self) -> list[Customer]:
        return [match.customer for match in self.matches]


def lines_preview(lines, *, attached_ids=frozenset()) -> LinesPreview:
    """Every line of `lines` ((number, text) pairs) matched to a customer by phone, card or email, in one query.

    A customer already attached to the incident (`attached_ids`) or named on an
    earlier line is a repeat: reported with the line it repeats, counted once.
    """
    keys, problems = lines_read(lines)
    found = _customers_for(keys)
    preview = LinesPreview(problems=problems)
    first_line: dict[int, int] = {}
    for line in keys:
        customer = found["phone"].get(line.phone) or found["card"].get(line.card) or found["email"].get(line.email)
        if customer is None:
            reason = line.bad_phone or gettext("no customer has this phone number, loyalty card or email.")
            preview.problems.append(LineProblem(number=line.number, raw=line.raw, reason=reason))
        elif customer.pk in attached_ids:
            reason = gettext("%(name)s is already attached to this incident (counted once).") % {"name": customer.name}
            preview.repeats.append(LineProblem(number=line.number, raw=line.raw, reason=reason))
        elif customer.pk in first_line:
            reason = gettext("the same customer as line %(line)d (counted once).") % {"line": first_line[customer.pk]}
            preview.repeats.append(LineProblem(number=line.number, raw=line.raw, reason=reason))
        else:
            first_line[customer.pk] = line.number
            preview.matches.append(LineMatch(number=line.number, raw=line.raw, customer=customer))
    preview.problems.sort(key=lambda problem: problem.number)
    return preview


def _customers_for(keys: list[LineKeys]) -> dict[str, dict[str, Customer]]:
    """The customers the keys name, by phone, card (upper case) and email (lower case): one query."""
    phones = {line.phone for line in keys if line.phone}
    cards = {line.card for line in keys if line.card}
    emails = {line.email for line in keys if line.email}
    found: dict[str, dict[str, Customer]] = {"phone": {}, "card": {}, "email": {}}
    if not (phones or cards or emails):
        return found
    rows = (
        Customer.objects.annotate(card_key=Upper("loyalty_card"), email_key=Lower("email"))
        .filter(Q(phone__in=phones) | Q(card_key__in=cards) | Q(email_key__in=emails))
        .order_by("pk")
    )
    for customer in rows:
        if customer.phone:
            found["phone"][customer.phone] = customer
        if customer.card_key:
            found["card"][customer.card_key] = customer
        if customer.email_key:
            found["email"][customer.email_key] = customer
    return found
