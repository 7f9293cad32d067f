"""Voucher codes and the customer's voucher link: how they are made, typed and read back.

A voucher nobody can read out, type or scan is worthless, so the rules of a
code are pure and kept together: the alphabet (no characters people mix up),
the length, the forgiving normalisation of what a counter types or scans, and
the signed link printed on the slip. No database here: looking a code up and
redeeming it are `recovery.vouchers.voucher_lookup` and
`recovery.services.vouchers.voucher_redeem`, which both start from
`voucher_code_normalize`.
"""

from __future__ import annotations

import re
import secrets
import zoneinfo
from datetime import date
from urllib.parse import unquote

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext

from compensation import wording
from recovery.domain.errors import RecoveryError

# No 0/O, 1/I/L or U: a code read aloud or copied by hand stays unambiguous.
VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
VOUCHER_HALF_LENGTH = 5
VOUCHER_CODE_LENGTH = 2 * VOUCHER_HALF_LENGTH
# Characters VOUCHER_ALPHABET leaves out because they are easy to mix up (0/O, 1/I/L) or misread (U/V).
VOUCHER_LOOKALIKES = "0O1ILU"
# Typed between the characters of a code and ignored: spaces, hyphens and dashes of any kind, dots, underscores.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._]+")
# A link to the customer's voucher page, as a QR code reader or the browser's address bar gives it.
_LINK = re.compile(r"/v/([^/?#\s]+)")
# Unchanged since the links were first printed: another salt would disown every slip handed out.
_LINK_SALT = "recovery.vouchers.link"
_SHOWN_INPUT = 40  # characters of a refused input repeated in the message
EXAMPLE = "7KQ4M-XR9TB"


class VoucherError(RecoveryError):
    """A voucher the counter cannot look up or redeem, always about the field `code`.

    `code` says why, for machines: "not_a_voucher" (the input cannot be a
    voucher code), "not_found" (no voucher has it, or the link is forged),
    "already_redeemed" (`redemption` is the one that won), "expired", "voided".
    """

    NOT_A_VOUCHER = "not_a_voucher"
    NOT_FOUND = "not_found"
    ALREADY_REDEEMED = "already_redeemed"
    EXPIRED = "expired"
    VOIDED = "voided"

    def __init__(self, code: str, message: str, *, redemption=None):
        super().__init__("code", message)
        self.code = code
        self.redemption = redemption


# --- codes and links -------------------------------------------------------------------


def voucher_code_format(chars: str) -> str:
    """'7KQ4MXR9TB' → '7KQ4M-XR9TB': the stored and printed form, two halves a reader can hold."""
    return f"{chars[:VOUCHER_HALF_LENGTH]}-{chars[VOUCHER_HALF_LENGTH:]}"


def voucher_code_new() -> str:
    """An unguessable, human-readable code such as 7KQ4M-XR9TB (about 49 bits)."""
    return voucher_code_format("".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_CODE_LENGTH)))


def _shown(raw: str) -> str:
    raw = raw.strip()
    return raw if len(raw) <= _SHOWN_INPUT else raw[:_SHOWN_INPUT] + "…"


def voucher_code_normalize(raw: str) -> str:
    """The code as stored (7KQ4M-XR9TB) from what was typed or scanned.

    Case, spaces and dashes do not matter, and the customer's voucher link (what
    a QR code reader types) gives its code. O/0, I/1/L and U are never part of a
    code (the alphabet leaves them out so a code read aloud is unambiguous), so
    there is no right character to turn them into: guessing could redeem a
    different voucher, so the message names them and asks to check the slip.
    Raises VoucherError ("not_a_voucher", or "not_found" for a forged link).
    """
    raw = raw or ""
    link = _LINK.search(raw)
    if link:
        code = voucher_code_from_link_token(unquote(link.group(1)))
        if code is None:
            raise VoucherError(
                VoucherError.NOT_FOUND,
                gettext(
                    "Voucher code: this link is not one of our vouchers (damaged, forged, or signed with a key "
                    "no longer in use): type the code printed on the slip instead."
                ),
            )
        return code
    chars = _SEPARATORS.sub("", raw).upper()
    if not chars:
        raise VoucherError(
            VoucherError.NOT_A_VOUCHER,
            gettext("Voucher code: type or scan the code, like %(example)s.") % {"example": EXAMPLE},
        )
    not_a_code = VoucherError(
        VoucherError.NOT_A_VOUCHER,
        gettext(
            "Voucher code: “%(typed)s” is not a voucher code: a code has %(length)s letters and digits, "
            "like %(example)s."
        )
        % {"typed": _shown(raw), "length": VOUCHER_CODE_LENGTH, "example": EXAMPLE},
    )
    lookalikes = sorted({char for char in chars if char in VOUCHER_LOOKALIKES}, key=VOUCHER_LOOKALIKES.index)
    looks_like_a_code = len(chars) <= VOUCHER_CODE_LENGTH and all(
        char in VOUCHER_ALPHABET or char in VOUCHER_LOOKALIKES for char in chars
    )
    if lookalikes and looks_like_a_code:
        named = (
            gettext("%(first)s and %(last)s") % {"first": ", ".join(lookalikes[:-1]), "last": lookalikes[-1]}
            if len(lookalikes) > 1
            else lookalikes[0]
        )
        raise VoucherError(
            VoucherError.NOT_A_VOUCHER,
            gettext(
                "Voucher code: “%(typed)s” has %(characters)s, which no voucher code contains (codes like "
                "%(example)s leave out O, 0, I, 1, L and U because they are easy to mix up): check the slip."
            )
            % {"typed": _shown(raw), "characters": named, "example": EXAMPLE},
        )
    if len(chars) != VOUCHER_CODE_LENGTH or any(char not in VOUCHER_ALPHABET for char in chars):
        raise not_a_code
    return voucher_code_format(chars)


