"""Idempotency keys for API writes, as payment APIs have them.

A client sends `Idempotency-Key: <unique string>` with a grant or a voucher
redemption. The first response is stored in the same transaction as the write
it answers; a repeat with the same key and the same request gets that response
again (with `Idempotent-Replayed: true`); the same key with another request is
refused (422 `idempotency_key_reused`). Validation failures and refusals store
nothing, so they are safe to retry.

A simultaneous duplicate does not race: the record is inserted first, so the
duplicate's insert waits on the unique `(token, key)` until the first commits,
then replays its response (on SQLite the IMMEDIATE transaction itself waits).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from recovery.api.errors import ApiError
from recovery.models import ApiToken, IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Grant tokens are derived from (token, key): even after the record is pruned, the grant's own
# `(granted_by, token)` guard still answers a late retry with the first grant.
GRANT_TOKEN_NAMESPACE = uuid.UUID("0c2f8a53-6a1e-4d0e-9a55-7b1f8e3c9d41")


def retention() -> timedelta:
    """How long keys are remembered: the setting, never less than 24 hours."""
    return timedelta(hours=max(24, settings.API_IDEMPOTENCY_KEY_HOURS))


def idempotency_key_of(request) -> str:
    """The request's key, checked: 1–255 visible ASCII characters (a UUID is ideal)."""
    key = request.headers.get(HEADER, "")
    if not key:
        raise ApiError(
            "idempotency_key_required",
            f"{HEADER}: send a unique key (e.g. a UUID) with every grant and redemption, and the same key "
            "when you retry it, so it is never done twice.",
            status_code=400,
            fields={HEADER: ["Required."]},
        )
    if len(key) > MAX_KEY_LENGTH or not all("!" <= char <= "~" for char in key):
        raise ApiError(
            "idempotency_key_invalid",
            f"{HEADER}: use 1 to {MAX_KEY_LENGTH} visible ASCII characters without spaces, e.g. a UUID.",
            status_code=400,
            fields={HEADER: ["Not a valid key."]},
        )
    return key


def request_hash(request) -> str:
    """SHA-256 of the method, the path and the JSON body in canonical form (key order does not matter)."""
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": request.data},
        sort_keys=True,
        separators=(",", ":"),
        default=str,  # Decimal("24.50") as "24.50": the amount as the client wrote it
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def derived_uuid(token: ApiToken, key: str) -> uuid.UUID:
    """The one-time token of the write this key asks for: the same key always gives the same one."""
    return uuid.uuid5(GRANT_TOKEN_NAMESPACE, f"{token.pk}:{key}")


@dataclass(frozen=True)
class Attempt:
    token: ApiToken
    key: str
    fingerprint: str
    method: str
    path: str


def key_reused(attempt: Attempt, used_at) -> ApiError:
    return ApiError(
        "idempotency_key_reused",
        f"{HEADER}: this key was already used at {used_at:%Y-%m-%d %H:%M:%S} UTC for another request. "
        "Use a new key for a new request; resend the same body to retry the first.",
        fields={HEADER: ["Already used for another request."]},
    )


def _replay_or_refuse(record: IdempotencyRecord, attempt: Attempt) -> Response:
    if record.request_hash != attempt.fingerprint:
        raise key_reused(attempt, record.created_at)
    response = Response(record.response_body, status=record.response_status)
    response[REPLAYED_HEADER] = "true"
    return response


def replay_if_seen(request) -> tuple[Attempt, Response | None]:
    """The checked key, and the stored response if this key was already answered (or a refusal)."""
    attempt = Attempt(
        token=request.auth,
        key=idempotency_key_of(request),
        fingerprint=request_hash(request),
        method=request.method,
        path=request.path[:255],
    )
    record = IdempotencyRecord.objects.filter(token=attempt.token, key=attempt.key).first()
    return attempt, (_replay_or_refuse(record, attempt) if record is not None else None)


def respond_once(attempt: Attempt, write) -> Response:
    """Run `write()` (which returns a Response) once per key, storing its answer with it.

    Everything happens in one transaction: the record is inserted first (a
    simultaneous duplicate waits on it), then the write, then the answer is
    stored. A refusal raised by `write` rolls it all back: nothing is kept.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    token=attempt.token,
                    key=attempt.key,
                    request_method=attempt.method,
                    request_path=attempt.path,
                    request_hash=attempt.fingerprint,
                    response_status=0,
                    response_body={},
                )
        except IntegrityError:
            # A simultaneous duplicate committed first: answer as it did.
            record = IdempotencyRecord.objects.get(token=attempt.token, key=attempt.key)
            return _replay_or_refuse(record, attempt)
        response = write()
        record.response_status = response.status_code
        record.response_body = response.data
        record.save(update_fields=["response_status", "response_body"])
    return response


def idempotency_records_prune(*, now=None) -> int:
    """Forget keys older than the retention (at least 24 hours); returns how many were deleted."""
    cutoff = (now or timezone.now()) - retention()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
