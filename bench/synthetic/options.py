"""What a run is asked for, and the marks that tell generated data from real data.

Every generated location's code starts with PREFIX and every generated
customer's phone with PHONE_PREFIX: `generated_grant_count` and the
benchmark pages find the generated rows by these, and a second run reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "gen-"
PHONE_PREFIX = "+44771"  # the demo's customers use +447700…: never the same numbers
PASSWORD = "recover-2026"  # as the demo: the generated staff can log in to look around


class GeneratedDataExists(Exception):
    """Generated grants are already there and the caller did not ask to append."""


@dataclass(frozen=True)
class Options:
    count: int
    locations: int = 8
    employees: int = 64
    customers: int = 100_000
    weeks: int = 104
    seed: int = 1
    batch_size: int = 5000
    append: bool = False
