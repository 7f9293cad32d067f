"""The customer's follow-up ("Did we put it right?"): its signed link and how long it stays open.

The customer answers without an account, so the link itself is the key: it
names one grant and carries an HMAC only this server can make. It is signed
with the voucher links' keys (`voucher_signing_keys`, so one rotation covers
every printed slip) but under its own salt, so a voucher link's signature can
never stand in for a follow-up link, nor the other way round. The token is
deterministic (the grant's number and its signature, no timestamp): the slip,
a reprint and the voucher page always print the same link and QR code. How
long it stays open is counted from the grant, not from when a page was
printed (`survey_open_until`). No database here: the answer itself is
`recovery.services.surveys.survey_answer`.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils.translation import gettext

from recovery.domain.errors import RecoveryError
from recovery.domain.vouchers import voucher_signing_keys

# Its own salt: no other signed value of the application (a voucher link, a case-opened stamp) verifies here.
_LINK_SALT = "recovery.surveys.link"
# A customer who has not answered within three months has moved on; a link found later says so.
SURVEY_OPEN_DAYS = 90
SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX_LENGTH = 500


class SurveyError(RecoveryError):
    """A follow-up answer refused, with the field it is about and, for machines, why (`code`).

    "invalid" (an answer outside its choices, `field` names it), "bad_link" (forged, damaged, or for no grant), "closed" (past `SURVEY_OPEN_DAYS`),
    "already_answered" (the grant has its one answer).
    """

    INVALID = "invalid"
    BAD_LINK = "bad_link"
    CLOSED = "closed"
    ALREADY_ANSWERED = "already_answered"

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(field, message)
        self.code = code


def _signer() -> signing.Signer:
    first, *earlier = voucher_signing_keys()
    # A dot between number and signature, as the voucher links: the printed link reads cleanly.
    return signing.Signer(key=first, fallback_keys=earlier, salt=_LINK_SALT, sep=".")


def survey_link_token(grant_id: int) -> str:
    """The token in the follow-up link (/s/<token>/): the grant's number and its signature."""
    return _signer().sign(str(int(grant_id)))


def survey_grant_id(token: str) -> int | None:
    """The grant a token was signed for, or None when this server did not sign it (forged, damaged, cut short)."""
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return None
    return int(value) if value.isascii() and value.isdigit() else None


def survey_open_until(granted_at: dt.datetime) -> dt.datetime:
    """The last moment a grant's follow-up may be answered: `SURVEY_OPEN_DAYS` after it was granted."""
    return granted_at + dt.timedelta(days=SURVEY_OPEN_DAYS)


def bad_link_error() -> SurveyError:
    return SurveyError(
        SurveyError.BAD_LINK,
        gettext(
            "This link is not one of ours: it may have been cut short or changed. "
            "Open it again from your slip or your voucher page, or scan the QR code."
        ),
    )


def closed_error() -> SurveyError:
    return SurveyError(
        SurveyError.CLOSED,
        gettext("This question was open for %(days)s days after your visit and has now closed. Thank you anyway.")
        % {"days": SURVEY_OPEN_DAYS},
    )


def already_answered_error() -> SurveyError:
    return SurveyError(
        SurveyError.ALREADY_ANSWERED,
        gettext("You have already answered for this visit: we keep one answer, the first. Thank you!"),
    )


def score_message() -> str:
    """The one refusal of a missing or wrong score, on the page and in the service alike."""
    return gettext("Did we put it right?: choose one answer, from 1 (not at all) to 5 (completely).")


def will_return_message() -> str:
    return gettext("Will you come back?: choose one answer: yes, not sure or no.")
