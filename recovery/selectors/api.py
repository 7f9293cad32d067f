"""The integration API's reads: customers by identifier, keyset pages of grants, tokens."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from recovery.domain.phones import phone_normalize
from recovery.models import ApiToken, Customer, Grant
from recovery.selectors.counter import SEARCH_LIMIT
from recovery.selectors.grants import grant_list_for
from recovery.selectors.scope import location_ids_for

API_PAGE_SIZE = 100


def customers_by_identifier(*, phone: str = "", email: str = "", loyalty_card: str = "") -> list[Customer]:
    """The customer with this phone, email or loyalty card (each is unique), in one query."""
    if phone:
        matches = Customer.objects.filter(phone=phone)
    elif email:
        matches = Customer.objects.filter(email__iexact=email)
    elif loyalty_card:
        matches = Customer.objects.filter(loyalty_card__iexact=loyalty_card)
    else:
        return []
    return list(matches.order_by("id")[:SEARCH_LIMIT])


def customer_by_any_identifier(text: str) -> Customer | None:
    """The one customer whose phone (any format), email or loyalty card is `text`; None when none or unclear."""
    text = (text or "").strip()
    if not text:
        return None
    if "@" in text:
        found = customers_by_identifier(email=text)
    else:
        found = customers_by_identifier(loyalty_card=text)
        if not found:
            try:
                found = customers_by_identifier(phone=phone_normalize(text))
            except ValueError:
                found = []
    return found[0] if len(found) == 1 else None


API_GRANT_RELATED = ("customer", "location", "failure", "policy_version", "approved_by", "voided_by")


def api_grants_for(*, user) -> QuerySet[Grant]:
    """The grants an integration may list: its location's if it reviews them (a manager token), else its own."""
    if user.has_perm("recovery.view_audit"):
        grants = grant_list_for(user=user)
    else:
        grants = Grant.objects.filter(granted_by=user)
    return grants.select_related(*API_GRANT_RELATED)


def api_grant_page(*, user, since=None, until=None, after=None, limit: int = API_PAGE_SIZE):
    """One page of grants for reconciliation, oldest first, after the `(granted_at, id)` of `after`.

    Keyset pagination: no OFFSET and no COUNT, so page 1,000 costs what page 1
    does. Returns the page and whether more follow.
    """
    grants = api_grants_for(user=user)
    if since is not None:
        grants = grants.filter(granted_at__gte=since)
    if until is not None:
        grants = grants.filter(granted_at__lt=until)
    if after is not None:
        when, last_id = after
        grants = grants.filter(Q(granted_at__gt=when) | Q(granted_at=when, id__gt=last_id))
    page = list(grants.order_by("granted_at", "id")[: limit + 1])
    return page[:limit], len(page) > limit


def api_tokens_for(*, user) -> QuerySet[ApiToken]:
    """Integration tokens the user may see: every one for ops and auditors, their locations' for managers."""
    tokens = ApiToken.objects.select_related("location", "user", "created_by", "revoked_by")
    location_ids = location_ids_for(user)
    if location_ids is not None:
        tokens = tokens.filter(location_id__in=location_ids)
    return tokens.order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")


def api_grant_detail(*, grant_id: int) -> Grant:
    """One grant with everything the API shows (raises Grant.DoesNotExist)."""
    return Grant.objects.select_related(*API_GRANT_RELATED).get(pk=grant_id)
