"""Where a playbook is offered, and what it gives there: pure functions over a document's playbook entry.

A chain is not one shop: an airport desk meets missed flights a city store never
sees, and a free-drinks playbook means nothing at a repair centre. So a
playbook applies to every location (the default, as every document before
eligibility existed), to a named set of locations (by code), or to locations
of a kind (`Location.kind`, e.g. "airport"). Where it applies, ops may change
its percent, floor or ceiling for one location (a smaller store, a dearer
airport). Unset override values keep the playbook's own.

The cap engine never sees locations: `Policy.at_location` filters the playbooks
and hands the engine a rule with the location's values, so the counter's
cards, the grant, the simulator and the replay all price the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from compensation.caps import PlaybookRule

ALL = "all"
LOCATIONS = "locations"
KINDS = "kinds"
APPLIES_TO = (ALL, LOCATIONS, KINDS)
OVERRIDE_FIELDS = ("percent", "floor", "ceiling")


@dataclass(frozen=True)
class Override:
    """One location's own values for a playbook; None keeps the playbook's."""

    percent: Decimal | None = None
    floor: Decimal | None = None
    ceiling: Decimal | None = None


@dataclass(frozen=True)
class Eligibility:
    """Where one playbook is offered, and its per-location values."""

    applies_to: str = ALL
    locations: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    overrides: Mapping[str, Override] = field(default_factory=dict)

    def applies(self, code: str, kind: str) -> bool:
        """Offered at the location with this `code` and `kind`? A location without a kind is of no kind."""
        if self.applies_to == LOCATIONS:
            return code in self.locations
        if self.applies_to == KINDS:
            return bool(kind) and kind in self.kinds
        return True

    def rule_at(self, rule: PlaybookRule, code: str) -> PlaybookRule:
        """The playbook's rule with the location's own percent, floor and ceiling where ops set them."""
        override = self.overrides.get(code)
        if override is None:
            return rule
        changes = {name: getattr(override, name) for name in OVERRIDE_FIELDS if getattr(override, name) is not None}
        # The engine re-checks the rule (floor ≤ ceiling, percent range); publish refused such a pair already.
        return replace(rule, **changes) if changes else rule


EVERYWHERE = Eligibility()


def _amount(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def eligibility_from_entry(entry: Mapping) -> Eligibility:
    """A document playbook entry's eligibility; an entry from before eligibility existed applies everywhere."""
    applies_to = entry.get("applies_to") or ALL
    overrides = {
        code: Override(**{name: _amount(values.get(name)) for name in OVERRIDE_FIELDS})
        for code, values in (entry.get("location_overrides") or {}).items()
    }
    if applies_to == ALL and not overrides:
        return EVERYWHERE
    return Eligibility(
        applies_to=applies_to,
        locations=frozenset(entry.get("locations") or ()),
        kinds=frozenset(entry.get("location_kinds") or ()),
        overrides=overrides,
    )


def eligibility_problems(entry: Mapping, *, locations: Mapping[str, str]) -> list[str]:
    """Why a document playbook's eligibility cannot be published (in the active language), each naming the
    playbook and the field; [] when it can. Checked at publish time, so the counter never meets a playbook
    offered nowhere or an override it cannot price. `locations`: the active locations' codes → their kinds."""
    name = entry.get("name", "?")
    known_codes, known_kinds = set(locations), {kind for kind in locations.values() if kind}
    problems = []
    applies_to = entry.get("applies_to") or ALL
    if applies_to not in APPLIES_TO:
        problems.append(
            gettext("Playbook %(playbook)s: offered at: choose all locations, some locations or kinds of location.")
            % {"playbook": name}
        )
    elif applies_to == LOCATIONS:
        codes = list(entry.get("locations") or ())
        unknown = sorted(set(codes) - known_codes)
        if not codes:
            problems.append(
                gettext("Playbook %(playbook)s: locations: choose at least one location, or offer it at all locations.")
                % {"playbook": name}
            )
        elif unknown:
            problems.append(
                gettext("Playbook %(playbook)s: locations: %(unknown)s is not an active location.")
                % {"playbook": name, "unknown": ", ".join(unknown)}
            )
    elif applies_to == KINDS:
        kinds = list(entry.get("location_kinds") or ())
        if not kinds:
            problems.append(
                gettext(
                    "Playbook %(playbook)s: kinds of location: name at least one kind (e.g. airport), "
                    "or offer it at all locations."
                )
                % {"playbook": name}
            )
        elif not set(kinds) & known_kinds:
            problems.append(
                gettext("Playbook %(playbook)s: kinds of location: no active location is of kind %(kinds)s.")
                % {"playbook": name, "kinds": ", ".join(sorted(kinds))}
            )
    for code, values in sorted((entry.get("location_overrides") or {}).items()):
        problems.extend(_override_problems(entry, code, values, locations))
    return problems


def _override_problems(entry: Mapping, code: str, values: Mapping, locations: Mapping[str, str]) -> list[str]:
    name = entry.get("name", "?")
    if code not in locations:
        return [
            gettext("Playbook %(playbook)s: override for %(location)s: not an active location.")
            % {"playbook": name, "location": code}
        ]
    try:
        merged = {field_name: _amount(values.get(field_name)) for field_name in OVERRIDE_FIELDS}
        own = {field_name: _amount(entry.get(field_name)) for field_name in OVERRIDE_FIELDS}
    except (InvalidOperation, TypeError, ValueError):
        return [
            gettext("Playbook %(playbook)s: override for %(location)s: enter numbers such as 20.00.")
            % {"playbook": name, "location": code}
        ]
    floor = merged["floor"] if merged["floor"] is not None else own["floor"]
    ceiling = merged["ceiling"] if merged["ceiling"] is not None else own["ceiling"]
    if any(value is not None and value < 0 for value in merged.values()):
        return [
            gettext("Playbook %(playbook)s: override for %(location)s: amounts must not be negative.")
            % {"playbook": name, "location": code}
        ]
    if floor is not None and ceiling is not None and ceiling < floor:
        return [
            gettext("Playbook %(playbook)s: override for %(location)s: the ceiling must not be below the floor.")
            % {"playbook": name, "location": code}
        ]
    if merged["percent"] is not None and merged["percent"] > 1000:
        return [
            gettext("Playbook %(playbook)s: override for %(location)s: percent must be between 0 and 1000.")
            % {"playbook": name, "location": code}
        ]
    if not eligibility_from_entry({**entry, "location_overrides": {}}).applies(code, locations[code]):
        return [
            gettext("Playbook %(playbook)s: override for %(location)s: the playbook is not offered there.")
            % {"playbook": name, "location": code}
        ]
    return []
