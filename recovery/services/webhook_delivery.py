"""Posting a webhook delivery: one signed attempt, its outcome in the log, and the next try.

Run by the background worker (`recovery.tasks`), never inside a request. An
attempt first claims its row (a conditional UPDATE), so two workers handed the
same delivery post it once; the HTTP call then runs outside any transaction,
and its outcome is saved with history: each attempt is a row in the delivery's
history, which the delivery log shows.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from compensation.recording import save_with_history
from recovery.domain.webhooks import TIMEOUT_SECONDS, body_of, retry_delay, signed_headers
from recovery.models import WebhookDelivery

logger = logging.getLogger(__name__)

# How long a claimed delivery is left alone by other workers: longer than one attempt can take.
CLAIM = timedelta(seconds=TIMEOUT_SECONDS * 6)
# The start of the receiver's answer kept in the log when it refuses (enough to read its error).
ANSWER_KEPT = 300
USER_AGENT = "RecoveryDesk-Webhooks/1"


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: the HTTP status (None: no answer) and what went wrong ("" when delivered)."""

    status_code: int | None
    error: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed attempt: following it would post the event to a URL nobody subscribed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    """POST `body`; any 2xx is delivered, anything else (or no answer in time) is an error worded for the log."""
    request = urllib.request.Request(url, data=body, headers={**headers, "User-Agent": USER_AGENT}, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Attempt(response.status, "")
    except urllib.error.HTTPError as error:
        answer = error.read(ANSWER_KEPT).decode("utf-8", "replace").strip()
        return Attempt(error.code, f"HTTP {error.code} {error.reason}" + (f": {answer}" if answer else ""))
    except TimeoutError:
        return Attempt(None, f"No answer within {TIMEOUT_SECONDS} s")
    except urllib.error.URLError as error:
        return Attempt(None, f"Could not connect: {error.reason}")
    except (OSError, ValueError) as error:
        return Attempt(None, f"Could not send: {error}")


def _claim(delivery_id: int, now) -> bool:
    """Take the delivery if it is pending and due; False when another worker has it or it is not due."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + CLAIM)
    )


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a due delivery and record it; None when it was not due (or already taken)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("subscriber").get(pk=delivery_id)
    subscriber = delivery.subscriber
    if not subscriber.is_active:
        attempt = Attempt(None, "The subscriber was switched off")
    else:
        body = body_of(delivery.payload)
        headers = signed_headers(secret=subscriber.secret, message_id=str(delivery.event_id), at=now, body=body)
        attempt = http_post(subscriber.url, body, headers)
    return _record(delivery, attempt, now, counted=subscriber.is_active)


def _record(delivery: WebhookDelivery, attempt: Attempt, now, *, counted: bool) -> WebhookDelivery:
    """Save the attempt's outcome and when to try next (the retry schedule), with a history row for it."""
    if counted:
        delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_response_code = attempt.status_code
    delivery.last_error = attempt.error
    if attempt.delivered:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        # A "Deliver again" is one more attempt; otherwise the schedule says when, until it is used up.
        delay = None if delivery.replayed_at or not counted else retry_delay(delivery.attempts)
        delivery.status = WebhookDelivery.Status.PENDING if delay else WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = now + delay if delay else None
    reason = f"Attempt {delivery.attempts}: " + ("delivered" if attempt.delivered else attempt.error)
    save_with_history(delivery, actor=None, reason=reason[:500], history_date=now)
    logger.info(
        "webhook.attempt delivery_id=%s event_type=%s attempt=%s status=%s status_code=%s",
        delivery.pk,
        delivery.event_type,
        delivery.attempts,
        delivery.status,
        attempt.status_code,
    )
    return delivery
