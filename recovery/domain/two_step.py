"""Two-step sign-in, the pure part: a code's shape, a new secret, and whether a code fits a secret now.

Kept apart from the database so enrolment can check the first code against a
secret that is not stored yet (it waits in the session until a code proves the
employee's app has it) with django-otp's own TOTP arithmetic (RFC 6238).
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from binascii import unhexlify

from django_otp.oath import TOTP
from django_otp.util import random_hex

SECRET_BYTES = 20
# Six ASCII digits: what authenticator apps show. Full-width or other Unicode digits are not a code.
CODE_DIGITS = 6
CODE_PATTERN = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")
STEP_SECONDS = 30
# The code before and after the current one are accepted too: a phone's clock a little off, a slow typist.
TOLERANCE_STEPS = 1


def secret_new() -> str:
    """A new secret, hex-encoded as django-otp stores it (20 random bytes, as RFC 4226 recommends)."""
    return random_hex(SECRET_BYTES)


def secret_for_typing(key_hex: str) -> str:
    """The secret in Base32, in groups of four, for an app that cannot scan the QR code."""
    text = b32encode(unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def code_step(key_hex: str, code: str, *, at: float | None = None) -> int | None:
    """The time step whose code `code` is for `key_hex` at `at` (now), within the tolerance; None if none.

    The step is kept on the device (django-otp's `last_t`), so the code that
    confirmed the enrolment cannot be replayed at the next sign-in.
    """
    if not CODE_PATTERN.fullmatch(code):
        return None
    totp = TOTP(unhexlify(key_hex), step=STEP_SECONDS, t0=0, digits=CODE_DIGITS, drift=0)
    totp.time = time.time() if at is None else at
    if not totp.verify(int(code), tolerance=TOLERANCE_STEPS):
        return None
    return totp.t()  # the matching step: `t()` counts the offset `verify` found
