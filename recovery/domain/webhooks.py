"""Outgoing webhooks, the pure part: event types, the signature, the retry schedule, refused URLs.

Other systems (a CRM, a data warehouse, the survey tool) learn what the desk did
from signed HTTP POSTs. The signature follows Standard Webhooks
(https://www.standardwebhooks.com/): HMAC-SHA256 with the subscriber's own
secret over ``"{webhook-id}.{webhook-timestamp}.{body}"``, sent in the
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers, so a
receiver verifies it with the maintained ``standardwebhooks`` library (or ten
lines of any language) and refuses a replay older than five minutes.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from standardwebhooks import Webhook

GRANT_CREATED = "grant.created"
GRANT_VOIDED = "grant.voided"
VOUCHER_REDEEMED = "voucher.redeemed"
ESCALATION_DECIDED = "escalation.decided"
SURVEY_ANSWERED = "survey.answered"

#: Every event a subscriber may ask for. "survey.answered" is emitted by the survey feature
#: through `recovery.services.webhooks.emit_event`.
EVENT_TYPES = (GRANT_CREATED, GRANT_VOIDED, VOUCHER_REDEEMED, ESCALATION_DECIDED, SURVEY_ANSWERED)

#: The wait before each retry of a failed delivery: after the sixth failed attempt it is failed for good.
#: Why these: a receiver restarting is back within minutes, one being fixed within hours; half a day
#: later a person has to look (the delivery log shows it, "Deliver again" re-sends it).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)

#: Seconds a receiver has to answer before the attempt counts as failed.
TIMEOUT_SECONDS = 5

#: Host names that always mean "this machine": a subscriber there would post to the desk itself.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "0.0.0.0", "::", "::1"})


def retry_delay(attempts: int) -> timedelta | None:
    """The wait before the next try after `attempts` failed ones; None once the schedule is used up."""
    if 1 <= attempts <= len(RETRY_DELAYS):
        return RETRY_DELAYS[attempts - 1]
    return None


def secret_new() -> str:
    """A new signing secret in the Standard Webhooks form: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def body_of(envelope: dict) -> bytes:
    """The bytes posted (and signed): compact JSON, keys sorted, so every retry sends the very same body."""
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def signed_headers(*, secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers for `body` sent at `at`: id, Unix timestamp and ``v1,<base64 HMAC>``."""
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def _host_matches(host: str, pattern: str) -> bool:
    """Django's ALLOWED_HOSTS matching: ``.example.com`` covers the domain and its subdomains."""
    pattern = pattern.lower().strip("[]")
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern


def is_desk_host(host: str, desk_hosts: tuple[str, ...]) -> bool:
    """True when `host` is this desk: a name it answers to (``*`` excepted), or a loopback address."""
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_loopback or address.is_unspecified):
        return True
    return any(_host_matches(host, pattern) for pattern in desk_hosts if pattern and pattern != "*")


def url_problem(url: str, desk_hosts: tuple[str, ...]) -> str | None:
    """Why `url` cannot receive webhooks, as a code ("scheme", "host", "desk"); None when it can.

    Only http(s) to another machine: a webhook to the desk's own address would
    let a subscriber make the desk call its own pages (or loop forever).
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "host"
    if parts.scheme.lower() not in ("http", "https"):
        return "scheme"
    if not host:
        return "host"
    if is_desk_host(host, desk_hosts):
        return "desk"
    return None
