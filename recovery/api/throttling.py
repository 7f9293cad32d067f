"""Rate limiting per token, counted in the database every app server shares.

The app keeps no state of its own and runs no cache server. DRF's cache-based
throttles read and then write the count (not atomic: simultaneous requests
under-count), so the count lives on the token's row and is raised with one
UPDATE, which the database serialises: the limit holds across app servers.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from recovery.models import ApiToken

WINDOW = timedelta(minutes=1)


def window_start(now):
    """The start of the fixed one-minute window `now` falls in."""
    return now.replace(second=0, microsecond=0)


class TokenRateThrottle(BaseThrottle):
    """At most `API_RATE_LIMIT_PER_MINUTE` requests per token per minute; then 429 with Retry-After."""

    def allow_request(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True  # unauthenticated requests are refused before any work anyway
        now = timezone.now()
        start = window_start(now)
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(
                rate_window_count=Case(
                    When(rate_window_start=start, then=F("rate_window_count") + 1), default=Value(1)
                ),
                rate_window_start=start,
                last_used_at=now,
            )
            # Read inside the transaction, under the row lock the UPDATE took: our own count.
            count = ApiToken.objects.values_list("rate_window_count", flat=True).get(pk=token.pk)
        self.retry_after = (start + WINDOW - now).total_seconds()
        return count <= settings.API_RATE_LIMIT_PER_MINUTE

    def wait(self):
        return max(1, math.ceil(self.retry_after))
