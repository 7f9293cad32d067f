"""Vouchers: look a code up, redeem it exactly once at any counter, and the customer's own link.

A voucher is the `voucher_code` of a grant made with a voucher playbook (see
`recovery.services.voucher_code_new`). A voucher nobody can redeem, or one that
redeems twice, is worthless, so:

- codes are typed forgivingly (`voucher_code_normalize`): any case, with or
  without the dash or spaces, or as the customer's link (a scanned QR code);
- a voucher redeems once, at any location (`voucher_redeem`): the grant row is
  locked and the database's one-to-one constraint on `VoucherRedemption.grant`
  is the final guard, so two counters at the same moment give one redemption
  and one clear "already redeemed at … by … on … at …";
- expired and voided vouchers say so, and every redemption is a journal entry
  on the redeeming location's chain;
- the customer's page is addressed by a signed link (`voucher_link_token`), so
  it needs no login and cannot be guessed from the code or a grant number.

The JSON API calls the same functions; `VoucherError.code` is its machine-readable reason.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from urllib.parse import unquote

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from compensation import wording
from compensation.journal import journal_append, location_chain
from compensation.money import format_money
from compensation.texts import ENGLISH
from recovery.models import Grant, Location, VoucherRedemption
from recovery.services import VOUCHER_ALPHABET, VOUCHER_HALF_LENGTH, RecoveryError, _lock_location

VOUCHER_CODE_LENGTH = 2 * VOUCHER_HALF_LENGTH
# Characters VOUCHER_ALPHABET leaves out because they are easy to mix up (0/O, 1/I/L) or misread (U/V).
VOUCHER_LOOKALIKES = "0O1ILU"
# Typed between the characters of a code and ignored: spaces, hyphens and dashes of any kind, dots, underscores.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._]+")
# A link to the customer's voucher page, as a QR code reader or the browser's address bar gives it.
_LINK = re.compile(r"/v/([^/?#\s]+)")
_LINK_SALT = "recovery.vouchers.link"
_SHOWN_INPUT = 40  # characters of a refused input repeated in the message
EXAMPLE = "7KQ4M-XR9TB"


class VoucherState(StrEnum):
    VALID = "valid"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    VOIDED = "voided"


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

    def __init__(self, code: str, message: str, *, redemption: VoucherRedemption | None = None):
        super().__init__("code", message)
        self.code = code
        self.redemption = redemption


# --- codes and links -------------------------------------------------------------------


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
                gettext("Voucher code: this link is not one of our vouchers (damaged or forged)."),
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
    return f"{chars[:VOUCHER_HALF_LENGTH]}-{chars[VOUCHER_HALF_LENGTH:]}"


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


def _link_signer() -> signing.Signer:
    # A dot, not the default colon, between code and signature: the link reads cleanly when printed.
    return signing.Signer(salt=_LINK_SALT, sep=".")


def voucher_link_token(code: str) -> str:
    """The token in the customer's link (/v/<token>/): the code with an HMAC only this server can make.

    Deterministic, so the printed slip, the page and its QR code always agree;
    signed with SECRET_KEY (and `SECRET_KEY_FALLBACKS` while rotating), salted
    so no other signed value of the application can stand in for it.
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
    return f"{chars[:VOUCHER_HALF_LENGTH]}-{chars[VOUCHER_HALF_LENGTH:]}"


# --- looking a voucher up -----------------------------------------------------------------


def _not_found(code: str) -> str:
    return gettext("Voucher code: no voucher has the code %(code)s: check it character by character.") % {"code": code}


