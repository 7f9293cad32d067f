"""Strict readers of the environment for `config/settings.py`.

django-environ reads `DEBUG=ture` as false and `CONN_MAX_AGE=60s` as a bare
`ValueError` that does not say which variable was wrong. A typo in a production
environment should stop the process at start-up with a message naming the
variable and the values it accepts (as healthchecks' `envbool` does), not run
quietly with the opposite of what was meant. An unset or empty variable takes
the default, so `VAR=` in a compose file means "not set".
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_bool(name: str, *, default: bool) -> bool:
    """`1/true/yes/on` or `0/false/no/off` (any case); anything else is refused."""
    raw = _raw(name)
    if raw is None:
        return default
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off")


def env_int(name: str, *, default: int, minimum: int | None = None) -> int:
    """A whole number, at least `minimum` when given; anything else is refused."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small: at least {minimum}")
    return value


def env_list(name: str, *, default: list[str], min_length: int = 1) -> list[str]:
    """Comma-separated values, each stripped and at least `min_length` characters; an empty item is refused.

    For key lists (`SECRET_KEY_FALLBACKS`, `VOUCHER_SIGNING_KEYS`) a stray comma must
    not turn into an empty key, and a short value is a mistake, not a key.
    """
    raw = _raw(name)
    if raw is None:
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    for position, item in enumerate(items, start=1):
        if not item:
            raise ImproperlyConfigured(f"{name}: item {position} is empty (a stray comma?)")
        if len(item) < min_length:
            raise ImproperlyConfigured(f"{name}: item {position} is too short: at least {min_length} characters")
    return items


def env_choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    """One of `choices` (compared in lower case); anything else is refused."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}")
    return raw.lower()