def voucher_code_typed(raw: str) -> int:
    """How many characters of a code have been typed (separators not counted)."""
    return len(_SEPARATORS.sub("", raw or ""))


def voucher_code_incomplete(raw: str) -> bool:
    """True while `raw` can still become a code: only code characters so far, and fewer than a code has.

    The redeem screen looks codes up as they are typed and says "keep typing"
    for these instead of refusing them at every key.
    """
    chars = _SEPARATORS.sub("", raw or "").upper()
    return len(chars) < VOUCHER_CODE_LENGTH and all(char in VOUCHER_ALPHABET for char in chars)


def voucher_signing_keys() -> list[str]:
    """The keys of voucher links: the first signs, all verify.

    `VOUCHER_SIGNING_KEYS` when set; else SECRET_KEY then SECRET_KEY_FALLBACKS,
    which is what signed every link before the list existed. Links are printed
    on slips that live until the voucher expires, so a key is rotated by putting
    the new one first and dropping the old one only after the last voucher it
    signed has expired; a slip whose key is gone still redeems by its typed code.
    """
    return list(settings.VOUCHER_SIGNING_KEYS) or [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def _link_signer() -> signing.Signer:
    first, *earlier = voucher_signing_keys()
    # A dot, not the default colon, between code and signature: the link reads cleanly when printed.
    return signing.Signer(key=first, fallback_keys=earlier, salt=_LINK_SALT, sep=".")


def voucher_link_token(code: str) -> str:
    """The token in the customer's link (/v/<token>/): the code with an HMAC only this server can make.

    Deterministic, so the printed slip, the page and its QR code always agree;
    signed with the first of `voucher_signing_keys()` (the others still verify),
    salted so no other signed value of the application can stand in for it.
    """
    return _link_signer().sign(code.replace("-", ""))


def voucher_code_from_link_token(token: str) -> str | None:
    """The code a link token was made for, or None if it was not made here (forged, damaged)."""
    try:
        chars = _link_signer().unsign(token)
    except signing.BadSignature:
        return None
    if len(chars) != VOUCHER_CODE_LENGTH:
        return None
    return voucher_code_format(chars)


# --- words about a voucher, shared by the look-up and the redemption -----------------------


def customer_display_name(full_name: str) -> str:
    """'Alice Moreau' → 'Alice M.': enough for the counter to greet the right person, no more."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0].upper()}."


def voucher_not_found_message(code: str) -> str:
    """The look-up's and the redemption's one answer for a well-formed code nobody was given."""
    return gettext("Voucher code: no voucher has the code %(code)s: check it character by character.") % {"code": code}


def local_date(timezone_name: str, at=None) -> date:
    """The day `at` (default now) falls on at a location: expiry is judged on the counter's calendar."""
    return timezone.localdate(at or timezone.now(), zoneinfo.ZoneInfo(timezone_name))


def voucher_day(value: date) -> str:
    """'3 March 2026', '3 марта 2026': the active language's way."""
    return wording.day(value, long=True)


def voided_words(*, voided_at, timezone_name: str, voided_by) -> dict:
    """When (the issuing location's calendar) and by whom a grant was voided, for a message.

    `voided_by` is the user who voided it, or None when the grant names nobody.
    """
    voided_on = timezone.localtime(voided_at, zoneinfo.ZoneInfo(timezone_name)).date()
    who = voided_by.get_username() if voided_by else gettext("a manager")
    return {"day": voucher_day(voided_on), "manager": who}