def customer_display_name(full_name: str) -> str:
    """'Alice Moreau' → 'Alice M.': enough for the counter to greet the right person, no more."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0].upper()}."


@dataclass(frozen=True)
class VoucherStatus:
    """What the counter sees for a code: what it is worth, whom it was for, and whether it redeems now."""

    grant: Grant
    code: str
    amount: Decimal
    currency: str
    item: str  # the playbook's name, e.g. "Repeat repair voucher"
    offer: str  # what the customer was promised, in the words published when it was granted
    customer_name: str  # first name and initial only
    expires_on: date | None
    state: VoucherState
    redemption: VoucherRedemption | None
    message: str

    @property
    def worth(self) -> str:
        return format_money(self.amount, self.currency, locale=translation.get_language() or settings.LANGUAGE_CODE)

    @property
    def item_shown(self) -> str:
        """The playbook's name in the reader's language (`item` stays as stored, in English, for the API)."""
        return self.grant.playbook_text("name")

    @property
    def offer_shown(self) -> str:
        """The offer in the reader's language (`offer` stays in English, for the API)."""
        return self.grant.playbook_text("offer")

    @property
    def is_redeemable(self) -> bool:
        return self.state == VoucherState.VALID


def _local_date(location: Location, at=None) -> date:
    return timezone.localdate(at or timezone.now(), zoneinfo.ZoneInfo(location.timezone))


def _day(value: date) -> str:
    """'3 March 2026', '3 марта 2026': the active language's way."""
    return wording.day(value, long=True)


def _voided(grant: Grant) -> dict:
    """When (the issuing location's calendar) and by whom the grant was voided, for a message."""
    voided_on = timezone.localtime(grant.voided_at, zoneinfo.ZoneInfo(grant.location.timezone)).date()
    who = grant.voided_by.get_username() if grant.voided_by else gettext("a manager")
    return {"day": _day(voided_on), "manager": who}


def _state(grant: Grant, redemption: VoucherRedemption | None, today: date) -> tuple[VoucherState, str]:
    """The voucher's state and what to say about it. A redemption comes first: it is what happened."""
    if redemption is not None:
        return VoucherState.REDEEMED, gettext("Redeemed %(redeemed)s.") % {"redeemed": redemption.summary}
    if grant.is_voided:
        return VoucherState.VOIDED, gettext(
            "This voucher was voided on %(day)s by %(manager)s: it cannot be redeemed."
        ) % _voided(grant)
    if grant.voucher_expires_on is not None and today > grant.voucher_expires_on:
        return VoucherState.EXPIRED, gettext("Expired: it was valid until %(day)s.") % {
            "day": _day(grant.voucher_expires_on)
        }
    if grant.voucher_expires_on is None:
        return VoucherState.VALID, gettext("Valid with no end date.")
    return VoucherState.VALID, gettext("Valid until %(day)s.") % {"day": _day(grant.voucher_expires_on)}


def _offer_of(grant: Grant) -> str:
    """The offer as published when the grant was made (the live playbook row is the ops draft), in English."""
    return grant.playbook_text("offer", ENGLISH)


def voucher_lookup(*, code: str, location: Location | None = None) -> VoucherStatus:
    """A voucher's status in one query, without changing anything.

    `location` is the counter asking: its local date decides whether the
    voucher has expired (default: the issuing location's). Raises VoucherError
    ("not_a_voucher", "not_found"); an expired, voided or redeemed voucher is a
    status, not an error, so the counter can show what happened.
    """
    code = voucher_code_normalize(code)
    grant = (
        Grant.objects.select_related("customer", "location", "voided_by", "playbook", "redemption__location")
        .filter(voucher_code=code)
        .first()
    )
    if grant is None:
        raise VoucherError(VoucherError.NOT_FOUND, _not_found(code))
    redemption = getattr(grant, "redemption", None)  # joined above; None when not redeemed
    state, message = _state(grant, redemption, _local_date(location or grant.location))
    return VoucherStatus(
        grant=grant,
        code=code,
        amount=grant.amount,
        currency=grant.currency,
        item=grant.playbook_name,
        offer=_offer_of(grant),
        customer_name=customer_display_name(grant.customer.name),
        expires_on=grant.voucher_expires_on,
        state=state,
        redemption=redemption,
        message=message,
    )


# --- redeeming ---------------------------------------------------------------------------------


def _redemption_of(grant_id: int) -> VoucherRedemption | None:
    return VoucherRedemption.objects.select_related("location", "grant").filter(grant_id=grant_id).first()


