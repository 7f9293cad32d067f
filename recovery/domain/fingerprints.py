"""What makes two grant requests "the same request": the fingerprint stored on each grant.

A form token used again with the same content is a retry (double click,
browser resend) and gets its first grant back; the same token with other
content is refused. The fingerprint is the only record of "the same content",
so it is computed in exactly one place: `GrantRequest.fingerprint` and the
synthetic data generator both call `grant_request_fingerprint`, and a change to
its canonical form would make every stored grant look different from its retry.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal


def grant_request_fingerprint(
    *,
    customer_id: int,
    location_id: int,
    category: str,
    purchase_value: Decimal,
    note: str,
    playbook_id: int,
    amount: Decimal | None,
    failure_id: int | None = None,
) -> str:
    """SHA-256 (hex) of the request's content, to tell a true retry from a reused token.

    `amount=None` ("the full cap") is part of the content: asking for the cap and
    asking for a number that happens to equal it are different requests.
    """
    canonical = json.dumps(
        [
            customer_id,
            location_id,
            category,
            str(purchase_value),
            note,
            playbook_id,
            None if amount is None else str(amount),
        ]
        # A further grant on an existing case names it; a new case's fingerprint is as it always was.
        + ([] if failure_id is None else [failure_id])
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
