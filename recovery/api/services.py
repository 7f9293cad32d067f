"""Services for integration tokens: the only code that writes `ApiToken`.

An integration is a user of its own, in the role's group and working at the
token's location, so the counter's `rules` predicates decide what it may do
without a single API-specific rule.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from recovery.models import ApiToken, Location, StaffProfile
from recovery.services import RecoveryError

TOKEN_PREFIX = "rd_live_"
SECRET_BYTES = 32  # 256 bits: guessing is hopeless, so a fast hash is enough to store it
SHOWN_CHARACTERS = 8  # of the random part, kept in clear to recognise a token in lists
USERNAME_ATTEMPTS = 100


def token_hash(secret: str) -> str:
    """What is stored of a secret: its SHA-256 (the secret itself is never stored)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, to the ops person who created it; not recoverable afterwards


def _integration_username(name: str) -> str:
    User = get_user_model()
    base = f"api-{slugify(name)[:40] or 'integration'}"
    for attempt in range(USERNAME_ATTEMPTS):
        username = base if attempt == 0 else f"{base}-{attempt + 1}"
        if not User.objects.filter(username=username).exists():
            return username
    return f"{base}-{secrets.token_hex(4)}"


def api_token_create(
    *, actor, name: str, location: Location, role: str, may_set_tenure: bool = False, may_set_status: bool = False
) -> IssuedToken:
    """Create an integration's user and token; the secret is returned once and only its hash kept.

    The user has no usable password (it can never log in to the pages), is in
    the role's group and works at the one location, so grants it makes are
    limited by the role's authority and shown in that location's audit.
    `may_set_tenure` trusts it to send when a customer became one (a CRM):
    a tenure raises the customer's tier, so it is off unless ops say so; `may_set_status`
    likewise trusts it to set a customer's programme status (Gold…).

    Refusals are worded when raised, in the active language: Russian on the ops
    page for a Russian ops person, English from the API and the management command.
    """
    name = name.strip()
    if not name:
        raise RecoveryError("name", gettext("Name: say which system will use the token, e.g. “POS till 3”."))
    if role not in ApiToken.Role.values:
        raise RecoveryError("role", gettext("Role: choose frontline or manager."))
    if not location.is_active:
        raise RecoveryError("location", gettext("Location: this location is closed; choose an active one."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        user = get_user_model()(username=_integration_username(name), first_name=name[:150])
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
        profile = StaffProfile(user=user)
        profile._history_user = actor
        profile._change_reason = f"Integration token “{name}”"
        profile.save()
        profile.locations.add(location)
        token = ApiToken(
            name=name,
            user=user,
            location=location,
            role=role,
            may_set_tenure=may_set_tenure,
            may_set_status=may_set_status,
            prefix=secret[: len(TOKEN_PREFIX) + SHOWN_CHARACTERS],
            secret_hash=token_hash(secret),
            created_by=actor,
        )
        token._history_user = actor
        token._change_reason = "Created"
        token.save()
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke a token at once: its next request gets 401. Its user is deactivated, never deleted,
    so the audit keeps naming it on the grants it made."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
        if token.is_revoked:
            raise RecoveryError(None, gettext("“%(name)s” was already revoked.") % {"name": token.name})
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token._history_user = actor
        token._change_reason = "Revoked"
        token.save(update_fields=["revoked_at", "revoked_by"])
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
    return token