def _replayed_or_refused(existing: VoucherRedemption, *, actor, token, code: str) -> VoucherRedemption:
    """The same request again (double click, retry: same actor, same token) gets its redemption back;
    anyone else is told where, by whom and when it was redeemed."""
    if token is not None and existing.token == token and existing.redeemed_by_id == actor.pk:
        return existing
    raise VoucherError(
        VoucherError.ALREADY_REDEEMED,
        gettext("Voucher code: %(code)s was already redeemed %(redeemed)s.")
        % {"code": code, "redeemed": existing.summary},
        redemption=existing,
    )


def _refuse_unredeemable(grant: Grant, *, code: str, today: date) -> None:
    if grant.is_voided:
        raise VoucherError(
            VoucherError.VOIDED,
            gettext("Voucher code: %(code)s was voided on %(day)s by %(manager)s: do not redeem it.")
            % {"code": code, **_voided(grant)},
        )
    if grant.voucher_expires_on is not None and today > grant.voucher_expires_on:
        raise VoucherError(
            VoucherError.EXPIRED,
            gettext("Voucher code: %(code)s expired: it was valid until %(day)s.")
            % {"code": code, "day": _day(grant.voucher_expires_on)},
        )


def voucher_redeem(
    *, actor, code: str, location: Location, at=None, token: uuid.UUID | None = None
) -> VoucherRedemption:
    """Redeem a voucher at `location` (any location, not only the issuing one), exactly once.

    Locks the redeeming location first (it orders that location's audit chain,
    and every service takes the location before anything else), then the
    grant row, so a void and a redemption of the same voucher are serialised
    and two counters redeeming one code wait for each other; the one-to-one
    constraint on the redemption's grant is the final guard if anything gets
    past the lock. The loser gets VoucherError("already_redeemed") naming where,
    by whom and when. `token` (the redeem form's one-time token or an API's
    idempotency key): the same actor sending the same token again gets the
    first redemption back instead of an error (a double click). Expiry is
    checked in the redeeming location's local date: the customer is standing
    there. Raises PermissionDenied unless the actor serves at `location`.
    """
    code = voucher_code_normalize(code)
    if not actor.has_perm("recovery.redeem_voucher", location):
        raise PermissionDenied(
            gettext("%(employee)s does not serve customers at %(location)s.")
            % {"employee": actor.get_username(), "location": location.name}
        )
    grant_id = Grant.objects.filter(voucher_code=code).values_list("pk", flat=True).first()
    if grant_id is None:
        raise VoucherError(VoucherError.NOT_FOUND, _not_found(code))
    now = at or timezone.now()
    try:
        with transaction.atomic():
            _lock_location(location.pk)
            grant = Grant.objects.select_for_update().get(pk=grant_id)
            existing = _redemption_of(grant_id)
            if existing is not None:
                return _replayed_or_refused(existing, actor=actor, token=token, code=code)
            _refuse_unredeemable(grant, code=code, today=_local_date(location, now))
            redemption = VoucherRedemption(
                grant=grant,
                location=location,
                redeemed_by=actor,
                redeemed_by_username=actor.get_username(),
                redeemed_at=now,
                token=token,
            )
            redemption._history_user = actor
            redemption._history_date = now
            redemption.save()
            journal_append(
                chain=location_chain(location.pk),
                kind="voucher.redeemed",
                subject_type="grant",
                subject_id=grant.pk,
                actor=actor,
                location_id=location.pk,
                at=now,
                payload={
                    "voucher_code": code,
                    "redemption_id": redemption.pk,
                    "redeemed_by_id": actor.pk,
                    "location_id": location.pk,
                    "grant_location_id": grant.location_id,
                    "amount": grant.amount,
                    "currency": grant.currency,
                },
            )
    except IntegrityError:
        # Past the lock anyway (the one-to-one held): answer as the loser of the race.
        existing = _redemption_of(grant_id)
        if existing is None:
            raise
        return _replayed_or_refused(existing, actor=actor, token=token, code=code)
    return redemption
