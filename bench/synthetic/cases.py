"""One generated case at a time: the failure, its grant at or below the cap, maybe a void or an escalation.

Each case is priced by the policy in force (the cap engine through
`Policy.quote`, its `Policy.snapshot`) and written into a `Batch` with the
history rows the services would write and its journal entries.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from bench.synthetic.cast import Cast
from bench.synthetic.writers import Batch, Journal
from compensation.money import minor_unit, quantize
from compensation.policy import Policy, tenure_in_months
from compensation.predicates import FRONTLINE, MANAGER
from recovery.domain.fingerprints import grant_request_fingerprint
from recovery.domain.vouchers import VOUCHER_ALPHABET, VOUCHER_HALF_LENGTH
from recovery.models import Escalation, Grant, ServiceFailure
from recovery.services.escalations import escalation_payload
from recovery.services.grants import grant_issued_payload

# category, playbook code, notes, purchase value range: what typically goes wrong, and what is given for it
CASES = (
    ("waiting", "free-drinks", ("Order 25 minutes late", "Kitchen backed up", ""), (8, 80)),
    ("waiting", "late-table", ("Booked 19:00, seated 19:35", "Table not ready", ""), (40, 220)),
    ("order_wrong", "free-drinks", ("Wrong dish served", "Missing side order", ""), (10, 90)),
    ("product_defective", "replace-spoiled", ("Half the berries mouldy", "Cracked on opening", ""), (5, 60)),
    ("repeat_repair", "repeat-repair", ("Same brake noise after last repair", "Fault came back", ""), (150, 900)),
    ("billing", "free-month", ("Charged twice", "Service down for two days", ""), (20, 80)),
    ("appointment_moved", "wait-consultation", ("Waited 40 minutes past appointment", ""), (50, 220)),
    ("appointment_moved", "moved-appointment-massage", ("Clinic moved the appointment", ""), (60, 160)),
    ("missed_promise", "out-of-pocket", ("Shuttle never came; paid a taxi", "Delivery missed"), (20, 90)),
    ("staff_behaviour", "free-drinks", ("Rude answer at the till", ""), (10, 60)),
    ("other", "free-drinks", ("", "See the manager's note"), (5, 50)),
)
VOID_REASONS = (
    "Customer had already been compensated for this visit.",
    "Entered at the wrong location.",
    "Duplicate of an earlier grant.",
    "Customer declined the compensation.",
)
ESCALATION_REASONS = ("Loyal customer, whole evening spoiled", "Third failure this month", "Family of five waited")
DECLINE_NOTES = ("Already compensated last week", "The playbook's cap is fair here", "Offer a voucher instead")
VOID_SHARE = 0.03
ESCALATION_SHARE = 0.003  # of grants: two in three approved (these are grants), one declined
AT_CAP_SHARE = 0.7


def _voucher_code(grant_id: int, salt: int) -> str:
    """A code unique per grant id (a bijection of the id), that reads like the counter's random ones."""
    alphabet, size = VOUCHER_ALPHABET, len(VOUCHER_ALPHABET)
    space = size ** (2 * VOUCHER_HALF_LENGTH)
    number = (grant_id * 7_777_777_777 + salt) % space  # 7,777,777,777 shares no factor with 30**10
    chars = []
    for _ in range(2 * VOUCHER_HALF_LENGTH):
        number, digit = divmod(number, size)
        chars.append(alphabet[digit])
    return f"{''.join(chars[:VOUCHER_HALF_LENGTH])}-{''.join(chars[VOUCHER_HALF_LENGTH:])}"


