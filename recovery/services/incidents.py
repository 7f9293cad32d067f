"""One failure, many customers: log the incident, attach whom it hit, grant them all in one decision.

Each customer gets an ordinary failure and grant through `grant_issue` (the
cap under the version in force, every limit under the location's lock, the
journal, history, month totals and anomaly checks), the failure naming the
incident. The decision is granted in chunks (`INCIDENT_CHUNK` customers per
request, each grant its own short transaction), so 200 customers never hold
the location's lock for one long transaction and the page can show progress.

Exactly once per customer: the grant's token is derived from (incident,
customer), so the same employee's retry replays the first grant, and the
failure's `(incident, customer)` unique constraint refuses a second grant made
by anyone else (a second manager, a double submit from another tab). A retry
grants only the customers still missing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from compensation.currencies import currency_refusal
from compensation.observability import logs_action
from compensation.policy import load_policy
from recovery.domain.errors import RecoveryError
from recovery.models import Incident, IncidentCustomer, ServiceFailure
from recovery.selectors.incidents import incident_preview
from recovery.services.grants import grant_issue
from recovery.services.locking import location_locked
from recovery.services.pricing import GrantRequest
from recovery.services.recording import record_with_history

logger = logging.getLogger(__name__)

# Customers granted per request: about 1 s on SQLite, small enough for a progress bar to move.
INCIDENT_CHUNK = 25
# The grant tokens of an incident's customers: uuid5(namespace, "incident:customer"), the same on every retry.
INCIDENT_TOKENS = uuid.UUID("6f1b3c9e-2d4a-4f8e-9a57-1c0d5e7b8a21")


def incident_token(incident_id: int, customer_id: int) -> uuid.UUID:
    """The one grant token of this customer in this incident: a retry of the decision replays, never pays twice."""
    return uuid.uuid5(INCIDENT_TOKENS, f"{incident_id}:{customer_id}")


@logs_action("incident.log", result_fields=lambda incident: {"incident_id": incident.pk})
def incident_log(*, actor, location, title, category, happened_at, playbook_id: int, purchase_value) -> Incident:
    """Log what happened (journalled on the location's chain), before any customer is attached.

    The playbook must be active in the version in force and offered at the location: its caps are what the
    preview shows.
    """
    if happened_at > timezone.now():
        raise RecoveryError("happened_at", gettext("When it happened: it cannot be in the future."))
    policy = load_policy().at_location(location)
    if policy.unstated_currency:
        # The version in force does not state the location's currency: say so rather than "not active".
        raise RecoveryError("playbook", currency_refusal(policy, location))
    if playbook_id not in policy.playbooks:
        raise RecoveryError(
            "playbook", gettext("Playbook: not active in the version in force at this location; choose another.")
        )
    with location_locked(location.pk):
        incident = Incident(
            location=location,
            title=title,
            category=category,
            happened_at=happened_at,
            playbook_id=playbook_id,
            purchase_value=purchase_value,
            created_by=actor,
        )
        record_with_history(
            incident,
            actor=actor,
            kind="incident.logged",
            subject_type="incident",
            payload=lambda: {
                "title": incident.title,
                "category": incident.category,
                "happened_at": incident.happened_at,
                "playbook_id": incident.playbook_id,
                "purchase_value": f"{incident.purchase_value:.2f}",
            },
        )
    return incident


@logs_action(
    "incident.attach",
    fields=lambda kw: {"incident_id": kw["incident"].pk, "customers": len(kw["customers"])},
    result_fields=lambda added: {"added": added},
)
def incident_attach(*, actor, incident: Incident, customers, source: str) -> int:
    """Attach customers the incident hit; one already attached is skipped (counted once). Returns how many were added."""
    with location_locked(incident.location_id):
        present = set(IncidentCustomer.objects.filter(incident=incident).values_list("customer_id", flat=True))
        entries = []
        for customer in customers:
            if customer.pk in present:
                continue
            present.add(customer.pk)
            entries.append(IncidentCustomer(incident=incident, customer=customer, source=source, attached_by=actor))
        # One insert for the rows and one for their history rows, each naming `actor` (a list may be 2,000 lines).
        bulk_create_with_history(entries, IncidentCustomer, default_user=actor)
    return len(entries)


@dataclass
class ChunkOutcome:
    """What one chunk of the decision did, and where the next one starts."""

    granted: int = 0
    already: int = 0  # granted before (a retry, or another tab got there first)
    refused: list[tuple[object, str]] = field(default_factory=list)  # (customer, reason) the grant service refused
    next_after: int = 0  # the last attached row handled; the next chunk starts after it
    remaining: int = 0  # ready customers after `next_after`

    @property
    def done(self) -> bool:
        return self.remaining == 0


@logs_action(
    "incident.grant",
    fields=lambda kw: {"incident_id": kw["incident"].pk, "after": kw.get("after", 0)},
    result_fields=lambda outcome: {"granted": outcome.granted, "remaining": outcome.remaining},
)
def incident_grant(*, actor, roles, incident: Incident, after: int = 0, chunk: int = INCIDENT_CHUNK) -> ChunkOutcome:
    """Grant the next `chunk` ready customers (attached rows after `after`), each exactly once.

    The whole decision is refused before anything is written when there is
    nobody to grant or the ready customers' total is above the location's
    remaining month budget (a budget is a month's, not one incident's).
    Each grant is the counter's own (`grant_issue`, full cap, the incident's
    terms); one a limit refuses meanwhile is reported and the rest go on.
    """
    now = timezone.now()
    policy = load_policy(now)
    preview = incident_preview(incident=incident, user=actor, policy=policy, now=now)
    if preview.refusal:
        raise RecoveryError("customers" if not preview.rows else None, preview.refusal)
    pending = [row for row in preview.ready if row.attached_id > after]
    outcome = ChunkOutcome(next_after=after)
    if incident.decided_at is None:
        _decided(actor=actor, incident=incident, now=now)
    for row in pending[:chunk]:
        outcome.next_after = row.attached_id
        request = GrantRequest(
            customer=row.customer,
            location=incident.location,
            category=incident.category,
            purchase_value=incident.purchase_value,
            note=incident_note(incident),
            playbook_id=incident.playbook_id,
            amount=None,
            token=incident_token(incident.pk, row.customer.pk),
            quoted_cap=row.cap,
            opened_at=incident.happened_at,
            incident=incident,
        )
        try:
            result = grant_issue(actor=actor, roles=roles, request=request, policy=policy)
        except IntegrityError:
            # Another employee's decision granted this customer a moment ago (the failure's unique constraint).
            if not ServiceFailure.objects.filter(incident=incident, customer=row.customer).exists():
                raise
            outcome.already += 1
        except RecoveryError as error:
            outcome.refused.append((row.customer, error.message))
        else:
            if result.replayed:
                outcome.already += 1
            else:
                outcome.granted += 1
    outcome.remaining = len(pending[chunk:])
    return outcome


def incident_note(incident: Incident) -> str:
    """The failure's note: the incident it belongs to, in the record's language (English), the same on every retry."""
    return f"Incident #{incident.pk}: {incident.title}"[:500]


def _decided(*, actor, incident: Incident, now) -> None:
    """The first chunk records who decided and when (journalled); later chunks and retries leave it."""
    with location_locked(incident.location_id), transaction.atomic():
        fresh = Incident.objects.select_for_update().get(pk=incident.pk)
        if fresh.decided_at is not None:
            return
        fresh.decided_by, fresh.decided_at = actor, now
        record_with_history(
            fresh,
            actor=actor,
            kind="incident.decided",
            subject_type="incident",
            payload={"decided_at": now, "decided_by_id": actor.pk},
        )
    incident.decided_by, incident.decided_at = actor, now