class GrantFactory:
    """Builds one case at a time (failure, grant, maybe an escalation or a void) into a batch."""

    def __init__(self, *, cast: Cast, policy: Policy, rng: random.Random, salt: int, pending_after: datetime):
        self.cast, self.policy, self.rng, self.salt = cast, policy, rng, salt
        by_code = {playbook.code: playbook for playbook in policy.playbooks.values()}
        self.cases = [case for case in CASES if case[1] in by_code]
        if not self.cases:
            raise ValueError("The policy in force has none of the usual playbooks active: nothing to grant.")
        self.playbooks = {case[1]: by_code[case[1]] for case in self.cases}
        self.manager_limit = policy.authority_for([MANAGER]).limit
        self.escalations_made = 0
        self.pending_after = pending_after
        self.frontline_authority = policy.authority_for([FRONTLINE])
        # Prices are whole quarters and tenures whole months: the same quotes come back often.
        self.quotes: dict[tuple, object] = {}
        self.snapshots: dict[tuple, dict] = {}  # (playbook, currency) -> the policy snapshot

    def snapshot(self, playbook_id: int, currency: str) -> dict:
        key = (playbook_id, currency)
        if key not in self.snapshots:
            self.snapshots[key] = self.policy.snapshot(playbook_id, self.frontline_authority, currency)
        return self.snapshots[key]

    def quote(self, playbook_id: int, purchase_value: Decimal, tenure_months: int, currency: str):
        """The frontline cap at a location of `currency` (each location grants in its own)."""
        key = (playbook_id, purchase_value, tenure_months, currency)
        if key not in self.quotes:
            self.quotes[key] = self.policy.quote(
                playbook_id,
                purchase_value=purchase_value,
                tenure_months=tenure_months,
                authority=self.frontline_authority,
                currency=currency,
            )
        return self.quotes[key]

    def case(self, *, batch: Batch, journal: Journal, ids: dict, at: datetime, until: datetime) -> None:
        rng = self.rng
        location = rng.choices(self.cast.locations, weights=self.cast.weights)[0]
        employee = rng.choice(self.cast.frontline[location.id])
        customer_id, since = self.cast.customers[int(len(self.cast.customers) * rng.random() ** 2)]
        category, code, notes, (low, high) = rng.choice(self.cases)
        playbook = self.playbooks[code]
        currency = location.currency
        purchase_value = quantize(  # whole quarters: realistic prices, few quotes (whole units in yen)
            Decimal(rng.randint(low * 4, high * 4)) / 4, currency
        )
        tenure = tenure_in_months(since, at.date())
        quote = self.quote(playbook.id, purchase_value, tenure, currency)
        if quote.cap <= 0:
            return
        note = rng.choice(notes)
        escalated = rng.random() < ESCALATION_SHARE and quote.cap < self.manager_limit
        fields = {
            "cap": quote.cap,
            "cap_steps": list(quote.steps),
            "tenure_months": tenure,
            "tenure_tier": quote.tier.name,
            "authority_role": self.frontline_authority.role,
            "authority_limit": self.frontline_authority.limit,
            "policy_snapshot": self.snapshot(playbook.id, currency),
            "policy_version_id": self.policy.version.pk,
        }
        case = {
            "location": location,
            "employee": employee,
            "customer_id": customer_id,
            "category": category,
            "note": note,
        }
        case.update(playbook=playbook, purchase_value=purchase_value, fields=fields, at=at)
        if escalated:
            self._escalation(batch, journal, ids, case, until=until)
            return
        at_cap = rng.random() < AT_CAP_SHARE
        amount = quote.cap
        if not at_cap:
            amount = max(quantize(quote.cap * Decimal(rng.uniform(0.3, 0.95)), currency), minor_unit(currency))
        void = None
        if rng.random() < VOID_SHARE:
            # A manager voids it later the same day (within the batch, so each batch is complete).
            voided_at = min(at + timedelta(minutes=rng.randint(5, 480)), until)
            void = (self.cast.managers[location.id], voided_at, rng.choice(VOID_REASONS))
        self._grant(batch, journal, ids, case, amount=amount, asked=None if at_cap else amount, void=void)

    def _grant(
        self, batch, journal, ids, case, *, amount, asked, approved_by=None, logged_at=None, token=None, void=None
    ):
        """The failure and its grant, their history rows and journal entries; `void`: (manager, when, reason)."""
        rng, location, employee, at = self.rng, case["location"], case["employee"], case["at"]
        history_user = approved_by or employee
        # The case opens at the counter a few minutes before the grant (escalations: when asked).
        logged_at = logged_at or at - timedelta(seconds=rng.randint(20, 360))
        failure = ServiceFailure(
            id=ids["failure"].take(),
            customer_id=case["customer_id"],
            location_id=location.id,
            category=case["category"],
            purchase_value=case["purchase_value"],
            note=case["note"],
            logged_by_id=employee.pk,
            logged_at=logged_at,
        )
        batch.failures.add_instance(failure)
        batch.failure_history.record(failure, kind="+", at=at, user_id=history_user.pk)
        playbook = case["playbook"]
        grant = Grant(
            id=ids["grant"].take(),
            failure_id=failure.id,
            customer_id=case["customer_id"],
            location_id=location.id,
            playbook_id=playbook.id,
            playbook_name=playbook.name,
            playbook_kind=playbook.kind,
            currency=location.currency,
            amount=amount,
            purchase_value=case["purchase_value"],
            category=case["category"],
            failure_logged_at=logged_at,
            approved_by_id=approved_by.pk if approved_by else None,
            granted_by_id=employee.pk,
            granted_by_username=employee.get_username(),
            granted_at=at,
            token=token or uuid.UUID(int=rng.getrandbits(128), version=4),
            request_fingerprint=grant_request_fingerprint(
                customer_id=case["customer_id"],
                location_id=location.id,
                category=case["category"],
                purchase_value=case["purchase_value"],
                note=case["note"],
                playbook_id=playbook.id,
                amount=asked,
            ),
            **case["fields"],
        )
        if playbook.issues_voucher:
            grant.voucher_code = _voucher_code(grant.id, self.salt)
            valid_days = grant.policy_snapshot.get("voucher_valid_days") or playbook.voucher_valid_days
            grant.voucher_expires_on = at.date() + timedelta(days=valid_days)
        batch.grant_history.record(grant, kind="+", at=at, user_id=history_user.pk)
        journal.add(
            location_id=location.id,
            at=at,
            order=1,
            kind="grant.issued",
            subject_type="grant",
            subject_id=grant.id,
            actor=history_user,
            payload=grant_issued_payload(grant, failure),
        )
        if void is not None:
            manager, voided_at, reason = void
            grant.status, grant.voided_at, grant.voided_by_id, grant.void_reason = (
                "voided",
                voided_at,
                manager.pk,
                reason,
            )
            batch.grant_history.record(grant, kind="~", at=voided_at, user_id=manager.pk, reason=reason)
            journal.add(
                location_id=grant.location_id,
                at=voided_at,
                order=2,
                kind="grant.voided",
                subject_type="grant",
                subject_id=grant.id,
                actor=manager,
                payload={"reason": reason, "voided_by_id": manager.pk},
            )
        batch.grants.add_instance(grant)  # as it is now; its history shows each state
        return grant

    def _escalation(self, batch, journal, ids, case, *, until):
        """Above the cap: ask a manager, who approves (the grant) or declines with a note."""
        rng, location, employee, at = self.rng, case["location"], case["employee"], case["at"]
        manager = self.cast.managers[location.id]
        fields = case["fields"]
        requested = min(quantize(fields["cap"] * Decimal("1.5") + 5, location.currency), self.manager_limit)
        requested_at = at - timedelta(minutes=rng.randint(2, 30))
        self.escalations_made += 1
        # Two in three approved, one declined; in the last two days some still wait for a manager.
        pending = at > self.pending_after and self.escalations_made % 2 == 0
        approve = not pending and self.escalations_made % 3 != 0
        note = "" if approve or pending else rng.choice(DECLINE_NOTES)
        escalation = Escalation(
            id=ids["escalation"].take(),
            location_id=location.id,
            customer_id=case["customer_id"],
            playbook_id=case["playbook"].id,
            category=case["category"],
            purchase_value=case["purchase_value"],
            failure_note=case["note"],
            requested_amount=requested,
            allowed_amount=fields["cap"],
            reason=rng.choice(ESCALATION_REASONS),
            stopped_by=[{"limit": "cap", "allows": str(fields["cap"]), "reason": "; ".join(fields["cap_steps"])}],
            requested_by_id=employee.pk,
            requested_at=requested_at,
            token=uuid.UUID(int=rng.getrandbits(128), version=4),
            **fields,
        )
        batch.escalation_history.record(escalation, kind="+", at=requested_at, user_id=employee.pk)
        self._journal_escalation(journal, escalation, "escalation.requested", employee, requested_at, order=0)
        if pending:
            batch.escalations.add_instance(escalation)
            return
        if approve:
            stopped = " ".join(stop["reason"] for stop in escalation.stopped_by)
            approval = f"Approved above the limits by {manager.get_username()}: {stopped}"
            approved_case = {**case, "fields": {**fields, "cap_steps": [*fields["cap_steps"], approval]}}
            grant = self._grant(
                batch,
                journal,
                ids,
                approved_case,
                amount=requested,
                asked=requested,
                approved_by=manager,
                logged_at=requested_at,
                token=escalation.token,
            )
            escalation.grant_id = grant.id
        escalation.status = Escalation.Status.APPROVED if approve else Escalation.Status.DECLINED
        escalation.decided_by_id, escalation.decided_at, escalation.decision_note = manager.pk, at, note
        batch.escalations.add_instance(escalation)
        batch.escalation_history.record(
            escalation, kind="~", at=at, user_id=manager.pk, reason=note or escalation.get_status_display()
        )
        self._journal_escalation(journal, escalation, f"escalation.{escalation.status}", manager, at, order=3)

    @staticmethod
    def _journal_escalation(journal, escalation, kind, actor, at, *, order):
        journal.add(
            location_id=escalation.location_id,
            at=at,
            order=order,
            kind=kind,
            subject_type="escalation",
            subject_id=escalation.id,
            actor=actor,
            payload={
                **escalation_payload(escalation),
                "decision_note": escalation.decision_note if kind != "escalation.requested" else "",
                "grant_id": escalation.grant_id if kind != "escalation.requested" else None,
            },
        )
